"""Validation keywords of a schema as pydantic ``Field(...)`` arguments, for the right types.

JSON Schema applies each keyword only to values of its type (``pattern`` to strings,
``minimum`` to numbers, ``minItems`` to arrays, ``minProperties`` to objects), so a
``pattern`` on an integer constrains nothing and must not reach pydantic, which would refuse
it at import time. Regular expressions pydantic-core's Rust engine cannot compile (look-around,
back-references) are validated with Python's ``re`` instead (``regex_engine="python-re"``).
"""

from __future__ import annotations

from typing import Any

from connector_spec.jsonschema_subset import SchemaNode, rust_regex_compiles

__all__ = ["field_constraints", "rust_regex_compiles"]

_BY_TYPE: dict[str, tuple[tuple[str, str], ...]] = {
    "number": (("minimum", "ge"), ("maximum", "le")),
    "string": (("min_length", "min_length"), ("max_length", "max_length"), ("pattern", "pattern")),
    "array": (("min_items", "min_length"), ("max_items", "max_length")),
    "object": (("min_properties", "min_length"), ("max_properties", "max_length")),
}


def field_constraints(node: SchemaNode, type_expr: str) -> list[tuple[str, Any]]:
    """``(keyword, value)`` pairs for ``Field`` that apply to ``node``'s one declared type.

    A union of types, an enum, a ``const`` or a model class (an object with properties) gets
    none: pydantic cannot apply them there, and JSON Schema would apply each keyword to one
    member only.
    """
    types = {t for t in node.types() if t != "null"}
    if node.enum is not None or node.const is not None or node.one_of or node.any_of:
        return []
    if types == {"integer"}:
        types = {"number"}
    if len(types) != 1:
        return []
    kind = next(iter(types))
    if kind == "object" and not type_expr.removesuffix(" | None").startswith("dict["):
        return []
    found: list[tuple[str, Any]] = []
    for attribute, keyword in _BY_TYPE.get(kind, ()):
        value = getattr(node, attribute, None)
        if value is None:
            continue
        if attribute in ("minimum", "maximum") and float(value).is_integer():
            value = int(value)
        found.append((keyword, value))
    return found
