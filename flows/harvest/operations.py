"""Operations from an n8n node description: declarative routing → spec operations.

Programmatic nodes (``execute()`` in code) only yield their resource/operation list as stubs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connector_spec.naming import python_identifier
from flows.harvest.expressions import is_expression, is_plain_value, translate
from flows.harvest.naming import identifier
from flows.harvest.report import Finding

_EFFECTS = {"GET": "read", "DELETE": "delete", "POST": "write", "PUT": "write", "PATCH": "write"}
_SKIP_HEADERS = {"accept", "content-type"}
_NO_IDEMPOTENCY = (
    "n8n describes no idempotency mechanism for this operation; the client never re-sends "
    "it once it may have reached the server"
)


@dataclass(frozen=True)
class OpRef:
    """One resource/operation pair of a node."""

    resource: str | None
    operation: str
    name: str
    description: str | None
    option: dict[str, Any]


@dataclass
class OperationResult:
    """A spec operation (or ``None``) for one OpRef, with what kept it from being complete."""

    ref: OpRef
    operation: dict[str, Any] | None
    findings: list[Finding] = field(default_factory=list)
    pagination: dict[str, Any] | None = None
    output_transformed: bool = False


def is_declarative(node: dict[str, Any]) -> bool:
    """True when the node describes its HTTP requests as data.

    It has ``requestDefaults`` and at least one operation option carries ``routing``; nodes
    with ``requestDefaults`` whose operations all run in code (Asana, Pipedrive) are not.
    """
    if not isinstance(node.get("requestDefaults"), dict):
        return False
    return any("routing" in ref.option for ref in op_refs(node))


def _shown(prop: dict[str, Any], key: str) -> list[Any] | None:
    show = (prop.get("displayOptions") or {}).get("show") or {}
    values = show.get(key)
    return values if isinstance(values, list) else None


def op_refs(node: dict[str, Any]) -> list[OpRef]:
    """Every resource/operation pair the node offers, in description order, deduplicated."""
    props = [p for p in node.get("properties") or [] if isinstance(p, dict)]
    resources: list[str] = []
    for prop in props:
        if prop.get("name") == "resource" and prop.get("type") == "options":
            for option in prop.get("options") or []:
                value = option.get("value") if isinstance(option, dict) else None
                if isinstance(value, str) and value not in resources:
                    resources.append(value)
    refs: dict[tuple[str | None, str], OpRef] = {}
    for prop in props:
        if prop.get("name") != "operation" or prop.get("type") != "options":
            continue
        applies: list[str | None] = list(_shown(prop, "resource") or resources or [None])
        for option in prop.get("options") or []:
            if not isinstance(option, dict) or not isinstance(option.get("value"), str):
                continue
            for resource in applies:
                if resource is not None and not isinstance(resource, str):
                    continue
                key = (resource, option["value"])
                if key not in refs:
                    refs[key] = OpRef(
                        resource,
                        option["value"],
                        str(option.get("name") or option["value"]),
                        option.get("description")
                        if isinstance(option.get("description"), str)
                        else None,
                        option,
                    )
    return list(refs.values())


def _applies(prop: dict[str, Any], ref: OpRef) -> bool:
    resources = _shown(prop, "resource")
    operations = _shown(prop, "operation")
    if resources is not None and ref.resource not in resources:
        return False
    return not (operations is not None and ref.operation not in operations)


def _schema_for_field(prop: dict[str, Any]) -> dict[str, Any]:
    kind = prop.get("type")
    schema: dict[str, Any]
    if kind == "number":
        schema = {"type": "number"}
    elif kind == "boolean":
        schema = {"type": "boolean"}
    elif kind == "options":
        values = [o.get("value") for o in prop.get("options") or [] if isinstance(o, dict)]
        schema = {"type": "string"}
        if values and all(isinstance(v, str) for v in values):
            schema["enum"] = list(dict.fromkeys(values))
        elif values and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in values
        ):
            schema = {"type": "number", "enum": list(dict.fromkeys(values))}
    elif kind == "multiOptions":
        schema = {"type": "array", "items": {"type": "string"}}
    elif kind == "dateTime":
        schema = {"type": "string", "format": "date-time"}
    elif kind in ("json", "fixedCollection", "collection"):
        schema = {}
    else:
        schema = {"type": "string"}
    description = prop.get("description") or prop.get("displayName")
    if isinstance(description, str) and description:
        schema["description"] = description[:500]
    return schema


def _routed_fields(
    prop: dict[str, Any], inherited_required: bool
) -> list[tuple[dict[str, Any], bool]]:
    """The field itself, or the routed options of a collection/fixedCollection."""
    kind = prop.get("type")
    if kind == "collection":
        return [
            (p, False) for p in prop.get("options") or [] if isinstance(p, dict) and "routing" in p
        ] + ([(prop, inherited_required)] if "routing" in prop else [])
    if kind == "fixedCollection":
        found = [(prop, inherited_required)] if "routing" in prop else []
        for group in prop.get("options") or []:
            for p in (group.get("values") or []) if isinstance(group, dict) else []:
                if isinstance(p, dict) and "routing" in p:
                    found.append((p, False))
        return found
    return [(prop, inherited_required)]


def _has_null(values: Any) -> bool:
    return isinstance(values, list) and any(v is None for v in values)


def _set_nested(target: dict[str, Any], dotted: str, schema: dict[str, Any], dots: bool) -> str:
    parts = dotted.split(".") if dots else [dotted]
    node = target
    for part in parts[:-1]:
        child = node.setdefault(part, {"type": "object", "properties": {}})
        if "properties" not in child:
            child["properties"] = {}
        node = child["properties"]
    node[parts[-1]] = schema
    return parts[0]


def declarative_operation(
    node: dict[str, Any], ref: OpRef, *, node_type: str, provider: str, op_id: str
) -> OperationResult:
    """Translate one declarative operation; ``operation`` is ``None`` when impossible."""
    result = OperationResult(ref, None)
    where = f"{ref.resource or '-'}/{ref.operation}"
    routing = ref.option.get("routing") or {}
    request = routing.get("request") or {}
    defaults = node.get("requestDefaults") or {}
    url = request.get("url", defaults.get("url"))
    method = str(request.get("method") or defaults.get("method") or "GET").upper()
    if not isinstance(url, str) or (url == "" and "url" not in request):
        result.findings.append(Finding("no-route", f"{where}: no routing.request.url"))
        return result
    template = translate(url, source="parameter")
    if template.text is None:
        result.findings.append(Finding("url-expression", f"{where}: {template.problem}"))
        return result
    path = template.text or "/"
    if "://" in path:
        result.findings.append(Finding("url-expression", f"{where}: absolute URL {url!r}"))
        return result
    if "?" in path or "#" in path:
        result.findings.append(Finding("url-expression", f"{where}: query in the URL {url!r}"))
        return result
    if not path.startswith("/"):
        path = "/" + path
    if method not in _EFFECTS:
        result.findings.append(Finding("no-route", f"{where}: HTTP method {method!r}"))
        return result
    send = routing.get("send") or {}
    paginates = bool(send.get("paginate"))
    if _has_null(send.get("preSend")):
        result.findings.append(Finding("pre-send-hook", f"{where}: operation preSend"))
    post = (routing.get("output") or {}).get("postReceive")
    if _has_null(post):
        result.findings.append(Finding("post-receive-hook", f"{where}: operation postReceive"))
    result.output_transformed = bool(post)
    root_property = None
    for step in post or []:
        if isinstance(step, dict) and step.get("type") == "rootProperty":
            prop_name = (step.get("properties") or {}).get("property")
            if isinstance(prop_name, str):
                root_property = prop_name

    params: list[dict[str, Any]] = []
    body_props: dict[str, Any] = {}
    body_required: list[str] = []
    path_names = set(template.names)
    field_props = [
        p
        for p in node.get("properties") or []
        if isinstance(p, dict)
        and p.get("name") not in ("resource", "operation")
        and _applies(p, ref)
    ]
    declared_path: dict[str, dict[str, Any]] = {}
    for prop in field_props:
        if prop.get("name") in path_names and prop.get("name") not in declared_path:
            declared_path[str(prop["name"])] = prop
        for field_prop, required in _routed_fields(prop, bool(prop.get("required"))):
            f_routing = field_prop.get("routing") or {}
            f_send = f_routing.get("send") or {}
            f_name = str(field_prop.get("name"))
            if f_send.get("paginate"):
                paginates = True
            if _has_null(f_send.get("preSend")):
                result.findings.append(Finding("pre-send-hook", f"{where}: field {f_name} preSend"))
            if _has_null((f_routing.get("output") or {}).get("postReceive")):
                result.findings.append(
                    Finding("post-receive-hook", f"{where}: field {f_name} postReceive")
                )
            target = f_send.get("type")
            prop_path = f_send.get("property")
            if target not in ("query", "body") or not isinstance(prop_path, str) or not prop_path:
                continue
            if is_expression(prop_path):
                result.findings.append(
                    Finding("field-expression", f"{where}: field {f_name} property {prop_path!r}")
                )
                continue
            schema = _schema_for_field(field_prop)
            if not is_plain_value(f_send.get("value")):
                result.findings.append(
                    Finding("field-expression", f"{where}: field {f_name} value is code")
                )
                schema = {k: v for k, v in schema.items() if k == "description"}
            if target == "query":
                if any(p["name"] == prop_path and p["in"] == "query" for p in params):
                    continue
                param: dict[str, Any] = {"name": prop_path, "in": "query"}
                if required:
                    param["required"] = True
                if schema:
                    param["schema"] = schema
                params.append(param)
            elif prop_path.split(".")[0] in body_props and "." not in prop_path:
                body_props[prop_path] = {}
            else:
                top = _set_nested(
                    body_props,
                    prop_path,
                    schema,
                    f_send.get("propertyInDotNotation", True) is not False,
                )
                if required and top not in body_required and "." not in prop_path:
                    body_required.append(top)
    for name in template.names:
        prop = declared_path.get(name, {})
        schema = {"type": "string"}
        description = prop.get("description") or prop.get("displayName")
        if isinstance(description, str) and description:
            schema["description"] = description[:500]
        params.insert(0, {"name": name, "in": "path", "required": True, "schema": schema})
    by_name = {str(p.get("name")): p for p in field_props}
    _constants(request.get("qs"), "query", params, result, where, by_name)
    _constants(request.get("headers"), "header", params, result, where, by_name)
    _constants(defaults.get("qs"), "query", params, result, where, by_name)
    _constants(defaults.get("headers"), "header", params, result, where, by_name)
    body_const = request.get("body")
    if isinstance(body_const, dict):
        for key, value in body_const.items():
            if isinstance(value, (str, int, float, bool)) and not is_expression(value):
                body_props.setdefault(str(key), {"const": value})
                if str(key) not in body_required:
                    body_required.append(str(key))
            else:
                result.findings.append(Finding("static-expression", f"{where}: body.{key}"))
    for problem in _drop_conflicts(params, body_props, body_required):
        result.findings.append(Finding("param-conflict", f"{where}: {problem}"))
    effects = _EFFECTS[method]
    op = operation_head(op_id, ref, method, path, params)
    if body_props:
        if method == "GET":
            result.findings.append(Finding("field-expression", f"{where}: GET with body fields"))
        else:
            encoding = "json"
            content_type = str((defaults.get("headers") or {}).get("Content-Type", ""))
            if "x-www-form-urlencoded" in content_type:
                encoding = "form"
            body_schema: dict[str, Any] = {"type": "object", "properties": body_props}
            if body_required:
                body_schema["required"] = body_required
            op["body"] = {
                "encoding": encoding,
                "schema": body_schema,
                "required": bool(body_required),
            }
    op["effects"] = effects
    op["determinism"] = {"mode": "nondeterministic"}
    if effects in ("write", "delete"):
        op["idempotency"] = {"kind": "unsupported", "reason": _NO_IDEMPOTENCY}
    op["sources"] = {
        "n8n": {"node": node_type, "resource": ref.resource, "operation": ref.operation}
    }
    if ref.resource is None:
        del op["sources"]["n8n"]["resource"]
    pagination = (routing.get("operations") or {}).get("pagination") or (
        (node.get("requestOperations") or {}).get("pagination") if paginates else None
    )
    if pagination:
        spec_pag, finding = _pagination(pagination, root_property, where)
        if finding:
            result.findings.append(finding)
        result.pagination = spec_pag
    result.operation = op
    return result


def operation_head(
    op_id: str, ref: OpRef, method: str, path: str, params: list[dict[str, Any]]
) -> dict[str, Any]:
    """A spec operation's first keys: id, resource, summary, description, method, path, params."""
    op: dict[str, Any] = {
        "id": op_id,
        "resource": identifier(ref.resource or "default"),
        "summary": ref.name,
    }
    if ref.description:
        op["description"] = ref.description
    op.update({"method": method, "path": path})
    if params:
        op["params"] = params
    return op


