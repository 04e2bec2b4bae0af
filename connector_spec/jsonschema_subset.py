"""The JSON Schema subset that ConnectorSpec request and response schemas may use.

Unsupported keywords are refused by name instead of being silently ignored, so that a
spec never promises validation the generated client does not perform.
"""

from __future__ import annotations

import functools
import re
import warnings
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

JsonType = Literal["string", "integer", "number", "boolean", "array", "object", "null"]


class Discriminator(BaseModel):
    """Which property tells the alternatives of a ``oneOf``/``anyOf`` apart (OpenAPI style)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    property_name: str = Field(alias="propertyName", min_length=1)
    mapping: dict[str, str] = Field(
        default_factory=dict,
        description="Property value → '#/schemas/<Name>' of the alternative it selects.",
    )

    @field_validator("mapping")
    @classmethod
    def _local_targets(cls, value: dict[str, str]) -> dict[str, str]:
        for key, target in value.items():
            if not target.startswith("#/schemas/"):
                raise ValueError(
                    f"mapping {key!r} must name a schema as '#/schemas/<Name>', got {target!r}"
                )
        return value


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
    all_of: list[SchemaNode] | None = Field(default=None, alias="allOf", min_length=1)
    discriminator: Discriminator | None = None
    read_only: bool = Field(
        default=False, alias="readOnly", description="Sent by the provider only, never by callers."
    )
    write_only: bool = Field(
        default=False, alias="writeOnly", description="Sent by callers only, never returned."
    )
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = Field(default=None, alias="minLength", ge=0)
    max_length: int | None = Field(default=None, alias="maxLength", ge=0)
    min_items: int | None = Field(default=None, alias="minItems", ge=0)
    max_items: int | None = Field(default=None, alias="maxItems", ge=0)
    unique_items: bool = Field(default=False, alias="uniqueItems")
    min_properties: int | None = Field(default=None, alias="minProperties", ge=0)
    max_properties: int | None = Field(default=None, alias="maxProperties", ge=0)
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

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            with warnings.catch_warnings():  # "possible nested set": a provider's regex, not ours
                warnings.simplefilter("ignore", FutureWarning)
                re.compile(value)
        except (re.error, RecursionError, OverflowError) as exc:
            if not rust_regex_compiles(value):
                raise ValueError(f"pattern is not a valid regular expression: {exc}") from None
        return value

    @model_validator(mode="after")
    def _discriminated_group(self) -> SchemaNode:
        if self.discriminator is not None and not (self.one_of or self.any_of):
            raise ValueError("'discriminator' needs the 'oneOf' or 'anyOf' it tells apart")
        if self.read_only and self.write_only:
            raise ValueError("a property cannot be both 'readOnly' and 'writeOnly'")
        return self

    def types(self) -> list[str]:
        """The declared JSON types as a list (empty when untyped)."""
        if self.type is None:
            return []
        return [self.type] if isinstance(self.type, str) else list(self.type)

    def is_nullable(self) -> bool:
        """True when ``null`` is an allowed value."""
        if self.enum is not None and None in self.enum:
            return True
        return self.nullable or "null" in self.types()

    def ref_name(self) -> str | None:
        """The schema name a ``$ref`` points at, if any."""
        return self.ref.removeprefix("#/schemas/") if self.ref else None


@functools.lru_cache(maxsize=4096)
def rust_regex_compiles(pattern: str) -> bool:
    """True when pydantic-core's default (Rust) regex engine accepts ``pattern``.

    Look-around and back-references are not Rust syntax; generated models validate such
    patterns with Python's ``re`` instead.
    """
    from pydantic_core import SchemaError, SchemaValidator, core_schema

    try:
        SchemaValidator(core_schema.str_schema(pattern=pattern))
    except SchemaError:
        return False
    return True
