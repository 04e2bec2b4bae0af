"""OpenAPI schemas as self-contained JSON Schemas, recursion kept as ``$ref``s.

:func:`bundle_schema` turns a schema of the document (which may ``$ref`` components that
``$ref`` each other, recursively) into one JSON Schema (draft 2020-12) whose references all
point into its own ``$defs``. OpenAPI 3.0's dialect is translated on the way: ``nullable``
becomes a ``null`` type, boolean ``exclusiveMinimum``/``exclusiveMaximum`` become numbers, and
``example`` becomes ``examples``. The result can be handed to ``jsonschema`` as it is.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from connector_spec.openapi import pointer as jp
from connector_spec.openapi.source import RefError

if TYPE_CHECKING:
    from connector_spec.openapi.document import OpenApiDocument

DIALECT = "https://json-schema.org/draft/2020-12/schema"
MAX_BUNDLE_NODES = 2_000_000


def bundle_schema(doc: OpenApiDocument, schema: Any) -> dict[str, Any]:
    """A self-contained draft 2020-12 JSON Schema for ``schema`` (a schema of ``doc``).

    Raises :class:`RefError` when a reference cannot be resolved.
    """
    bundler = _Bundler(doc)
    root = bundler.convert(schema)
    if not isinstance(root, dict):
        root = {} if root is True else {"not": {}}
    out: dict[str, Any] = {"$schema": DIALECT, **root}
    if bundler.defs:
        out["$defs"] = bundler.defs
    return out


_VALUES = ("example", "examples", "default", "enum", "const")


def local_refs(
    doc: OpenApiDocument, schema: Any, *, skip: tuple[str, ...] = _VALUES, strict: bool = True
) -> list[str]:
    """The JSON pointers of every schema reachable from ``schema`` through ``$ref``s, in order.

    Each is listed once, so recursive schemas terminate. Keys in ``skip`` hold values, not
    schemas, and are not searched (pass ``()`` to search everything). A reference that
    cannot be resolved is a :class:`RefError`, or skipped when not ``strict``.
    """
    seen: dict[str, None] = {}
    stack = [schema]
    budget = MAX_BUNDLE_NODES
    while stack:
        node = stack.pop()
        budget -= 1
        if budget < 0:
            break
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                try:
                    target = doc.lookup(ref)
                except RefError:
                    if strict:
                        raise
                    continue
                if target.pointer not in seen:
                    seen[target.pointer] = None
                    stack.append(target.value)
            stack.extend(v for k, v in node.items() if k != "$ref" and k not in skip)
        elif isinstance(node, list):
            stack.extend(node)
    return list(seen)


class _Bundler:
    def __init__(self, doc: OpenApiDocument) -> None:
        self.doc = doc
        self.defs: dict[str, Any] = {}
        self.names: dict[str, str] = {}
        self.budget = MAX_BUNDLE_NODES
        self.v30 = doc.openapi_version.startswith("3.0")

    def convert(self, node: Any) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise RefError([])  # pragma: no cover - descriptions are capped far below this
        if isinstance(node, list):
            return [self.convert(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            return {"$ref": "#/$defs/" + jp.escape(self._def_for(ref))}
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("example", "examples", "default", "enum", "const"):
                out[key] = value
            elif key in ("properties", "patternProperties", "$defs", "definitions"):
                out[key] = (
                    {k: self.convert(v) for k, v in value.items()}
                    if isinstance(value, dict)
                    else value
                )
            else:
                out[key] = self.convert(value)
        return self._dialect(out) if self.v30 else out

    def _def_for(self, ref: str) -> str:
        target = self.doc.lookup(ref)
        name = self.names.get(target.pointer)
        if name is not None:
            return name
        tokens = jp.split(target.pointer) or ["root"]
        base = re.sub(r"[^A-Za-z0-9_.-]+", "_", tokens[-1]) or "schema"
        name = base
        counter = 2
        while name in self.defs:
            name = f"{base}_{counter}"
            counter += 1
        self.names[target.pointer] = name
        self.defs[name] = True  # placeholder: a recursive reference finds the name taken
        self.defs[name] = self.convert(target.value)
        return name

    @staticmethod
    def _dialect(node: dict[str, Any]) -> dict[str, Any]:
        if node.pop("nullable", False) is True and "type" in node:
            kind = node["type"]
            kinds = list(kind) if isinstance(kind, list) else [kind]
            node["type"] = [*kinds, "null"] if "null" not in kinds else kinds
            if "enum" in node and None not in node["enum"]:
                node["enum"] = [*node["enum"], None]
        for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            flag = node.get(bound)
            if isinstance(flag, bool):
                del node[bound]
                if flag and limit in node:
                    node[bound] = node.pop(limit)
        if "example" in node:
            node.setdefault("examples", [node.pop("example")])
        return node


def subset_description(doc: OpenApiDocument, keep: set[tuple[str, str]]) -> dict[str, Any]:
    """``doc`` cut to the operations ``keep`` (``(path, method)``) and what they reference.

    Paths keep only those methods (and their shared parameters/servers); ``components``
    keep the entries reachable through ``$ref``s, plus every security scheme. The result is
    a valid description of its own (what a split spec was made from).
    """
    by_path: dict[str, set[str]] = {}
    for path, method in keep:
        by_path.setdefault(path, set()).add(method)
    paths: dict[str, Any] = {}
    for path, item in (doc.data.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        methods = by_path.get(path)
        if not methods:
            continue
        paths[path] = {k: v for k, v in item.items() if k in methods or k not in _METHOD_KEYS}
    subset = {k: v for k, v in doc.data.items() if k not in ("paths", "components")}
    subset["paths"] = paths
    components: dict[str, dict[str, Any]] = {}
    for pointer in local_refs(doc, paths, skip=(), strict=False):
        tokens = jp.split(pointer)
        if len(tokens) >= 3 and tokens[0] == "components":
            kind, name = tokens[1], tokens[2]
            source = doc.component_map(kind)
            if name in source:
                components.setdefault(kind, {})[name] = source[name]
    schemes = doc.component_map("securitySchemes")
    if schemes:
        components["securitySchemes"] = dict(schemes)
    if components:
        subset["components"] = {k: dict(sorted(v.items())) for k, v in sorted(components.items())}
    return subset


_METHOD_KEYS = frozenset(("get", "put", "post", "delete", "options", "head", "patch", "trace"))
