"""A programmatic node's operations, read from its compiled code (static; never executed).

Replaces the stubs the harvest used to write for programmatic nodes: every resource/operation
whose method and path the code reveals becomes a spec operation (typed from n8n's parameter
metadata, response schema from ``__schema__`` when present); every other one is listed as
omitted with the reason (``dynamic-path``, ``no-request``, ...).
"""

from __future__ import annotations

from typing import Any

from flows.harvest.catalog import Catalog
from flows.harvest.code_ops import CodeOp, extract_operations, node_files, read_node_code
from flows.harvest.credentials import BaseUrl
from flows.harvest.naming import identifier
from flows.harvest.operations import OpRef, convert_schema
from flows.harvest.programmatic import choose_base, code_operation, full_path
from flows.harvest.report import Finding, NodeEntry, OmittedOperation

_BASE_CODES = {"no-base-url", "base-url-expression"}


def schema_versions(value: Any) -> list[str]:
    """A node's typeVersions as ``__schema__`` directory names, newest first (``v2.1.0``)."""
    values = value if isinstance(value, list) else [value]
    out = []
    for v in sorted(
        (float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)),
        reverse=True,
    ):
        major, _, minor = f"{v:g}".partition(".")
        out.append(f"v{major}.{minor or 0}.0")
    return out


def node_code_ops(
    catalog: Catalog, node: dict[str, Any], refs: list[OpRef], node_dir: str | None
) -> dict[tuple[str | None, str], CodeOp]:
    """What the node's code requests per resource/operation."""
    files = node_files(catalog.code_files, node_dir) if node_dir else {}
    versions = node.get("version")
    numbers = [
        float(v)
        for v in (versions if isinstance(versions, list) else [versions])
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    ]
    facts = read_node_code(files, max(numbers, default=1.0))
    return extract_operations(facts, [(r.resource, r.operation) for r in refs])


def read_code_operations(
    entry: NodeEntry,
    catalog: Catalog,
    node: dict[str, Any],
    refs: list[OpRef],
    node_dir: str | None,
    base: BaseUrl | None,
    check: dict[str, Any] | None,
    missing: list[Finding],
) -> tuple[BaseUrl | None, list[dict[str, Any]]]:
    """The spec's base URL and operations (the connection check first, when it still fits)."""
    if not refs:
        entry.stubs.append({"resource": "", "operation": "execute", "name": entry.display_name})
        return base, [check] if check is not None else []
    code = node_code_ops(catalog, node, refs, node_dir)
    entry.code_ops = code
    credential_url = base.url if base is not None else None
    chosen = choose_base(list(code.values()), credential_url)
    entry.code_base = chosen
    operations: list[dict[str, Any]] = []
    if chosen.origin is not None and chosen.origin != _origin_of(credential_url):
        base = BaseUrl(chosen.origin, note="base URL from the node's code")
        missing[:] = [f for f in missing if f.code not in _BASE_CODES]
        entry.derived.append(f"base URL {chosen.origin} from the node's code")
        check = None  # the credential test targets another host
    elif chosen.origin is not None and base is not None and base.url is not None:
        base = BaseUrl(chosen.origin, base.variables, base.findings, base.note)
    if check is not None:
        check["path"] = (chosen.credential_prefix + check["path"]).rstrip("/") or "/"
        operations.append(check)
    used = {op["id"] for op in operations}
    with_schema = 0
    for ref in refs:
        found = code[(ref.resource, ref.operation)]
        label = (ref.resource or "", ref.operation, ref.name)
        if not found.found:
            detail = f"{ref.resource or '-'}/{ref.operation}"
            if found.where:
                detail += f" ({found.where})"
            entry.omitted.append(OmittedOperation(*label, (Finding(str(found.reason), detail),)))
            continue
        path = full_path(found, chosen)
        if path is None:
            finding = Finding(
                "other-host", f"{ref.resource or '-'}/{ref.operation}: {found.base_url}"
            )
            entry.omitted.append(OmittedOperation(*label, (finding,)))
            continue
        op_id = unique_id(identifier(f"{ref.resource or ''}_{ref.operation}"), used)
        op, findings = code_operation(
            node, ref, found, path, node_type=entry.node_type, op_id=op_id
        )
        if op is None:
            entry.omitted.append(OmittedOperation(*label, tuple(findings)))
            continue
        used.add(op_id)
        entry.kept += 1
        schema = _response_schema(catalog, node, node_dir, ref)
        if schema is not None:
            op["response"] = {"schema": schema, "description": "from n8n's __schema__ files"}
            with_schema += 1
        operations.append(op)
    if entry.kept:
        entry.derived.append(f"{entry.kept} operations read from the node's code")
    if with_schema:
        entry.derived.append(f"{with_schema} response schemas from __schema__")
    return base, operations


def _response_schema(
    catalog: Catalog, node: dict[str, Any], node_dir: str | None, ref: OpRef
) -> dict[str, Any] | None:
    if not node_dir or not ref.resource:
        return None
    for version in schema_versions(node.get("version")):
        schema = convert_schema(catalog.schema_for(node_dir, version, ref.resource, ref.operation))
        if schema is not None:
            return schema
    return None


def _origin_of(url: str | None) -> str | None:
    if not url or "://" not in url:
        return None
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def unique_id(base: str, used: set[str]) -> str:
    """``base``, or ``base_2``, ``base_3``... whichever ``used`` does not hold yet."""
    candidate = base or "op"
    n = 2
    while candidate in used:
        suffix = f"_{n}"
        candidate = base[: 64 - len(suffix)] + suffix
        n += 1
    return candidate
