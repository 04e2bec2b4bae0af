"""Flow IR v1: a typed, validated description of an automation flow.

A flow is a set of named nodes joined by typed edges between named ports. Parameter values
are JSON, where an n8n expression becomes a structured value:

- ``{"ref": "nodes.Fetch.output.item.id", "node": "Fetch", "path": ["id"], ...}``: a reference
  to data produced by another node (``node``) or to the node's own input (``node`` is null);
- ``{"template": ["Hello ", {"ref": ...}]}``: a string built from text and references;
- ``{"js": "...", "untranslated": true}``: JavaScript that could not be translated, verbatim.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypeAliasType

IR_VERSION: Literal["flows.dev/flow/v1"] = "flows.dev/flow/v1"


class IRModel(BaseModel):
    """Base: unknown fields are rejected so a typo in an IR file is an error."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# --------------------------------------------------------------------------- values


class Ref(IRModel):
    """A reference to data: another node's output or this node's input."""

    ref: str = Field(description="Dotted form, e.g. nodes.Fetch.output.items[0].id or input.item.x")
    node: str | None = Field(default=None, description="Producing node; null = this node's input.")
    scope: Literal["item", "items", "first", "last"] = Field(
        default="item",
        description="item: the paired item; items: all items; first/last: one of them.",
    )
    path: list[str | int] = Field(default_factory=list, description="Field path inside the item.")


class Js(IRModel):
    """An expression that was not translated; kept verbatim and flagged."""

    js: str
    untranslated: Literal[True] = True


class Template(IRModel):
    """A string built from literal text and expressions, in order."""

    template: list[str | Ref | Js]


Value = TypeAliasType(
    "Value",
    "Ref | Js | Template | str | int | float | bool | list[Value] | dict[str, Value] | None",
)
"""A parameter value: JSON where expressions are structured (:class:`Ref`, :class:`Js`, ...)."""


# --------------------------------------------------------------------------- nodes


class Provenance(IRModel):
    """Where a node came from."""

    n8n_type: str
    type_version: float
    n8n_id: str | None = None


class NodeBase(IRModel):
    """Fields every node has."""

    name: str = Field(min_length=1, description="Unique within the flow; edges use it.")
    disabled: bool = Field(default=False, description="Disabled in the source: passes items on.")
    on_error: Literal["stop", "continue", "error_port"] = "stop"
    effects: Literal["none", "read", "write", "delete", "unknown"] = "none"
    determinism: Literal["strict", "stable", "nondeterministic", "unknown"] = "strict"
    flags: list[str] = Field(default_factory=list, description="What was lost or kept opaque.")
    source: Provenance | None = None
    inputs: list[str] = Field(default_factory=lambda: ["in"], description="Input port names.")
    outputs: list[str] = Field(default_factory=lambda: ["out"], description="Output port names.")


class WebhookTrigger(NodeBase):
    """Starts the flow on an HTTP request."""

    kind: Literal["trigger.webhook"] = "trigger.webhook"
    method: str = "GET"
    path: str = ""
    response_mode: Literal["immediately", "last_node", "respond_node", "streaming"] = "immediately"
    auth: str = "none"


class Interval(IRModel):
    """One rule of a timetable: every N units, at a given time, or a cron expression.

    Which fields apply depends on ``unit`` (as in n8n's Schedule Trigger): ``seconds`` and
    ``minutes`` use ``every``; ``hours`` adds ``minute``; ``days`` adds ``hour`` and ``minute``;
    ``weeks`` adds ``weekday``; ``months`` adds ``day_of_month``; ``cron`` uses ``expression``.
    """

    unit: Literal["seconds", "minutes", "hours", "days", "weeks", "months", "cron"]
    every: int = Field(default=1, ge=1, description="Fire every N units (1 for cron rules).")
    hour: int | None = Field(default=None, ge=0, le=23, description="Hour of the day (0-23).")
    minute: int | None = Field(default=None, ge=0, le=59, description="Minute of the hour.")
    weekday: list[int] = Field(
        default_factory=list,
        description="Days of the week, 0 = Sunday ... 6 = Saturday (7 = Sunday); empty = any.",
    )
    day_of_month: int | None = Field(default=None, ge=1, le=31, description="Day of the month.")
    expression: str | None = Field(default=None, description="The cron expression (unit cron).")


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


Node = Annotated[
    WebhookTrigger
    | ScheduleTrigger
    | ManualTrigger
    | SubflowTrigger
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
    | UnsupportedNode,
    Field(discriminator="kind"),
]

TRIGGER_KINDS = frozenset(
    {"trigger.webhook", "trigger.schedule", "trigger.manual", "trigger.subflow"}
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
