"""OpenAPI schemas → the ConnectorSpec schema subset, recursion kept as named schemas.

Every ``$ref`` target becomes a named spec schema (``#/schemas/<Name>``) converted once, so
recursive schemas terminate. ``allOf`` is flattened into one object (properties and
``required`` merged). Keywords the subset cannot carry are dropped and counted in
:class:`~connector_spec.openapi.losses.KeywordLosses` with the first place they were found;
annotations (``x-*``, ``xml``, ``externalDocs``, ``example``) are dropped without counting.
"""

from __future__ import annotations

import functools
import re
import warnings
from typing import TYPE_CHECKING, Any

from connector_spec.openapi import pointer as jp
from connector_spec.openapi.losses import KeywordLosses
from connector_spec.openapi.naming import schema_name
from connector_spec.openapi.source import RefError

if TYPE_CHECKING:
    from connector_spec.openapi.document import OpenApiDocument

JSON_TYPES = ("string", "integer", "number", "boolean", "array", "object", "null")
MAX_DEPTH = 48
MAX_TEXT = 600
MAX_NODES_PER_SCHEMA = 20_000
MAX_ALLOF_DEPTH = 100  # schemas deriving from schemas (allOf) inlined this deep
_ANNOTATIONS = {"xml", "externalDocs", "example", "examples", "$comment", "$schema", "$id"}
_SCALAR = (str, int, float, bool, type(None))


