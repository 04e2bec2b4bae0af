"""App triggers (``<app>Trigger``) and nodes used as AI tools (``<app>Tool``).

A trigger of an app becomes a typed ``trigger.app`` (webhook, polling with its timetable, or
listening) tied to the registry connector of that app when there is one. A ``<app>Tool`` is
translated exactly like its base node (same connector mapping, same lost list) and wrapped in an
``ai.tool`` node with the tool description and the ``$fromAI(...)`` arguments.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from flows.ir.model import AppTrigger, FromAi, ToolArgument, ToolNode
from flows.n8n import nodeinfo
from flows.n8n.expressions import translate_value
from flows.n8n.nodes.base import BASE, Converted, Ctx, common_fields, credential_of
from flows.n8n.nodes.connector import find_app_connector, find_connector
from flows.n8n.nodes.triggers import cron_entries

_EVENT_KEYS = ("event", "events", "updates", "triggerOn", "resources", "action")
_DEFAULT_POLL = {"item": [{"mode": "everyMinute"}]}
TOOL_KEYS = ("toolDescription", "descriptionType")


def is_app_trigger(node_type: str) -> bool:
    """An n8n-nodes-base trigger of an app that no core translator handles."""
    return node_type.startswith(BASE) and nodeinfo.trigger_mode(node_type) is not None


def tool_base(node_type: str) -> str | None:
    """``n8n-nodes-base.gmailTool`` -> ``n8n-nodes-base.gmail`` when n8n ships that node."""
    if not node_type.startswith(BASE) or not node_type.endswith("Tool"):
        return None
    base = node_type.removesuffix("Tool")
    return base if nodeinfo.known(base) else None


def app_trigger(ctx: Ctx) -> Converted:
    """An app's trigger: webhook, polling (timetable from ``pollTimes``) or listening."""
    kind = nodeinfo.trigger_mode(ctx.type)
    mode = {"polling": "polling", "webhook": "webhook"}.get(str(kind), "listen")
    lost: list[str] = []
    cron: list[str] = []
    if mode == "polling":
        cron, lost = cron_entries(ctx.params.get("pollTimes", _DEFAULT_POLL))
    event_key = next((k for k in _EVENT_KEYS if k in ctx.params), None)
    skip = {"pollTimes", *([event_key] if event_key else [])}
    found = find_connector(ctx)
    serving = found or find_app_connector(ctx.type.removesuffix("Trigger"), ctx)
    node = AppTrigger(
        **common_fields(ctx),
        app=ctx.type,
        mode=mode,
        event=translate_value(ctx.params[event_key]) if event_key else None,
        cron=cron,
        connector=serving.connector if serving else None,
        params={str(k): translate_value(v) for k, v in ctx.params.items() if k not in skip},
        credential=credential_of(ctx),
        inputs=[],
        effects="read",
        determinism="nondeterministic",
    )
    if serving is None:
        lost.append(
            f"no registry connector for {ctx.type}: the {mode} trigger is typed but nothing "
            "receives its events until one is linked"
        )
    elif found is None:
        lost.append(
            f"the registry connector {serving.connector} serves the app but links no trigger "
            f"operation to {ctx.type}: nothing receives its events until one is linked"
        )
    status = "lossy" if lost else "mapped"
    return Converted(node, status, lost)


def from_ai_arguments(value: Any) -> list[ToolArgument]:
    """Every ``$fromAI`` placeholder inside an IR value or node, once per name, in order."""
    found: dict[str, ToolArgument] = {}
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, FromAi):
            found.setdefault(
                item.from_ai,
                ToolArgument(
                    name=item.from_ai,
                    description=item.description,
                    type=item.type,
                    default=item.default,
                ),
            )
        elif isinstance(item, BaseModel):
            stack.extend(reversed([getattr(item, f) for f in type(item).model_fields]))
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return list(found.values())


def as_tool(ctx: Ctx, base: Converted) -> Converted:
    """Wrap the translation of a ``<app>Tool``'s base node as an ``ai.tool``."""
    description = ctx.params.get("toolDescription")
    if description is None and ctx.params.get("descriptionType", "auto") == "auto":
        description = "(set automatically by n8n from the node's resource and operation)"
    inner = base.node
    node = ToolNode(
        **common_fields(ctx),
        tool=ctx.type,
        description=translate_value(description),
        arguments=from_ai_arguments(inner),
        call=inner,
        provides="ai_tool",
        credential=credential_of(ctx),
        inputs=[],
        outputs=[],
        effects=inner.effects,
        determinism=inner.determinism,
    )
    return Converted(
        node,
        base.status,
        list(base.lost),
        suggestion=base.suggestion,
        reason=base.reason,
        link=base.link,
    )
