"""Bind an n8n node's parameters to the inputs of a connector operation.

n8n nests what an API call takes: optional fields in collections (``additionalFields``,
``options``, ``updateFields``, ``filters``, ...), lists of name/value rows in
fixedCollections (``{"values": [{...}, ...]}``), and IDs in resource locators
(``{"__rl": true, "value": "C123", "mode": "list"}``). Binding walks that shape:

1. a resource locator is its ``value``;
2. a parameter whose name matches an input binds there whole (a matching collection or
   fixedCollection included);
3. otherwise a collection's fields, a fixedCollection's option groups, the fields of a
   single-row group and the rows of a ``[{name, value}, ...]`` list are bound one by one the
   same way (a group that matches binds whole);
4. names match after normalising case and punctuation (``chat_id`` = ``chatId``), also
   with or without a trailing ``Id``/``Ids`` (``channelId`` -> ``channel``).

A parameter nothing matches is returned as unbound (by its dotted path) so the report lists it;
empty values (``""``, ``{}``, ``[]``, ``null``) carry nothing and are never reported.
Expressions become typed references (:func:`flows.n8n.expressions.translate_value`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flows.n8n.expressions import translate_value

#: Parameters that steer n8n itself, never an API argument.
SKIP = frozenset({"resource", "operation", "authentication", "requestOptions"})
_MAX_DEPTH = 8


def norm(name: str) -> str:
    """A name with case and punctuation ignored."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _variants(name: str) -> Iterator[str]:
    key = norm(name)
    yield key
    for suffix in ("ids", "id"):
        if key.endswith(suffix) and len(key) > len(suffix):
            yield key[: -len(suffix)]
            break


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


def is_locator(value: Any) -> bool:
    """n8n's resource locator ``{"__rl": true, "value": ..., "mode": ...}``."""
    return isinstance(value, dict) and value.get("__rl") is True


def _plain(value: Any) -> Any:
    """Resource locators replaced by their values, at any depth."""
    if is_locator(value):
        return _plain(value.get("value"))
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class _Inputs:
    """An operation's inputs by normalised name (first spelling wins)."""

    def __init__(self, inputs: tuple[str, ...]) -> None:
        self.by_norm: dict[str, str] = {}
        for name in inputs:
            self.by_norm.setdefault(norm(name), name)

    def match(self, key: str) -> str | None:
        for variant in _variants(key):
            found = self.by_norm.get(variant)
            if found is not None:
                return found
        for variant in (norm(key) + "id", norm(key) + "ids"):
            if variant in self.by_norm:
                return self.by_norm[variant]
        return None


def bind_params(
    params: dict[str, Any], inputs: tuple[str, ...], skip: frozenset[str] = SKIP
) -> tuple[dict[str, Any], list[str]]:
    """Bind n8n ``params`` to connector ``inputs``; return (bound by input name, unbound
    parameter paths). A top-level parameter wins over a nested one bound to the same input."""
    table = _Inputs(inputs)
    bound: dict[str, Any] = {}
    nested: dict[str, Any] = {}
    unbound: list[str] = []
    for key, value in params.items():
        if key in skip or _empty(value):
            continue
        _bind(str(key), value, table, bound, nested, unbound, str(key), 0)
    for name, value in nested.items():
        bound.setdefault(name, value)
    return bound, unbound


def _bind(
    key: str,
    value: Any,
    table: _Inputs,
    top: dict[str, Any],
    nested: dict[str, Any],
    unbound: list[str],
    path: str,
    depth: int,
) -> None:
    target = table.match(key)
    out = top if depth == 0 else nested
    if target is not None:
        out.setdefault(target, translate_value(_plain(value)))
        return
    if is_locator(value):
        unbound.append(path)
        return
    children = _children(value) if depth < _MAX_DEPTH else None
    if children is None:
        unbound.append(path)
        return
    for child, item in children:
        if not _empty(item):
            _bind(child, item, table, top, nested, unbound, f"{path}.{child}", depth + 1)


def _children(value: Any) -> list[tuple[str, Any]] | None:
    """The fields to bind one by one inside a collection or a fixedCollection (None when the
    value is not one: a scalar, or a list of several rows that only binds whole)."""
    if isinstance(value, dict):
        return [(str(k), v) for k, v in value.items()]
    if not isinstance(value, list) or not value or not all(isinstance(r, dict) for r in value):
        return None
    if all(_name_value(row) for row in value):  # n8n's [{name, value}, ...] rows
        return [(str(row["name"]), row.get("value")) for row in value]
    if len(value) == 1:
        return [(str(k), v) for k, v in value[0].items()]
    return None


def _name_value(row: dict[str, Any]) -> bool:
    return set(row) <= {"name", "value"} and isinstance(row.get("name"), str) and bool(row["name"])