class SchemaMapper:
    """Converts the schemas of one document; holds the named schemas it produced."""

    def __init__(self, doc: OpenApiDocument, *, extra_keywords: frozenset[str] = frozenset()):
        self.doc = doc
        self.named: dict[str, dict[str, Any]] = {}
        self.names: dict[str, str] = {}
        self.keywords = KeywordLosses()
        self.extra = extra_keywords
        self.budget = MAX_NODES_PER_SCHEMA
        self.pending: list[tuple[str, Any, str]] = []
        self.refs: dict[str, str] = {}  # $ref string → spec schema name
        self._flat: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {}
        self._cuts = 0

    # ------------------------------------------------------------------ entry points

    def convert(self, schema: Any, pointer: str) -> dict[str, Any]:
        """The spec schema for ``schema`` (found at ``pointer``); ``RefError`` if dangling."""
        self.budget = MAX_NODES_PER_SCHEMA
        converted = self._node(schema, pointer, 0, ())
        self._drain()
        return converted

    def _drain(self) -> None:
        """Convert the named schemas referenced so far (a worklist: deep chains of
        references never deepen the Python stack). The first dangling reference is raised
        after the others are converted; its schema is forgotten, so a later use fails too."""
        failed: RefError | None = None
        while self.pending:
            name, value, where = self.pending.pop()
            self.budget = MAX_NODES_PER_SCHEMA
            try:
                self.named[name] = self._node(value, where, 0, ())
            except RefError as exc:
                del self.named[name], self.names[where]
                failed = failed or exc
        if failed is not None:
            raise failed

    def resolve_named(self, node: dict[str, Any]) -> dict[str, Any]:
        """Follow a converted ``{$ref: '#/schemas/X'}`` to the named schema (once)."""
        seen = 0
        while seen < 64:
            seen += 1
            if "$ref" in node:
                node = self.named.get(node["$ref"].removeprefix("#/schemas/"), {})
            elif node.get("allOf") and "type" not in node and "properties" not in node:
                node = node["allOf"][0]  # a $ref with sibling keywords
            else:
                break
        return node

    # ------------------------------------------------------------------ conversion

    def _ref(self, ref: str, pointer: str) -> dict[str, Any]:
        known = self.refs.get(ref)
        if known is not None and known in self.named:
            return {"$ref": f"#/schemas/{known}"}
        target = self.doc.resolve({"$ref": ref}, pointer)
        if not isinstance(target.value, (dict, bool)):
            raise RefError([])
        name = self.names.get(target.pointer)
        if name is None:
            tokens = jp.split(target.pointer) or ["Root"]
            base = schema_name(tokens[-1])
            name, counter = base, 2
            while name in self.named:
                name = f"{base}_{counter}"
                counter += 1
            self.names[target.pointer] = name
            self.named[name] = {}  # reserved; converted by _drain
            self.pending.append((name, target.value, target.pointer))
        self.refs[ref] = name
        return {"$ref": f"#/schemas/{name}"}

    def _node(
        self, raw: Any, pointer: str, depth: int, flattening: tuple[str, ...]
    ) -> dict[str, Any]:
        if raw is True or raw == {}:
            return {}
        if not isinstance(raw, dict):
            self.keywords.add("boolean-schema" if raw is False else "invalid-schema", pointer)
            return {}
        if depth > MAX_DEPTH:
            self.keywords.add("nesting-depth", pointer)
            return {}
        ref = raw.get("$ref")
        if isinstance(ref, str):
            target = self._ref(ref, pointer)
            siblings = {k: v for k, v in raw.items() if k not in ("$ref", "description", "summary")}
            if not siblings:
                return target
            # OpenAPI 3.1 (and common 3.0 practice): keywords beside a $ref apply too
            extra = self._node(siblings, pointer, depth + 1, flattening)
            return {"allOf": [target], **extra} if extra else target
        self.budget -= 1
        if self.budget < 0:
            self.keywords.add("schema-too-complex", pointer)
            return {}
        if "allOf" in raw:
            used: list[str] = []
            raw = self._flatten(raw, pointer, flattening, used)
            flattening = (*flattening, *used)
        out: dict[str, Any] = {}
        for key, value in raw.items():
            where = jp.join(pointer, key)
            if key.startswith("x-") or key in _ANNOTATIONS:
                continue
            handler = _HANDLERS.get(key)
            if handler is None:
                if key in self.extra:
                    out[key] = value
                else:
                    self.keywords.add(key, where)
                continue
            handler(self, out, value, where, depth, flattening)
        if "type" not in out and "properties" in out:
            out["type"] = "object"
        if "required" in out and not out.get("additionalProperties") and "allOf" not in out:
            defined = out.get("properties") or {}
            missing = [name for name in out["required"] if name not in defined]
            if missing:
                self.keywords.add("required-undefined", jp.join(pointer, "required"))
                out["required"] = [name for name in out["required"] if name in defined]
                if not out["required"]:
                    del out["required"]
        if out.get("readOnly") and out.get("writeOnly"):
            del out["readOnly"], out["writeOnly"]
            self.keywords.add("readOnly+writeOnly", pointer)
        if "discriminator" in out and not ("oneOf" in out or "anyOf" in out):
            del out["discriminator"]
            self.keywords.add("discriminator", pointer)
        elif "discriminator" in out:
            self._implicit_mapping(raw, out)
        return out

    def _implicit_mapping(self, raw: dict[str, Any], out: dict[str, Any]) -> None:
        """OpenAPI: an alternative without a ``mapping`` entry is selected by its component's
        name; the spec's schema names differ, so that value is written into the mapping."""
        rule = out["discriminator"]
        mapping = dict(rule.get("mapping") or {})
        mapped = set(mapping.values())
        for option in raw.get("oneOf") or raw.get("anyOf") or []:
            ref = option.get("$ref") if isinstance(option, dict) else None
            if not isinstance(ref, str) or self.refs.get(ref) is None:
                continue
            target = f"#/schemas/{self.refs[ref]}"
            if target in mapped:
                continue
            value = jp.split(jp.ref_pointer(ref) or "/")[-1]
            mapping.setdefault(value, target)
        if mapping:
            out["discriminator"] = {**rule, "mapping": mapping}

    def _flatten(
        self,
        raw: dict[str, Any],
        pointer: str,
        stack: tuple[str, ...],
        used: list[str],
        depth: int = 0,
    ) -> dict[str, Any]:
        """``allOf`` merged into one schema: properties and required united, first type wins.

        ``used`` collects the referenced schemas inlined, so that a schema nested inside
        them cannot inline them again (recursion through ``allOf`` stops there).
        """
        merged: dict[str, Any] = {k: v for k, v in raw.items() if k != "allOf"}
        parts = raw.get("allOf")
        if not isinstance(parts, list):
            self.keywords.add("allOf", jp.join(pointer, "allOf"))
            return merged
        for index, part in enumerate(parts):
            where = jp.join(pointer, "allOf", index)
            resolved = self.doc.resolve(part, where)
            if resolved.pointer in stack or resolved.pointer in used:
                self.keywords.add("allOf-recursive", where)
                self._cuts += 1
                continue
            if resolved.pointer != where:
                used.append(resolved.pointer)
            value = resolved.value
            if isinstance(value, dict) and "allOf" in value:
                value = self._flattened(value, resolved.pointer, (*stack, *used), used, depth)
            if not isinstance(value, dict):
                continue
            for key, item in value.items():
                if key == "properties" and isinstance(item, dict):
                    props = merged.setdefault("properties", {})
                    if isinstance(props, dict):
                        merged["properties"] = {**props, **item}
                elif key == "required" and isinstance(item, list):
                    have = merged.get("required")
                    have_list: list[Any] = have if isinstance(have, list) else []
                    merged["required"] = list(dict.fromkeys([*have_list, *item]))
                elif key not in merged:
                    merged[key] = item
        return merged

    def _flattened(
        self,
        value: dict[str, Any],
        pointer: str,
        stack: tuple[str, ...],
        used: list[str],
        depth: int,
    ) -> dict[str, Any]:
        """A referenced schema's own ``allOf`` merged, once (Microsoft Graph derives thousands
        of schemas from a few): reused wherever no recursion was cut inside it."""
        known = self._flat.get(pointer)
        if known is not None:
            used.extend(p for p in known[1] if p not in used)
            return known[0]
        if depth >= MAX_ALLOF_DEPTH:
            self.keywords.add("allOf-depth", pointer)
            return {k: v for k, v in value.items() if k != "allOf"}
        cuts, inner = self._cuts, list[str]()
        merged = self._flatten(value, pointer, stack, inner, depth + 1)
        used.extend(p for p in inner if p not in used)
        if self._cuts == cuts:
            self._flat[pointer] = (merged, tuple(inner))
        return merged

    # ------------------------------------------------------------------ keyword handlers

    def _type(self, out: dict[str, Any], value: Any, where: str, *_: Any) -> None:
        kinds = value if isinstance(value, list) else [value]
        good = [k for k in kinds if k in JSON_TYPES]
        if "file" in kinds:
            good.append("string")
        if len(good) != len(kinds):
            self.keywords.add("type", where)
        if good:
            out["type"] = good[0] if len(good) == 1 else list(dict.fromkeys(good))

    def _text(self, out: dict[str, Any], value: Any, where: str, *_: Any) -> None:
        key = jp.split(where)[-1]
        if isinstance(value, str):
            out[key] = value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…"

    def _pattern(self, out: dict[str, Any], value: Any, where: str, *_: Any) -> None:
        if isinstance(value, str) and pattern_supported(value):
            out["pattern"] = value
        else:
            self.keywords.add("pattern-unsupported", where)

    def _enum(self, out: dict[str, Any], value: Any, where: str, *_: Any) -> None:
        if isinstance(value, list) and value and all(isinstance(v, _SCALAR) for v in value):
            out["enum"] = list(dict.fromkeys(value)) if _hashable(value) else value
        else:
            self.keywords.add("enum", where)

    def _const(self, out: dict[str, Any], value: Any, where: str, *_: Any) -> None:
        if isinstance(value, _SCALAR) and value is not None:
            out["const"] = value
        else:
            self.keywords.add("const", where)

    def _default(self, out: dict[str, Any], value: Any, where: str, *_: Any) -> None:
        if isinstance(value, _SCALAR):
            out["default"] = value

    def _flag(self, out: dict[str, Any], value: Any, where: str, *_: Any) -> None:
        if value is True:
            out[jp.split(where)[-1]] = True

    def _number(self, out: dict[str, Any], value: Any, where: str, *_: Any) -> None:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < 1e300:
            out[jp.split(where)[-1]] = value
        else:
            self.keywords.add(jp.split(where)[-1], where)

    def _count(self, out: dict[str, Any], value: Any, where: str, *_: Any) -> None:
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**53:
            out[jp.split(where)[-1]] = value
        else:
            self.keywords.add(jp.split(where)[-1], where)

    def _format(self, out: dict[str, Any], value: Any, where: str, *_: Any) -> None:
        if isinstance(value, str):
            out["format"] = value

    def _exclusive(self, out: dict[str, Any], value: Any, where: str, *_: Any) -> None:
        if value is not False:  # 3.0 `false` says nothing; `true`/a number is an exclusive bound
            self.keywords.add(jp.split(where)[-1], where)

    def _properties(
        self, out: dict[str, Any], value: Any, where: str, depth: int, stack: tuple[str, ...]
    ) -> None:
        if not isinstance(value, dict):
            self.keywords.add("properties", where)
            return
        out["properties"] = {
            str(name): self._node(sub, jp.join(where, str(name)), depth + 1, stack)
            for name, sub in value.items()
        }

    def _discriminator(self, out: dict[str, Any], value: Any, where: str, *_: Any) -> None:
        name = value.get("propertyName") if isinstance(value, dict) else None
        if not isinstance(name, str) or not name:
            self.keywords.add("discriminator", where)
            return
        mapping: dict[str, str] = {}
        raw = value.get("mapping")
        for key, target in raw.items() if isinstance(raw, dict) else []:
            known = self.refs.get(target) if isinstance(target, str) else None
            if known is not None and known in self.named:  # Graph: ~1,000 per mapping
                mapping[str(key)] = f"#/schemas/{known}"
            elif isinstance(target, str) and target.startswith("#"):
                mapping[str(key)] = self._ref(target, jp.join(where, "mapping", str(key)))["$ref"]
            else:
                self.keywords.add("discriminator-mapping", jp.join(where, "mapping", str(key)))
        out["discriminator"] = {"propertyName": name, **({"mapping": mapping} if mapping else {})}

    def _required(self, out: dict[str, Any], value: Any, where: str, *_: Any) -> None:
        if isinstance(value, list):
            names = [v for v in value if isinstance(v, str)]
            if names:
                out["required"] = list(dict.fromkeys(names))

    def _items(
        self, out: dict[str, Any], value: Any, where: str, depth: int, stack: tuple[str, ...]
    ) -> None:
        if isinstance(value, list):
            self.keywords.add("items-tuple", where)
            return
        out["items"] = self._node(value, where, depth + 1, stack)

    def _additional(
        self, out: dict[str, Any], value: Any, where: str, depth: int, stack: tuple[str, ...]
    ) -> None:
        if isinstance(value, bool):
            out["additionalProperties"] = value
        else:
            out["additionalProperties"] = self._node(value, where, depth + 1, stack)

    def _alternatives(
        self, out: dict[str, Any], value: Any, where: str, depth: int, stack: tuple[str, ...]
    ) -> None:
        key = jp.split(where)[-1]
        if not isinstance(value, list) or not value:
            self.keywords.add(key, where)
            return
        out[key] = [
            self._node(sub, jp.join(where, index), depth + 1, stack)
            for index, sub in enumerate(value)
        ]


