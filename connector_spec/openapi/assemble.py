"""Assembling converted operations into spec documents: schemas, pagination, capabilities.

Kept operations are put together with the provider-level parts; only the named schemas they
reach are included; identical pagination styles share one name. Validation is the spec's
own (pydantic models + cross-field rules): an operation the spec refuses is left out with the
spec's message as the reason, a named schema it refuses becomes "any JSON" (a keyword loss).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from connector_spec.capabilities import assign_capabilities
from connector_spec.jsonschema_subset import SchemaNode
from connector_spec.model import ConnectorSpec
from connector_spec.openapi.losses import KeywordLosses
from connector_spec.openapi.mapper import OperationResult
from connector_spec.openapi.naming import identifier, unique
from connector_spec.rules import check_rules

IDEMPOTENCY_WAIVER = {
    "rule": "default.write-idempotency",
    "reason": (
        "imported from an OpenAPI description that declares no idempotency mechanism for some "
        "writes; each declares idempotency 'unsupported' and the client never re-sends one "
        "once it may have reached the server (certified by idempotency.no_unsafe_retry)"
    ),
}
_OP_KEYS = (
    "id", "resource", "summary", "description", "method", "path", "params", "body", "response",
    "errors", "effects", "determinism", "idempotency", "capabilities", "pagination", "deprecated",
)  # fmt: skip


def assemble(
    head: dict[str, Any],
    results: list[OperationResult],
    named: dict[str, dict[str, Any]],
    keywords: KeywordLosses,
    index: RefIndex | None = None,
) -> dict[str, Any] | None:
    """A valid spec document from ``head`` and the kept ``results`` (``None``: none valid).

    Operations the spec refuses are marked lost on their result (code ``spec-refused``).
    """
    for _ in range(8):
        kept = [r for r in results if r.operation is not None]
        if not kept:
            return None
        document = _document(head, kept, named, index)
        problems = _problems(document, index)
        if not problems:
            return document
        progressed = False
        for loc, message in problems:
            if len(loc) >= 2 and loc[0] == "operations" and isinstance(loc[1], int):
                result = kept[loc[1]]
                if result.operation is not None:
                    result.lose("spec-refused", f"{_where(loc[2:])}{message}")
                    progressed = True
            elif len(loc) >= 2 and loc[0] == "schemas" and named.get(str(loc[1])) != {}:
                named[str(loc[1])] = {}
                keywords.add("schema-refused", f"/schemas/{loc[1]}: {message}")
                progressed = True
        if not progressed:
            raise SpecAssemblyError([m for _, m in problems][:5])
    return None


class SpecAssemblyError(Exception):
    """Provider-level parts of a converted spec are refused (a fault of the converter)."""


def _where(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) + ": " if loc else ""


def _problems(
    document: dict[str, Any], index: RefIndex | None
) -> list[tuple[tuple[Any, ...], str]]:
    if index is not None and document.get("schemas"):
        models: dict[str, SchemaNode] = {}
        refused: list[tuple[tuple[Any, ...], str]] = []
        for name in document["schemas"]:
            model = index.model(name)
            if isinstance(model, list):
                refused += model
            else:
                models[name] = model
        if refused:
            return refused
        document = {**document, "schemas": models}  # validated instances are taken as they are
    try:
        spec = ConnectorSpec.model_validate(document)
    except ValidationError as exc:
        return [(tuple(e["loc"]), str(e["msg"])) for e in exc.errors()]
    return [(tuple(issue.loc), issue.message) for issue in check_rules(spec)]


def _document(
    head: dict[str, Any],
    kept: list[OperationResult],
    named: dict[str, dict[str, Any]],
    index: RefIndex | None,
) -> dict[str, Any]:
    operations = [dict(r.operation) for r in kept if r.operation is not None]
    pagination: dict[str, dict[str, Any]] = {}
    names: set[str] = set()
    for result, op in zip(kept, operations, strict=True):
        op.pop("pagination", None)
        if result.pagination is None:
            continue
        name = next((k for k, v in pagination.items() if v == result.pagination), None)
        if name is None:
            style = result.pagination
            name = unique(identifier(f"{style['type']} {_param(style)}", fallback="paging"), names)
            pagination[name] = style
        op["pagination"] = name
    document = dict(head)
    if pagination:
        document["pagination"] = pagination
    provider = head["provider"]["name"]
    document["capabilities"] = assign_capabilities(provider, operations)
    reached = reachable(operations, named, index)
    if reached:
        document["schemas"] = {name: named[name] for name in named if name in reached}
    document["operations"] = [_ordered(op) for op in operations]
    if any((op.get("idempotency") or {}).get("kind") == "unsupported" for op in operations):
        document["waivers"] = [dict(IDEMPOTENCY_WAIVER)]
    return document


def _param(style: dict[str, Any]) -> str:
    for key in ("cursor_param", "offset_param", "page_param", "rel"):
        if key in style:
            return str(style[key])
    return ""


def _ordered(op: dict[str, Any]) -> dict[str, Any]:
    rank = {key: index for index, key in enumerate(_OP_KEYS)}
    return {key: op[key] for key in sorted(op, key=lambda k: rank.get(k, len(rank)))}


class RefIndex:
    """The direct ``$ref`` targets and JSON size of each named schema, computed once.

    Entries follow the mapping: a schema replaced (a refused one becomes ``{}``) is read anew.
    """

    def __init__(self, named: dict[str, dict[str, Any]]) -> None:
        self.named = named
        self._refs: dict[str, tuple[Any, tuple[str, ...]]] = {}
        self._sizes: dict[str, tuple[Any, int]] = {}
        self._values: dict[str, tuple[Any, int]] = {}
        self._models: dict[str, tuple[Any, SchemaNode | list[tuple[tuple[Any, ...], str]]]] = {}

    def refs(self, name: str) -> tuple[str, ...]:
        """The names ``name``'s schema references directly."""
        value = self.named[name]
        hit = self._refs.get(name)
        if hit is None or hit[0] is not value:
            hit = (value, tuple(dict.fromkeys(_refs(value))))
            self._refs[name] = hit
        return hit[1]

    def size(self, name: str) -> int:
        """The length of ``name``'s schema as JSON."""
        value = self.named[name]
        hit = self._sizes.get(name)
        if hit is None or hit[0] is not value:
            hit = (value, len(json.dumps(value)))
            self._sizes[name] = hit
        return hit[1]

    def values(self, name: str) -> int:
        """How many values (keys, items, scalars) ``name``'s schema holds."""
        value = self.named[name]
        hit = self._values.get(name)
        if hit is None or hit[0] is not value:
            hit = (value, count_values(value))
            self._values[name] = hit
        return hit[1]

    def model(self, name: str) -> SchemaNode | list[tuple[tuple[Any, ...], str]]:
        """``name``'s schema validated once (parts of a split share it), or its problems."""
        value = self.named[name]
        hit = self._models.get(name)
        if hit is None or hit[0] is not value:
            try:
                model: SchemaNode | list[tuple[tuple[Any, ...], str]] = SchemaNode.model_validate(
                    value
                )
            except ValidationError as exc:
                model = [(("schemas", name, *e["loc"]), str(e["msg"])) for e in exc.errors()]
            hit = (value, model)
            self._models[name] = hit
        return hit[1]


def reachable(
    roots: Any, named: dict[str, dict[str, Any]], index: RefIndex | None = None
) -> set[str]:
    """Names of the named schemas reachable from ``roots`` through ``$ref``s."""
    index = index if index is not None and index.named is named else RefIndex(named)
    seen: set[str] = set()
    stack = list(_refs(roots))
    while stack:
        name = stack.pop()
        if name in seen or name not in named:
            continue
        seen.add(name)
        stack.extend(index.refs(name))
    return seen


def count_values(node: Any) -> int:
    """Values in ``node`` as the spec loader counts them (keys, items and scalars)."""
    total, stack = 0, [node]
    while stack:
        item = stack.pop()
        total += 1
        if isinstance(item, dict):
            total += len(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return total


def _refs(node: Any) -> Iterator[str]:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/schemas/"):
                yield ref.removeprefix("#/schemas/")
            stack.extend(v for k, v in item.items() if k not in ("enum", "default", "const"))
        elif isinstance(item, list):
            stack.extend(item)
