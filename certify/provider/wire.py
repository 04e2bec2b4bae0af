"""Does a request the generated client sent validate against the provider's description?

The request is read the way the provider would read it: the path against the operation's
template, query and header parameters (strings coerced to the described types), and the
body by its ``Content-Type`` (JSON, or a form whose bracket keys ``a[b]=c`` / ``a[0]=c`` are
Stripe-style deep objects). Values are validated with ``jsonschema`` against schemas bundled
by the shared reader (OpenAPI 3.0 dialect translated, formats checked).
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import jsonschema

from certify.provider.instances import UNEVALUABLE
from certify.provider.match import Match
from connector_spec.openapi import OpenApiDocument, RefError, bundle_schema

_BRACKETS = re.compile(r"\[([^\[\]]*)\]")
MAX_ERRORS = 3


class Validators:
    """Bundled schemas and their validators, made once per schema object."""

    def __init__(self, document: OpenApiDocument) -> None:
        self.document = document
        # keyed by id(schema); the schema itself is kept so that the id stays its own
        self._cache: dict[int, tuple[Any, dict[str, Any] | None, Any]] = {}

    def bundled(self, schema: Any) -> dict[str, Any] | None:
        """The self-contained JSON Schema of ``schema`` (``None`` when unresolvable)."""
        self.validator(schema)
        return self._cache[id(schema)][1]

    def validator(self, schema: Any) -> Any:
        """A ``jsonschema`` validator for ``schema`` (formats checked), ``None`` when it
        cannot be bundled."""
        key = id(schema)
        if key not in self._cache:
            bundled: dict[str, Any] | None = None
            made: Any = None
            try:
                bundled = bundle_schema(self.document, schema)
                made = jsonschema.Draft202012Validator(
                    bundled, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
                )
            except (RefError, jsonschema.SchemaError):
                bundled, made = None, None
            self._cache[key] = (schema, bundled, made)
        return self._cache[key][2]

    def problems(self, schema: Any, value: Any, what: str) -> list[str]:
        """Why ``value`` does not satisfy ``schema`` (at most :data:`MAX_ERRORS`)."""
        validator = self.validator(schema)
        if validator is None:
            return []
        found = []
        try:
            errors = list(validator.iter_errors(value))[:MAX_ERRORS]
        except UNEVALUABLE:
            return []  # a pattern in another regex dialect: this part cannot be judged
        for error in errors:
            where = ".".join(str(p) for p in error.absolute_path)
            found.append(f"{what}{'.' + where if where else ''}: {error.message[:200]}")
        return found


def _coerce(value: Any, schema: Any, document: OpenApiDocument, depth: int = 0) -> Any:
    """Form/query strings as the types ``schema`` describes (what a server's parser does)."""
    if depth > 12 or not isinstance(schema, dict):
        return value
    try:
        schema = document.resolve(schema).value
    except RefError:
        return value
    if not isinstance(schema, dict):
        return value
    for key in ("anyOf", "oneOf"):
        for option in schema.get(key) or []:
            coerced = _coerce(value, option, document, depth + 1)
            if coerced is not value:
                return coerced
    kind = schema.get("type")
    kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    if isinstance(value, dict):
        if "array" in kinds and all(k.isdigit() for k in value):
            return [
                _coerce(value[k], schema.get("items"), document, depth + 1)
                for k in sorted(value, key=int)
            ]
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        return {
            k: _coerce(
                v, props.get(k, extra if isinstance(extra, dict) else None), document, depth + 1
            )
            for k, v in value.items()
        }
    if not isinstance(value, str):
        return value
    if "integer" in kinds and re.fullmatch(r"-?\d+", value):
        return int(value)
    if "number" in kinds:
        try:
            return float(value)
        except ValueError:
            return value
    if "boolean" in kinds and value in ("true", "false"):
        return value == "true"
    return value


def media_matches(sent: str, described: str) -> bool:
    """Does a body of media type ``sent`` fit ``described`` (which may be ``type/*`` or
    ``*/*``)? Parameters (``; charset=...``) are ignored."""
    sent = sent.split(";")[0].strip().lower()
    described = described.split(";")[0].strip().lower()
    if described in (sent, "*/*", "*"):
        return True
    kind, _, sub = described.partition("/")
    return sub == "*" and sent.partition("/")[0] == kind


def parse_multipart(content: bytes, content_type: str) -> dict[str, Any] | None:
    """The fields of a ``multipart/form-data`` body by name (a file's bytes as text), or
    ``None`` when it is not one."""
    from email import policy
    from email.parser import BytesParser

    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + content)
    if not message.is_multipart():
        return None
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            return None
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        fields[name] = data.decode("utf-8", "replace")
    return fields


def _json_parts(fields: dict[str, Any], schema: Any, document: OpenApiDocument) -> dict[str, Any]:
    """Parts whose property is an object or array, read as JSON (OpenAPI 3's default
    encoding of such properties in ``multipart/form-data``)."""
    try:
        resolved = document.resolve(schema).value if isinstance(schema, dict) else None
    except RefError:
        return fields
    props = resolved.get("properties") if isinstance(resolved, dict) else None
    if not isinstance(props, dict):
        return fields
    out = dict(fields)
    for name, text in fields.items():
        prop = props.get(name)
        try:
            prop = document.resolve(prop).value if isinstance(prop, dict) else None
        except RefError:
            continue
        kind = prop.get("type") if isinstance(prop, dict) else None
        kinds = {kind} if isinstance(kind, str) else set(kind) if isinstance(kind, list) else set()
        if kinds & {"object", "array"}:
            with contextlib.suppress(ValueError):  # else the schema says what is wrong
                out[name] = json.loads(text)
    return out


