"""Reading spec schemas as their meaning: ``$ref`` followed, ``allOf`` merged into one node.

Codegen, the rules, certification and ``flows spec diff`` all look at a schema through
:func:`resolve`, so an ``allOf`` composition (``Pet = allOf[Animal, {properties: ...}]``) means
the same thing everywhere: one schema with the members' properties and ``required`` merged,
the tighter of two bounds, and ``readOnly``/``writeOnly``/``nullable`` kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connector_spec.jsonschema_subset import SchemaNode

MAX_REF_CHAIN = 32
_LOWER_BOUNDS = ("minimum", "min_length", "min_items", "min_properties")
_UPPER_BOUNDS = ("maximum", "max_length", "max_items", "max_properties")
_FIRST_WINS = (
    "title",
    "description",
    "format",
    "pattern",
    "enum",
    "const",
    "default",
    "examples",
    "items",
    "one_of",
    "any_of",
    "discriminator",
)
_EITHER = ("read_only", "write_only", "secret", "deprecated", "unique_items")


def follow_refs(schemas: Mapping[str, SchemaNode], node: SchemaNode) -> SchemaNode:
    """``node`` with its ``$ref`` chain followed (bounded; an unknown name stops)."""
    for _ in range(MAX_REF_CHAIN):
        name = node.ref_name()
        if name is None or name not in schemas:
            return node
        node = schemas[name]
    return node


def resolve_schema(schemas: Mapping[str, SchemaNode], node: SchemaNode) -> SchemaNode:
    """``node`` as one schema: references followed and ``allOf`` members merged into it."""
    return _resolve(schemas, node, ())


def _resolve(
    schemas: Mapping[str, SchemaNode], node: SchemaNode, active: tuple[str, ...]
) -> SchemaNode:
    name = node.ref_name()
    hops = 0
    while name is not None and name in schemas and hops < MAX_REF_CHAIN:
        if name in active:
            return SchemaNode()  # a cycle through allOf alone: the rules refuse it
        active = (*active, name)
        node = schemas[name]
        name = node.ref_name()
        hops += 1
    if not node.all_of:
        return node
    merged = node.model_copy(update={"all_of": None})
    for member in node.all_of:
        merged = merge(merged, _resolve(schemas, member, active))
    return merged


def merge(first: SchemaNode, second: SchemaNode) -> SchemaNode:
    """One schema that asks what both ask (an ``allOf`` of two resolved schemas)."""
    update: dict[str, Any] = {}
    first_types, second_types = first.types(), second.types()
    if first_types and second_types:
        both = [t for t in first_types if t in second_types] or first_types
        update["type"] = both[0] if len(both) == 1 else both
    elif second_types:
        update["type"] = second.type
    if first.properties is not None or second.properties is not None:
        properties = dict(first.properties or {})
        for key, child in (second.properties or {}).items():
            properties[key] = merge(properties[key], child) if key in properties else child
        update["properties"] = properties
    update["required"] = list(dict.fromkeys([*first.required, *second.required]))
    for attribute in _FIRST_WINS:
        if getattr(first, attribute) is None and getattr(second, attribute) is not None:
            update[attribute] = getattr(second, attribute)
    for attribute in _EITHER:
        update[attribute] = getattr(first, attribute) or getattr(second, attribute)
    for attribute, pick in [(a, max) for a in _LOWER_BOUNDS] + [(a, min) for a in _UPPER_BOUNDS]:
        values = [
            v for v in (getattr(first, attribute), getattr(second, attribute)) if v is not None
        ]
        if values:
            update[attribute] = pick(values)
    extra = first.additional_properties
    if extra is None or (extra is True and isinstance(second.additional_properties, SchemaNode)):
        update["additional_properties"] = second.additional_properties
    update["nullable"] = first.nullable or (second.nullable and not first_types)
    return first.model_copy(update=update)
