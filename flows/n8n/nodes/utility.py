"""n8n's core utility nodes as parameterised families: data, file, email, form, feed, data
table, evaluation; and the form, error and protocol triggers (IMAP, RSS, local files, n8n).

Every parameter n8n documents is kept (defaults applied) in ``params``; nothing these nodes say
is dropped, so they are ``built-in`` unless an expression stays JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flows.ir.model import AppTrigger, ErrorTrigger, FormTrigger, StepNode, StopNode
from flows.n8n import defaults
from flows.n8n.expressions import translate_value
from flows.n8n.nodes.base import (
    BASE,
    Converted,
    Ctx,
    common_fields,
    credential_of,
    documented_params,
    raw_param,
    short_type,
    snake,
)
from flows.n8n.nodes.triggers import cron_entries

_DATA = (
    "splitOut",
    "aggregate",
    "limit",
    "sort",
    "removeDuplicates",
    "summarize",
    "renameKeys",
    "compareDatasets",
    "itemLists",
    "dateTime",
    "crypto",
    "html",
    "markdown",
    "xml",
    "executionData",
)
_FILE = (
    "extractFromFile",
    "convertToFile",
    "readWriteFile",
    "editImage",
    "readBinaryFile",
    "readBinaryFiles",
    "writeBinaryFile",
    "moveBinaryData",
    "compression",
    "spreadsheetFile",
)
_DISK_READ = {"readBinaryFile", "readBinaryFiles"}
_WRITE_OPS = ("write", "insert", "update", "upsert", "create", "send", "add", "delete", "remove")
# Ports that are not n8n's default single in/out.
_PORTS: dict[str, tuple[list[str], list[str]]] = {
    "compareDatasets": (["input_a", "input_b"], ["in_a_only", "same", "different", "in_b_only"]),
}
_PROTOCOL_TRIGGERS = {
    "emailReadImap": "listen",
    "rssFeedReadTrigger": "polling",
    "localFileTrigger": "listen",
    "evaluationTrigger": "listen",
    "n8nTrigger": "listen",
    "workflowTrigger": "listen",
}


def _operation(ctx: Ctx) -> str:
    name = snake(short_type(ctx.type))
    _, default_operation = defaults.resource_operation(ctx.type, ctx.version, ctx.params)
    for key in ("operation", "action", "mode"):
        value = raw_param(ctx, key, default_operation if key == "operation" else None)
        if isinstance(value, str) and value and not value.startswith("="):
            return f"{name}.{value}"
    return name


def _effects(kind: str, operation: str, short: str) -> str:
    if kind == "data" or kind == "form":
        return "none"
    if short in _DISK_READ or kind == "feed":
        return "read"
    last = operation.rsplit(".", 1)[-1].lower()
    if kind == "email" or any(word in last for word in _WRITE_OPS):
        return "delete" if "delete" in last or "remove" in last else "write"
    return "read" if kind in ("file", "data_table") else "unknown"


def _step(kind: str) -> Callable[[Ctx], Converted]:
    def convert(ctx: Ctx) -> Converted:
        short = short_type(ctx.type)
        operation = _operation(ctx)
        inputs, outputs = _PORTS.get(short, (["in"], ["out"]))
        effects = _effects(kind, operation, short)
        node = StepNode(
            **common_fields(ctx),
            kind=kind,
            operation=operation,
            params=documented_params(ctx),
            credential=credential_of(ctx),
            inputs=list(inputs),
            outputs=list(outputs),
            effects=effects,
            determinism="strict" if effects == "none" else "nondeterministic",
        )
        return Converted(node, "built-in")

    return convert


def _form_trigger(ctx: Ctx) -> Converted:
    params = documented_params(ctx, skip=("path", "formTitle", "formFields"))
    options = ctx.params.get("options")
    path = ctx.params.get("path")
    if path is None and isinstance(options, dict):
        path = options.get("path")
    node = FormTrigger(
        **common_fields(ctx),
        path=str(path or ctx.raw.get("webhookId") or ""),
        title=translate_value(raw_param(ctx, "formTitle")),
        fields=translate_value(raw_param(ctx, "formFields")),
        params=params,
        inputs=[],
    )
    return Converted(node, "built-in")


def _error_trigger(ctx: Ctx) -> Converted:
    return Converted(ErrorTrigger(**common_fields(ctx), inputs=[]), "built-in")


def _stop(ctx: Ctx) -> Converted:
    kind = raw_param(ctx, "errorType", "errorMessage")
    error = raw_param(ctx, "errorObject" if kind == "errorObject" else "errorMessage")
    node = StopNode(**common_fields(ctx), error=translate_value(error), outputs=[])
    return Converted(node, "built-in")


def _protocol_trigger(ctx: Ctx) -> Converted:
    short = short_type(ctx.type)
    mode = _PROTOCOL_TRIGGERS[short]
    cron: list[str] = []
    lost: list[str] = []
    if mode == "polling":
        cron, lost = cron_entries(ctx.params.get("pollTimes", {"item": [{"mode": "everyMinute"}]}))
    events: Any = ctx.params.get("events") or ctx.params.get("event")
    node = AppTrigger(
        **common_fields(ctx),
        app=ctx.type,
        mode=mode,
        event=translate_value(events),
        cron=cron,
        params=documented_params(ctx, skip=("pollTimes", "events", "event")),
        credential=credential_of(ctx),
        inputs=[],
        effects="read",
        determinism="nondeterministic",
    )
    return Converted(node, "lossy" if lost else "built-in", lost)


CONVERTERS: dict[str, Callable[[Ctx], Converted]] = {
    **{BASE + name: _step("data") for name in _DATA},
    **{BASE + name: _step("file") for name in _FILE},
    BASE + "emailSend": _step("email"),
    BASE + "form": _step("form"),
    BASE + "rssFeedRead": _step("feed"),
    BASE + "dataTable": _step("data_table"),
    BASE + "evaluation": _step("evaluation"),
    BASE + "formTrigger": _form_trigger,
    BASE + "errorTrigger": _error_trigger,
    BASE + "stopAndError": _stop,
    **{BASE + name: _protocol_trigger for name in _PROTOCOL_TRIGGERS},
}