@functools.lru_cache(maxsize=4096)
def pattern_supported(pattern: str) -> bool:
    """Whether Python's ``re`` compiles it (the generated client validates with it when
    pydantic-core's regex dialect lacks a feature, such as look-around or back-references).
    """
    if len(pattern) > 2000:
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            re.compile(pattern)
    except (re.error, TypeError, RecursionError, OverflowError, ValueError):
        return False
    return True


def _hashable(values: list[Any]) -> bool:
    try:
        set(values)
    except TypeError:
        return False
    return True


_HANDLERS = {
    "type": SchemaMapper._type,
    "title": SchemaMapper._text,
    "description": SchemaMapper._text,
    "format": SchemaMapper._format,
    "pattern": SchemaMapper._pattern,
    "enum": SchemaMapper._enum,
    "const": SchemaMapper._const,
    "default": SchemaMapper._default,
    "nullable": SchemaMapper._flag,
    "deprecated": SchemaMapper._flag,
    "readOnly": SchemaMapper._flag,
    "writeOnly": SchemaMapper._flag,
    "uniqueItems": SchemaMapper._flag,
    "minProperties": SchemaMapper._count,
    "maxProperties": SchemaMapper._count,
    "discriminator": SchemaMapper._discriminator,
    "minimum": SchemaMapper._number,
    "maximum": SchemaMapper._number,
    "exclusiveMinimum": SchemaMapper._exclusive,
    "exclusiveMaximum": SchemaMapper._exclusive,
    "minLength": SchemaMapper._count,
    "maxLength": SchemaMapper._count,
    "minItems": SchemaMapper._count,
    "maxItems": SchemaMapper._count,
    "properties": SchemaMapper._properties,
    "required": SchemaMapper._required,
    "items": SchemaMapper._items,
    "additionalProperties": SchemaMapper._additional,
    "oneOf": SchemaMapper._alternatives,
    "anyOf": SchemaMapper._alternatives,
}
