"""Branches: If, Filter and Switch (conditions, rules, output ports)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flows.ir.model import BranchNode, Condition, Rule
from flows.n8n.expressions import translate_value as _v
from flows.n8n.nodes.base import (
    BASE,
    Converted,
    Ctx,
    as_dict,
    common_fields,
    options_lost,
    small_int,
    unique,
)


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
        operator = as_dict(item.get("operator"))
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
        **common_fields(ctx),
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
        **common_fields(ctx),
        mode="filter",
        combinator=combinator,
        conditions=conds,
        outputs=["kept", "discarded"],
    )
    return Converted(node, "built-in")


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
            items = as_dict(p.get("rules")).get("rules")
            count = 4 if ctx.version < 2 else len(items or [])
            names = [str(i) for i in range(count)]
            for i, item in enumerate(items or []):
                if not isinstance(item, dict):
                    continue
                target = small_int(item.get("output", 0)) if ctx.version < 2 else i
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
        options = as_dict(p.get("options"))
        if mode == "expression":
            expression = _v(p.get("output"))
            outputs = [str(i) for i in range(small_int(p.get("numberOutputs", 4), 4, 64))]
        else:
            values = as_dict(p.get("rules")).get("values")
            names = []
            parsed = []
            for i, item in enumerate(values or []):
                if not isinstance(item, dict):
                    continue
                key = item.get("outputKey") if item.get("renameOutput") else None
                names.append(str(key) if key else str(i))
                parsed.append(_filter_conditions(item.get("conditions")))
            names = unique(names)
            for name, (combinator, conds) in zip(names, parsed, strict=True):
                rules.append(Rule(output=name, combinator=combinator, conditions=conds))
            outputs = list(names)
            if options.get("fallbackOutput") == "extra":
                outputs.append("fallback")
            elif options.get("fallbackOutput") not in (None, "none"):
                lost.append("fallback to an existing output is not represented")
        lost += options_lost(options, keep=("fallbackOutput",))
    node = BranchNode(
        **common_fields(ctx),
        mode="switch",
        rules=rules,
        expression=expression,
        outputs=outputs or ["0"],
    )
    return Converted(node, "lossy" if lost else "built-in", lost)


CONVERTERS: dict[str, Callable[[Ctx], Converted]] = {
    BASE + "if": _if,
    BASE + "filter": _filter,
    BASE + "switch": _switch,
}
