"""``flows record connector``: record one operation scenario into a contract fixture.

The call goes through the generated client inside a vcrpy cassette. Authorization
headers, cookies, API-key query parameters and every field the spec marks ``secret: true``
are scrubbed before anything is written, and the recorder refuses to write a fixture in
which a known secret value still appears.
"""

from __future__ import annotations

import base64
import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from certify.errors import CertifyInputError, RecordRefused
from certify.fixtures import ANY, REDACTED, dump_fixture, parse_fixture
from certify.harness import secret_refs
from certify.leaks import SENSITIVE_HEADERS, auth_slot, secret_field_names
from certify.matrix import dump_result
from certify.package import ImportedPackage, import_package_dir, import_rendered
from connector_spec.atomic import replace_file
from connector_spec.codegen import render_package
from connector_spec.errors import argument
from connector_spec.loader import load_spec
from connector_spec.model import ConnectorSpec
from connector_spec.naming import client_method

_DROP_REQUEST_HEADERS = {
    "user-agent",
    "accept-encoding",
    "connection",
    "host",
    "content-length",
    "accept",
}
_DROP_RESPONSE_HEADERS = {
    "connection",
    "content-length",
    "content-encoding",
    "date",
    "transfer-encoding",
    "keep-alive",
    "server",
}


@dataclass
class RecordResult:
    """Where the fixture went and what it says."""

    path: Path
    fixture: dict[str, Any]
    source: str

    def to_json(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "ok": True,
            "written": str(self.path),
            "source": self.source,
            "operation": self.fixture["operation"],
            "scenario": self.fixture["scenario"],
            "attempts": self.fixture["expect"]["attempts"],
        }


def _scrub_json(value: Any, names: set[str]) -> Any:
    if isinstance(value, dict):
        return {
            k: (REDACTED if k in names and v is not None else _scrub_json(v, names))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrub_json(v, names) for v in value]
    return value


def _form_key_names(key: str) -> list[str]:
    """``metadata[api_key]`` → ``["metadata", "api_key"]``."""
    return [re.sub(r"\[.*", "", key), *re.findall(r"\[([^\]]+)\]", key)]


def _scrub_form(text: str, names: set[str]) -> str:
    pairs = httpx.QueryParams(text).multi_items()
    kept: list[tuple[str, str | int | float | bool | None]] = [
        (k, REDACTED if any(n in names for n in _form_key_names(k)) else v) for k, v in pairs
    ]
    return str(httpx.QueryParams(kept))


def _body_data(body: bytes, content_type: str, names: set[str]) -> tuple[str, Any]:
    """(``json``|``text``|``body``, value) of a body, with secret fields scrubbed."""
    text = body.decode("utf-8", "replace")
    if "json" in content_type and text.strip():
        try:
            return "json", _scrub_json(json.loads(text), names)
        except ValueError:
            return "text", text
    if "x-www-form-urlencoded" in content_type:
        return "body", _scrub_form(text, names)
    return "text", text


def _secret_forms(value: str) -> list[str]:
    forms = {value, quote(value, safe=""), base64.b64encode(value.encode()).decode()}
    return [f for f in forms if len(f) >= 4]


def _import(spec_path: Path, connector_dir: Path | None) -> tuple[ConnectorSpec, ImportedPackage]:
    loaded = load_spec(spec_path)
    directory = connector_dir or loaded.path.parent
    rendered = render_package(loaded)
    if (directory / rendered.package / "__init__.py").is_file():
        return loaded.spec, import_package_dir(directory / rendered.package, rendered.package)
    return loaded.spec, import_rendered(rendered.files, rendered.package)


def record_fixture(
    spec_path: str | Path,
    operation: str,
    *,
    call: Mapping[str, Any] | None = None,
    scenario: str = "happy_path",
    description: str = "",
    live: bool = False,
    transport: httpx.BaseTransport | None = None,
    credentials: Mapping[str, str] | None = None,
    environment: str | None = None,
    known_secrets: Sequence[str] = (),
    connector_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
) -> RecordResult:
    """Call ``operation`` once through the generated client and write the fixture.

    ``live=True`` talks to the provider (its sandbox) and marks the fixture ``recorded``;
    otherwise ``transport`` (an ``httpx.MockTransport``) answers and the fixture is
    ``synthesized``. ``known_secrets`` are extra values (canaries) that must not be written.
    """
    if not re.fullmatch(r"[a-z0-9_]+", scenario):
        raise CertifyInputError(f"scenario name {scenario!r} must match [a-z0-9_]+")
    if live and transport is not None:
        raise CertifyInputError("a live recording cannot use a mock transport")
    if not live and transport is None:
        raise CertifyInputError(
            f"recording talks to the provider's sandbox: pass {argument('live')} to confirm",
            hint="credentials come from the environment variables the spec names",
        )
    path = Path(spec_path)
    spec, package = _import(path, Path(connector_dir) if connector_dir else None)
    try:
        try:
            op = spec.operation(operation)
        except KeyError:
            raise CertifyInputError(
                f"{path}: the spec has no operation {operation!r}",
                hint=f"operations are: {', '.join(o.id for o in spec.operations)}",
            ) from None
        return _record(
            spec,
            package,
            path,
            op.id,
            op.resource,
            dict(call or {}),
            scenario,
            description,
            live,
            transport,
            credentials,
            environment,
            known_secrets,
            Path(out_dir)
            if out_dir
            else (Path(connector_dir) if connector_dir else path.parent) / "fixtures",
        )
    finally:
        package.close()


