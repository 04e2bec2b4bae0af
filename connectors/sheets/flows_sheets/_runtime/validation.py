"""Validate call arguments against generated request models."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from .errors import RequestValidationError

if TYPE_CHECKING:  # pydantic is imported on first use: importing a client stays fast
    from pydantic import BaseModel, TypeAdapter
    from pydantic import ValidationError as PydanticValidationError

T = TypeVar("T")


def validated(
    model: type[BaseModel],
    values: dict[str, Any] | BaseModel,
    mode: Literal["json", "python"] = "json",
) -> dict[str, Any]:
    """``values`` checked against ``model`` and dumped by wire name (``None`` dropped).

    ``mode="python"`` keeps ``bytes`` as bytes (multipart files).
    """
    from pydantic import ValidationError

    try:
        instance = model.model_validate(values)
    except ValidationError as exc:
        raise RequestValidationError(f"invalid arguments: {_problems(exc)}") from None
    return instance.model_dump(mode=mode, by_alias=True, exclude_none=True)


def validated_value(adapter: TypeAdapter[T], value: T) -> Any:
    """A whole body that is not an object (a JSON array, a number) checked and dumped."""
    from pydantic import ValidationError

    try:
        checked = adapter.validate_python(value)
    except ValidationError as exc:
        raise RequestValidationError(f"invalid body: {_problems(exc)}") from None
    return adapter.dump_python(checked, mode="json", by_alias=True, exclude_none=True)


def _problems(exc: PydanticValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])


def pick(values: dict[str, Any], *names: str) -> dict[str, Any]:
    """The entries of ``values`` named in ``names`` (those present)."""
    return {name: values[name] for name in names if name in values}


def property_count(low: int | None, high: int | None) -> Callable[[Any], Any]:
    """A check that an object sets between ``low`` and ``high`` properties (min/maxProperties)."""

    from pydantic import BaseModel

    def check(value: Any) -> Any:
        if isinstance(value, BaseModel):
            count = len(value.model_fields_set | set(value.model_extra or {}))
        else:
            count = len(value)
        if low is not None and count < low:
            raise ValueError(f"needs at least {low} properties, got {count}")
        if high is not None and count > high:
            raise ValueError(f"allows at most {high} properties, got {count}")
        return value

    return check


def unique_items(values: list[T]) -> list[T]:
    """``values`` unchanged, or ValueError when two items are equal (JSON ``uniqueItems``)."""
    seen: set[str] = set()
    for value in values:
        key = json.dumps(value, sort_keys=True, default=repr)
        if key in seen:
            raise ValueError(f"items must be unique; {value!r} appears more than once")
        seen.add(key)
    return values
