"""Spec operations for a programmatic node, from what its code requests and n8n's parameters.

Each resource/operation whose method and path were recovered from the code
(:mod:`flows.harvest.code_ops`) becomes an operation: path parameters, query and body fields
typed from n8n's parameter metadata (types, options, required, defaults, ``displayOptions``),
collections merged into the body (``Object.assign(body, additionalFields)``) as their options.
All paths are absolute (the spec's base URL is the origin), so operations whose helper adds a
different prefix stay right; an operation whose host differs from the spec's is left out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from connector_spec.naming import argument_name
from flows.harvest.code_ops import CodeOp
from flows.harvest.naming import identifier
from flows.harvest.operations import (
    _EFFECTS,
    _NO_IDEMPOTENCY,
    OpRef,
    _applies,
    _schema_for_field,
)
from flows.harvest.report import Finding


@dataclass
class CodeBase:
    """The spec's base URL for a programmatic node: an origin, from the code or credentials."""

    origin: str | None
    credential_prefix: str = ""  # the path of the credentials' base URL, kept in op paths
    notes: list[str] = field(default_factory=list)


def choose_base(code_ops: list[CodeOp], credential_url: str | None) -> CodeBase:
    """The origin most operations' code requests (else the credentials' base URL's)."""
    origins = Counter(_origin(op.base_url) for op in code_ops if op.found and op.base_url)
    cred_origin = _origin(credential_url) if credential_url else None
    cred_path = urlsplit(credential_url).path.rstrip("/") if credential_url else ""
    if origins:
        origin = origins.most_common(1)[0][0]
        return CodeBase(origin, cred_path if origin == cred_origin else "")
    return CodeBase(cred_origin, cred_path)


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def full_path(op: CodeOp, base: CodeBase) -> str | None:
    """``op``'s path relative to ``base.origin`` (``None`` when it requests another host)."""
    if op.base_url:
        if _origin(op.base_url) != base.origin:
            return None
        prefix = urlsplit(op.base_url).path.rstrip("/")
    else:
        prefix = base.credential_prefix + op.prefix
    path = (prefix + "/" + (op.path or "/").lstrip("/")).rstrip("/") or "/"
    return path if path.startswith("/") else "/" + path


def code_operation(
    node: dict[str, Any],
    ref: OpRef,
    op: CodeOp,
    path: str,
    *,
    node_type: str,
    op_id: str,
) -> tuple[dict[str, Any] | None, list[Finding]]:
    """The spec operation for ``ref`` (``None`` with findings when it cannot be stated)."""
    where = f"{ref.resource or '-'}/{ref.operation}"
    method = str(op.method)
    if method not in _EFFECTS:
        return None, [Finding("dynamic-method", f"{where}: HTTP method {method}")]
    props = [
        p
        for p in node.get("properties") or []
        if isinstance(p, dict)
        and p.get("name") not in ("resource", "operation")
        and _applies(p, ref)
    ]
    by_name = {str(p.get("name")): p for p in props}
    params: list[dict[str, Any]] = []
    for name, source in op.path_params.items():
        described = _schema_for_field(by_name.get(source or name, {}))
        path_schema = {
            "type": "string",
            **{k: v for k, v in described.items() if k == "description"},
        }
        params.append({"name": name, "in": "path", "required": True, "schema": path_schema})
    taken = {p["name"] for p in params}
    arguments = {argument_name(p["name"]) for p in params}
    for key, source in op.query.items():
        if key in taken or not key.isprintable() or not key or argument_name(key) in arguments:
            continue
        taken.add(key)
        arguments.add(argument_name(key))
        param: dict[str, Any] = {"name": key, "in": "query"}
        query_prop = by_name.get(source or "")
        if query_prop is not None:
            param["schema"] = _schema_for_field(query_prop)
            if query_prop.get("required"):
                param["required"] = True
        params.append(param)
    body_props: dict[str, Any] = {}
    required: list[str] = []
    for key, source in op.body.items():
        if key in taken or argument_name(key) in arguments:
            continue
        arguments.add(argument_name(key))
        body_prop = by_name.get(source or "")
        body_props[key] = _schema_for_field(body_prop) if body_prop is not None else {}
        if body_prop is not None and body_prop.get("required") and key not in required:
            required.append(key)
    for spread in op.spreads:
        for option in by_name.get(spread, {}).get("options") or []:
            option_name = option.get("name") if isinstance(option, dict) else None
            if (
                isinstance(option_name, str)
                and option_name
                and option_name not in body_props
                and argument_name(option_name) not in arguments
            ):
                arguments.add(argument_name(option_name))
                body_props[option_name] = _schema_for_field(option)
    out: dict[str, Any] = {
        "id": op_id,
        "resource": identifier(ref.resource or "default"),
        "summary": ref.name,
    }
    if ref.description:
        out["description"] = ref.description
    out.update({"method": method, "path": path})
    if params:
        out["params"] = params
    if body_props and method not in ("GET", "DELETE"):
        body_schema: dict[str, Any] = {"type": "object", "properties": body_props}
        if required:
            body_schema["required"] = required
        out["body"] = {"encoding": "json", "schema": body_schema, "required": bool(required)}
    effects = _EFFECTS[method]
    out["effects"] = effects
    out["determinism"] = {"mode": "nondeterministic"}
    if effects in ("write", "delete"):
        out["idempotency"] = {"kind": "unsupported", "reason": _NO_IDEMPOTENCY}
    n8n: dict[str, Any] = {"node": node_type, "resource": ref.resource, "operation": ref.operation}
    if ref.resource is None:
        del n8n["resource"]
    versions = type_versions(node.get("version"))
    if versions:
        n8n["type_versions"] = versions
    out["sources"] = {"n8n": n8n}
    return out, []


def type_versions(value: Any) -> list[float]:
    """A node description's ``version`` as a sorted list of numbers."""
    values = value if isinstance(value, list) else [value]
    return sorted(
        float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)
    )
