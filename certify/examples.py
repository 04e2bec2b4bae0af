"""Example values from spec schemas: call arguments, success bodies, schema violations."""

from __future__ import annotations

import copy
from typing import Any

from certify.values import conforms, string_example
from connector_spec.jsonschema_subset import SchemaNode
from connector_spec.model import ConnectorSpec, Operation
from connector_spec.naming import argument_name
from connector_spec.rules import resolve

__all__ = [
    "accepts_anything",
    "call_arguments",
    "example",
    "resolve",
    "set_pointer",
    "success_body",
    "violating_body",
]

MAX_DEPTH = 6


def accepts_anything(node: SchemaNode) -> bool:
    """True for a permissive schema (``{}``, maybe with a description): any JSON value."""
    return (
        node.ref is None
        and not node.types()
        and node.properties is None
        and node.items is None
        and node.additional_properties is None
        and node.enum is None
        and node.const is None
        and not node.one_of
        and not node.any_of
    )


def _main_type(node: SchemaNode) -> str:
    types = [t for t in node.types() if t != "null"]
    if types:
        return types[0]
    if node.properties is not None:
        return "object"
    if node.items is not None:
        return "array"
    return "string"


def example(spec: ConnectorSpec, node: SchemaNode, depth: int = 0, *, request: bool = False) -> Any:
    """A small value that satisfies ``node`` (required properties only).

    ``request``: the value is sent, so ``readOnly`` properties are left out; otherwise it is
    received and ``writeOnly`` ones are.
    """
    node = resolve(spec, node)
    if node.const is not None:
        return node.const
    if node.enum:
        return next((v for v in node.enum if v is not None), None)
    # an example or default that breaks its own schema is never used as-is
    if node.examples and conforms(spec, node, node.examples[0]):
        return copy.deepcopy(node.examples[0])
    if node.default is not None and conforms(spec, node, node.default):
        return copy.deepcopy(node.default)
    group = node.one_of or node.any_of
    if group:
        value = example(spec, group[0], depth + 1, request=request)
        return _tagged(node, group[0], value)
    kind = _main_type(node)
    if kind == "object":
        return _object_example(spec, node, depth, request)
    if kind == "array":
        count = max(1, node.min_items or 0)
        if node.items is None or depth >= MAX_DEPTH:
            items: list[Any] = ["x"] * count
        else:
            items = [example(spec, node.items, depth + 1, request=request) for _ in range(count)]
        return _distinct(items) if node.unique_items else items
    if kind in ("integer", "number"):
        low = node.minimum if node.minimum is not None else 1
        value = max(low, 1) if node.maximum is None or node.maximum >= 1 else low
        return int(value) if kind == "integer" else float(value)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return string_example(node)


def _object_example(spec: ConnectorSpec, node: SchemaNode, depth: int, request: bool) -> Any:
    if depth >= MAX_DEPTH:
        return {}
    props = node.properties or {}
    skip = "read_only" if request else "write_only"
    value = {
        name: example(spec, props[name], depth + 1, request=request)
        for name in node.required
        if name in props
        and not getattr(resolve(spec, props[name]), skip)
        and not getattr(props[name], skip)
    }
    extra = node.additional_properties
    for index in range(len(value), node.min_properties or 0):
        item = (
            example(spec, extra, depth + 1, request=request)
            if isinstance(extra, SchemaNode)
            else "x"
        )
        value[f"key{index + 1}"] = item
    return value


def _tagged(node: SchemaNode, option: SchemaNode, value: Any) -> Any:
    """``value`` of the first alternative with its discriminator property set to match it."""
    rule = node.discriminator
    target = option.ref_name()
    if rule is None or target is None or not isinstance(value, dict):
        return value
    tag = next((k for k, v in rule.mapping.items() if v == option.ref), target)
    return {**value, rule.property_name: tag}