def _record(
    spec: ConnectorSpec,
    package: ImportedPackage,
    spec_path: Path,
    op_id: str,
    resource: str,
    call: dict[str, Any],
    scenario: str,
    description: str,
    live: bool,
    transport: httpx.BaseTransport | None,
    credentials: Mapping[str, str] | None,
    environment: str | None,
    known_secrets: Sequence[str],
    fixtures_dir: Path,
) -> RecordResult:
    import vcr

    names = secret_field_names(spec)
    slot = auth_slot(spec)
    headers_to_filter = {*SENSITIVE_HEADERS, *(n.lower() for n in names)}
    query_to_filter = set(names)
    if slot is not None:
        (headers_to_filter if slot[0] == "header" else query_to_filter).add(slot[1])
    idem = spec.operation(op_id).idempotency
    idem_header = idem.header.lower() if idem and idem.header else None

    secrets = [*known_secrets]
    resolver_env = dict(credentials or {})
    for ref in secret_refs(spec):
        key = ref.env or ref.store or ""
        value = resolver_env.get(key) or (os.environ.get(key) if ref.env else None)
        if value:
            secrets.append(value)

    recorder = vcr.VCR(
        record_mode="all",
        filter_headers=[(h, REDACTED) for h in sorted(headers_to_filter)],
        filter_query_parameters=[(q, REDACTED) for q in sorted(query_to_filter)],
        decode_compressed_response=True,
    )
    client_class = package.client_class()
    try:
        client_class(credentials=credentials, transport=transport, environment=environment).close()
    except package.errors.ConfigurationError as exc:
        raise CertifyInputError(
            f"cannot record {op_id}: {exc}",
            hint="export the sandbox credentials the spec names, or pick "
            f"{argument('environment')}",
        ) from None
    error: BaseException | None = None
    result: Any = None
    with (
        tempfile.TemporaryDirectory(prefix="flows-record-") as tmp,
        recorder.use_cassette(str(Path(tmp) / "cassette.yaml")) as cassette,
    ):
        client = client_class(credentials=credentials, transport=transport, environment=environment)
        try:
            attribute, name = client_method(spec.operations, op_id)
            result = getattr(getattr(client, attribute), name)(**call)
        except package.errors.ConnectorError as exc:
            error = exc
        except TypeError as exc:
            raise CertifyInputError(
                f"{argument('call')} does not fit {op_id}: {exc}",
                hint="pass the generated method's keyword arguments as a JSON object",
            ) from None
        finally:
            client.close()
        requests = list(cassette.requests)
        responses = list(cassette.responses)
    if isinstance(error, package.errors.ConfigurationError):
        raise CertifyInputError(f"cannot record {op_id}: {error}") from None
    if not requests:
        raise CertifyInputError(f"{op_id}: the client sent no request; nothing to record")

    first = requests[0]
    req_headers = {k: v for k, v in first.headers.items() if k.lower() not in _DROP_REQUEST_HEADERS}
    if idem_header:
        req_headers = {k: (ANY if k.lower() == idem_header else v) for k, v in req_headers.items()}
    request: dict[str, Any] = {"method": first.method, "url": first.uri, "headers": req_headers}
    if first.body:
        body = first.body if isinstance(first.body, bytes) else str(first.body).encode()
        kind, value = _body_data(body, first.headers.get("Content-Type", ""), names)
        request["json" if kind == "json" else "body"] = value
    served: list[dict[str, Any]] = []
    for response in responses:
        headers = {
            k: (REDACTED if k.lower() in ("set-cookie", *headers_to_filter) else v[0])
            for k, v in response["headers"].items()
            if k.lower() not in _DROP_RESPONSE_HEADERS and v
        }
        entry: dict[str, Any] = {"status": response["status"]["code"], "headers": headers}
        content = response["body"]["string"] or b""
        if isinstance(content, str):
            content = content.encode()
        if content:
            kind, value = _body_data(
                content, headers.get("Content-Type", headers.get("content-type", "")), names
            )
            entry["json" if kind == "json" else "text"] = value
        else:
            entry["json"] = None
        served.append(entry)
    expect: dict[str, Any] = {"attempts": len(requests)}
    if error is not None:
        expect["error"] = type(error).__name__
    else:
        expect["result"] = _scrub_json(dump_result(result), names)
    data: dict[str, Any] = {
        "fixture_version": 1,
        "operation": op_id,
        "scenario": scenario,
        "description": description or f"{op_id}: {scenario.replace('_', ' ')}",
        "source": "recorded" if live else "synthesized",
        "call": call,
        "environment": environment,
        "request": request,
        "responses": served,
        "expect": expect,
    }
    content = dump_fixture(data)
    target = fixtures_dir / op_id / f"{scenario}.yaml"
    text = content.decode("utf-8")
    for secret in secrets:
        for form in _secret_forms(secret):
            if form in text:
                line = text[: text.index(form)].count("\n") + 1
                raise RecordRefused(
                    f"{target}:{line}: a known secret value is still in the recording "
                    "after scrubbing; nothing was written",
                    hint="mark the field that carries it 'secret: true' in the spec, or "
                    "record with a call that does not echo credentials",
                )
    parse_fixture(content, str(target), path=target)
    replace_file(target, content)
    return RecordResult(target, data, data["source"])
