"""One OpenAPI operation → one spec operation, or a recorded reason why not.

An operation is **kept** (everything said), **lossy** (kept; something optional the spec cannot
say was dropped, listed in ``losses``) or **lost** (left out; ``reasons`` say why). Nothing is
dropped without a :class:`~connector_spec.openapi.losses.Loss`.
"""

from __future__ import annotations

import contextlib
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from connector_spec.naming import python_identifier as _python_identifier
from connector_spec.openapi.losses import Loss
from connector_spec.openapi.naming import identifier, operation_name, unique
from connector_spec.openapi.paging import infer_pagination
from connector_spec.openapi.schema_map import SchemaMapper
from connector_spec.openapi.security import AuthChoice
from connector_spec.openapi.source import RefError
from connector_spec.openapi.views import MediaTypeView, OperationView, ParameterView

METHODS = {
    "get": "GET", "head": "HEAD", "post": "POST", "put": "PUT", "patch": "PATCH",
    "delete": "DELETE",
}  # fmt: skip
EFFECTS = {"GET": "read", "HEAD": "read", "DELETE": "delete"}
QUERY_STYLES = ("form", "spaceDelimited", "pipeDelimited", "deepObject")
_MEDIA = re.compile(r"^[\w.+*-]+/[\w.+*-]+(;.*)?$")
_SENT_MEDIA = re.compile(r"^[\w.+-]+/[\w.+-]+(;.*)?$")  # a Content-Type has no wildcard
IDEMPOTENCY_HEADERS = ("idempotency-key", "x-idempotency-key")
CLIENT_HEADERS = ("authorization", "content-type", "accept", "content-length")
MAX_DESCRIPTION = 2000
#: The argument a parameter or body field becomes (memoized: Graph names 120,000 of them).
python_identifier = functools.lru_cache(maxsize=1 << 16)(_python_identifier)


