"""The data rules see: the spec, the manifest, the fixtures and the evidence, plus helpers.

:func:`load_inputs` finds what exists next to a spec; :func:`build_base` and the
``*_variables`` functions build the CEL variables of each scope (documented in
docs/policies.md).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector_spec.digests import sha256_hex
from connector_spec.errors import Diagnostic, SpecError
from connector_spec.loader import LoadedSpec
from connector_spec.model import ConnectorSpec
from connector_spec.yaml_source import parse_yaml, read_text
from policies import secrets
from policies.errors import PolicyInputError

LEVELS = {"none": 0, "basic": 1, "self-consistent": 2, "certified": 3, "recorded": 4}
EFFECTS = ("none", "read", "write", "delete")

BASE_VARIABLES = (
    "spec",
    "provider",
    "spec_digest",
    "hosts",
    "server_urls",
    "capability_names",
    "capability_closure",
    "capabilities_by_effect",
    "manifest",
    "evidence",
    "checks",
    "fixtures",
    "documents",
    "secret_findings",
    "levels",
)
SCOPE_VARIABLES: dict[str, tuple[str, ...]] = {
    "provider": (),
    "operation": ("op", "op_index", "manifest_op", "op_fixtures", "op_checks"),
    "fixture": ("fixture", "fixture_file", "fixture_op"),
    "evidence": ("predicate",),
}
_TEMPLATE = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class FixtureDoc:
    """One fixture file: its path relative to the spec's directory and its data."""

    file: str
    data: dict[str, Any]


@dataclass
class PolicyInputs:
    """Everything one policy evaluation reads."""

    spec: ConnectorSpec
    spec_file: str
    spec_digest: str
    manifest: dict[str, Any] | None = None
    manifest_file: str | None = None
    evidence: dict[str, Any] | None = None
    evidence_file: str | None = None
    fixtures: list[FixtureDoc] = field(default_factory=list)
    fixtures_loaded: bool = False

    def has(self, name: str) -> bool:
        """True when the input ``name`` (manifest, evidence, fixtures) is present."""
        if name == "manifest":
            return self.manifest is not None
        if name == "evidence":
            return self.evidence is not None
        return bool(self.fixtures)


# ------------------------------------------------------------------------- loading inputs


def _json_file(path: Path) -> Any:
    try:
        raw = read_text(path)
    except SpecError as exc:
        raise PolicyInputError(exc.items) from None
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise PolicyInputError(
            [Diagnostic(str(path), None, None, "", "file is not UTF-8 text", None)]
        ) from None
    except json.JSONDecodeError as exc:
        raise PolicyInputError(
            [Diagnostic(str(path), exc.lineno, exc.colno, "", f"invalid JSON: {exc.msg}", None)]
        ) from None


def load_manifest(path: str | Path) -> dict[str, Any]:
    """Read a generated ``manifest.json``."""
    data = _json_file(Path(path))
    if not isinstance(data, dict):
        raise PolicyInputError(
            [Diagnostic(str(path), 1, 1, "", "a manifest is a JSON object", None)]
        )
    return data


def load_evidence(path: str | Path) -> dict[str, Any]:
    """Read certification evidence: an in-toto statement, or a DSSE envelope holding one."""
    name = str(path)
    data = _json_file(Path(path))
    if isinstance(data, dict) and "payload" in data and "payloadType" in data:
        try:
            data = json.loads(base64.b64decode(str(data["payload"]), validate=True))
        except (binascii.Error, ValueError):
            raise PolicyInputError(
                [Diagnostic(name, None, None, "payload", "DSSE payload is not base64 JSON", None)]
            ) from None
    if not isinstance(data, dict) or not isinstance(data.get("predicate"), dict):
        raise PolicyInputError(
            [
                Diagnostic(
                    name,
                    1,
                    1,
                    "predicate",
                    "not certification evidence: expected an in-toto statement with a predicate",
                    "pass the statement written by 'flows certify connector'",
                )
            ]
        )
    return data


def load_fixture_dir(directory: Path, relative_to: Path) -> list[FixtureDoc]:
    """Every ``*.yaml`` fixture under ``directory`` (recursively), in path order."""
    docs: list[FixtureDoc] = []
    for path in sorted(directory.rglob("*.yaml")):
        name = str(path)
        try:
            document = parse_yaml(read_text(path), name)
        except SpecError as exc:
            raise PolicyInputError(exc.items) from None
        if not isinstance(document.data, dict):
            raise PolicyInputError(
                [Diagnostic(name, 1, 1, "", "a fixture is a YAML mapping", None)]
            )
        docs.append(FixtureDoc(path.relative_to(relative_to).as_posix(), document.data))
    return docs


