"""Flow control: Wait, Code, No-op, Respond to Webhook and Execute Workflow."""

from __future__ import annotations

from collections.abc import Callable

from flows.ir.model import CodeNode, NoOpNode, RespondNode, SubflowNode, WaitNode
from flows.n8n.expressions import translate_value as _v
from flows.n8n.nodes.base import BASE, Converted, Ctx, as_dict, common_fields, options_lost

_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def _wait(ctx: Ctx) -> Converted:
    p = ctx.params
    resume = p.get("resume", "timeInterval")
    lost: list[str] = []
    common = common_fields(ctx)
    if resume == "timeInterval":
        amount, unit = _v(p.get("amount")), str(p.get("unit", "hours"))
        seconds = (
            float(amount) * _UNIT_SECONDS[unit]
            if isinstance(amount, int | float) and unit in _UNIT_SECONDS
            else None
        )
        node = WaitNode(**common, mode="interval", amount=amount, unit=unit, seconds=seconds)
    elif resume == "specificTime":
        node = WaitNode(**common, mode="until", until=_v(p.get("dateTime")))
    elif resume in ("webhook", "form"):
        node = WaitNode(**common, mode=resume)
        lost.append(f"resume on {resume}: its settings are not represented")
    else:
        node = WaitNode(**common, mode="interval")
        lost.append(f"resume mode {resume!r} is not represented")
    return Converted(node, "lossy" if lost else "built-in", lost)


def _code(ctx: Ctx) -> Converted:
    p = ctx.params
    if ctx.type == BASE + "code":
        language = str(p.get("language", "javaScript"))
        source = p.get("pythonCode" if language.startswith("python") else "jsCode", "")
        mode = "each_item" if p.get("mode") == "runOnceForEachItem" else "all_items"
    else:
        language = "javaScript"
        source = p.get("functionCode", "")
        mode = "each_item" if ctx.type.endswith("functionItem") else "all_items"
    source = str(source or "")
    lines = source.count("\n") + 1 if source else 0
    node = CodeNode(
        **common_fields(ctx),
        language=language.lower(),
        source_code=source,
        mode=mode,
        effects="unknown",
        determinism="unknown",
        flags=["opaque-code"],
    )
    return Converted(
        node, "lossy", [f"code kept opaque ({lines} line{'' if lines == 1 else 's'} of {language})"]
    )


def _noop(ctx: Ctx) -> Converted:
    return Converted(NoOpNode(**common_fields(ctx)), "built-in")


def _respond(ctx: Ctx) -> Converted:
    p = ctx.params
    options = as_dict(p.get("options"))
    with_ = str(p.get("respondWith", "firstIncomingItem"))
    body = p.get("responseBody") if with_ in ("json", "text") else p.get("redirectURL")
    lost = options_lost(options, keep=("responseCode",))
    node = RespondNode(
        **common_fields(ctx),
        respond_with=with_,
        body=_v(body),
        status=_v(options.get("responseCode", 200)),
    )
    return Converted(node, "lossy" if lost else "built-in", lost)


def _execute_workflow(ctx: Ctx) -> Converted:
    p = ctx.params
    wf = p.get("workflowId")
    if isinstance(wf, dict) and wf.get("__rl"):
        wf = wf.get("value")
    options = as_dict(p.get("options"))
    lost = []
    if p.get("source", "database") != "database":
        lost.append(f"workflow source {p.get('source')!r}: the sub-flow is not imported")
    node = SubflowNode(
        **common_fields(ctx),
        workflow=_v(wf),
        mode=str(p.get("mode", "once")),
        wait=bool(options.get("waitForSubWorkflow", True)),
        effects="unknown",
        determinism="unknown",
    )
    return Converted(node, "lossy" if lost else "built-in", lost)


CONVERTERS: dict[str, Callable[[Ctx], Converted]] = {
    BASE + "wait": _wait,
    BASE + "code": _code,
    BASE + "function": _code,
    BASE + "functionItem": _code,
    BASE + "noOp": _noop,
    BASE + "respondToWebhook": _respond,
    BASE + "executeWorkflow": _execute_workflow,
}
