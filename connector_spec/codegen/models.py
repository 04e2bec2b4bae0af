"""Turn the spec's JSON Schema subset into pydantic model definitions (as source lines)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from connector_spec.codegen.naming import camel, python_identifier
from connector_spec.jsonschema_subset import SchemaNode
from connector_spec.model import ConnectorSpec

LINE_LIMIT = 100
_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
_CONSTRAINTS = (
    ("minimum", "ge"),
    ("maximum", "le"),
    ("min_length", "min_length"),
    ("max_length", "max_length"),
    ("min_items", "min_length"),
    ("max_items", "max_length"),
    ("pattern", "pattern"),
)


def pystr(text: str) -> str:
    """A Python string literal in the quote style ruff format prefers."""
    if '"' in text and "'" not in text:
        return repr(text)
    return json.dumps(text, ensure_ascii=False)


def pyvalue(value: Any) -> str:
    """A Python literal for a JSON scalar."""
    if isinstance(value, str):
        return pystr(value)
    if value is None:
        return "None"
    return repr(value)


def call_lines(head: str, args: list[str], indent: str, tail: str = "") -> list[str]:
    """``head(args)tail`` on one line when it fits, else exploded one argument per line."""
    one = f"{indent}{head}({', '.join(args)}){tail}"
    if len(one) <= LINE_LIMIT or not args:
        return [one]
    return [f"{indent}{head}(", *[f"{indent}    {a}," for a in args], f"{indent}){tail}"]


@dataclass
class FieldDef:
    """One model field."""

    name: str
    wire_name: str
    type_expr: str
    required: bool
    constraints: list[str] = field(default_factory=list)

    def lines(self, indent: str = "    ") -> list[str]:
        """Source lines of this field."""
        args: list[str] = []
        if not self.required:
            args.append("default=None")
        if self.wire_name != self.name:
            args.append(f"alias={pystr(self.wire_name)}")
        args += self.constraints
        optional = (
            not self.required
            and not self.type_expr.endswith("| None")
            and self.type_expr != "None"  # `type: "null"`: None already
        )
        annotation = f"{self.type_expr} | None" if optional else self.type_expr
        if not args:
            return [f"{indent}{self.name}: {annotation}"]
        if args == ["default=None"]:
            return [f"{indent}{self.name}: {annotation} = None"]
        return _field_call(f"{indent}{self.name}: {annotation} = ", args, indent)


def _field_call(prefix: str, args: list[str], indent: str) -> list[str]:
    one = f"{prefix}Field({', '.join(args)})"
    if len(one) <= LINE_LIMIT:
        return [one]
    return [f"{prefix}Field(", *[f"{indent}    {a}," for a in args], f"{indent})"]


@dataclass
class ModelDef:
    """One generated pydantic model class."""

    name: str
    doc: str
    fields: list[FieldDef]


@dataclass
class AliasDef:
    """A module-level type alias (enums and non-object named schemas)."""

    name: str
    lines: list[str]


class ModelBuilder:
    """Collects model classes and aliases for every schema a spec uses."""

    def __init__(self, spec: ConnectorSpec) -> None:
        self.spec = spec
        self.models: list[ModelDef] = []
        self.aliases: list[AliasDef] = []
        self.taken: set[str] = set()
        self.named: dict[str, str] = {}
        self._memo: dict[int, str] = {}
        for schema_name in spec.schemas:
            self.named[schema_name] = self.claim(camel(schema_name))
        for schema_name, node in spec.schemas.items():
            self._define_named(self.named[schema_name], node)

    def claim(self, name: str) -> str:
        """Reserve a unique class name based on ``name``."""
        candidate = name
        counter = 2
        while candidate in self.taken:
            candidate = f"{name}{counter}"
            counter += 1
        self.taken.add(candidate)
        return candidate

    def _define_named(self, class_name: str, node: SchemaNode) -> None:
        if node.types() == ["object"] and node.properties is not None:
            self.define_object(class_name, node)
            return
        expr = self.type_for(node, class_name + "Value")
        self.aliases.append(AliasDef(class_name, [f"{class_name} = {expr}"]))

    def define_object(self, class_name: str, node: SchemaNode) -> str:
        """Define a model class for an object schema; return its name."""
        fields: list[FieldDef] = []
        used: set[str] = set()
        for wire_name, child in (node.properties or {}).items():
            name = python_identifier(wire_name)
            while name in used:
                name = f"{name}_"
            used.add(name)
            hint = class_name + camel(wire_name)
            expr = self.type_for(child, hint)
            required = wire_name in node.required and not child.is_nullable()
            if wire_name in node.required and child.is_nullable():
                if not expr.endswith("| None") and expr != "None":
                    expr = f"{expr} | None"
                required = True
            fields.append(FieldDef(name, wire_name, expr, required, _constraints(child)))
        doc = (node.description or f"The {class_name} object.").strip().replace('"""', "'''")
        self.models.append(ModelDef(class_name, doc, fields))
        return class_name

    def _enum_alias(self, hint: str, values: list[Any]) -> str:
        name = self.claim(hint)
        literals = [pyvalue(v) for v in values if v is not None]
        lines = [f"{name} = Literal[", *[f"    {v}," for v in literals], "]"]
        self.aliases.append(AliasDef(name, lines))
        return name

    def type_for(self, node: SchemaNode, hint: str) -> str:
        """A type expression for ``node``; nested objects become classes named from ``hint``."""
        known = self._memo.get(id(node))
        if known is not None:
            return known
        nullable = node.is_nullable()
        expr = self._base_type(node, hint)
        if nullable and expr != "None" and not expr.endswith("| None"):
            expr = f"{expr} | None"
        self._memo[id(node)] = expr
        return expr

    def _base_type(self, node: SchemaNode, hint: str) -> str:
        ref = node.ref_name()
        if ref is not None:
            return self.named.get(ref, "Any")
        if node.const is not None:
            return f"Literal[{pyvalue(node.const)}]"
        if node.enum is not None and [v for v in node.enum if v is not None]:
            return self._enum_alias(hint, node.enum)
        group = node.one_of or node.any_of
        if group:
            parts: list[str] = []
            for index, option in enumerate(group):
                option_type = self.type_for(option, f"{hint}Option{index + 1}")
                if option_type not in parts:
                    parts.append(option_type)
            return " | ".join(parts)
        types = [t for t in node.types() if t != "null"]
        if len(types) > 1:
            return " | ".join(self._single(t, node, hint) for t in types)
        if not types:
            return "None" if node.types() == ["null"] else "Any"
        return self._single(types[0], node, hint)

    def _single(self, json_type: str, node: SchemaNode, hint: str) -> str:
        if json_type in _SCALARS:
            return _SCALARS[json_type]
        if json_type == "array":
            item = self.type_for(node.items, f"{hint}Item") if node.items else "Any"
            return f"list[{item}]"
        if node.properties is not None:
            return self.define_object(self.claim(hint), node)
        extra = node.additional_properties
        if isinstance(extra, SchemaNode):
            return f"dict[str, {self.type_for(extra, hint + 'Value')}]"
        return "dict[str, Any]"


def _constraints(node: SchemaNode) -> list[str]:
    found: list[str] = []
    for attribute, keyword in _CONSTRAINTS:
        value = getattr(node, attribute)
        if value is None:
            continue
        if attribute in ("minimum", "maximum") and float(value).is_integer():
            value = int(value)
        found.append(f"{keyword}={pyvalue(value)}")
    return found
