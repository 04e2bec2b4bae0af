"""Reading one path item and one operation into views, collecting problems instead of failing.

Every part that cannot be read (an unresolvable ``$ref``, a parameter without a name, a
response that is not an object) becomes a :class:`~connector_spec.openapi.views.Problem` on the
operation, so that a caller decides what is lost; nothing is silently dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connector_spec.openapi import pointer as jp
from connector_spec.openapi.source import RefError
from connector_spec.openapi.views import (
    MediaTypeView,
    OperationView,
    ParameterView,
    PathItemView,
    Problem,
    RequestBodyView,
    ResponseView,
)

if TYPE_CHECKING:
    from connector_spec.openapi.document import OpenApiDocument

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PARAMETER_LOCATIONS = ("path", "query", "header", "cookie")


def read_path_item(doc: OpenApiDocument, path: str, raw: Any) -> PathItemView | None:
    """The path item at ``/paths/<path>`` (``None`` when it is not an object)."""
    pointer = jp.join("/paths", path)
    try:
        resolved = doc.resolve(raw, pointer)
    except RefError:
        return None
    item = resolved.value
    if not isinstance(item, dict):
        return None
    methods = tuple(m for m in item if m in HTTP_METHODS and isinstance(item[m], dict))
    params = item.get("parameters")
    servers = item.get("servers")
    return PathItemView(
        path=path,
        pointer=resolved.pointer,
        methods=methods,
        parameters=tuple(params) if isinstance(params, list) else (),
        servers=_servers(servers),
        raw=item,
    )


def read_operation(doc: OpenApiDocument, item: PathItemView, method: str) -> OperationView:
    """The operation ``method`` of ``item`` with parameters, body and responses resolved."""
    raw: dict[str, Any] = item.raw[method]
    pointer = jp.join(item.pointer, method)
    problems: list[Problem] = []
    parameters = _parameters(doc, item, raw, pointer, problems)
    body = _request_body(doc, raw.get("requestBody"), jp.join(pointer, "requestBody"), problems)
    responses = _responses(doc, raw.get("responses"), jp.join(pointer, "responses"), problems)
    tags = raw.get("tags")
    operation_id = raw.get("operationId")
    security = raw.get("security")
    return OperationView(
        method=method,
        path=item.path,
        pointer=pointer,
        operation_id=operation_id if isinstance(operation_id, str) and operation_id else None,
        summary=_text(raw.get("summary")),
        description=_text(raw.get("description")),
        tags=tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else (),
        deprecated=raw.get("deprecated") is True,
        parameters=parameters,
        request_body=body,
        responses=responses,
        security=(
            tuple(r for r in security if isinstance(r, dict))
            if isinstance(security, list)
            else None
        ),
        servers=_servers(raw.get("servers")) or item.servers,
        problems=tuple(problems),
        raw=raw,
    )


def _parameters(
    doc: OpenApiDocument,
    item: PathItemView,
    raw: dict[str, Any],
    pointer: str,
    problems: list[Problem],
) -> tuple[ParameterView, ...]:
    merged: dict[tuple[str, str], ParameterView] = {}
    own = raw.get("parameters")
    if own is not None and not isinstance(own, list):
        problems.append(Problem(jp.join(pointer, "parameters"), "'parameters' is not a list"))
        own = []
    sources = [
        (item.parameters, jp.join(item.pointer, "parameters")),
        (tuple(own or ()), jp.join(pointer, "parameters")),
    ]
    for entries, base in sources:
        for index, entry in enumerate(entries):
            view = _parameter(doc, entry, jp.join(base, index), problems)
            if view is not None:
                merged[(view.location, view.name)] = view
    return tuple(merged.values())


def _parameter(
    doc: OpenApiDocument, raw: Any, pointer: str, problems: list[Problem]
) -> ParameterView | None:
    try:
        resolved = doc.resolve(raw, pointer)
    except RefError as exc:
        problems.append(
            Problem(pointer, f"parameter: {exc.items[0].message} ({exc.items[0].path})")
        )
        return None
    value, where = resolved.value, resolved.pointer
    if not isinstance(value, dict):
        problems.append(Problem(where, "parameter is not an object"))
        return None
    name, location = value.get("name"), value.get("in")
    if not isinstance(name, str) or not name or location not in PARAMETER_LOCATIONS:
        problems.append(Problem(where, "parameter without a 'name' or a valid 'in'"))
        return None
    content = _content(value.get("content"), jp.join(where, "content"))
    schema = value.get("schema")
    if schema is None and content:
        schema = content[0].schema
    explode = value.get("explode")
    style = value.get("style")
    return ParameterView(
        name=name,
        location=location,
        required=value.get("required") is True or location == "path",
        schema=schema if schema is not None else {},
        pointer=where,
        description=_text(value.get("description")),
        deprecated=value.get("deprecated") is True,
        style=style if isinstance(style, str) else None,
        explode=explode if isinstance(explode, bool) else None,
        content=content,
        raw=value,
    )


def _request_body(
    doc: OpenApiDocument, raw: Any, pointer: str, problems: list[Problem]
) -> RequestBodyView | None:
    if raw is None:
        return None
    try:
        resolved = doc.resolve(raw, pointer)
    except RefError as exc:
        problems.append(Problem(pointer, f"request body: {exc.items[0].message}"))
        return None
    value = resolved.value
    if not isinstance(value, dict):
        problems.append(Problem(resolved.pointer, "request body is not an object"))
        return None
    return RequestBodyView(
        required=value.get("required") is True,
        content=_content(value.get("content"), jp.join(resolved.pointer, "content")),
        pointer=resolved.pointer,
        description=_text(value.get("description")),
    )


def _responses(
    doc: OpenApiDocument, raw: Any, pointer: str, problems: list[Problem]
) -> tuple[ResponseView, ...]:
    if not isinstance(raw, dict):
        if raw is not None:
            problems.append(Problem(pointer, "'responses' is not an object"))
        return ()
    views: list[ResponseView] = []
    for status, entry in raw.items():
        where = jp.join(pointer, str(status))
        try:
            resolved = doc.resolve(entry, where)
        except RefError as exc:
            problems.append(Problem(where, f"response {status}: {exc.items[0].message}"))
            continue
        value = resolved.value
        if not isinstance(value, dict):
            problems.append(Problem(resolved.pointer, f"response {status} is not an object"))
            continue
        headers = value.get("headers")
        views.append(
            ResponseView(
                status=str(status),
                description=_text(value.get("description")),
                content=_content(value.get("content"), jp.join(resolved.pointer, "content")),
                headers=headers if isinstance(headers, dict) else {},
                pointer=resolved.pointer,
            )
        )
    return tuple(views)


def _content(raw: Any, pointer: str) -> tuple[MediaTypeView, ...]:
    if not isinstance(raw, dict):
        return ()
    views = []
    for media_type, entry in raw.items():
        if not isinstance(entry, dict):
            entry = {}
        views.append(
            MediaTypeView(
                media_type=str(media_type),
                schema=entry.get("schema"),
                pointer=jp.join(pointer, str(media_type)),
                example=entry.get("example"),
            )
        )
    return tuple(views)


def _servers(value: Any) -> tuple[dict[str, Any], ...] | None:
    if not isinstance(value, list):
        return None
    servers = tuple(s for s in value if isinstance(s, dict) and isinstance(s.get("url"), str))
    return servers or None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
