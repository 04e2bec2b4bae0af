"""Where secrets must never appear: requests (outside the auth slot), logs, errors, files."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

import httpx

from certify.fixtures import REDACTED, Fixture
from certify.harness import Harness, SentRequest, canary_for
from connector_spec.jsonschema_subset import SchemaNode
from connector_spec.model import ApiKeyAuth, BearerAuth, ConnectorSpec, auth_schemes
from connector_spec.secrets import find_token

SENSITIVE_HEADERS = {
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
}


def _mask(text: str, canaries: Iterable[str]) -> str:
    for value in canaries:
        text = text.replace(value, "<canary>")
    return text


def secret_field_names(spec: ConnectorSpec) -> set[str]:
    """Names of body fields (anywhere) and parameters the spec marks ``secret: true``."""
    names: set[str] = set()

    def walk(node: SchemaNode | None, name: str | None, depth: int = 0) -> None:
        if node is None or depth > 20:
            return
        if node.secret and name:
            names.add(name)
        for key, child in (node.properties or {}).items():
            walk(child, key, depth + 1)
        walk(node.items, name, depth + 1)
        if isinstance(node.additional_properties, SchemaNode):
            walk(node.additional_properties, None, depth + 1)
        for child in [*(node.one_of or []), *(node.any_of or [])]:
            walk(child, name, depth + 1)

    for schema_name, schema in spec.schemas.items():
        walk(schema, schema_name if schema.secret else None)
    for op in spec.operations:
        for param in op.params:
            if param.secret:
                names.add(param.name)
        if op.body is not None:
            walk(op.body.schema_, None)
        walk(op.response.schema_, None)
    return names


def auth_slot(spec: ConnectorSpec) -> tuple[str, str] | None:
    """Where the (first) credential belongs: (``header``|``query``|``path``, name)."""
    slots = auth_slots(spec)
    return slots[0] if slots else None


def auth_slots(spec: ConnectorSpec) -> list[tuple[str, str]]:
    """Where each credential belongs (several for ``multiple`` auth); a cookie is a header."""
    if spec.auth.type == "none":
        return []
    slots: list[tuple[str, str]] = []
    for auth in auth_schemes(spec.auth):
        if isinstance(auth, BearerAuth):
            slots.append(("header", auth.header.lower()))
        elif isinstance(auth, ApiKeyAuth) and auth.location == "cookie":
            slots.append(("header", "cookie"))
        elif isinstance(auth, ApiKeyAuth):
            name = auth.name.lower() if auth.location == "header" else auth.name
            slots.append((auth.location, name))
        else:
            slots.append(("header", "authorization"))
    return slots


def misplaced_in_request(
    spec: ConnectorSpec, sent: SentRequest, canaries: list[str], token_request: bool
) -> str | None:
    """Where a canary appears in ``sent`` outside the slot the spec's auth puts it in."""
    slots = auth_slots(spec)
    url = sent.url
    in_query = {name for kind, name in slots if kind == "query"}
    if in_query:
        parts = urlsplit(url)
        kept: list[tuple[str, str | int | float | bool | None]] = [
            (k, v) for k, v in httpx.QueryParams(parts.query).multi_items() if k not in in_query
        ]
        url = parts._replace(query=str(httpx.QueryParams(kept))).geturl()
    in_headers = {name for kind, name in slots if kind == "header"}
    path_canaries = path_credentials(spec, canaries)
    for value in canaries:
        if value in url and not (value in path_canaries and value not in urlsplit(url).query):
            return f"in the URL of {sent.method} {_mask(sent.url, canaries)}"
        for name, header in sent.headers.items():
            lower = name.lower()
            if lower in in_headers:
                continue
            if token_request and lower == "authorization":
                continue
            if value in header:
                return f"in the {name} header of {sent.method} {_mask(sent.url, canaries)}"
        if not token_request and value in sent.content.decode("utf-8", "replace"):
            return f"in the body of {sent.method} {_mask(sent.url, canaries)}"
    return None


def path_credentials(spec: ConnectorSpec, canaries: list[str]) -> set[str]:
    """The canaries of API keys that belong in the URL path (their slot is the path)."""
    names = {
        s.secret.env or s.secret.store or ""
        for s in auth_schemes(spec.auth)
        if isinstance(s, ApiKeyAuth) and s.location == "path"
    }
    return {c for c in canaries if any(c == canary_for(n) for n in names)}


def fixture_leaks(spec: ConnectorSpec, fixture: Fixture, canaries: list[str]) -> list[str]:
    """Secrets a fixture file still holds (unredacted auth headers, token shapes, canaries)."""
    name = f"fixture {fixture.operation}/{fixture.scenario}"
    text = fixture.raw.decode("utf-8", "replace")
    found: list[str] = []
    slot = auth_slot(spec)
    sensitive = set(SENSITIVE_HEADERS)
    if slot and slot[0] == "header":
        sensitive.add(slot[1])
    secret_names = secret_field_names(spec)
    sensitive |= {n.lower() for n in secret_names}
    for header, value in fixture.request.headers.items():
        if header.lower() in sensitive and value != REDACTED:
            found.append(f"{name}: request header {header} is not redacted")
    query = httpx.QueryParams(urlsplit(fixture.request.url).query)
    for key, value in query.multi_items():
        if ((slot and slot == ("query", key)) or key in secret_names) and value != REDACTED:
            found.append(f"{name}: query parameter {key} is not redacted")
    for index, response in enumerate(fixture.responses):
        for header, value in response.headers.items():
            if header.lower() in ("set-cookie", *sensitive) and value != REDACTED:
                found.append(f"{name}: responses[{index}] header {header} is not redacted")
    token = find_token(text)
    if token is not None:
        kind, value = token
        found.append(f"{name}: holds what looks like a live credential ({kind}: {value[:7]}...)")
    if any(c in text for c in canaries):
        found.append(f"{name}: holds a canary secret")
    return found


def scan(
    spec: ConnectorSpec,
    harness: Harness,
    logs: list[str],
    exception_texts: list[str],
    fixtures: list[Fixture],
    files: dict[str, bytes],
) -> list[str]:
    """Every place a secret leaked; empty when none did."""
    canaries = harness.canaries
    problems: list[str] = []
    token_ids = {id(r) for r in harness.token_requests}
    for sent in harness.all_requests:
        where = misplaced_in_request(spec, sent, canaries, id(sent) in token_ids)
        if where:
            problems.append(f"a credential was sent {where}")
            break
    for text in logs:
        if any(c in text for c in canaries):
            problems.append(f"a credential appeared in a log record: {_mask(text, canaries)[:160]}")
            break
    for text in exception_texts:
        if any(c in text for c in canaries):
            problems.append(
                f"a credential appeared in an exception message: {_mask(text, canaries)[:160]}"
            )
            break
    for fixture in fixtures:
        problems += fixture_leaks(spec, fixture, canaries)
    for name, content in files.items():
        if any(c.encode() in content for c in canaries):
            problems.append(f"a credential appeared in the evidence file {name}")
    return problems
