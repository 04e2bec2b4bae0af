"""The building blocks of Flow IR v1: value types, provenance, the fields every node has.

Parameter values are JSON where an n8n expression becomes a structured value:

- ``{"ref": "nodes.Fetch.output.item.id", "node": "Fetch", "path": ["id"], ...}``: a reference
  to data produced by another node (``node``) or to the node's own input (``node`` is null);
- ``{"template": ["Hello ", {"ref": ...}]}``: a string built from text and references;
- ``{"from_ai": "email", "type": "string", ...}``: a value an AI agent fills in when it calls
  the node as a tool (n8n's ``$fromAI(...)``);
- ``{"js": "...", "untranslated": true}``: JavaScript that could not be translated, verbatim.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypeAliasType

# The JSON scalar types: a value walk stops at them.
SCALAR_TYPES = (str, int, float, bool, type(None))

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


class FromAi(IRModel):
    """A value an AI agent chooses when it calls this node as a tool (n8n ``$fromAI``)."""

    from_ai: str = Field(description="The argument's name (n8n's key).")
    description: str = ""
    type: Literal["string", "number", "boolean", "json"] = "string"
    default: str | int | float | bool | None = None


class Template(IRModel):
    """A string built from literal text and expressions, in order."""

    template: list[str | Ref | Js | FromAi]


Value = TypeAliasType(
    "Value",
    "Ref | Js | Template | FromAi | str | int | float | bool | list[Value] | dict[str, Value]"
    " | None",
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


class Slot(IRModel):
    """A typed input of an AI node (n8n's ``ai_*`` connections) and the nodes bound to it."""

    name: str = Field(description="model, memory, tools, output_parser, retriever, ...")
    connection: str = Field(description="The n8n connection kind it accepts, e.g. ai_tool.")
    min: int = Field(default=0, ge=0, description="How many nodes must be bound.")
    max: int | None = Field(default=None, ge=0, description="At most this many; null = any.")
    nodes: list[str] = Field(default_factory=list, description="The bound nodes, in edge order.")
