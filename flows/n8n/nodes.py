"""Per-node translation: one n8n node in, one IR node plus what was lost out."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from flows.ir.catalog import ConnectorCatalog
from flows.ir.model import (
    Assignment,
    BranchNode,
    CodeNode,
    Condition,
    ConnectorNode,
    HttpNode,
    Interval,
    Js,
    LoopNode,
    ManualTrigger,
    MergeNode,
    NoOpNode,
    Ref,
    RespondNode,
    Rule,
    ScheduleTrigger,
    SubflowNode,
    SubflowTrigger,
    Template,
    TransformNode,
    UnsupportedNode,
    WaitNode,
    WebhookTrigger,
)
from flows.n8n import defaults
from flows.n8n.expressions import translate_value

BASE = "n8n-nodes-base."
LANGCHAIN = "@n8n/n8n-nodes-langchain."
STICKY = BASE + "stickyNote"


@dataclass
class Converted:
    """The IR node for one n8n node and how faithful it is."""

    node: Any
    status: str  # mapped | built-in | lossy | unsupported
    lost: list[str] = field(default_factory=list)
    suggestion: str | None = None
    reason: str | None = None
    refs: int = 0
    js: int = 0


@dataclass(frozen=True)
class Ctx:
    """What a converter gets: the n8n node, its parameters (defaults applied) and the catalog."""

    raw: dict[str, Any]
    params: dict[str, Any]
    version: float
    catalog: ConnectorCatalog

    @property
    def type(self) -> str:
        """The n8n node type."""
        return str(self.raw.get("type"))


def _common(ctx: Ctx) -> dict[str, Any]:
    from flows.ir.model import Provenance

    raw = ctx.raw
    on_error = raw.get("onError")
    mode = "stop"
    if on_error == "continueErrorOutput":
        mode = "error_port"
    elif on_error == "continueRegularOutput" or raw.get("continueOnFail") is True:
        mode = "continue"
    node_id = raw.get("id")
    return {
        "name": raw["name"],
        "disabled": bool(raw.get("disabled", False)),
        "on_error": mode,
        "source": Provenance(
            n8n_type=ctx.type,
            type_version=ctx.version,
            n8n_id=node_id if isinstance(node_id, str) else None,
        ),
    }


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any, default: int = 0, high: int = 64) -> int:
    """A small non-negative integer parameter (``default`` when it is not one)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return default
    try:
        number = int(value)
    except ValueError:
        return default
    return number if 0 <= number <= high else default


def _v(value: Any) -> Any:
    return translate_value(value)


def _options_lost(options: Any, keep: tuple[str, ...] = ()) -> list[str]:
    if not isinstance(options, dict):
        return []
    return [f"option {k!r} is not represented" for k in sorted(options) if k not in keep]


# --------------------------------------------------------------------------- triggers


def _webhook(ctx: Ctx) -> Converted:
    p = ctx.params
    modes = {
        "onReceived": "immediately",
        "lastNode": "last_node",
        "responseNode": "respond_node",
        "streaming": "streaming",
    }
    lost = _options_lost(p.get("options"))
    method = p.get("httpMethod", "GET")
    if isinstance(method, list):
        lost.append("several HTTP methods: only the first is kept")
        method = method[0] if method else "GET"
    mode = modes.get(str(p.get("responseMode")), "immediately")
    if str(p.get("responseMode")) not in modes:
        lost.append(f"response mode {p.get('responseMode')!r} is not represented")
    node = WebhookTrigger(
        **_common(ctx),
        method=str(method),
        path=str(p.get("path", "")),
        response_mode=mode,
        auth=str(p.get("authentication", "none")),
        inputs=[],
    )
    return Converted(node, "lossy" if lost else "built-in", lost)


_SCHEDULE_UNITS = ("seconds", "minutes", "hours", "days", "weeks", "months")
_SCHEDULE_EVERY_DEFAULT = {
    "seconds": 30,
    "minutes": 5,
    "hours": 1,
    "days": 1,
    "weeks": 1,
    "months": 1,
}
# Which of n8n's keys each unit reads (n8n ignores the others, so they are not a loss).
_SCHEDULE_KEYS: dict[str, tuple[str, ...]] = {
    "seconds": ("secondsInterval",),
    "minutes": ("minutesInterval",),
    "hours": ("hoursInterval", "triggerAtMinute"),
    "days": ("daysInterval", "triggerAtHour", "triggerAtMinute"),
    "weeks": ("weeksInterval", "triggerAtDay", "triggerAtHour", "triggerAtMinute"),
    "months": ("monthsInterval", "triggerAtDayOfMonth", "triggerAtHour", "triggerAtMinute"),
    "cronExpression": ("expression",),
}
_SCHEDULE_KNOWN = {"field", "notice"} | {k for keys in _SCHEDULE_KEYS.values() for k in keys}


