"""Flow IR v1: a typed, validated description of an automation flow.

A flow is a set of named nodes joined by typed edges between named ports. Values, provenance
and the fields every node has are in :mod:`flows.ir.base`; the core kinds are here, the
utility/database/app families in :mod:`flows.ir.families` and AI graphs in :mod:`flows.ir.ai`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from flows.ir.ai import (
    AgentNode,
    AiAppNode,
    AiComponentNode,
    AiNode,
    ChatTrigger,
    McpTrigger,
    ModelNode,
    OutputParserNode,
    ToolArgument,
)
from flows.ir.base import (
    IR_VERSION,
    FromAi,
    Interval,
    IRModel,
    Js,
    NodeBase,
    Provenance,
    Ref,
    Slot,
    Template,
    Value,
)
from flows.ir.families import (
    AppNode,
    AppTrigger,
    CommandNode,
    DatabaseNode,
    ErrorTrigger,
    FormTrigger,
    StepNode,
    StopNode,
)


class WebhookTrigger(NodeBase):
    """Starts the flow on an HTTP request."""

    kind: Literal["trigger.webhook"] = "trigger.webhook"
    method: str = "GET"
    path: str = ""
    response_mode: Literal["immediately", "last_node", "respond_node", "streaming"] = "immediately"
    auth: str = "none"


class ScheduleTrigger(NodeBase):
    """Starts the flow on a timetable: it fires on every ``cron`` entry and every interval."""

    kind: Literal["trigger.schedule"] = "trigger.schedule"
    cron: list[str] = Field(
        default_factory=list, description="Cron expressions (from n8n's legacy Cron node)."
    )
    intervals: list[Interval] = Field(
        default_factory=list, description="Timetable rules (from n8n's Schedule Trigger)."
    )


class ManualTrigger(NodeBase):
    """Started by a person."""

    kind: Literal["trigger.manual"] = "trigger.manual"


class SubflowTrigger(NodeBase):
    """Started when another flow calls this one."""

    kind: Literal["trigger.subflow"] = "trigger.subflow"


class ConnectorNode(NodeBase):
    """One operation of a registry connector."""

    kind: Literal["connector"] = "connector"
    connector: str = Field(description="provider@version, e.g. stripe@1.0.0")
    operation: str
    params: dict[str, Value] = Field(default_factory=dict, description="Bound inputs by name.")
    credential: str | None = None


class Condition(IRModel):
    """One comparison: ``left <op> right``."""

    left: Value = None
    op: str
    right: Value = None
    type: str = "any"


class Rule(IRModel):
    """A switch rule: when the conditions hold, items go to ``output``."""

    output: str
    combinator: Literal["and", "or"] = "and"
    conditions: list[Condition] = Field(default_factory=list)


class BranchNode(NodeBase):
    """Routes items: if (true/false), switch (rules) or filter (kept/discarded)."""

    kind: Literal["branch"] = "branch"
    mode: Literal["if", "switch", "filter"]
    combinator: Literal["and", "or"] = "and"
    conditions: list[Condition] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    expression: Value = Field(default=None, description="Switch 'expression' mode: output index.")


class LoopNode(NodeBase):
    """Iterates over items: for each item, or in batches. Cycles must pass through one."""

    kind: Literal["loop"] = "loop"
    mode: Literal["for_each", "batches"]
    batch_size: Value = 1


class MergeNode(NodeBase):
    """Joins several inputs."""

    kind: Literal["merge"] = "merge"
    mode: str = Field(description="append, combine_by_position, combine_by_fields, ...")
    options: dict[str, Value] = Field(default_factory=dict)


class Assignment(IRModel):
    """One field written by a transform."""

    name: str
    type: str = "any"
    value: Value = None


class TransformNode(NodeBase):
    """Sets fields on each item (n8n Set / Edit Fields)."""

    kind: Literal["transform"] = "transform"
    assignments: list[Assignment] = Field(default_factory=list)
    keep: Literal["all", "none", "selected", "except"] = "all"
    raw_json: Value = None


class WaitNode(NodeBase):
    """Pauses: for an interval, until a time, or until a webhook/form call."""

    kind: Literal["wait"] = "wait"
    mode: Literal["interval", "until", "webhook", "form"]
    seconds: float | None = None
    amount: Value = None
    unit: str | None = None
    until: Value = None


class CodeNode(NodeBase):
    """User code: the source is kept opaque and always flagged."""

    kind: Literal["code"] = "code"
    language: str = "javascript"
    source_code: str = ""
    mode: str = "all_items"


class SubflowNode(NodeBase):
    """Calls another flow."""

    kind: Literal["subflow"] = "subflow"
    workflow: Value = None
    mode: str = "once"
    wait: bool = True


class RespondNode(NodeBase):
    """Answers the webhook that started the flow."""

    kind: Literal["respond"] = "respond"
    respond_with: str = "first_item"
    body: Value = None
    status: Value = 200


class HttpNode(NodeBase):
    """A generic HTTP request."""

    kind: Literal["http"] = "http"
    method: str = "GET"
    url: Value = ""
    query: dict[str, Value] = Field(default_factory=dict)
    headers: dict[str, Value] = Field(default_factory=dict)
    body: Value = None
    body_type: str | None = None
    auth: str | None = None
    suggested_connector: str | None = Field(
        default=None, description="A registry connector whose base URL has this host."
    )


class NoOpNode(NodeBase):
    """Passes items through unchanged."""

    kind: Literal["noop"] = "noop"


class UnsupportedNode(NodeBase):
    """A node the importer cannot express; its parameters are kept verbatim."""

    kind: Literal["unsupported"] = "unsupported"
    parameters: dict[str, Any] = Field(default_factory=dict)
    reason: str = ""


class ToolNode(AiNode):
    """A tool an agent may call: a LangChain tool, or any node used as a tool (n8n
    ``<app>Tool``), whose translation is ``call``; ``arguments`` are what the agent fills in."""

    kind: Literal["ai.tool"] = "ai.tool"
    tool: str = Field(description="The source node type.")
    description: Value = Field(default=None, description="What the agent is told the tool does.")
    arguments: list[ToolArgument] = Field(default_factory=list)
    call: Node | None = Field(default=None, description="The node the tool runs, translated.")


Node = Annotated[
    WebhookTrigger
    | ScheduleTrigger
    | ManualTrigger
    | SubflowTrigger
    | FormTrigger
    | ErrorTrigger
    | AppTrigger
    | ChatTrigger
    | McpTrigger
    | ConnectorNode
    | BranchNode
    | LoopNode
    | MergeNode
    | TransformNode
    | WaitNode
    | CodeNode
    | SubflowNode
    | RespondNode
    | HttpNode
    | NoOpNode
    | StepNode
    | DatabaseNode
    | CommandNode
    | StopNode
    | AppNode
    | AgentNode
    | ModelNode
    | OutputParserNode
    | AiComponentNode
    | AiAppNode
    | ToolNode
    | UnsupportedNode,
    Field(discriminator="kind"),
]

# Node fields that never hold a parameter value (so never an expression or a reference).
PLAIN_FIELDS = frozenset(
    {
        "name",
        "kind",
        "disabled",
        "on_error",
        "effects",
        "determinism",
        "flags",
        "source",
        "inputs",
        "outputs",
        "slots",
        "provides",
        "credential",
    }
)

TRIGGER_KINDS = frozenset(
    {
        "trigger.webhook",
        "trigger.schedule",
        "trigger.manual",
        "trigger.subflow",
        "trigger.form",
        "trigger.error",
        "trigger.app",
        "trigger.chat",
        "trigger.mcp",
    }
)

# --------------------------------------------------------------------------- edges and flow


class Endpoint(IRModel):
    """One end of an edge: a node and one of its ports."""

    node: str
    port: str


class Edge(IRModel):
    """A typed edge. ``type`` is main, error, or an n8n AI connection type (ai_tool, ...)."""

    source: Endpoint = Field(alias="from")
    target: Endpoint = Field(alias="to")
    type: str = "main"


class Flow(IRModel):
    """A whole flow."""

    api_version: Literal["flows.dev/flow/v1"] = Field(default=IR_VERSION, alias="apiVersion")
    name: str = ""
    source: str | None = Field(default=None, description="Where the flow was imported from.")
    nodes: list[Node] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)

    def node_map(self) -> dict[str, Any]:
        """Nodes by name (the last one wins if names repeat; the check reports repeats)."""
        return {node.name: node for node in self.nodes}

    def to_json(self) -> dict[str, Any]:
        """The JSON form, each node starting with its name and kind."""
        data = self.model_dump(mode="json", by_alias=True)
        data["nodes"] = [{"name": n["name"], "kind": n["kind"], **n} for n in data["nodes"]]
        return data


ToolNode.model_rebuild()

__all__ = [
    "IR_VERSION",
    "PLAIN_FIELDS",
    "TRIGGER_KINDS",
    "AgentNode",
    "AiAppNode",
    "AiComponentNode",
    "AiNode",
    "AppNode",
    "AppTrigger",
    "Assignment",
    "BranchNode",
    "ChatTrigger",
    "CodeNode",
    "CommandNode",
    "Condition",
    "ConnectorNode",
    "DatabaseNode",
    "Edge",
    "Endpoint",
    "ErrorTrigger",
    "Flow",
    "FormTrigger",
    "FromAi",
    "HttpNode",
    "IRModel",
    "Interval",
    "Js",
    "LoopNode",
    "ManualTrigger",
    "McpTrigger",
    "MergeNode",
    "ModelNode",
    "NoOpNode",
    "Node",
    "NodeBase",
    "OutputParserNode",
    "Provenance",
    "Ref",
    "RespondNode",
    "Rule",
    "ScheduleTrigger",
    "Slot",
    "StepNode",
    "StopNode",
    "SubflowNode",
    "SubflowTrigger",
    "Template",
    "ToolArgument",
    "ToolNode",
    "TransformNode",
    "UnsupportedNode",
    "Value",
    "WaitNode",
    "WebhookTrigger",
]
