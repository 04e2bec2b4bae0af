"""Flow IR node kinds for AI graphs: agents and chains with typed slots, and what fills them.

n8n wires AI sub-nodes into agents with typed connections (``ai_languageModel``, ``ai_tool``,
``ai_memory``, ...). In the IR, the receiving node lists its :class:`~flows.ir.base.Slot` s
(name, accepted connection, cardinality, bound nodes) and every sub-node says which connection
it ``provides``; ``flows graph check`` validates both.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from flows.ir.base import IRModel, NodeBase, Slot, Value


class AiNode(NodeBase):
    """Fields every AI node has."""

    provides: str | None = Field(
        default=None, description="The ai_* connection this node fills (null: main output)."
    )
    slots: list[Slot] = Field(default_factory=list, description="Typed AI inputs.")
    params: dict[str, Value] = Field(default_factory=dict, description="Its other parameters.")
    credential: str | None = None


class AgentNode(AiNode):
    """An agent or chain: runs a model over each item, with tools, memory, parser, retriever."""

    kind: Literal["ai.agent"] = "ai.agent"
    role: str = Field(description="agent, chain_llm, chain_summarization, text_classifier, ...")
    prompt: Value = None
    system_message: Value = None


class ModelNode(AiNode):
    """A model reference (chat/completion model or embeddings): provider, model, parameters,
    credential; and the registry connector operation that serves it, when one does."""

    kind: Literal["ai.model", "ai.embedding"]
    provider: str = Field(description="The source node type, e.g. ...langchain.lmChatOpenAi")
    model: Value = None
    connector: str | None = Field(default=None, description="provider@version serving it.")
    operation: str | None = None


class OutputParserNode(AiNode):
    """Parses the model's answer: structured (JSON Schema or example), list, auto-fixing."""

    kind: Literal["ai.output_parser"] = "ai.output_parser"
    parser: str = Field(description="structured, item_list, autofixing, ...")
    json_schema: Value = Field(default=None, description="The JSON Schema the answer must fit.")
    example: Value = Field(default=None, description="An example answer the schema is taken from.")


class AiComponentNode(AiNode):
    """Memory, vector store, document loader, text splitter, retriever or reranker."""

    kind: Literal[
        "ai.memory", "ai.vector_store", "ai.document", "ai.splitter", "ai.retriever", "ai.reranker"
    ]
    component: str = Field(description="The source node type.")
    mode: str | None = Field(default=None, description="e.g. a vector store's insert/retrieve.")


class AiAppNode(AiNode):
    """A direct call of an AI provider (n8n's OpenAI, Anthropic, Google Gemini app nodes)."""

    kind: Literal["ai.app"] = "ai.app"
    provider: str = Field(description="The source node type.")
    resource: str | None = None
    operation: str | None = None
    model: Value = None
    connector: str | None = Field(default=None, description="provider@version serving it.")
    connector_operation: str | None = None


class ToolArgument(IRModel):
    """An argument the agent fills in when it calls a tool."""

    name: str
    description: str = ""
    type: str = "string"
    default: str | int | float | bool | None = None


class ChatTrigger(AiNode):
    """Starts the flow on a chat message (hosted chat, embedded widget or the editor)."""

    kind: Literal["trigger.chat"] = "trigger.chat"
    mode: str = "hostedChat"
    public: bool = False


class McpTrigger(AiNode):
    """Exposes the tools bound to it as an MCP server; starts the flow when one is called."""

    kind: Literal["trigger.mcp"] = "trigger.mcp"
    path: str = ""
