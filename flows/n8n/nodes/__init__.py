"""Per-node translation: one n8n node in, one IR node plus what was lost out.

Each family of n8n nodes has its own module with a ``CONVERTERS`` table (n8n type ->
translator); :data:`CONVERTERS` joins them. Nodes of no family go through
:func:`~flows.n8n.nodes.connector.connector_or_unsupported`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from flows.ir.base import SCALAR_TYPES
from flows.ir.catalog import ConnectorCatalog
from flows.ir.model import PLAIN_FIELDS, CodeNode, Js, Ref, UnsupportedNode
from flows.n8n import defaults, nodeinfo
from flows.n8n.binding import bind_params
from flows.n8n.nodes import apps, branches, control, database, http, shaping, triggers, utility
from flows.n8n.nodes.ai import convert_ai
from flows.n8n.nodes.base import BASE, LANGCHAIN, STICKY, Converted, Ctx, common_fields
from flows.n8n.nodes.connector import connector_or_unsupported
from flows.n8n.nodes.http import url_host

CONVERTERS: dict[str, Callable[[Ctx], Converted]] = {
    **triggers.CONVERTERS,
    **branches.CONVERTERS,
    **shaping.CONVERTERS,
    **control.CONVERTERS,
    **http.CONVERTERS,
    **utility.CONVERTERS,
    **database.CONVERTERS,
}


def parse_version(value: Any) -> float | None:
    """A typeVersion as a number: numbers and numeric strings ("3.4"); None when unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, int | float) and math.isfinite(value) and value >= 1:
        return float(value)
    return None


def _version(raw: dict[str, Any], node_type: str) -> tuple[float, str | None]:
    """The version to convert with, and why the node is lossy because of it (if it is)."""
    newest = defaults.newest_version(node_type) or nodeinfo.newest(node_type)
    if newest is None and node_type in CONVERTERS:
        newest = 1.0
    value = raw.get("typeVersion")
    version = parse_version(value)
    if version is None:
        used = newest if newest is not None else 1.0
        shown = "missing" if value is None else f"{value!r} is not a version number"
        return used, (
            f"typeVersion {shown}: converted as version {used:g}, the newest this importer "
            "knows; check the result"
        )
    if newest is not None and version > newest:
        return version, (
            f"typeVersion {version:g} is newer than the newest this importer knows "
            f"({newest:g}): converted as {newest:g}; check the result"
        )
    return version, None


def _converter(node_type: str) -> Callable[[Ctx], Converted]:
    """The translator of a node type: its family's, else by what n8n says the type is."""
    found = CONVERTERS.get(node_type)
    if found is not None:
        return found
    if node_type.startswith(LANGCHAIN) and nodeinfo.known(node_type):
        return convert_ai
    if apps.is_app_trigger(node_type):
        return apps.app_trigger
    return connector_or_unsupported


def _translate(raw: dict[str, Any], catalog: ConnectorCatalog) -> tuple[Converted, str | None]:
    """The node's translation before node settings are applied, and its version note."""
    node_type = str(raw.get("type"))
    version, version_note = _version(raw, node_type)
    params = raw.get("parameters") or {}
    filled = nodeinfo.apply_defaults(
        node_type, version, defaults.with_defaults(node_type, version, params)
    )
    ctx = Ctx(raw, filled, version, catalog)
    base_type = apps.tool_base(node_type) if node_type not in CONVERTERS else None
    try:
        if base_type is not None:
            kept = {k: v for k, v in params.items() if k not in apps.TOOL_KEYS}
            inner, inner_note = _translate({**raw, "type": base_type, "parameters": kept}, catalog)
            if inner_note and inner.status != "unsupported":
                inner.lost.insert(0, inner_note)
            return apps.as_tool(ctx, inner), version_note
        return _converter(node_type)(ctx), version_note
    except (ValueError, TypeError, KeyError, AttributeError, ValidationError) as exc:
        # Parameters of a shape this importer does not know: keep the node verbatim.
        reason = f"parameters not understood ({type(exc).__name__}); kept verbatim"
        if version_note:
            reason += f"; {version_note}"
        fallback = UnsupportedNode(
            **common_fields(ctx),
            parameters=params,
            reason=reason,
            effects="unknown",
            determinism="unknown",
        )
        return Converted(fallback, "unsupported", [], reason=reason), version_note


def convert_node(raw: dict[str, Any], catalog: ConnectorCatalog) -> Converted:
    """Translate one (shape-checked) n8n node.

    A ``typeVersion`` that is unreadable or newer than the shipped node catalog knows is
    converted with the newest known version's logic and the node is reported as lossy.
    """
    result, version_note = _translate(raw, catalog)
    flags = result.lost
    if version_note and result.status != "unsupported":
        flags.insert(0, version_note)
    for setting in ("retryOnFail", "alwaysOutputData", "executeOnce"):
        if raw.get(setting):
            flags.append(f"node setting {setting!r} is not represented")
    if raw.get("disabled"):
        flags.append("disabled in n8n (passes items through)")
    if result.status in ("mapped", "built-in") and flags:
        result.status = "lossy"
    result.refs, untranslated = count_expressions(result.node)
    result.js = untranslated
    if untranslated:
        flags.append(f"{untranslated} JavaScript expression(s) kept verbatim")
        if result.status in ("mapped", "built-in"):
            result.status = "lossy"
    result.node.flags = sorted(
        set(result.node.flags) | {"lossy"} if flags else set(result.node.flags)
    )
    return result


def count_expressions(node: Any) -> tuple[int, int]:
    """(translated references, untranslated JavaScript) inside an IR node's values."""
    if isinstance(node, UnsupportedNode | CodeNode):
        return 0, 0
    refs = js = 0
    stack: list[Any] = [v for k, v in vars(node).items() if k not in PLAIN_FIELDS]
    while stack:
        item = stack.pop()
        if isinstance(item, SCALAR_TYPES):
            continue
        if isinstance(item, Js):
            js += 1
        elif isinstance(item, Ref):
            refs += 1
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, BaseModel) and not isinstance(item, UnsupportedNode | CodeNode):
            stack.extend(vars(item).values())
    return refs, js


__all__ = [
    "BASE",
    "CONVERTERS",
    "LANGCHAIN",
    "STICKY",
    "Converted",
    "Ctx",
    "bind_params",
    "convert_node",
    "count_expressions",
    "parse_version",
    "url_host",
]
