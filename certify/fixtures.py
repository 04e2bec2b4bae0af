"""Contract fixtures: one YAML file per operation scenario (see docs/formats.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from certify.canonical import canonical_bytes, sha256_hex
from certify.errors import FixtureError
from connector_spec.atomic import replace_file
from connector_spec.errors import Diagnostic, DiagnosticError, SpecError
from connector_spec.yaml_source import SourceMap, parse_yaml, read_text

SCENARIO_PATTERN = r"^[a-z0-9_]+$"
REDACTED = "<redacted>"
ANY = "<any>"  # a header whose value varies per call (an idempotency key)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class FixtureRequest(_Model):
    """What the client must send first (secrets redacted)."""

    method: str
    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    body: str | None = None
    json_: Any = Field(default=None, alias="json")

    @property
    def has_json(self) -> bool:
        """True when the fixture gives a JSON body."""
        return "json_" in self.model_fields_set


class FixtureResponse(_Model):
    """One served response (or a transport failure)."""

    status: int = Field(default=200, ge=100, le=599)
    headers: dict[str, str] = Field(default_factory=dict)
    json_: Any = Field(default=None, alias="json")
    text: str | None = None
    error: Literal["timeout", "connect_reset"] | None = None

    @property
    def has_json(self) -> bool:
        """True when the response body is given as JSON data."""
        return "json_" in self.model_fields_set


class FixtureExpect(_Model):
    """The outcome the client must produce."""

    result: Any = None
    error: str | None = None
    attempts: int = Field(default=1, ge=1)


class Fixture(_Model):
    """One operation scenario."""

    fixture_version: Literal[1]
    operation: str
    scenario: str = Field(pattern=SCENARIO_PATTERN)
    description: str = ""
    source: Literal["recorded", "synthesized"]
    call: dict[str, Any] = Field(default_factory=dict)
    environment: str | None = None
    request: FixtureRequest
    responses: list[FixtureResponse] = Field(min_length=1)
    expect: FixtureExpect
    digest: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    path: Path | None = Field(default=None, exclude=True)
    raw: bytes = Field(default=b"", exclude=True, repr=False)


def fixture_digest(data: dict[str, Any]) -> str:
    """``sha256:<hex>`` of the RFC 8785 canonical JSON of every field but ``digest``."""
    body = {k: v for k, v in data.items() if k != "digest"}
    return "sha256:" + sha256_hex(canonical_bytes(body))


def _locate(
    name: str, source_map: SourceMap, loc: tuple[Any, ...], message: str, hint: str | None = None
) -> Diagnostic:
    pos = source_map.position(tuple(loc))
    line, col = pos if pos else (None, None)
    path = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(".[", "[")
    return Diagnostic(name, line, col, path, message, hint)


def parse_fixture(raw: bytes, name: str, *, path: Path | None = None) -> Fixture:
    """Validate one fixture file's bytes (digest included)."""
    try:
        document = parse_yaml(raw, name)
    except DiagnosticError as exc:
        raise FixtureError(exc.items) from None
    data = document.data
    if not isinstance(data, dict):
        raise FixtureError([Diagnostic(name, 1, 1, "", "a fixture is a YAML mapping")])
    try:
        fixture = Fixture.model_validate(data)
    except ValidationError as exc:
        raise FixtureError(
            [
                _locate(
                    name,
                    document.source_map,
                    tuple(e["loc"]),
                    e["msg"],
                    "see docs/formats.md, 'Contract fixture'",
                )
                for e in exc.errors()
            ]
        ) from None
    try:
        expected = fixture_digest(data)
    except Exception as exc:  # rfc8785 refuses some values (huge ints, NaN)
        raise FixtureError(
            [Diagnostic(name, None, None, "", f"cannot canonicalise: {exc}")]
        ) from None
    if fixture.digest != expected:
        raise FixtureError(
            [
                _locate(
                    name,
                    document.source_map,
                    ("digest",),
                    f"digest does not match the content (content is {expected})",
                    "if the edit was intended, run 'flows record rehash "
                    f"{path.parent.parent if path else 'FIXTURES_DIR'}'",
                )
            ]
        )
    fixture.path = path
    fixture.raw = raw
    return fixture


def load_fixture(path: Path) -> Fixture:
    """Read and validate one fixture file."""
    fixture = parse_fixture(read_text(path), str(path), path=path)
    if path.parent.name != fixture.operation or path.stem != fixture.scenario:
        raise FixtureError(
            [
                Diagnostic(
                    str(path),
                    None,
                    None,
                    "operation",
                    f"file is at {path.parent.name}/{path.name} but says operation "
                    f"{fixture.operation!r}, scenario {fixture.scenario!r}",
                    "store it as fixtures/<operation>/<scenario>.yaml",
                )
            ]
        )
    return fixture


def fixture_files(directory: Path) -> list[Path]:
    """Every ``<operation>/<scenario>.yaml`` under ``directory``, sorted."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob("*/*.yaml") if p.is_file())


def load_fixtures(directory: Path, operations: set[str] | None = None) -> list[Fixture]:
    """Every fixture under ``directory``; all problems are reported together."""
    found: list[Fixture] = []
    problems: list[Diagnostic] = []
    for path in fixture_files(directory):
        try:
            fixture = load_fixture(path)
        except FixtureError as exc:
            problems.extend(exc.items)
            continue
        if operations is not None and fixture.operation not in operations:
            problems.append(
                Diagnostic(
                    str(path),
                    None,
                    None,
                    "operation",
                    f"the spec has no operation {fixture.operation!r}",
                    f"operations are: {', '.join(sorted(operations))}",
                )
            )
            continue
        found.append(fixture)
    if problems:
        raise FixtureError(problems)
    return found


def fixture_set_files(directory: Path) -> dict[str, bytes]:
    """The fixture files by path relative to ``directory`` (for the evidence digest)."""
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in fixture_files(directory)}


def dump_fixture(data: dict[str, Any]) -> bytes:
    """YAML text of a fixture mapping with a fresh digest (keys in the documented order)."""
    body = {k: v for k, v in data.items() if k != "digest"}
    body["digest"] = fixture_digest(body)
    text: str = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)
    return text.encode("utf-8")


def rehash(directory: Path) -> list[Path]:
    """Recompute the digest of every fixture under ``directory``; return the files changed.

    Every file is validated first (apart from its digest); nothing is written if any fails.
    """
    if not directory.is_dir():
        raise FixtureError(
            [
                Diagnostic(
                    str(directory),
                    None,
                    None,
                    "",
                    "not a fixtures directory",
                    "pass connectors/<provider>/fixtures",
                )
            ]
        )
    updates: list[tuple[Path, bytes]] = []
    problems: list[Diagnostic] = []
    for path in fixture_files(directory):
        try:  # the bounded loader: duplicate keys, alias bombs and bad YAML are located errors
            raw = read_text(path)
            data = parse_yaml(raw, str(path)).data
        except SpecError as exc:
            problems.extend(exc.items)
            continue
        if not isinstance(data, dict):
            problems.append(Diagnostic(str(path), 1, 1, "", "a fixture is a YAML mapping"))
            continue
        new = dump_fixture(data)
        try:
            parse_fixture(new, str(path), path=path)
        except FixtureError as exc:
            problems.extend(exc.items)
            continue
        if new != raw:
            updates.append((path, new))
    if problems:
        raise FixtureError(problems)
    for path, content in updates:
        replace_file(path, content)
    return [p for p, _ in updates]
