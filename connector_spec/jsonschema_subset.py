"""The JSON Schema subset that ConnectorSpec request and response schemas may use.

Unsupported keywords are refused by name instead of being silently ignored, so that a
spec never promises validation the generated client does not perform.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

JsonType = Literal["string", "integer", "number", "boolean", "array", "object", "null"]


class SchemaNode(BaseModel):
    """One node of a request or response schema."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    ref: str | None = Field(default=None, alias="$ref")
    type: JsonType | list[JsonType] | None = None
    title: str | None = None
    description: str | None = None
    format: str | None = None
    enum: list[str | int | float | bool | None] | None = None
    const: str | int | float | bool | None = None
    default: Any = None
    nullable: bool = False
    properties: dict[str, SchemaNode] | None = None
    required: list[str] = Field(default_factory=list)
    additional_properties: bool | SchemaNode | None = Field(
        default=None, alias="additionalProperties"
    )
    items: SchemaNode | None = None
    one_of: list[SchemaNode] | None = Field(default=None, alias="oneOf")
    any_of: list[SchemaNode] | None = Field(default=None, alias="anyOf")
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = Field(default=None, alias="minLength", ge=0)
    max_length: int | None = Field(default=None, alias="maxLength", ge=0)
    min_items: int | None = Field(default=None, alias="minItems", ge=0)
    max_items: int | None = Field(default=None, alias="maxItems", ge=0)
    pattern: str | None = None
    examples: list[Any] | None = None
    secret: bool = Field(
        default=False,
        description="The value is a credential: recorders scrub it and reports never show it.",
    )
    deprecated: bool = False

    @field_validator("ref")
    @classmethod
    def _local_refs_only(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("#/schemas/"):
            raise ValueError(
                f"only local references of the form '#/schemas/<Name>' are supported, got {value!r}"
            )
        return value

    def types(self) -> list[str]:
        """The declared JSON types as a list (empty when untyped)."""
        if self.type is None:
            return []
        return [self.type] if isinstance(self.type, str) else list(self.type)

    def is_nullable(self) -> bool:
        """True when ``null`` is an allowed value."""
        return self.nullable or "null" in self.types()

    def ref_name(self) -> str | None:
        """The schema name a ``$ref`` points at, if any."""
        return self.ref.removeprefix("#/schemas/") if self.ref else None