def load_inputs(
    loaded: LoadedSpec,
    *,
    manifest: dict[str, Any] | None = None,
    evidence: dict[str, Any] | None = None,
    fixtures: Sequence[dict[str, Any]] | None = None,
) -> PolicyInputs:
    """Gather the inputs; a manifest or fixtures not given are read from next to the spec."""
    spec = loaded.spec
    spec_dir = loaded.path.parent
    inputs = PolicyInputs(
        spec=spec,
        spec_file=str(loaded.path),
        spec_digest=sha256_hex(loaded.raw),
        evidence=evidence,
    )
    if manifest is not None:
        inputs.manifest = manifest
    else:
        candidate = spec_dir / f"flows_{spec.provider.python_name}" / "manifest.json"
        if candidate.is_file():
            inputs.manifest = load_manifest(candidate)
            inputs.manifest_file = str(candidate)
    if fixtures is not None:
        inputs.fixtures = [
            FixtureDoc(_fixture_name(data, index), dict(data))
            for index, data in enumerate(fixtures)
        ]
    elif (spec_dir / "fixtures").is_dir():
        inputs.fixtures = load_fixture_dir(spec_dir / "fixtures", spec_dir)
    return inputs


def _fixture_name(data: dict[str, Any], index: int) -> str:
    operation, scenario = data.get("operation"), data.get("scenario")
    if isinstance(operation, str) and isinstance(scenario, str):
        return f"fixtures/{operation}/{scenario}.yaml"
    return f"fixtures[{index}]"


# ------------------------------------------------------------------------- derived helpers


def spec_data(spec: ConnectorSpec) -> dict[str, Any]:
    """The spec as JSON data (aliases, absent optional fields left out)."""
    return spec.model_dump(mode="json", by_alias=True, exclude_none=True)


def declared_hosts(spec: ConnectorSpec) -> list[str]:
    """Hosts of the base URL and every environment; unresolved ``{variables}`` are kept."""
    urls: list[tuple[str, dict[str, str]]] = [(spec.base_url, {})]
    for env in spec.environments.values():
        urls.append((env.base_url or spec.base_url, env.variables))
    hosts: list[str] = []
    for url, values in urls:
        host = _host_of(_substitute(url, values))
        if host and host not in hosts:
            hosts.append(host)
    return hosts