def _whole(value: Any, low: int, high: int) -> int | None:
    """``value`` as a whole number in ``[low, high]`` (numbers and numeric strings), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and low <= value <= high:
        return value
    return None


def _schedule_rule(item: Any, where: str, lost: list[str]) -> Interval | None:
    """One Schedule Trigger rule as an :class:`Interval`; None (reason in ``lost``) if not."""
    if not isinstance(item, dict):
        lost.append(f"{where}: not an object; not converted")
        return None
    field_ = item.get("field", "days")
    unknown = sorted(str(k) for k in item if k not in _SCHEDULE_KNOWN)
    lost.extend(f"{where}: {key!r} is not represented" for key in unknown)
    if field_ == "cronExpression":
        expression = _v(item.get("expression", ""))
        if not isinstance(expression, str) or not expression.strip():
            lost.append(f"{where}: the cron expression is not a literal; not converted")
            return None
        return Interval(unit="cron", expression=expression.strip())
    if field_ not in _SCHEDULE_UNITS:
        lost.append(f"{where}: trigger interval {field_!r} is not represented; not converted")
        return None
    unit = str(field_)
    values: dict[str, Any] = {"unit": unit}
    limits = {
        f"{unit}Interval": ("every", 1, 10**9, _SCHEDULE_EVERY_DEFAULT[unit]),
        "triggerAtMinute": ("minute", 0, 59, 0),
        "triggerAtHour": ("hour", 0, 23, 0),
        "triggerAtDayOfMonth": ("day_of_month", 1, 31, 1),
    }
    for key in _SCHEDULE_KEYS[unit]:
        if key == "triggerAtDay":
            days = item.get(key, [0])
            parsed = [_whole(d, 0, 7) for d in days] if isinstance(days, list) else [None]
            if any(d is None for d in parsed):
                lost.append(f"{where}: weekdays {days!r} are not day numbers; not converted")
                return None
            values["weekday"] = parsed
            continue
        name, low, high, default = limits[key]
        raw = item.get(key, default)
        number = _whole(raw, low, high)
        if number is None:
            lost.append(f"{where}: {key} {raw!r} is not a whole number {low}-{high}; not converted")
            return None
        values[name] = number
    return Interval.model_validate(values)


def _schedule(ctx: Ctx) -> Converted:
    rule = ctx.params.get("rule")
    items = rule.get("interval") if isinstance(rule, dict) else None
    lost: list[str] = []
    intervals: list[Interval] = []
    if not isinstance(items, list):
        lost.append("the trigger rules are not a list of intervals; not converted")
        items = []
    for index, item in enumerate(items):
        interval = _schedule_rule(item, f"schedule rule {index + 1}", lost)
        if interval is not None:
            intervals.append(interval)
    node = ScheduleTrigger(**_common(ctx), intervals=intervals, inputs=[])
    return Converted(node, "lossy" if lost else "built-in", lost)


def _cron(ctx: Ctx) -> Converted:
    times = ctx.params.get("triggerTimes")
    items = times.get("item") if isinstance(times, dict) else None
    cron: list[str] = []
    lost: list[str] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        mode = item.get("mode", "everyDay")
        hour, minute = item.get("hour", 14), item.get("minute", 0)
        if mode == "everyMinute":
            cron.append("* * * * *")
        elif mode == "everyHour":
            cron.append(f"{minute} * * * *")
        elif mode == "everyDay":
            cron.append(f"{minute} {hour} * * *")
        elif mode == "everyWeek":
            cron.append(f"{minute} {hour} * * {item.get('weekday', 1)}")
        elif mode == "everyMonth":
            cron.append(f"{minute} {hour} {item.get('dayOfMonth', 1)} * *")
        elif mode == "everyX":
            value, unit = item.get("value", 2), item.get("unit", "hours")
            cron.append(f"*/{value} * * * *" if unit == "minutes" else f"0 */{value} * * *")
        elif mode == "custom":
            cron.append(str(item.get("cronExpression", "")))
        else:
            lost.append(f"cron mode {mode!r} is not represented")
    node = ScheduleTrigger(**_common(ctx), cron=cron, inputs=[])
    return Converted(node, "lossy" if lost else "built-in", lost)


def _manual(ctx: Ctx) -> Converted:
    return Converted(ManualTrigger(**_common(ctx), inputs=[]), "built-in")


def _subflow_trigger(ctx: Ctx) -> Converted:
    return Converted(SubflowTrigger(**_common(ctx), inputs=[]), "built-in")


# --------------------------------------------------------------------------- branches


def _legacy_conditions(conditions: Any) -> list[Condition]:
    out: list[Condition] = []
    if not isinstance(conditions, dict):
        return out
    for kind, items in conditions.items():
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                out.append(
                    Condition(
                        left=_v(item.get("value1")),
                        op=str(item.get("operation", "equal")).lstrip("="),
                        right=_v(item.get("value2")),
                        type=str(kind),
                    )
                )
    return out


def _filter_conditions(conditions: Any) -> tuple[str, list[Condition]]:
    if not isinstance(conditions, dict):
        return "and", []
    combinator = "or" if conditions.get("combinator") == "or" else "and"
    out: list[Condition] = []
    for item in conditions.get("conditions") or []:
        if not isinstance(item, dict):
            continue
        operator = _dict(item.get("operator"))
        out.append(
            Condition(
                left=_v(item.get("leftValue")),
                op=str(operator.get("operation", "equals")),
                right=None if operator.get("singleValue") else _v(item.get("rightValue")),
                type=str(operator.get("type", "any")),
            )
        )
    return combinator, out


def _if(ctx: Ctx) -> Converted:
    p = ctx.params
    if ctx.version < 2:
        combinator = "or" if p.get("combineOperation") == "any" else "and"
        conds = _legacy_conditions(p.get("conditions"))
    else:
        combinator, conds = _filter_conditions(p.get("conditions"))
    node = BranchNode(
        **_common(ctx),
        mode="if",
        combinator=combinator,
        conditions=conds,
        outputs=["true", "false"],
    )
    return Converted(node, "built-in")


def _filter(ctx: Ctx) -> Converted:
    p = ctx.params
    if ctx.version < 2:
        conds = _legacy_conditions(p.get("conditions"))
        combinator = "and"
    else:
        combinator, conds = _filter_conditions(p.get("conditions"))
    node = BranchNode(
        **_common(ctx),
        mode="filter",
        combinator=combinator,
        conditions=conds,
        outputs=["kept", "discarded"],
    )
    return Converted(node, "built-in")


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _switch(ctx: Ctx) -> Converted:
    p = ctx.params
    lost: list[str] = []
    rules: list[Rule] = []
    outputs: list[str] = []
    expression = None
    mode = p.get("mode", "rules")
    if ctx.version < 3:
        if mode == "expression":
            expression = _v(p.get("output"))
            outputs = [str(i) for i in range(4)]
        else:
            items = _dict(p.get("rules")).get("rules")
            count = 4 if ctx.version < 2 else len(items or [])
            names = [str(i) for i in range(count)]
            for i, item in enumerate(items or []):
                if not isinstance(item, dict):
                    continue
                target = _int(item.get("output", 0)) if ctx.version < 2 else i
                if ctx.version >= 2 and item.get("outputKey"):
                    names[i] = str(item["outputKey"])
                rules.append(
                    Rule(
                        output=names[target] if target < len(names) else str(target),
                        conditions=[
                            Condition(
                                left=_v(p.get("value1")),
                                op=str(item.get("operation", "equal")).lstrip("="),
                                right=_v(item.get("value2")),
                                type=str(p.get("dataType", "number")),
                            )
                        ],
                    )
                )
            outputs = names
            fallback = p.get("fallbackOutput", -1)
            if fallback not in (-1, None, "-1"):
                lost.append(f"fallback output {fallback!r} is not represented")
    else:
        options = _dict(p.get("options"))
        if mode == "expression":
            expression = _v(p.get("output"))
            outputs = [str(i) for i in range(_int(p.get("numberOutputs", 4), 4, 64))]
        else:
            values = _dict(p.get("rules")).get("values")
            names = []
            parsed = []
            for i, item in enumerate(values or []):
                if not isinstance(item, dict):
                    continue
                key = item.get("outputKey") if item.get("renameOutput") else None
                names.append(str(key) if key else str(i))
                parsed.append(_filter_conditions(item.get("conditions")))
            names = _unique(names)
            for name, (combinator, conds) in zip(names, parsed, strict=True):
                rules.append(Rule(output=name, combinator=combinator, conditions=conds))
            outputs = list(names)
            if options.get("fallbackOutput") == "extra":
                outputs.append("fallback")
            elif options.get("fallbackOutput") not in (None, "none"):
                lost.append("fallback to an existing output is not represented")
        lost += _options_lost(options, keep=("fallbackOutput",))
    node = BranchNode(
        **_common(ctx),
        mode="switch",
        rules=rules,
        expression=expression,
        outputs=outputs or ["0"],
    )
    return Converted(node, "lossy" if lost else "built-in", lost)


# --------------------------------------------------------------------------- data shaping


def _split_in_batches(ctx: Ctx) -> Converted:
    names = defaults.output_names(ctx.type, ctx.version)
    lost: list[str] = []
    if names is None:
        names = ["loop"]
        lost.append("v1 has one output: the loop ends by an expression in the source")
    size = _v(ctx.params.get("batchSize", 10))
    mode = "for_each" if size == 1 else "batches"
    lost += _options_lost(ctx.params.get("options"))
    node = LoopNode(**_common(ctx), mode=mode, batch_size=size, outputs=names)
    return Converted(node, "lossy" if lost else "built-in", lost)


_MERGE_MODES = {
    "append": "append",
    "mergeByIndex": "combine_by_position",
    "mergeByPosition": "combine_by_position",
    "combineByPosition": "combine_by_position",
    "mergeByKey": "combine_by_fields",
    "mergeByFields": "combine_by_fields",
    "combineByFields": "combine_by_fields",
    "keepKeyMatches": "keep_matches",
    "removeKeyMatches": "remove_matches",
    "multiplex": "combine_all",
    "combineAll": "combine_all",
    "passThrough": "choose_branch",
    "chooseBranch": "choose_branch",
    "wait": "wait_for_all",
    "combineBySql": "sql",
}


def _merge(ctx: Ctx) -> Converted:
    p = ctx.params
    lost: list[str] = []
    mode = str(p.get("mode", "append"))
    if mode == "combine":
        mode = str(p.get("combineBy" if ctx.version >= 3 else "combinationMode", ""))
    ir_mode = _MERGE_MODES.get(mode)
    if ir_mode is None:
        lost.append(f"merge mode {mode!r} is not represented")
        ir_mode = mode or "append"
    if ir_mode == "sql":
        lost.append("SQL query kept verbatim")
    count = p.get("numberInputs", 2)
    count = count if isinstance(count, int) and 2 <= count <= 64 else 2
    options = {k: _v(v) for k, v in p.items() if k not in ("mode", "combineBy", "combinationMode")}
    node = MergeNode(
        **_common(ctx),
        mode=ir_mode,
        options=options,
        inputs=[f"input{i + 1}" for i in range(count)],
    )
    return Converted(node, "lossy" if lost else "built-in", lost)


def _set(ctx: Ctx) -> Converted:
    p = ctx.params
    lost: list[str] = []
    assignments: list[Assignment] = []
    raw_json = None
    if ctx.version < 3:
        values = _dict(p.get("values"))
        for kind, items in values.items():
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and "name" in item:
                    assignments.append(
                        Assignment(
                            name=str(item["name"]), type=str(kind), value=_v(item.get("value"))
                        )
                    )
        keep = "none" if p.get("keepOnlySet") else "all"
    else:
        if p.get("mode") == "raw":
            raw_json = _v(p.get("jsonOutput"))
        elif ctx.version >= 3.3:
            block = _dict(p.get("assignments"))
            for item in block.get("assignments") or []:
                if isinstance(item, dict) and "name" in item:
                    assignments.append(
                        Assignment(
                            name=str(item["name"]),
                            type=str(item.get("type", "any")),
                            value=_v(item.get("value")),
                        )
                    )
        else:
            block = _dict(p.get("fields"))
            for item in block.get("values") or []:
                if isinstance(item, dict) and "name" in item:
                    kind = str(item.get("type", "stringValue"))
                    assignments.append(
                        Assignment(
                            name=str(item["name"]),
                            type=kind.removesuffix("Value"),
                            value=_v(item.get(kind)),
                        )
                    )
        if ctx.version >= 3.3 and not p.get("includeOtherFields"):
            keep = "none"
        else:
            keep = str(p.get("include", "all"))
            if keep not in ("all", "none", "selected", "except"):
                keep = "all"
        if keep in ("selected", "except"):
            lost.append(f"the list of fields to {'keep' if keep == 'selected' else 'drop'}")
    lost += _options_lost(p.get("options"))
    node = TransformNode(**_common(ctx), assignments=assignments, keep=keep, raw_json=raw_json)
    return Converted(node, "lossy" if lost else "built-in", lost)


_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def _wait(ctx: Ctx) -> Converted:
    p = ctx.params
    resume = p.get("resume", "timeInterval")
    lost: list[str] = []
    common = _common(ctx)
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
        **_common(ctx),
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
    return Converted(NoOpNode(**_common(ctx)), "built-in")


def _respond(ctx: Ctx) -> Converted:
    p = ctx.params
    options = _dict(p.get("options"))
    with_ = str(p.get("respondWith", "firstIncomingItem"))
    body = p.get("responseBody") if with_ in ("json", "text") else p.get("redirectURL")
    lost = _options_lost(options, keep=("responseCode",))
    node = RespondNode(
        **_common(ctx),
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
    options = _dict(p.get("options"))
    lost = []
    if p.get("source", "database") != "database":
        lost.append(f"workflow source {p.get('source')!r}: the sub-flow is not imported")
    node = SubflowNode(
        **_common(ctx),
        workflow=_v(wf),
        mode=str(p.get("mode", "once")),
        wait=bool(options.get("waitForSubWorkflow", True)),
        effects="unknown",
        determinism="unknown",
    )
    return Converted(node, "lossy" if lost else "built-in", lost)


# --------------------------------------------------------------------------- HTTP


def _pairs(block: Any, key: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(block, dict):
        for item in block.get(key) or []:
            if isinstance(item, dict) and item.get("name"):
                out[str(item["name"])] = _v(item.get("value"))
    return out


def _literal_prefix(url: Any) -> str:
    if isinstance(url, str):
        return url
    if isinstance(url, Template) and url.template and isinstance(url.template[0], str):
        return url.template[0]
    return ""


def url_host(url: Any) -> str | None:
    """The host of a URL value when its start is literal (``None`` otherwise)."""
    prefix = _literal_prefix(url)
    if not re.match(r"^https?://[^/{]+", prefix):
        return None
    try:
        host = urlsplit(prefix).hostname
    except ValueError:
        return None
    return host.lower() if host else None


def _http(ctx: Ctx) -> Converted:
    p = ctx.params
    lost: list[str] = []
    url = _v(p.get("url", ""))
    if ctx.version < 3:
        method = str(p.get("requestMethod", "GET"))
        if p.get("jsonParameters"):
            query = (
                {"$json": _v(p.get("queryParametersJson"))} if p.get("queryParametersJson") else {}
            )
            headers = (
                {"$json": _v(p.get("headerParametersJson"))}
                if p.get("headerParametersJson")
                else {}
            )
            body = _v(p.get("bodyParametersJson")) or None
            body_type = "json" if body is not None else None
        else:
            query = _pairs(p.get("queryParametersUi"), "parameter")
            headers = _pairs(p.get("headerParametersUi"), "parameter")
            body_pairs = _pairs(p.get("bodyParametersUi"), "parameter")
            body = body_pairs or None
            body_type = "form" if body_pairs else None
        auth = str(p.get("authentication", "none"))
    else:
        method = str(p.get("method", "GET"))
        query, headers, body, body_type = {}, {}, None, None
        if p.get("sendQuery"):
            if p.get("specifyQuery") == "json":
                query = {"$json": _v(p.get("jsonQuery"))}
            else:
                query = _pairs(p.get("queryParameters"), "parameters")
        if p.get("sendHeaders"):
            if p.get("specifyHeaders") == "json":
                headers = {"$json": _v(p.get("jsonHeaders"))}
            else:
                headers = _pairs(p.get("headerParameters"), "parameters")
        if p.get("sendBody"):
            body_type = str(p.get("contentType", "json"))
            if body_type in ("raw", "binaryData"):
                body = _v(p.get("body"))
                if body_type == "binaryData":
                    lost.append("binary body (input field) is not represented")
            elif p.get("specifyBody") == "json":
                body = _v(p.get("jsonBody"))
            else:
                body = _pairs(p.get("bodyParameters"), "parameters")
        auth = str(p.get("authentication", "none"))
        if auth == "predefinedCredentialType":
            auth = str(p.get("nodeCredentialType") or auth)
        elif auth == "genericCredentialType":
            auth = str(p.get("genericAuthType") or auth)
    lost += _options_lost(p.get("options"))
    effects = {"GET": "read", "HEAD": "read", "OPTIONS": "read", "DELETE": "delete"}.get(
        method.upper(), "write"
    )
    host = url_host(url)
    suggestions = ctx.catalog.lookup_host(host) if host else []
    node = HttpNode(
        **_common(ctx),
        method=method.upper(),
        url=url,
        query=query,
        headers=headers,
        body=body,
        body_type=body_type,
        auth=None if auth == "none" else auth,
        suggested_connector=suggestions[0] if suggestions else None,
        effects=effects,
        determinism="nondeterministic",
    )
    suggestion = (
        f"the registry connector {suggestions[0]} serves {host}; use one of its operations"
        if suggestions
        else None
    )
    return Converted(node, "lossy" if lost else "built-in", lost, suggestion=suggestion)


# --------------------------------------------------------------------------- connectors


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


def connector_or_unsupported(ctx: Ctx) -> Converted:
    """A node of a service: a connector node when the registry links it, else unsupported."""
    resource, operation = defaults.resource_operation(ctx.type, ctx.version, ctx.params)
    found = ctx.catalog.lookup_n8n(ctx.type, resource, operation)
    common = _common(ctx)
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
    bound, unbound = bind_params(ctx.params, found.inputs)
    lost = [
        f"parameter {key!r} has no input in {found.connector} {found.operation_id}"
        for key in unbound
    ]
    creds = ctx.raw.get("credentials")
    credential = next(iter(creds), None) if isinstance(creds, dict) and creds else None
    node = ConnectorNode(
        **common,
        connector=found.connector,
        operation=found.operation_id,
        params=bound,
        credential=credential,
        effects=found.effects,
        determinism=found.determinism,
    )
    return Converted(node, "lossy" if lost else "mapped", lost)


CONVERTERS: dict[str, Callable[[Ctx], Converted]] = {
    BASE + "webhook": _webhook,
    BASE + "scheduleTrigger": _schedule,
    BASE + "cron": _cron,
    BASE + "manualTrigger": _manual,
    BASE + "executeWorkflowTrigger": _subflow_trigger,
    BASE + "if": _if,
    BASE + "filter": _filter,
    BASE + "switch": _switch,
    BASE + "splitInBatches": _split_in_batches,
    BASE + "merge": _merge,
    BASE + "set": _set,
    BASE + "wait": _wait,
    BASE + "code": _code,
    BASE + "function": _code,
    BASE + "functionItem": _code,
    BASE + "noOp": _noop,
    BASE + "respondToWebhook": _respond,
    BASE + "executeWorkflow": _execute_workflow,
    BASE + "httpRequest": _http,
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
    newest = defaults.newest_version(node_type)
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


def convert_node(raw: dict[str, Any], catalog: ConnectorCatalog) -> Converted:
    """Translate one (shape-checked) n8n node.

    A ``typeVersion`` that is unreadable or newer than the shipped node catalog knows is
    converted with the newest known version's logic and the node is reported as lossy.
    """
    node_type = str(raw.get("type"))
    version, version_note = _version(raw, node_type)
    params = raw.get("parameters") or {}
    ctx = Ctx(raw, defaults.with_defaults(node_type, version, params), version, catalog)
    converter = CONVERTERS.get(node_type, connector_or_unsupported)
    try:
        result = converter(ctx)
    except (ValueError, TypeError, KeyError, AttributeError, ValidationError) as exc:
        # Parameters of a shape this importer does not know: keep the node verbatim.
        reason = f"parameters not understood ({type(exc).__name__}); kept verbatim"
        if version_note:
            reason += f"; {version_note}"
        fallback = UnsupportedNode(
            **_common(ctx),
            parameters=params,
            reason=reason,
            effects="unknown",
            determinism="unknown",
        )
        result = Converted(fallback, "unsupported", [], reason=reason)
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
    stack: list[Any] = [getattr(node, f) for f in type(node).model_fields]
    while stack:
        item = stack.pop()
        if isinstance(item, Js):
            js += 1
        elif isinstance(item, Ref):
            refs += 1
        elif isinstance(item, Template):
            stack.extend(item.template)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, Condition | Rule | Assignment):
            stack.extend(getattr(item, f) for f in type(item).model_fields)
    return refs, js


__all__ = [
    "Converted",
    "Ctx",
    "bind_params",
    "convert_node",
    "count_expressions",
    "parse_version",
    "url_host",
]
