"""The seam between n8n service nodes and registry connector operations.

A node whose ``resource``/``operation`` a registry connector links (``sources.n8n``) becomes a
:class:`~flows.ir.model.ConnectorNode`; its parameters are bound to the operation's inputs by
normalised name. Every other mapping of an app node onto a connector belongs here too.
"""

from __future__ import annotations

import re
from typing import Any

from flows.ir.catalog import CatalogOperation
from flows.ir.model import AppNode, ConnectorNode, UnsupportedNode
from flows.n8n import defaults, nodeinfo
from flows.n8n.expressions import translate_value as _v
from flows.n8n.nodes.base import LANGCHAIN, Converted, Ctx, common_fields, credential_of


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


_SKIP_PARAMS = {"resource", "operation", "authentication", "requestOptions"}
_NESTED = ("additionalFields", "options", "updateFields", "otherOptions", "filters")


def bind_params(
    params: dict[str, Any], inputs: tuple[str, ...]
) -> tuple[dict[str, Any], list[str]]:
    """Bind n8n parameters to connector inputs by normalised name; return (bound, unbound)."""
    by_norm: dict[str, str] = {}
    for name in inputs:
        by_norm.setdefault(_norm(name), name)
    flat: list[tuple[str, Any]] = []
    for key, value in params.items():
        if key in _SKIP_PARAMS:
            continue
        if key in _NESTED and isinstance(value, dict):
            flat.extend((str(k), v) for k, v in value.items())
        else:
            flat.append((key, value))
    bound: dict[str, Any] = {}
    unbound: list[str] = []
    for key, value in flat:
        norm = _norm(key)
        target = by_norm.get(norm) or (by_norm.get(norm[:-2]) if norm.endswith("id") else None)
        if target is None:
            unbound.append(key)
        else:
            bound[target] = _v(value)
    return bound, unbound


def app_operation(ctx: Ctx) -> tuple[str | None, str | None]:
    """The node's resource and operation (n8n's defaults applied)."""
    return defaults.resource_operation(ctx.type, ctx.version, ctx.params)


def find_connector(ctx: Ctx, node_type: str | None = None) -> CatalogOperation | None:
    """The registry connector operation linked to this node's resource/operation, if any."""
    resource, operation = app_operation(ctx)
    return ctx.catalog.lookup_n8n(node_type or ctx.type, resource, operation)


def find_app_connector(node_type: str, ctx: Ctx) -> CatalogOperation | None:
    """A registry connector operation linked to any resource/operation of ``node_type``
    (which connector serves that app at all)."""
    return ctx.catalog.lookup_n8n_node(node_type)


def _app_node(ctx: Ctx, resource: str | None, operation: str | None) -> Converted:
    """An n8n app node no connector provides: typed app call, lossy (it cannot run as is)."""
    detail = "/".join(part for part in (resource, operation) if part)
    what = f"{ctx.type} {detail}" if detail else ctx.type
    params = {str(k): _v(v) for k, v in ctx.params.items() if k not in ("resource", "operation")}
    node = AppNode(
        **common_fields(ctx),
        app=ctx.type,
        resource=resource,
        operation=operation,
        params=params,
        credential=credential_of(ctx),
        effects="unknown",
        determinism="unknown",
    )
    lost = [f"no registry connector for {what}: kept as a typed app call; link one to run it"]
    return Converted(node, "lossy", lost)


def connector_or_unsupported(ctx: Ctx) -> Converted:
    """A node of a service: a connector node when the registry links it; an ``app`` node
    (lossy) when n8n ships the node type; else unsupported."""
    resource, operation = app_operation(ctx)
    found = ctx.catalog.lookup_n8n(ctx.type, resource, operation)
    common = common_fields(ctx)
    if found is None and nodeinfo.known(ctx.type) and not ctx.type.startswith(LANGCHAIN):
        return _app_node(ctx, resource, operation)
    if found is None:
        detail = "/".join(part for part in (resource, operation) if part)
        what = f"{ctx.type} {detail}" if detail else ctx.type
        reason = (
            f"LangChain node {what}: no registry connector"
            if ctx.type.startswith(LANGCHAIN)
            else f"no registry connector for {what}"
        )
        unsupported = UnsupportedNode(
            **common,
            parameters=ctx.raw.get("parameters") or {},
            reason=reason,
            effects="unknown",
            determinism="unknown",
            inputs=[] if ctx.type.lower().endswith("trigger") else ["in"],
        )
        return Converted(unsupported, "unsupported", [], reason=reason)
    return connector_node(ctx, found)


def connector_node(ctx: Ctx, found: CatalogOperation) -> Converted:
    """``ctx`` as a node of the registry connector operation ``found``, parameters bound."""
    bound, unbound = bind_params(ctx.params, found.inputs)
    lost = [
        f"parameter {key!r} has no input in {found.connector} {found.operation_id}"
        for key in unbound
    ]
    creds = ctx.raw.get("credentials")
    credential = next(iter(creds), None) if isinstance(creds, dict) and creds else None
    node = ConnectorNode(
        **common_fields(ctx),
        connector=found.connector,
        operation=found.operation_id,
        params=bound,
        credential=credential,
        effects=found.effects,
        determinism=found.determinism,
    )
    return Converted(node, "lossy" if lost else "mapped", lost)
