"""The typed AI inputs (slots) of each LangChain node, from n8n's node descriptions.

n8n lists a node's ``ai_*`` inputs either statically (kept in ``data/n8n_nodes.json``) or as an
expression over its parameters; the expressions of the nodes in use are restated here as data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flows.ir.model import Slot
from flows.n8n import nodeinfo
from flows.n8n.nodes.base import LANGCHAIN, Ctx, raw_param, short_type

SLOT_NAMES = {
    "ai_languageModel": "model",
    "ai_memory": "memory",
    "ai_tool": "tools",
    "ai_outputParser": "output_parser",
    "ai_retriever": "retriever",
    "ai_embedding": "embedding",
    "ai_vectorStore": "vector_store",
    "ai_document": "document",
    "ai_textSplitter": "text_splitter",
    "ai_reranker": "reranker",
}


def _slot(connection: str, low: int, high: int | None, name: str | None = None) -> Slot:
    return Slot(
        name=name or SLOT_NAMES.get(connection, connection),
        connection=connection,
        min=low,
        max=high,
    )


def _agent(ctx: Ctx) -> list[Slot]:
    """Agent v1: by agent type; v2+: model, optional fallback model, memory, tools, parser."""
    has_parser = raw_param(ctx, "hasOutputParser", False) is True
    if ctx.version < 2:
        fallback = "toolsAgent" if ctx.version >= 1.6 else "conversationalAgent"
        agent = raw_param(ctx, "agent", fallback)
        slots = [_slot("ai_languageModel", 1, 1)]
        if agent in ("conversationalAgent", "toolsAgent", "openAiFunctionsAgent", "sqlAgent"):
            slots.append(_slot("ai_memory", 0, 1))
        if agent != "sqlAgent":
            # n8n's editor marks tools required for tools/functions agents; its runtime
            # (getConnectedTools) runs them without any, as published templates do.
            slots.append(_slot("ai_tool", 0, None))
            if has_parser or ctx.version < 1.3:
                slots.append(_slot("ai_outputParser", 0, 1))
        return slots
    slots = [_slot("ai_languageModel", 1, 1)]
    if raw_param(ctx, "needsFallback", False) is True:
        slots.append(_slot("ai_languageModel", 1, 1, "fallback_model"))
    slots += [_slot("ai_memory", 0, 1), _slot("ai_tool", 0, None)]
    if has_parser:
        slots.append(_slot("ai_outputParser", 0, 1))
    return slots


def _chain_llm(ctx: Ctx) -> list[Slot]:
    has_parser = raw_param(ctx, "hasOutputParser", False) is True or ctx.version in (1, 1.1, 1.3)
    slots = [_slot("ai_languageModel", 1, 1)]
    return [*slots, _slot("ai_outputParser", 0, 1)] if has_parser else slots


def _summarization(ctx: Ctx) -> list[Slot]:
    slots = [_slot("ai_languageModel", 1, 1)]
    if ctx.version < 2 or raw_param(ctx, "operationMode", "nodeInputJson") == "documentLoader":
        slots.append(_slot("ai_document", 1, 1))
    return slots


def _vector_store(ctx: Ctx) -> list[Slot]:
    mode = raw_param(ctx, "mode", "retrieve")
    slots = []
    if mode == "insert":
        slots.append(_slot("ai_document", 1, 1))
    slots.append(_slot("ai_embedding", 1, 1))
    if mode in ("load", "retrieve-as-tool") or mode == "retrieve":
        slots.append(_slot("ai_reranker", 0, 1))
    return slots


def _loader(ctx: Ctx) -> list[Slot]:
    custom = raw_param(ctx, "textSplittingMode", "custom" if ctx.version < 1.1 else "simple")
    return [_slot("ai_textSplitter", 1 if custom == "custom" else 0, 1)]


def _custom_code(ctx: Ctx) -> list[Slot]:
    """The LangChain Code node lists its own inputs in its parameters."""
    block = ctx.params.get("inputs")
    items = block.get("input") if isinstance(block, dict) else None
    slots = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and str(item.get("type", "")).startswith("ai_"):
            high = item.get("maxConnections")
            slots.append(
                _slot(
                    str(item["type"]),
                    1 if item.get("required") else 0,
                    high if isinstance(high, int) and high >= 0 else None,
                )
            )
    return slots


def _tools_and_memory(ctx: Ctx) -> list[Slot]:
    """OpenAI/Anthropic/Gemini app nodes: tools (and memory) for their message operations."""
    return [_slot("ai_tool", 0, None), _slot("ai_memory", 0, 1)]


_DYNAMIC: dict[str, Callable[[Ctx], list[Slot]]] = {
    "agent": _agent,
    "agentTool": _agent,
    "chainLlm": _chain_llm,
    "chainSummarization": _summarization,
    "documentDefaultDataLoader": _loader,
    "documentGithubLoader": _loader,
    "code": _custom_code,
    "openAi": _tools_and_memory,
    "anthropic": _tools_and_memory,
    "googleGemini": _tools_and_memory,
    "ollama": _tools_and_memory,
    "chatTrigger": lambda ctx: [_slot("ai_memory", 0, 1)],
    "chat": lambda ctx: [_slot("ai_memory", 0, 1)],
    "modelSelector": lambda ctx: [_slot("ai_languageModel", 1, None, "models")],
    "guardrails": lambda ctx: [_slot("ai_languageModel", 0, 1)],
}


def slots_for(ctx: Ctx) -> list[Slot]:
    """The slots of a LangChain node, for its version and parameters."""
    short = short_type(ctx.type)
    if short.startswith("vectorStore") and not short.endswith(("Insert", "Load")):
        return _vector_store(ctx)
    dynamic = _DYNAMIC.get(short)
    if dynamic is not None:
        return dynamic(ctx)
    static = nodeinfo.ai_inputs(ctx.type) if ctx.type.startswith(LANGCHAIN) else None
    return [_static(item) for item in static or []]


def _static(item: dict[str, Any]) -> Slot:
    high = item.get("max")
    return _slot(
        str(item["type"]), 1 if item.get("required") else 0, high if isinstance(high, int) else None
    )
