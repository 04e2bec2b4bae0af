"""LangChain nodes: agents and chains with typed slots, model references, memory, tools, output
parsers, embeddings, vector stores, loaders, splitters, retrievers, chat/MCP triggers and the
OpenAI/Anthropic/Gemini app nodes.

What a node is follows from the connection kind it outputs (n8n's node description): a node
that outputs ``ai_languageModel`` is a model, ``ai_tool`` a tool, and so on; nodes with a main
output are agents/chains (or a provider's app node).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flows.ir.model import (
    AgentNode,
    AiAppNode,
    AiComponentNode,
    ChatTrigger,
    McpTrigger,
    ModelNode,
    OutputParserNode,
    ToolArgument,
    ToolNode,
)
from flows.n8n import nodeinfo
from flows.n8n.expressions import translate_value
from flows.n8n.nodes.ai_slots import slots_for
from flows.n8n.nodes.apps import app_trigger, from_ai_arguments
from flows.n8n.nodes.base import (
    Converted,
    Ctx,
    as_dict,
    common_fields,
    credential_of,
    documented_params,
    raw_param,
    short_type,
    snake,
    unique,
)
from flows.n8n.nodes.connector import find_connector

_COMPONENTS = {
    "ai_memory": "ai.memory",
    "ai_vectorStore": "ai.vector_store",
    "ai_document": "ai.document",
    "ai_textSplitter": "ai.splitter",
    "ai_retriever": "ai.retriever",
    "ai_reranker": "ai.reranker",
}
_APPS = ("openAi", "anthropic", "googleGemini", "ollama", "alibabaCloud", "minimax", "moonshot")
_MODEL_KEYS = ("model", "modelName", "modelId")
_PROMPT_KEYS = ("text", "inputText", "prompt")
_CHAT_INPUT = "={{ $json.chatInput }}"


def _outputs_of(ctx: Ctx, short: str) -> list[str]:
    if short.startswith("vectorStore") and not short.endswith(("Insert", "Load")):
        mode = raw_param(ctx, "mode", "retrieve")
        return {"retrieve": ["ai_vectorStore"], "retrieve-as-tool": ["ai_tool"]}.get(
            str(mode), ["main"]
        )
    if short == "code":
        block = ctx.params.get("outputs")
        items = block.get("output") if isinstance(block, dict) else None
        kinds = [i.get("type") for i in items or [] if isinstance(i, dict)]
        return [str(k) for k in kinds if isinstance(k, str)] or ["main"]
    return nodeinfo.ai_outputs(ctx.type) or ["main"]


def _main_ports(ctx: Ctx, short: str) -> list[str]:
    """Output ports of a main-output AI node (classifiers have one per category)."""
    if short == "textClassifier":
        items = as_dict(ctx.params.get("categories")).get("categories")
        names = [str(i.get("category", "")) for i in items or [] if isinstance(i, dict)]
        if as_dict(ctx.params.get("options")).get("fallback") == "other":
            names.append("other")
        return unique(names) or ["out"]
    if short == "sentimentAnalysis":
        text = as_dict(ctx.params.get("options")).get("categories", "Positive, Neutral, Negative")
        names = [part.strip() for part in str(text).split(",") if part.strip()]
        return unique(names) or ["out"]
    return ["out"]


def _model_value(ctx: Ctx) -> tuple[Any, str | None]:
    for key in _MODEL_KEYS:
        value = raw_param(ctx, key)
        if isinstance(value, dict) and "value" in value and "mode" in value:
            value = value["value"]  # a resource locator exported without its __rl marker
        if value is not None:
            return translate_value(value), key
    return None, None


def _json_text(value: Any) -> Any:
    """A JSON literal given as text, parsed; anything else translated as a value."""
    if isinstance(value, str) and not value.startswith("="):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return translate_value(value)


def _prompt(ctx: Ctx) -> Any:
    prompt_type = raw_param(ctx, "promptType", "define")
    if prompt_type == "auto":
        return translate_value(_CHAT_INPUT)
    if prompt_type == "guardrails":
        return translate_value("={{ $json.guardrailsInput }}")
    for key in _PROMPT_KEYS:
        if key in ctx.params:
            return translate_value(ctx.params[key])
    return None


def _common_ai(ctx: Ctx, provides: str | None, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    sub = provides is not None
    return {
        **common_fields(ctx),
        "provides": provides,
        "slots": slots_for(ctx),
        "params": documented_params(ctx, skip=skip),
        "credential": credential_of(ctx),
        "inputs": [] if sub else ["in"],
        "outputs": [] if sub else ["out"],
    }


def _model(ctx: Ctx, provides: str) -> Converted:
    model, key = _model_value(ctx)
    found = find_connector(ctx)
    node = ModelNode(
        **_common_ai(ctx, provides, skip=(key,) if key else ()),
        kind="ai.model" if provides == "ai_languageModel" else "ai.embedding",
        provider=ctx.type,
        model=model,
        connector=found.connector if found else None,
        operation=found.operation_id if found else None,
        effects="read",
        determinism="nondeterministic",
    )
    return Converted(node, "mapped" if found else "built-in")


def _parser(ctx: Ctx, provides: str) -> Converted:
    short = short_type(ctx.type)
    schema = example = None
    skip: tuple[str, ...] = ()
    if short == "outputParserStructured":
        mode = raw_param(ctx, "schemaType", "fromJson" if ctx.version >= 1.2 else "manual")
        if mode == "manual" or "inputSchema" in ctx.params:
            schema = _json_text(raw_param(ctx, "inputSchema", raw_param(ctx, "jsonSchema")))
        elif "jsonSchema" in ctx.params and ctx.version < 1.2:
            schema = _json_text(ctx.params["jsonSchema"])
        else:
            example = _json_text(raw_param(ctx, "jsonSchemaExample"))
        skip = ("inputSchema", "jsonSchema", "jsonSchemaExample")
    node = OutputParserNode(
        **_common_ai(ctx, provides, skip=skip),
        parser=snake(short.removeprefix("outputParser")),
        json_schema=schema,
        example=example,
    )
    return Converted(node, "built-in")


def _tool_arguments(ctx: Ctx, params: dict[str, Any]) -> list[ToolArgument]:
    arguments = from_ai_arguments(params)
    block = as_dict(ctx.params.get("placeholderDefinitions")).get("values")
    for item in block if isinstance(block, list) else []:
        if isinstance(item, dict) and item.get("name"):
            arguments.append(
                ToolArgument(
                    name=str(item["name"]),
                    description=str(item.get("description", "")),
                    type=str(item.get("type", "string")),
                )
            )
    return arguments


def _tool(ctx: Ctx, provides: str) -> Converted:
    short = short_type(ctx.type)
    base = _common_ai(ctx, provides, skip=("toolDescription", "description"))
    description = ctx.params.get("toolDescription", ctx.params.get("description"))
    node = ToolNode(
        **base,
        tool=ctx.type,
        description=translate_value(description),
        arguments=_tool_arguments(ctx, base["params"]),
        effects="unknown",
        determinism="unknown",
    )
    lost = ["tool code kept opaque"] if short == "toolCode" else []
    if short == "toolCode":
        node.flags.append("opaque-code")
    return Converted(node, "lossy" if lost else "built-in", lost)


def _component(ctx: Ctx, provides: str | None) -> Converted:
    short = short_type(ctx.type)
    kind = _COMPONENTS.get(provides or "", "ai.vector_store")
    mode = raw_param(ctx, "mode")
    writes = mode in ("insert", "update") or kind == "ai.memory"
    node = AiComponentNode(
        **_common_ai(ctx, provides),
        kind=kind,
        component=ctx.type,
        mode=str(mode) if isinstance(mode, str) else None,
        effects="write" if writes else "read",
        determinism="nondeterministic",
    )
    if provides is None:
        node.inputs = ["in"] if not short.endswith("Load") else []
    return Converted(node, "built-in")


def _app(ctx: Ctx) -> Converted:
    resource, operation = nodeinfo.resource_operation(ctx.type, ctx.version, ctx.params)
    model, key = _model_value(ctx)
    found = find_connector(ctx)
    node = AiAppNode(
        **_common_ai(ctx, None, skip=tuple(k for k in ("resource", "operation", key) if k)),
        provider=ctx.type,
        resource=resource if isinstance(resource, str) else None,
        operation=operation if isinstance(operation, str) else None,
        model=model,
        connector=found.connector if found else None,
        connector_operation=found.operation_id if found else None,
        effects="unknown",
        determinism="nondeterministic",
    )
    if found:
        return Converted(node, "mapped")
    what = "/".join(p for p in (node.resource, node.operation) if p)
    lost = [f"no registry connector for {ctx.type} {what}: kept as a typed provider call"]
    return Converted(node, "lossy", lost)


def _agent(ctx: Ctx, provides: str | None) -> Converted:
    short = short_type(ctx.type)
    options = as_dict(ctx.params.get("options"))
    node = AgentNode(
        **_common_ai(ctx, provides, skip=("text", "promptType")),
        role=snake(short),
        prompt=_prompt(ctx),
        system_message=translate_value(options.get("systemMessage")),
        effects="unknown",
        determinism="nondeterministic",
    )
    if provides is None:
        node.outputs = _main_ports(ctx, short)
    return Converted(node, "built-in")


def _trigger(ctx: Ctx) -> Converted:
    short = short_type(ctx.type)
    if short == "mcpTrigger":
        node: Any = McpTrigger(
            **_common_ai(ctx, None, skip=("path",)),
            path=str(ctx.params.get("path") or ctx.raw.get("webhookId") or ""),
        )
    else:
        mode = str(raw_param(ctx, "mode", "hostedChat"))
        node = ChatTrigger(
            **_common_ai(ctx, None, skip=("mode", "public")),
            mode="manual" if short == "manualChatTrigger" else mode,
            public=raw_param(ctx, "public", False) is True,
        )
    node.inputs = []
    return Converted(node, "built-in")


def convert_ai(ctx: Ctx) -> Converted:
    """Any LangChain node (``@n8n/n8n-nodes-langchain.*``) known to n8n's catalog."""
    short = short_type(ctx.type)
    if short in ("chatTrigger", "manualChatTrigger", "mcpTrigger"):
        return _trigger(ctx)
    if nodeinfo.trigger_mode(ctx.type) is not None:
        return app_trigger(ctx)  # another app's trigger that ships with the LangChain nodes
    outputs = _outputs_of(ctx, short)
    provides = next((o for o in outputs if o.startswith("ai_")), None)
    handler: Callable[[Ctx, str], Converted] | None = {
        "ai_languageModel": _model,
        "ai_embedding": _model,
        "ai_outputParser": _parser,
        "ai_tool": _tool,
    }.get(provides or "")
    if short.startswith("vectorStore") or provides in _COMPONENTS:
        result = _component(ctx, provides)
    elif handler is not None and provides is not None and not short.startswith("vectorStore"):
        result = handler(ctx, provides)
    elif provides is None and short in _APPS:
        result = _app(ctx)
    else:
        result = _agent(ctx, provides)
    if short == "code":
        result.lost.append("LangChain code kept opaque")
        result.node.flags.append("opaque-code")
        result.status = "lossy"
    return result