def _drop_conflicts(
    params: list[dict[str, Any]], body_props: dict[str, Any], body_required: list[str]
) -> list[str]:
    """Leave out every field that would become the same method argument as an earlier one.

    n8n can send one field in several places (``projectId`` in the path and the query); a
    spec argument has one place (``flows spec validate`` refuses the rest). The first one
    (path parameters come first) is kept; what was left out is returned, to be reported.
    """
    problems: list[str] = []
    taken: dict[str, str] = {}
    kept: list[dict[str, Any]] = []
    for param in params:
        argument = python_identifier(str(param["name"]))
        where = f"{param['in']} parameter {param['name']!r}"
        if argument in taken:
            problems.append(f"{where} left out: it is the same argument as {taken[argument]}")
            continue
        taken[argument] = where
        kept.append(param)
    params[:] = kept
    for name in list(body_props):
        argument = python_identifier(name)
        if argument in taken:
            problems.append(
                f"body field {name!r} left out: it is the same argument as {taken[argument]}"
            )
            del body_props[name]
            if name in body_required:
                body_required.remove(name)
            continue
        taken[argument] = f"body field {name!r}"
    return problems


def _constants(
    values: Any,
    location: str,
    params: list[dict[str, Any]],
    result: OperationResult,
    where: str,
    fields: dict[str, dict[str, Any]],
) -> None:
    """Fixed request values become ``const`` parameters; a bare ``$parameter`` a parameter."""
    if not isinstance(values, dict):
        return
    for key, value in values.items():
        if location == "header" and str(key).lower() in _SKIP_HEADERS:
            continue
        if any(p["name"].lower() == str(key).lower() and p["in"] == location for p in params):
            continue
        if is_expression(value):
            ref = translate(str(value), source="parameter")
            bare = len(ref.names) == 1 and ref.text == "{" + ref.names[0] + "}"
            if bare:
                param: dict[str, Any] = {"name": str(key), "in": location}
                schema = _schema_for_field(fields.get(ref.names[0], {"type": "string"}))
                if schema:
                    param["schema"] = schema
                params.append(param)
                continue
        if isinstance(value, (str, int, float, bool)) and not is_expression(value):
            params.append(
                {
                    "name": str(key),
                    "in": location,
                    "required": True,
                    "schema": {
                        "type": "string",
                        "const": str(value).lower() if isinstance(value, bool) else str(value),
                    },
                }
            )
        else:
            result.findings.append(Finding("static-expression", f"{where}: {location} {key}"))


