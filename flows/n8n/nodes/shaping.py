"""Data shaping: Loop Over Items, Merge and Set / Edit Fields."""

from __future__ import annotations

from collections.abc import Callable

from flows.ir.model import Assignment, LoopNode, MergeNode, TransformNode
from flows.n8n import defaults
from flows.n8n.expressions import translate_value as _v
from flows.n8n.nodes.base import (
    BASE,
    Converted,
    Ctx,
    as_dict,
    common_fields,
    options_lost,
    whole,
)


def _split_in_batches(ctx: Ctx) -> Converted:
    names = defaults.output_names(ctx.type, ctx.version)
    lost: list[str] = []
    if names is None:
        names = ["loop"]
        lost.append("v1 has one output: the loop ends by an expression in the source")
    size = _v(ctx.params.get("batchSize", 10))
    mode = "for_each" if size == 1 else "batches"
    lost += options_lost(ctx.params.get("options"))
    node = LoopNode(**common_fields(ctx), mode=mode, batch_size=size, outputs=names)
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
    # v3+ takes numberInputs (2-10 in n8n's editor) inputs; earlier versions always two.
    count = whole(p.get("numberInputs", 2), 2, 64) if ctx.version >= 3 else 2
    if count is None:
        lost.append(f"number of inputs {p.get('numberInputs')!r} is not a number: 2 kept")
        count = 2
    options = {k: _v(v) for k, v in p.items() if k not in ("mode", "combineBy", "combinationMode")}
    node = MergeNode(
        **common_fields(ctx),
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
        values = as_dict(p.get("values"))
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
            block = as_dict(p.get("assignments"))
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
            block = as_dict(p.get("fields"))
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
    lost += options_lost(p.get("options"))
    node = TransformNode(
        **common_fields(ctx), assignments=assignments, keep=keep, raw_json=raw_json
    )
    return Converted(node, "lossy" if lost else "built-in", lost)


CONVERTERS: dict[str, Callable[[Ctx], Converted]] = {
    BASE + "splitInBatches": _split_in_batches,
    BASE + "merge": _merge,
    BASE + "set": _set,
}