@dataclass
class OperationResult:
    """What became of one OpenAPI operation."""

    key: str
    pointer: str
    id: str | None = None
    resource: str | None = None
    operation: dict[str, Any] | None = None
    losses: list[Loss] = field(default_factory=list)
    reasons: list[Loss] = field(default_factory=list)
    pagination: dict[str, Any] | None = None
    pagination_evidence: str | None = None

    @property
    def status(self) -> str:
        """``kept``, ``lossy`` or ``lost``."""
        if self.operation is None:
            return "lost"
        return "lossy" if self.losses else "kept"

    def lose(self, code: str, detail: str, pointer: str = "") -> None:
        """Leave the operation out for ``code``."""
        self.reasons.append(Loss(code, detail, pointer or self.pointer))
        self.operation = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready mapping for the report."""
        out: dict[str, Any] = {
            "operation": self.key,
            "pointer": self.pointer,
            "status": self.status,
            "id": self.id if self.operation is not None else None,
        }
        if self.losses:
            out["losses"] = [loss.to_json() for loss in self.losses]
        if self.reasons:
            out["reasons"] = [loss.to_json() for loss in self.reasons]
        if self.pagination_evidence and self.operation is not None:
            out["pagination"] = self.pagination_evidence
        return out


class _Lost(Exception):
    def __init__(self, code: str, detail: str, pointer: str = "") -> None:
        super().__init__(detail)
        self.code, self.detail, self.pointer = code, detail, pointer


@dataclass
class MappingContext:
    """What every operation of one document is mapped against."""

    schemas: SchemaMapper
    auth: AuthChoice
    server_urls: frozenset[str]
    used_ids: set[str] = field(default_factory=set)


def map_operation(ctx: MappingContext, op: OperationView) -> OperationResult:
    """Map ``op``; the result says kept/lossy/lost with every loss."""
    result = OperationResult(key=op.key, pointer=op.pointer)
    try:
        result.operation = _map(ctx, op, result)
    except _Lost as lost:
        result.lose(lost.code, lost.detail, lost.pointer)
    except RefError as exc:
        where = exc.items[0].path if exc.items else ""
        result.lose("unresolvable-ref", f"a reference cannot be resolved: {where}", op.pointer)
    if result.operation is not None:
        result.id = unique(result.id or "op", ctx.used_ids)
        result.operation["id"] = result.id
    return result


def _map(ctx: MappingContext, op: OperationView, result: OperationResult) -> dict[str, Any]:
    method = METHODS.get(op.method)
    if method is None:
        raise _Lost("method", f"HTTP method {op.method.upper()} is not supported")
    for problem in op.problems:
        raise _Lost("unreadable", problem.message, problem.pointer)
    own_server = _own_server(ctx, op)
    public = _public(op)
    if not public and not ctx.auth.accepts(op.security):
        raise _Lost("operation-auth", "the operation needs another security scheme", op.pointer)
    result.id = operation_name(op.operation_id, op.method, op.path)
    result.resource = _resource(op)
    spec_op: dict[str, Any] = {
        "id": result.id,
        "resource": result.resource,
        "summary": _summary(op),
    }
    if op.description and op.description != spec_op["summary"]:
        spec_op["description"] = _clip(op.description, MAX_DESCRIPTION)
    spec_op["method"] = method
    spec_op["path"] = op.path
    params, idempotency_header = _params(ctx, op, result)
    taken = {python_identifier(p["name"]) for p in params}
    body = _body(ctx, op, method, result, taken) if op.request_body is not None else None
    if params:
        spec_op["params"] = params
    if body is not None:
        spec_op["body"] = body
    response, headers = _response(ctx, op, result)
    spec_op["response"] = response
    errors = _errors(ctx, op)
    if errors:
        spec_op["errors"] = errors
    effects = EFFECTS.get(method, "write")
    spec_op["effects"] = effects
    spec_op["determinism"] = {"mode": "nondeterministic"}
    if effects in ("write", "delete"):
        spec_op["idempotency"] = _idempotency(method, params, idempotency_header)
    if method == "GET":
        query = [p["name"] for p in params if p["in"] == "query"]
        inferred = infer_pagination(
            query, response.get("schema"), headers, ctx.schemas.resolve_named
        )
        if inferred is not None:
            result.pagination = inferred.style
            result.pagination_evidence = inferred.evidence
    if op.deprecated:
        spec_op["deprecated"] = True
    if own_server is not None:
        spec_op["base_url"] = own_server
    if public and ctx.auth.auth is not None and ctx.auth.auth.get("type") != "none":
        spec_op["auth"] = "none"
    return spec_op


def _own_server(ctx: MappingContext, op: OperationView) -> str | None:
    """The operation's own server URL when it differs from the document's."""
    if not op.servers:
        return None
    urls = [str(s["url"]).rstrip("/") for s in op.servers]
    if set(urls) & ctx.server_urls:
        return None
    url = urls[0]
    if url.startswith("http://"):
        url = "https://" + url[7:]
    if not url.startswith("https://") or "{" in url:
        raise _Lost("operation-servers", f"the operation's own server {urls[0]!r} is not a "
                    "concrete https URL", op.pointer)  # fmt: skip
    return url


def _public(op: OperationView) -> bool:
    """``security: []`` (or an empty alternative): the operation needs no credentials."""
    return op.security is not None and (not op.security or any(not r for r in op.security))


def _resource(op: OperationView) -> str:
    if op.tags:
        return identifier(op.tags[0], fallback="default")
    for segment in op.path.split("/"):
        if segment and not segment.startswith("{") and not re.fullmatch(r"v\d+(\.\d+)*", segment):
            return identifier(segment, fallback="default")
    return "default"


def _summary(op: OperationView) -> str:
    for text in (op.summary, op.description):
        if text:
            line = text.strip().splitlines()[0].strip()
            if line:
                return _clip(line, 200)
    return op.key


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _params(
    ctx: MappingContext, op: OperationView, result: OperationResult
) -> tuple[list[dict[str, Any]], str | None]:
    out: list[dict[str, Any]] = []
    taken: set[str] = set()
    idempotency_header: str | None = None
    auth = ctx.auth.auth or {}
    for param in op.parameters:
        lowered = param.name.lower()
        if param.location == "header" and lowered in IDEMPOTENCY_HEADERS:
            idempotency_header = param.name
            continue
        if param.location == "header" and lowered in CLIENT_HEADERS:
            result.losses.append(
                Loss("client-header", f"header {param.name!r} is set by the client", param.pointer)
            )
            continue
        credential = auth.get("type") == "api_key" and param.location == auth.get("in")
        if credential and lowered == str(auth.get("name", "")).lower():
            continue  # the credential itself: auth sends it
        problem = _unsendable(ctx, param)
        if problem is None:
            argument = python_identifier(param.name)
            if argument in taken:
                problem = f"becomes the argument {argument!r}, like another parameter"
            else:
                taken.add(argument)
        if problem is not None:
            if param.required:
                raise _Lost("parameter", f"{param.location} parameter {param.name!r}: {problem}",
                            param.pointer)  # fmt: skip
            result.losses.append(
                Loss(
                    "parameter-dropped",
                    f"optional {param.location} parameter {param.name!r}: {problem}",
                    param.pointer,
                )
            )
            continue
        entry: dict[str, Any] = {"name": param.name, "in": param.location}
        if param.required:
            entry["required"] = True
        if param.description:
            entry["description"] = _clip(param.description, 600)
        entry["schema"] = ctx.schemas.convert(param.schema, param.pointer + "/schema")
        if param.location == "query":
            if param.style in QUERY_STYLES and param.style != "form":
                entry["style"] = param.style
            if param.explode is not None:
                entry["explode"] = param.explode
        out.append(entry)
    return out, idempotency_header


def _unsendable(ctx: MappingContext, param: ParameterView) -> str | None:
    """Why the client cannot send ``param`` as the description says (``None``: it can)."""
    if param.location == "cookie":
        return "cookie parameters are not supported"
    if param.content and param.schema == {}:
        return f"content-encoded parameter ({param.content[0].media_type})"
    if param.location == "query":
        if param.style is not None and param.style not in QUERY_STYLES:
            return f"query style {param.style!r}"
        return None
    resolved = ctx.schemas.doc.resolve(param.schema, param.pointer)
    schema = resolved.value if isinstance(resolved.value, dict) else {}
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "object" in kinds or (kind is None and "properties" in schema):
        return f"object {param.location} parameter"
    return None


def _json_like(media: str) -> bool:
    base = media.split(";")[0].strip().lower()
    return base in ("application/json", "*/*", "text/json") or base.endswith("+json")


def _base(media: str) -> str:
    return media.split(";")[0].strip().lower()


def _textual(media: str) -> bool:
    base = _base(media)
    return (
        base.startswith("text/")
        or base.endswith(("+xml", "/xml", "/yaml", "/x-yaml", "/csv", "/javascript"))
        or base in ("application/x-ndjson", "application/jwt")
    )


def _pick(content: tuple[MediaTypeView, ...]) -> tuple[MediaTypeView | None, str | None]:
    """The media type the client uses and its encoding (json, form, multipart, text, binary)."""
    json_like = [m for m in content if _json_like(m.media_type)]
    for media in sorted(json_like, key=lambda m: "*" in m.media_type):  # concrete types first
        return media, "json"
    for media in content:
        if _base(media.media_type) == "application/x-www-form-urlencoded":
            return media, "form"
    for media in content:
        if _base(media.media_type) == "multipart/form-data":
            return media, "multipart"
    usable = [m for m in content if _MEDIA.match(m.media_type.strip())]
    for media in usable:
        if _textual(media.media_type):
            return media, "text"
    return (usable[0], "binary") if usable else (None, None)


def _body(
    ctx: MappingContext, op: OperationView, method: str, result: OperationResult, taken: set[str]
) -> dict[str, Any] | None:
    body = op.request_body
    assert body is not None
    media, encoding = _pick(body.content)
    problem: str | None = None
    schema: dict[str, Any] = {}
    out: dict[str, Any] = {}
    if method in ("GET", "HEAD"):
        schema = ctx.schemas.convert(media.schema or {}, media.pointer) if media else {}
        if media is not None and not ctx.schemas.resolve_named(schema).get("properties"):
            return None  # an empty object: nothing to send, nothing lost
        problem = f"request body of a {method}"
    elif not body.content:
        return None
    elif media is None or encoding is None:
        problem = "request body as " + ", ".join(m.media_type for m in body.content)
    elif encoding in ("text", "binary") and not _SENT_MEDIA.match(media.media_type.strip()):
        problem = f"request body as {media.media_type} (the client needs a concrete type)"
    elif encoding in ("text", "binary"):
        out = {"encoding": encoding, "schema": {"type": "string"}, "required": body.required}
    else:
        schema = ctx.schemas.convert(media.schema or {}, media.pointer + "/schema")
        out = {"encoding": encoding, "schema": schema, "required": body.required}
        whole = _whole_body(ctx, schema, encoding, taken)
        if whole:
            out["argument"] = "request_body" if "request_body" not in taken else "body_"
            if whole != "shape":
                result.losses.append(Loss("body-argument", whole, body.pointer))
    if problem is None:
        sent = _sent_type(media.media_type) if media is not None else None
        if sent is not None and encoding in ("text", "binary"):
            out["media_type"] = sent
        if sent is not None and encoding == "json" and _base(sent) != "application/json":
            out["media_type"] = sent
        return out
    if body.required:
        raise _Lost("body", problem, body.pointer)
    result.losses.append(Loss("body-dropped", f"optional {problem}", body.pointer))
    return None


def _sent_type(media_type: str) -> str | None:
    """The Content-Type the client sends: the described one; ``None`` for a wildcard
    (``application/*+json``: the client's JSON default)."""
    text = media_type.strip()
    return text if _SENT_MEDIA.match(text) else None


def _whole_body(
    ctx: MappingContext, schema: dict[str, Any], encoding: str, taken: set[str]
) -> str | None:
    """Why the body is one argument (``"shape"``: not an object; else a name clash)."""
    resolved = ctx.schemas.resolve_named(schema)
    kinds = resolved.get("type")
    if kinds != "object" and not (kinds is None and resolved.get("properties")):
        if encoding != "json":
            raise _Lost("body", f"a {encoding} body of type {kinds or 'any'} (not an object)")
        return "shape"
    fields: set[str] = set()
    for name in resolved.get("properties") or {}:
        argument = python_identifier(name)
        if argument in taken or argument in fields:
            return (
                f"body field {name!r} would be the argument {argument!r} like another field or "
                "parameter: the body is passed whole as 'request_body'"
            )
        fields.add(argument)
    taken |= fields
    return None


def _response(
    ctx: MappingContext, op: OperationView, result: OperationResult
) -> tuple[dict[str, Any], dict[str, Any]]:
    success = [r for r in op.responses if re.fullmatch(r"2\d\d|2XX", r.status, re.IGNORECASE)]
    success.sort(key=lambda r: r.status)
    if not success:
        result.losses.append(
            Loss("response-undeclared", "no 2xx response declared: any JSON", op.pointer)
        )
        return {"status": 200, "schema": {}}, {}
    chosen = success[0]
    status = 200 if chosen.status.upper() == "2XX" else int(chosen.status)
    out: dict[str, Any] = {"status": status}
    if chosen.description:
        out["description"] = _clip(chosen.description, 300)
    if not chosen.content or op.method == "head":  # a HEAD response has no body
        return out, dict(chosen.headers)
    media, encoding = _pick(chosen.content)
    if media is None or encoding is None:
        kinds = ", ".join(m.media_type for m in chosen.content)
        raise _Lost("response-media", f"the {chosen.status} response is {kinds}", chosen.pointer)
    if encoding == "json":
        out["schema"] = ctx.schemas.convert(media.schema or {}, media.pointer + "/schema")
        if _base(media.media_type) not in ("application/json", "*/*"):
            out["media_type"] = media.media_type.strip()
    else:
        out["content"] = "text" if encoding in ("text", "form") else "binary"
        out["media_type"] = media.media_type.strip()
    return out, dict(chosen.headers)


def _errors(ctx: MappingContext, op: OperationView) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    for response in op.responses:
        if not re.fullmatch(r"[45]\d\d", response.status):
            continue
        entry: dict[str, Any] = {"status": int(response.status)}
        if response.description:
            entry["description"] = _clip(response.description, 300)
        media, _ = _pick(response.content)
        if media is not None and media.schema is not None:
            # an error body's shape is documentation: the status is what matters
            with contextlib.suppress(RefError):
                entry["schema"] = ctx.schemas.convert(media.schema, media.pointer + "/schema")
        errors.append(entry)
    return errors


def _idempotency(method: str, params: list[dict[str, Any]], header: str | None) -> dict[str, Any]:
    if header is not None:
        return {"kind": "key", "header": header}
    path_params = [p["name"] for p in params if p["in"] == "path"]
    if method in ("PUT", "DELETE") and path_params:
        return {"kind": "natural", "natural_key": path_params}
    return {
        "kind": "unsupported",
        "reason": f"the OpenAPI description declares no Idempotency-Key header for this {method}"
        + ("" if method != "PUT" else " and it addresses no resource by path parameter"),
    }