def _distinct(items: list[Any]) -> list[Any]:
    """``items`` made pairwise different (``uniqueItems``) by numbering repeats."""
    out: list[Any] = []
    for index, item in enumerate(items):
        if item in out:
            if isinstance(item, bool):
                item = not item
            elif isinstance(item, int | float):
                item = item + index
            elif isinstance(item, str):
                item = f"{item}{index}"
            elif isinstance(item, dict):
                item = {**item, "_n": index}
        out.append(item)
    return out


def call_arguments(spec: ConnectorSpec, op: Operation) -> dict[str, Any]:
    """Keyword arguments for the generated method, required parameters only."""
    args: dict[str, Any] = {}
    for param in op.params:
        if param.required or param.location == "path":
            args[argument_name(param.name)] = example(spec, param.schema_, request=True)
    single = op.body.single_argument if op.body is not None else None
    if op.body is not None and single is not None:
        value = example(spec, op.body.schema_, request=True)
        if op.body.encoding == "binary":
            value = str(value).encode("utf-8")
        args[argument_name(single, whole_body=True)] = value
    elif op.body is not None:
        body = resolve(spec, op.body.schema_)
        props = body.properties or {}
        for name in body.required:
            if name in props and not (
                props[name].read_only or resolve(spec, props[name]).read_only
            ):
                args[argument_name(name)] = example(spec, props[name], request=True)
    return args


def success_body(spec: ConnectorSpec, op: Operation) -> Any:
    """A success body for ``op`` built from its response schema (``None`` when it has none)."""
    if op.response.schema_ is None:
        return None
    schema = resolve(spec, op.response.schema_)
    body = {} if accepts_anything(schema) else example(spec, schema)
    rule = spec.body_errors
    if rule is not None and isinstance(body, dict):
        set_pointer(body, rule.success_pointer, rule.success_value)
    return body


def set_pointer(document: Any, pointer: str, value: Any) -> Any:
    """Set the value at ``pointer`` (creating objects on the way); return the document."""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    if not tokens:
        return value
    parent = document
    for token in tokens[:-1]:
        parent = parent[int(token)] if isinstance(parent, list) else parent.setdefault(token, {})
    if isinstance(parent, list):
        parent[int(tokens[-1])] = value
    else:
        parent[tokens[-1]] = value
    return document


_WRONG: list[tuple[str, Any]] = [("object", {"unexpected": 1}), ("string", "x"), ("integer", 12345)]


def violating_body(spec: ConnectorSpec, op: Operation, body: Any) -> tuple[Any, str] | None:
    """A copy of ``body`` that breaks the response schema, and where (``None`` if impossible)."""
    if op.response.schema_ is None:
        return None
    success_field = None
    if spec.body_errors is not None:
        success_field = spec.body_errors.success_pointer.lstrip("/").split("/")[0]
    return violating_value(spec, op.response.schema_, body, success_field)


def violating_value(
    spec: ConnectorSpec, schema: SchemaNode, body: Any, keep: str | None = None
) -> tuple[Any, str] | None:
    """A copy of ``body`` that breaks ``schema``, and where (``None`` if impossible).

    ``keep`` names a top-level property that is never the one broken.
    """
    node = resolve(spec, schema)
    if accepts_anything(node):
        return None  # any JSON is valid: nothing can violate it
    success_field = keep
    if _main_type(node) == "object" and isinstance(body, dict):
        props = node.properties or {}
        ordered = [n for n in node.required if n in props] + [
            n for n in props if n not in node.required
        ]
        for name in ordered:
            if name == success_field:
                continue
            prop = resolve(spec, props[name])
            allowed = set(prop.types()) | ({"object"} if prop.properties is not None else set())
            if not allowed and prop.const is None and prop.enum is None:
                continue
            for kind, value in _WRONG:
                if kind not in allowed and not (kind == "integer" and "number" in allowed):
                    broken = copy.deepcopy(body)
                    broken[name] = value
                    return broken, f"/{name}"
        return None
    if node.one_of or node.any_of:
        return None  # a union's alternatives may accept any replacement: not worth guessing
    for kind, value in _WRONG:
        if kind != _main_type(node):
            return value, ""
    return None
