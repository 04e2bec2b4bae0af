"""Bind an n8n node's parameters to the inputs of a connector operation.

n8n nests what an API call takes: optional fields in collections (``additionalFields``,
``options``, ``updateFields``, ``filters``, ...), lists of name/value rows in
fixedCollections (``{"values": [{...}, ...]}``), and IDs in resource locators
(``{"__rl": true, "value": "C123", "mode": "list"}``). Binding walks that shape:

1. an input the connector's link names an n8n parameter for (``sources.n8n.parameters``,
   ``input -> dotted.path``) takes that parameter's value;
2. a resource locator is its ``value``; a resource mapper (``columns``: ``mappingMode``,
   ``value``, ``schema``, ``matchingColumns``) is the row it sends: its ``value``, or with
   ``autoMapInputData`` the input item's fields; its ``schema`` is n8n's cached column list
   and never reported; its ``matchingColumns`` are, as they do not carry over;
3. a parameter whose name matches an input binds there whole (a matching collection or
   fixedCollection included);
4. otherwise a collection's fields, a fixedCollection's option groups, the fields of a
   single-row group and the rows of a ``[{name, value}, ...]`` list are bound one by one the
   same way (a group that matches binds whole);
5. names match after normalising case and punctuation (``chat_id`` = ``chatId``), also
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


def is_mapper(value: Any) -> bool:
    """n8n's resource mapper ``{"mappingMode": ..., "value": {column: value}, "schema": [...],
    "matchingColumns": [...]}`` (Airtable's and Google Sheets' ``columns``)."""
    return (
        isinstance(value, dict)
        and "mappingMode" in value
        and ("value" in value or "schema" in value)
    )


def _row(mapper: dict[str, Any]) -> Any:
    """What a resource mapper sends: the columns set below, or with ``autoMapInputData`` the
    input item's fields. Its ``schema`` is n8n's cached column list, not a value."""
    if mapper.get("mappingMode") == "autoMapInputData":
        return "={{ $json }}"
    return mapper.get("value")


def _plain(value: Any) -> Any:
    """Resource locators replaced by their values and resource mappers by their rows, at any
    depth."""
    if is_locator(value):
        return _plain(value.get("value"))
    if is_mapper(value):
        return _plain(_row(value))
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
    params: dict[str, Any],
    inputs: tuple[str, ...],
    links: tuple[tuple[str, str], ...] = (),
    skip: frozenset[str] = SKIP,
    *,
    url_patterns: dict[str, str] | None = None,
    notes: list[str] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Bind n8n ``params`` to connector ``inputs``; return (bound by input name, unbound
    parameter paths). ``links`` are ``(input, n8n parameter path)`` pairs bound first; then
    top-level parameters, then nested ones, by name. A parameter whose input is already bound
    is reported unbound (its value does not carry over).

    ``url_patterns`` (locator name -> n8n's regex) reduce URL-mode locators to their IDs; a
    URL that cannot be reduced before run time is bound as it is and explained in ``notes``.
    """
    params = _reduce_urls(params, url_patterns or {}, notes if notes is not None else [])
    table = _Inputs(inputs)
    bound: dict[str, Any] = {}
    used: set[str] = set()
    unbound: list[str] = []
    for name, path in links:
        value = _at(params, path)
        if not _empty(value):
            bound[name] = translate_value(_plain(value))
            used.add(path)
            if is_mapper(value) and value.get("matchingColumns"):
                unbound.append(f"{path}.matchingColumns")
    nested: list[tuple[str, Any, str]] = []
    state = _State(table, bound, nested, unbound, used)
    for key, value in params.items():
        if key in skip or _empty(value):
            continue
        _bind(str(key), value, state, str(key), 0)
    for name, value, path in nested:
        if name in bound:
            unbound.append(path)  # that input is already bound: this value does not carry over
        else:
            bound[name] = value
    return bound, unbound


_MAX_URL = 2048  # longer "URLs" are not matched (bounded regex work)


def _reduce_urls(
    params: dict[str, Any], patterns: dict[str, str], notes: list[str]
) -> dict[str, Any]:
    """``params`` with each URL-mode locator named in ``patterns`` replaced by the ID n8n
    extracts from it (the regex's first group), at the top level and one collection down."""
    if not patterns:
        return params

    def reduce(name: str, value: Any, path: str) -> Any:
        regex = patterns.get(name)
        if regex is None or not is_locator(value) or value.get("mode") != "url":
            return value
        url = value.get("value")
        if isinstance(url, str) and not url.startswith("=") and len(url) <= _MAX_URL:
            match = re.search(regex, url)
            if match:
                return match.group(1) if match.groups() else match.group(0)
        notes.append(
            f"parameter {path!r} is a URL n8n reduces to an ID at run time "
            f"(regex {regex!r}); bound as the URL"
        )
        return value

    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, dict) and not is_locator(value):
            value = {k: reduce(str(k), v, f"{key}.{k}") for k, v in value.items()}
        out[key] = reduce(str(key), value, str(key))
    return out


def _at(params: dict[str, Any], path: str) -> Any:
    """The value at a dotted parameter path (through resource locators), else None."""
    value: Any = params
    for part in path.split("."):
        if is_locator(value):
            value = value.get("value")
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


class _State:
    """What one binding walk fills in."""

    def __init__(
        self,
        table: _Inputs,
        top: dict[str, Any],
        nested: list[tuple[str, Any, str]],
        unbound: list[str],
        used: set[str],
    ) -> None:
        self.table, self.top, self.nested = table, top, nested
        self.unbound, self.used = unbound, used


def _bind(key: str, value: Any, state: _State, path: str, depth: int) -> None:
    if path in state.used:
        return
    target = state.table.match(key)
    if target is not None and is_mapper(value) and value.get("matchingColumns"):
        state.unbound.append(f"{path}.matchingColumns")  # which columns identify the record
    if target is not None:
        if depth:
            state.nested.append((target, translate_value(_plain(value)), path))
        elif target in state.top:
            state.unbound.append(path)
        else:
            state.top[target] = translate_value(_plain(value))
        return
    if is_locator(value) or is_mapper(value):
        state.unbound.append(path)  # one value: it binds whole or not at all
        return
    children = _children(value) if depth < _MAX_DEPTH else None
    if children is None:
        state.unbound.append(path)
        return
    for child, item in children:
        if not _empty(item):
            _bind(child, item, state, f"{path}.{child}", depth + 1)


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