def _pagination(
    config: Any, root_property: str | None, where: str
) -> tuple[dict[str, Any] | None, Finding | None]:
    if not isinstance(config, dict):
        return None, None
    props = config.get("properties") or {}
    if config.get("type") == "offset" and props.get("type", "query") == "query":
        pag: dict[str, Any] = {
            "type": "offset",
            "items": "/" + root_property if root_property else "",
            "offset_param": str(props.get("offsetParameter") or "offset"),
        }
        if props.get("limitParameter"):
            pag["limit_param"] = str(props["limitParameter"])
        if isinstance(props.get("pageSize"), int) and props["pageSize"] > 0:
            pag["page_size"] = props["pageSize"]
        return pag, None
    return None, Finding(
        "pagination-expression", f"{where}: pagination type {config.get('type')!r}"
    )


def convert_schema(data: Any, depth: int = 0) -> dict[str, Any] | None:
    """An n8n ``__schema__`` JSON Schema reduced to the ConnectorSpec subset (or ``None``)."""
    if not isinstance(data, dict) or depth > 32:
        return None
    out: dict[str, Any] = {}
    kind = data.get("type")
    allowed = {"string", "integer", "number", "boolean", "array", "object", "null"}
    if isinstance(kind, str) and kind in allowed:
        out["type"] = kind
    elif isinstance(kind, list) and kind and all(k in allowed for k in kind):
        out["type"] = list(kind)
    props = data.get("properties")
    if isinstance(props, dict):
        converted = {}
        for name, child in props.items():
            sub = convert_schema(child, depth + 1)
            if sub is not None:
                converted[str(name)] = sub
        out["properties"] = converted
        required = [r for r in data.get("required") or [] if isinstance(r, str) and r in converted]
        if required:
            out["required"] = required
    items = data.get("items")
    if isinstance(items, dict):
        sub = convert_schema(items, depth + 1)
        if sub is not None:
            out["items"] = sub
    additional = data.get("additionalProperties")
    if isinstance(additional, bool):
        out["additionalProperties"] = additional
    return out
