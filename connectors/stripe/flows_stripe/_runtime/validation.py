"""Validate call arguments against generated request models."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from .errors import RequestValidationError


def validated(model: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` checked against ``model`` and dumped by wire name (``None`` dropped)."""
    try:
        instance = model.model_validate(values)
    except PydanticValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise RequestValidationError(f"invalid arguments: {problems}") from None
    return instance.model_dump(mode="json", by_alias=True, exclude_none=True)


def pick(values: dict[str, Any], *names: str) -> dict[str, Any]:
    """The entries of ``values`` named in ``names`` (those present)."""
    return {name: values[name] for name in names if name in values}


T = TypeVar("T")


def unique_items(values: list[T]) -> list[T]:
    """``values`` unchanged, or ValueError when two items are equal (JSON ``uniqueItems``)."""
    seen: set[str] = set()
    for value in values:
        key = json.dumps(value, sort_keys=True, default=repr)
        if key in seen:
            raise ValueError(f"items must be unique; {value!r} appears more than once")
        seen.add(key)
    return values