def _is_array(schema: Any, document: OpenApiDocument) -> bool:
    try:
        resolved = document.resolve(schema).value if isinstance(schema, dict) else None
    except RefError:
        return False
    kind = resolved.get("type") if isinstance(resolved, dict) else None
    return kind == "array" or (isinstance(kind, list) and "array" in kind)


def parse_form(text: str) -> dict[str, Any]:
    """``a[b]=1&c=2`` as ``{"a": {"b": "1"}, "c": "2"}`` (deep objects; lists as digit keys)."""
    result: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        head = key.split("[", 1)[0]
        tokens = [head, *_BRACKETS.findall(key[len(head) :])]
        node = result
        for token in tokens[:-1]:
            child = node.get(token)
            if not isinstance(child, dict):
                child = node[token] = {}
            node = child
        node[tokens[-1]] = value
    return result


def request_problems(
    match: Match,
    validators: Validators,
    *,
    method: str,
    url: str,
    headers: dict[str, str],
    content: bytes,
    carried: set[tuple[str, str]],
) -> list[tuple[str, str]]:
    """Why the provider's description refuses this request, each with the pointer of the
    part that refuses it (empty when the request validates)."""
    view, document = match.view, validators.document
    found: list[tuple[str, str]] = []
    parts = urlsplit(url)
    # a '#...' in a path key (AWS's '/#X-Amz-Target=...') only tells operations apart in the
    # description: a fragment is never part of a request (RFC 3986, 3.5), so it is not matched
    template = re.escape(match.prefix + view.path.partition("#")[0])
    template = re.sub(r"\\\{[^{}]*\\\}", "[^/]+", template)
    if method.upper() != view.method.upper() or not re.fullmatch(template, parts.path):
        found.append(
            (
                f"{method} {parts.path} is not {view.method.upper()} {match.prefix}{view.path}",
                view.pointer,
            )
        )
    deep = {p.name for p in view.parameters if p.location == "query" and p.style == "deepObject"}
    query: dict[str, list[str]] = {}
    nested: list[tuple[str, str]] = []  # deepObject keys (expand[0], created[gt]) read whole
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if "[" in key and key.split("[", 1)[0] in deep:
            nested.append((key, value))
        else:
            query.setdefault(key, []).append(value)
    deep_values = parse_form(urlencode(nested))
    lowered = {k.lower(): v for k, v in headers.items()}
    described = set()
    for param in view.parameters:
        if param.location not in ("query", "header"):
            continue
        described.add((param.name, param.location))
        if (param.name.lower(), param.location) in carried:
            continue
        raw: Any
        if param.location == "query" and param.name in deep_values:
            present, raw = True, deep_values[param.name]
        elif param.location == "query":
            present = param.name in query
            raw = query.get(param.name, [""])
            if present and _is_array(param.schema, document):
                if param.style == "deepObject":  # Stripe: expand[0]=customer, never expand=x
                    found.append(
                        (
                            f"query parameter `{param.name}` was sent as `{param.name}=...`; the "
                            f"description serializes it as a deep object (`{param.name}[0]=...`)",
                            param.pointer,
                        )
                    )
                    continue
            else:
                raw = raw[0] if len(raw) == 1 else raw
        else:
            present = param.name.lower() in lowered
            raw = lowered.get(param.name.lower(), "")
            if param.name.lower() in ("accept", "content-type", "authorization"):
                continue
        if not present:
            if param.required:
                found.append(
                    (
                        f"{param.location} parameter `{param.name}` is required but missing",
                        param.pointer,
                    )
                )
            continue
        value = _coerce(raw, param.schema, document)
        found += [
            (problem, param.pointer + "/schema")
            for problem in validators.problems(
                param.schema, value, f"{param.location} `{param.name}`"
            )
        ]
    for key in query:
        if (key, "query") not in described and (key.lower(), "query") not in carried:
            found.append(
                (f"query parameter `{key}` is not in the description", view.pointer + "/parameters")
            )
    found += _body_problems(match, validators, lowered.get("content-type", ""), content)
    return found


def _body_problems(
    match: Match, validators: Validators, content_type: str, content: bytes
) -> list[tuple[str, str]]:
    body = match.view.request_body
    if not content:
        if body is not None and body.required:
            return [("the provider requires a request body; none was sent", body.pointer)]
        return []
    if body is None:
        return [("a body was sent; the operation takes none", match.view.pointer)]
    kind = content_type.split(";")[0].strip().lower()
    media = next((m for m in body.content if media_matches(kind, m.media_type)), None)
    if media is None:
        listed = ", ".join(m.media_type for m in body.content)
        return [
            (
                f"the body was sent as {kind or 'no content type'}; the provider takes {listed}",
                body.pointer + "/content",
            )
        ]
    text = content.decode("utf-8", "replace")
    if kind == "application/x-www-form-urlencoded":
        value: Any = _coerce(parse_form(text), media.schema, validators.document)
    elif kind == "multipart/form-data":
        fields = parse_multipart(content, content_type)
        if fields is None:
            return [("the body is not valid multipart/form-data", media.pointer)]
        value = _coerce(
            _json_parts(fields, media.schema, validators.document),
            media.schema,
            validators.document,
        )
    elif kind == "application/json" or kind.endswith("+json"):
        try:
            value = json.loads(text)
        except ValueError:
            return [("the body is not valid JSON", media.pointer)]
    else:
        return []  # raw text or bytes: only the media type can be checked, and it was
    if media.schema is None:
        return []
    return [
        (problem, media.pointer + "/schema")
        for problem in validators.problems(media.schema, value, "body")
    ]