def _substitute(url: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        return values.get(match.group(1), match.group(0))

    return _TEMPLATE.sub(replace, url)


def _host_of(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return rest.split("/", 1)[0].rsplit("@", 1)[-1].split(":", 1)[0].lower()


def server_urls(spec: ConnectorSpec, manifest: dict[str, Any] | None) -> list[dict[str, str]]:
    """Every URL the connector talks to, with where it is declared."""
    found = [{"where": "base_url", "url": spec.base_url}]
    for name, env in spec.environments.items():
        if env.base_url is not None:
            found.append({"where": f"environments.{name}.base_url", "url": env.base_url})
    for key in ("token_url", "authorization_url"):
        value = getattr(spec.auth, key, None)
        if isinstance(value, str):
            found.append({"where": f"auth.{key}", "url": value})
    if manifest is not None and isinstance(manifest.get("base_url"), str):
        found.append({"where": "manifest.base_url", "url": manifest["base_url"]})
    return found


def capability_closure(spec: ConnectorSpec) -> dict[str, list[str]]:
    """For each capability, every capability it implies directly or transitively.

    A capability that appears in its own list is part of an implication cycle.
    """
    implies = {c.name: list(c.implies) for c in spec.capabilities}
    closure: dict[str, list[str]] = {}
    for name in implies:
        seen: set[str] = set()
        stack = list(implies[name])
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(implies.get(current, []))
        closure[name] = sorted(seen)
    return closure


def capabilities_by_effect(spec: ConnectorSpec) -> dict[str, list[str]]:
    """Capabilities required by the operations of each effect (none, read, write, delete)."""
    result: dict[str, set[str]] = {effect: set() for effect in EFFECTS}
    for op in spec.operations:
        result[op.effects].update(op.capabilities)
    return {effect: sorted(names) for effect, names in result.items()}


def secret_findings(inputs: PolicyInputs, data: dict[str, Any]) -> list[dict[str, str]]:
    """``{"file", "path", "reason"}`` for each secret-looking value in the spec and fixtures."""
    found: list[dict[str, str]] = []
    documents = [(inputs.spec_file, data, True)]
    documents += [(f.file, f.data, False) for f in inputs.fixtures]
    for file, document, is_spec in documents:
        for finding in secrets.secrets_in(document, schema_aware=is_spec):
            path, _, reason = finding.partition(": ")
            found.append({"file": file, "path": path, "reason": reason})
    return found


def build_base(
    inputs: PolicyInputs, data: dict[str, Any] | None = None, names: Iterable[str] | None = None
) -> dict[str, Any]:
    """The variables every rule can read (only ``names`` when given: the rest cost time)."""
    spec = inputs.spec
    spec_dump = spec_data(spec) if data is None else data
    checks: list[Any] = []
    if inputs.evidence is not None:
        predicate = inputs.evidence.get("predicate")
        if isinstance(predicate, dict) and isinstance(predicate.get("checks"), list):
            checks = predicate["checks"]
    makers: dict[str, Callable[[], Any]] = {
        "spec": lambda: spec_dump,
        "provider": lambda: spec_dump["provider"],
        "spec_digest": lambda: inputs.spec_digest,
        "hosts": lambda: declared_hosts(spec),
        "server_urls": lambda: server_urls(spec, inputs.manifest),
        "capability_names": lambda: [c.name for c in spec.capabilities],
        "capability_closure": lambda: capability_closure(spec),
        "capabilities_by_effect": lambda: capabilities_by_effect(spec),
        "manifest": lambda: inputs.manifest,
        "evidence": lambda: inputs.evidence,
        "checks": lambda: checks,
        "fixtures": lambda: [f.data for f in inputs.fixtures],
        "documents": lambda: (
            [{"file": inputs.spec_file, "data": spec_dump}]
            + [{"file": f.file, "data": f.data} for f in inputs.fixtures]
        ),
        "secret_findings": lambda: secret_findings(inputs, spec_dump),
        "levels": lambda: LEVELS,
    }
    wanted = set(BASE_VARIABLES) if names is None else set(names) | {"spec", "checks"}
    return {name: make() for name, make in makers.items() if name in wanted}


@dataclass(frozen=True)
class Subject:
    """One thing a rule is checked against, with its scope variables."""

    name: str
    variables: dict[str, Any]


def subjects(scope: str, inputs: PolicyInputs, base: dict[str, Any]) -> list[Subject]:
    """The subjects of ``scope`` with their scope-specific variables."""
    if scope == "provider":
        return [Subject(f"provider {inputs.spec.provider.name}", {})]
    if scope == "evidence":
        if inputs.evidence is None:
            return []
        predicate = inputs.evidence.get("predicate")
        return [
            Subject(
                inputs.evidence_file or "evidence",
                {"predicate": predicate if isinstance(predicate, dict) else {}},
            )
        ]
    ops = base["spec"]["operations"]
    if scope == "operation":
        manifest_ops: dict[Any, Any] = {}
        if inputs.manifest is not None and isinstance(inputs.manifest.get("operations"), list):
            manifest_ops = {
                o.get("id"): o for o in inputs.manifest["operations"] if isinstance(o, dict)
            }
        checks_by_op: dict[Any, list[Any]] = {}
        for check in base["checks"]:
            if isinstance(check, dict):
                checks_by_op.setdefault(check.get("operation"), []).append(check)
        fixtures_by_op: dict[Any, list[Any]] = {}
        for fixture in inputs.fixtures:
            fixtures_by_op.setdefault(fixture.data.get("operation"), []).append(fixture.data)
        result = []
        for index, op in enumerate(ops):
            op_id = op["id"]
            result.append(
                Subject(
                    f"operations[{index}] {op_id}",
                    {
                        "op": op,
                        "op_index": index,
                        "manifest_op": manifest_ops.get(op_id),
                        "op_fixtures": fixtures_by_op.get(op_id, []),
                        "op_checks": checks_by_op.get(op_id, []),
                    },
                )
            )
        return result
    by_id = {op["id"]: op for op in ops}
    return [
        Subject(
            f.file,
            {
                "fixture": f.data,
                "fixture_file": f.file,
                "fixture_op": by_id.get(str(f.data.get("operation"))),
            },
        )
        for f in inputs.fixtures
    ]
