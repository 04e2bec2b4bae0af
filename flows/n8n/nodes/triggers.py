"""Triggers: webhook, schedule, cron, manual and sub-flow start."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flows.ir.model import Interval, ManualTrigger, ScheduleTrigger, SubflowTrigger, WebhookTrigger
from flows.n8n.expressions import translate_value as _v
from flows.n8n.nodes.base import BASE, Converted, Ctx, common_fields, options_lost, whole


def _webhook(ctx: Ctx) -> Converted:
    p = ctx.params
    modes = {
        "onReceived": "immediately",
        "lastNode": "last_node",
        "responseNode": "respond_node",
        "streaming": "streaming",
    }
    lost = options_lost(p.get("options"))
    method = p.get("httpMethod", "GET")
    if isinstance(method, list):
        lost.append("several HTTP methods: only the first is kept")
        method = method[0] if method else "GET"
    mode = modes.get(str(p.get("responseMode")), "immediately")
    if str(p.get("responseMode")) not in modes:
        lost.append(f"response mode {p.get('responseMode')!r} is not represented")
    node = WebhookTrigger(
        **common_fields(ctx),
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
            parsed = [whole(d, 0, 7) for d in days] if isinstance(days, list) else [None]
            if any(d is None for d in parsed):
                lost.append(f"{where}: weekdays {days!r} are not day numbers; not converted")
                return None
            values["weekday"] = parsed
            continue
        name, low, high, default = limits[key]
        raw = item.get(key, default)
        number = whole(raw, low, high)
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
    node = ScheduleTrigger(**common_fields(ctx), intervals=intervals, inputs=[])
    return Converted(node, "lossy" if lost else "built-in", lost)


def cron_entries(times: Any) -> tuple[list[str], list[str]]:
    """n8n's ``triggerTimes``/``pollTimes`` block as cron entries, and what was not converted."""
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
    return cron, lost


def _cron(ctx: Ctx) -> Converted:
    cron, lost = cron_entries(ctx.params.get("triggerTimes"))
    node = ScheduleTrigger(**common_fields(ctx), cron=cron, inputs=[])
    return Converted(node, "lossy" if lost else "built-in", lost)


def _manual(ctx: Ctx) -> Converted:
    return Converted(ManualTrigger(**common_fields(ctx), inputs=[]), "built-in")


def _subflow_trigger(ctx: Ctx) -> Converted:
    return Converted(SubflowTrigger(**common_fields(ctx), inputs=[]), "built-in")


CONVERTERS: dict[str, Callable[[Ctx], Converted]] = {
    BASE + "webhook": _webhook,
    BASE + "scheduleTrigger": _schedule,
    BASE + "cron": _cron,
    BASE + "manualTrigger": _manual,
    BASE + "start": _manual,  # the Start node of n8n before 1.0
    BASE + "executeWorkflowTrigger": _subflow_trigger,
}
