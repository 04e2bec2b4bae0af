"""Typed, read-only views of an OpenAPI document's parts, each with its JSON pointer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Resolved:
    """A value after following ``$ref``s, with the JSON pointer where it really lives."""

    value: Any
    pointer: str


@dataclass(frozen=True)
class Problem:
    """Something in one operation that could not be read (kept, never silently dropped)."""

    pointer: str
    message: str


@dataclass(frozen=True)
class MediaTypeView:
    """One entry of a ``content`` map: a media type and its (unresolved) schema."""

    media_type: str
    schema: Any
    pointer: str
    example: Any = None


@dataclass(frozen=True)
class ParameterView:
    """A resolved parameter (path-level and operation-level merged, operation winning)."""

    name: str
    location: str
    required: bool
    schema: Any
    pointer: str
    description: str | None = None
    deprecated: bool = False
    style: str | None = None
    explode: bool | None = None
    content: tuple[MediaTypeView, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RequestBodyView:
    """A resolved request body."""

    required: bool
    content: tuple[MediaTypeView, ...]
    pointer: str
    description: str | None = None


@dataclass(frozen=True)
class ResponseView:
    """One resolved response: ``status`` as written (``"200"``, ``"2XX"``, ``"default"``)."""

    status: str
    description: str | None
    content: tuple[MediaTypeView, ...]
    headers: Mapping[str, Any]
    pointer: str


@dataclass(frozen=True)
class OperationView:
    """One operation with everything resolved one level deep, and pointers back."""

    method: str
    path: str
    pointer: str
    operation_id: str | None
    summary: str | None
    description: str | None
    tags: tuple[str, ...]
    deprecated: bool
    parameters: tuple[ParameterView, ...]
    request_body: RequestBodyView | None
    responses: tuple[ResponseView, ...]
    security: tuple[Mapping[str, Any], ...] | None
    servers: tuple[Mapping[str, Any], ...] | None
    problems: tuple[Problem, ...]
    raw: Mapping[str, Any]

    @property
    def key(self) -> str:
        """``GET /pets/{id}``: unique within one document."""
        return f"{self.method.upper()} {self.path}"


@dataclass(frozen=True)
class PathItemView:
    """A resolved path item: its operations' methods and what they share."""

    path: str
    pointer: str
    methods: tuple[str, ...]
    parameters: tuple[Any, ...]
    servers: tuple[Mapping[str, Any], ...] | None
    raw: Mapping[str, Any]
