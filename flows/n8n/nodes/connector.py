"""The seam between n8n service nodes and registry connector operations.

A node whose ``resource``/``operation`` (n8n's defaults applied for its typeVersion) a registry
connector links (``sources.n8n``) at its typeVersion becomes a
:class:`~flows.ir.model.ConnectorNode` of the preferred such operation
(:func:`flows.ir.catalog.preference`); its parameters are bound to the operation's inputs
(:mod:`flows.n8n.binding`). Every other mapping of an app node onto a connector belongs here
too.
"""

from __future__ import annotations

from flows.ir.catalog import CatalogOperation
from flows.ir.model import AppNode, ConnectorNode, UnsupportedNode
from flows.n8n import defaults, nodeinfo
from flows.n8n.binding import bind_params
from flows.n8n.expressions import translate_value as _v
from flows.n8n.nodes.base import LANGCHAIN, Converted, Ctx, common_fields, credential_of


def app_operation(ctx: Ctx) -> tuple[str | None, str | None]:
    """The node's resource and operation (n8n's defaults applied)."""
    return defaults.resource_operation(ctx.type, ctx.version, ctx.params)


def find_connector(ctx: Ctx, node_type: str | None = None) -> CatalogOperation | None:
    """The registry connector operation linked to this node's resource/operation, if any."""
    resource, operation = app_operation(ctx)
    return ctx.catalog.lookup_n8n(node_type or ctx.type, resource, operation, link_version(ctx))


def link_version(ctx: Ctx) -> float:
    """The typeVersion to look links up at: the node's, or the newest n8n version this importer
    knows when the node's is newer (the node is converted as that version and says so)."""
    newest = defaults.newest_version(ctx.type) or nodeinfo.newest(ctx.type)
    return newest if newest is not None and ctx.version > newest else ctx.version


def find_app_connector(node_type: str, ctx: Ctx) -> CatalogOperation | None:
    """A registry connector operation linked to any resource/operation of ``node_type``
    (which connector serves that app at all)."""
    return ctx.catalog.lookup_n8n_node(node_type)


def _what(ctx: Ctx, resource: str | None, operation: str | None) -> str:
    detail = "/".join(part for part in (resource, operation) if part)
    return f"{ctx.type} {detail}" if detail else ctx.type


def _not_linked(ctx: Ctx, resource: str | None, operation: str | None) -> str:
    """Why no connector operation takes this node: none links it, or none at its typeVersion."""
    what = _what(ctx, resource, operation)
    others = ctx.catalog.linked_versions(ctx.type, resource, operation)
    if others:
        best = others[0]
        held = ", ".join(f"{v:g}" for v in best.type_versions or ())
        return (
            f"registry connector {best.connector} links {what} only for typeVersion(s) {held}, "
            f"not {link_version(ctx):g}: kept as a typed app call"
        )
    return f"no registry connector for {what}: kept as a typed app call; link one to run it"


def _app_node(ctx: Ctx, resource: str | None, operation: str | None) -> Converted:
    """An n8n app node no connector provides: typed app call, lossy (it cannot run as is)."""
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
    return Converted(node, "lossy", [_not_linked(ctx, resource, operation)])


def connector_or_unsupported(ctx: Ctx) -> Converted:
    """A node of a service: a connector node when the registry links it; an ``app`` node
    (lossy) when n8n ships the node type; else unsupported."""
    resource, operation = app_operation(ctx)
    found = ctx.catalog.lookup_n8n(ctx.type, resource, operation, link_version(ctx))
    common = common_fields(ctx)
    if found is None and nodeinfo.known(ctx.type) and not ctx.type.startswith(LANGCHAIN):
        return _app_node(ctx, resource, operation)
    if found is None:
        what = _what(ctx, resource, operation)
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
    notes: list[str] = []
    bound, unbound = bind_params(
        ctx.params,
        found.inputs,
        found.n8n_params,
        url_patterns=defaults.url_patterns(ctx.type),
        notes=notes,
    )
    lost = notes + [
        f"parameter {key!r} has no input in {found.connector} {found.operation_id}"
        for key in unbound
    ]
    node = ConnectorNode(
        **common_fields(ctx),
        connector=found.connector,
        operation=found.operation_id,
        params=bound,
        credential=credential_of(ctx),
        effects=found.effects,
        determinism=found.determinism,
    )
    return Converted(node, "lossy" if lost else "mapped", lost, link=found)
