"""Turn the spec's JSON Schema subset into pydantic model definitions (as source lines)."""

from __future__ import annotations

import ast
import builtins
import json
import re
from dataclasses import dataclass, field
from typing import Any

from connector_spec.codegen.constraints import field_constraints, rust_regex_compiles
from connector_spec.codegen.naming import camel, python_identifier
from connector_spec.jsonschema_subset import SchemaNode
from connector_spec.model import ConnectorSpec
from connector_spec.schema_ops import resolve_schema

LINE_LIMIT = 100
_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


def pystr(text: str) -> str:
    """A Python string literal in the quote style ruff format prefers."""
    if '"' in text and "'" not in text:
        return repr(text)
    # a lone surrogate (legal in a YAML escape) cannot be written as UTF-8: escape it then
    plain = not any(0xD800 <= ord(char) <= 0xDFFF for char in text)
    return json.dumps(text, ensure_ascii=not plain)


def doc_text(text: str, *, single_line: bool = False) -> str:
    """``text`` made safe inside a triple-quoted docstring, whatever it contains.

    Backslashes, triple quotes, a trailing quote, control characters and lone surrogates are
    escaped, so a provider's description can never end the docstring early or fail to encode;
    trailing whitespace is dropped (as ruff format would). ``single_line`` folds all
    whitespace runs to one space (for titles and names inside a sentence).
    """
    if single_line:
        text = " ".join(text.split())
    out: list[str] = []
    for char in text.replace("\\", "\\\\"):
        code = ord(char)
        if (code < 32 and char not in "\n\t") or code == 127:
            out.append(f"\\x{code:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    escaped = "".join(out).replace('"""', '\\"\\"\\"')
    escaped = "\n".join(line.rstrip() for line in escaped.split("\n")).strip()
    if escaped.endswith('"'):
        escaped = escaped[:-1] + '\\"'
    return escaped


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
    description: str = ""  # the spec's description, folded to one line

    def lines(self, indent: str = "    ") -> list[str]:
        """Source lines of this field."""
        args: list[str] = []
        if not self.required:
            args.append("default=None")
        if self.wire_name != self.name:
            args.append(f"alias={pystr(self.wire_name)}")
        args += self.constraints
        if self.description:
            args.append(f"description={pystr(self.description)}")
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
    lines = [f"{prefix}Field("]
    for arg in args:
        line = f"{indent}    {arg},"
        if len(line) > LINE_LIMIT and arg.startswith("description="):
            lines += split_string_arg("description", arg[len("description=") :], indent + "    ")
        else:
            lines.append(line)
    return [*lines, f"{indent})"]


def split_string_arg(keyword: str, literal: str, indent: str) -> list[str]:
    """``keyword=(...)`` with a long string literal as implicitly joined pieces that each fit
    the line limit (ruff format keeps such a string as it is, since joined it cannot fit)."""
    text = ast.literal_eval(literal)
    width = LINE_LIMIT - len(indent) - 4 - 3  # indent + 4, quotes, a possible escape
    pieces: list[str] = []
    current = ""
    for word in re.split(r"(?<= )", text):
        if current and len(pystr(current + word)) > width:
            pieces.append(current)
            current = ""
        current += word
    if current:
        pieces.append(current)
    return [f"{indent}{keyword}=(", *[f"{indent}    {pystr(p)}" for p in pieces], f"{indent}),"]


@dataclass
class ModelDef:
    """One generated pydantic model class."""

    name: str
    doc: str
    fields: list[FieldDef]
    python_re: bool = False

    @property
    def config(self) -> str:
        """The ``model_config`` expression of the class."""
        engine = ', regex_engine="python-re"' if self.python_re else ""
        return f'ConfigDict(extra="allow", populate_by_name=True, defer_build=True{engine})'


@dataclass
class AliasDef:
    """A module-level type alias (enums and non-object named schemas)."""

    name: str
    lines: list[str]
    expr: str | None = None  # a named non-enum schema: the type expression it stands for

    @property
    def is_literal(self) -> bool:
        """True for an enum alias (``Literal[...]``), which refers to no other name."""
        return self.expr is None


# Names the generated modules import or define themselves: a schema called ``Engine`` (OpenAI)
# or ``Field`` must not shadow them, so its class gets a numbered name instead.
RESERVED_NAMES = frozenset(
    {
        "Annotated",
        "Any",
        "AsyncEngine",
        "AsyncIterator",
        "BaseModel",
        "Call",
        "Callable",
        "Clock",
        "ConfigDict",
        "Engine",
        "False",
        "Field",
        "Iterator",
        "Literal",
        "Mapping",
        "None",
        "SecretResolver",
        "Self",
        "TracebackType",
        "True",
        "TypeAdapter",
        "TypeAliasType",
    }
)


# A class named like a builtin (Airflow's ImportError, Azure's ConnectionError) used before its
# definition would resolve to the builtin in pydantic's annotations.
_BUILTIN_CLASSES = frozenset(name for name in dir(builtins) if name[:1].isupper())


def reserved_names(spec: ConnectorSpec) -> set[str]:
    """Every class name a schema must not take: runtime imports, builtins, resources, clients."""
    client = camel(spec.provider.name) + "Client"
    names = set(RESERVED_NAMES) | _BUILTIN_CLASSES | {client, "Async" + client}
    for op in spec.operations:
        resource = camel(op.resource) + "Resource"
        names |= {resource, "Async" + resource}
    return names


class ModelBuilder:
    """Collects model classes and aliases for every schema a spec uses.

    Types are tolerant where the provider speaks: an enum in a response (or in any model
    class) is *open*, ``Literal[...] | str``, so a value the provider adds later decodes and
    a type checker still offers the known ones; ``readOnly``/``writeOnly`` properties are
    never required. Only the top-level arguments of a method (``closed=True``) keep closed
    enums, so callers are checked before anything is sent.
    """

    def __init__(self, spec: ConnectorSpec) -> None:
        self.spec = spec
        self.models: list[ModelDef] = []
        self.aliases: list[AliasDef] = []
        self.taken: set[str] = reserved_names(spec)
        self.named: dict[str, str] = {}
        self.open_enums: dict[str, str] = {}  # enum alias -> the type that keeps it open
        self._memo: dict[tuple[int, bool], str] = {}
        self._resolved: dict[int, SchemaNode] = {}
        self._enum_names: dict[int, str] = {}
        self._expanding: dict[tuple[int, bool], str] = {}
        self._tagged: dict[int, str] = {}  # discriminated unions by node
        self.context: dict[str, str] = {}  # class name hint -> what it is (no description)
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

    def resolve(self, node: SchemaNode) -> SchemaNode:
        """``node`` with ``$ref`` followed and ``allOf`` merged (cached per node)."""
        found = self._resolved.get(id(node))
        if found is None:
            found = self._resolved[id(node)] = resolve_schema(self.spec.schemas, node)
        return found

    def _define_named(self, class_name: str, node: SchemaNode) -> None:
        if node.all_of and _single_ref(node) is None:
            node = self.resolve(node)
        if is_object_model(node):
            self.define_object(class_name, node)
            return
        if _plain_enum(node):
            self._enum_alias(class_name, node.enum or [], claimed=True)
            return
        expr = self.type_for(node, class_name + "Value")
        self.aliases.append(AliasDef(class_name, [f"{class_name} = {expr}"], expr))

    def define_object(
        self, class_name: str, node: SchemaNode, *, request: bool = False, doc: str | None = None
    ) -> str:
        """Define a model class for an object schema; return its name.

        ``request``: a model of one operation's arguments (never a response): its fields keep
        closed enums and enforce ``uniqueItems``; ``readOnly`` properties are left out.
        """
        fields: list[FieldDef] = []
        patterns: list[str] = []
        used: set[str] = set()
        for wire_name, child in (node.properties or {}).items():
            flags = self.resolve(child)
            if request and (child.read_only or flags.read_only):
                continue
            name = python_identifier(wire_name)
            while name in used:
                name = f"{name}_"
            used.add(name)
            hint = class_name + camel(wire_name)
            self.context.setdefault(hint, f"The ``{wire_name}`` of a :class:`{class_name}`.")
            expr = self.type_for(child, hint, closed=request)
            if request and (child.unique_items or flags.unique_items):
                expr = f"Annotated[{expr}, AfterValidator(unique_items)]"
            counted = (flags.min_properties, flags.max_properties)
            if request and is_object_model(flags) and counted != (None, None):
                check = f"property_count({counted[0]}, {counted[1]})"
                expr = f"Annotated[{expr}, AfterValidator({check})]"
            one_way = child.read_only or child.write_only or flags.read_only or flags.write_only
            listed = wire_name in node.required and not one_way
            required = listed and not child.is_nullable()
            if listed and child.is_nullable():
                if not expr.endswith("| None") and expr != "None":
                    expr = f"{expr} | None"
                required = True
            pairs = field_constraints(child, expr)
            patterns += [value for keyword, value in pairs if keyword == "pattern"]
            constraints = [f"{keyword}={pyvalue(value)}" for keyword, value in pairs]
            text = " ".join((child.description or flags.description or "").split())
            fields.append(FieldDef(name, wire_name, expr, required, constraints, text))
        doc = doc_text(node.description or "") or doc or self._context_doc(class_name, fields)
        python_re = any(not rust_regex_compiles(p) for p in patterns)
        self.models.append(ModelDef(class_name, doc, fields, python_re))
        return class_name

    def _context_doc(self, class_name: str, fields: list[FieldDef]) -> str:
        """What a model without a description is: where it occurs, and its fields."""
        known = self.context.get(class_name)
        if known is None:
            named = [k for k, v in self.named.items() if v == class_name]
            known = f"The spec's ``{named[0]}`` schema." if named else f"``{class_name}``."
        names = [f.wire_name for f in fields]
        if not names:
            return f"{known} It has no declared fields."
        more = f" and {len(names) - 6} more" if len(names) > 6 else ""
        shown = ", ".join(f"``{n}``" for n in names[:6]) + more
        return doc_text(f"{known} Fields: {shown}.")

    def _enum_alias(self, hint: str, values: list[Any], *, claimed: bool = False) -> str:
        name = hint if claimed else self.claim(hint)
        present = [v for v in values if v is not None]
        literals = [pyvalue(v) for v in present]
        lines = [f"{name} = Literal[", *[f"    {v}," for v in literals], "]"]
        self.aliases.append(AliasDef(name, lines))
        fallback = dict.fromkeys(_SCALAR_OF.get(type(v), "str") for v in present)
        self.open_enums[name] = " | ".join(fallback)
        return name

    def type_for(self, node: SchemaNode, hint: str, *, closed: bool = False) -> str:
        """A type expression for ``node``; nested objects become classes named from ``hint``.

        ``closed``: enums accept their listed values only (method arguments); otherwise an
        enum also accepts any value of its type (what a provider may add later).
        """
        key = (id(node), closed)
        known = self._memo.get(key)
        if known is not None:
            return known
        nullable = node.is_nullable()
        expr = self._base_type(node, hint, closed)
        if nullable and expr != "None" and not expr.endswith("| None"):
            expr = f"{expr} | None"
        self._memo[key] = expr
        return expr

    def _open(self, name: str, closed: bool) -> str:
        fallback = self.open_enums.get(name)
        return name if closed or fallback is None else f"{name} | {fallback}"

    def _base_type(self, node: SchemaNode, hint: str, closed: bool) -> str:
        ref = node.ref_name() or _single_ref(node)
        if ref is not None:
            return self._open(self.named.get(ref, "Any"), closed)
        if node.all_of:
            return self._merged_type(node, hint, closed)
        if node.const is not None:
            return f"Literal[{pyvalue(node.const)}]"
        if node.enum is not None and [v for v in node.enum if v is not None]:
            name = self._enum_names.get(id(node))
            if name is None:
                name = self._enum_names[id(node)] = self._enum_alias(hint, node.enum)
            return self._open(name, closed)
        group = node.one_of or node.any_of
        tagged = self._discriminated(node, group, hint) if group else None
        if tagged is not None:
            return tagged
        if group:
            parts: list[str] = []
            for index, option in enumerate(group):
                option_type = self.type_for(option, f"{hint}Option{index + 1}", closed=closed)
                for part in _split_union(option_type):
                    if part not in parts:
                        parts.append(part)
            if "None" in parts:  # `X | None` last, as everywhere else
                parts = [p for p in parts if p != "None"] + ["None"]
            return " | ".join(parts)
        types = [t for t in node.types() if t != "null"]
        if not types and node.properties is not None:
            types = ["object"]
        if len(types) > 1:
            return " | ".join(self._single(t, node, hint) for t in types)
        if not types:
            return "None" if node.types() == ["null"] else "Any"
        return self._single(types[0], node, hint)

    def _discriminated(self, node: SchemaNode, group: list[SchemaNode], hint: str) -> str | None:
        """A ``oneOf``/``anyOf`` of object schemas with a ``discriminator``: an alias for a union
        pydantic decodes into the class the property's value names; a value the mapping does not
        name (a variant the provider added since) is decoded as the plain union would
        (``None``: not that case).
        """
        rule = node.discriminator
        if rule is None:
            return None
        classes: dict[str, str] = {}
        for option in group:
            name = option.ref_name()
            target = self.spec.schemas.get(name or "")
            if name is None or target is None or not is_object_model(self.resolve(target)):
                return None
            classes[name] = self.named[name]
        values: dict[str, str] = {}
        for value, ref in rule.mapping.items():
            cls = classes.get(ref.removeprefix("#/schemas/"))
            if cls is not None:
                values[value] = cls
        for name, cls in classes.items():  # OpenAPI: an unmapped alternative by its name
            if cls not in values.values():
                values.setdefault(name, cls)
        known = self._tagged.get(id(node))
        if known is not None:
            return known
        name = self._tagged[id(node)] = self.claim(hint)
        tags = self.claim("_Tags")
        if not any(alias.name == "_variant" for alias in self.aliases):
            self.taken.add("_variant")
            self.aliases.append(AliasDef("_variant", _VARIANT_FUNCTION, "Any"))
        other = self.claim(f"_{name}Other")
        names = list(classes.values())
        plain = [f"{other} = {' | '.join(names)}"]
        if len(plain[0]) > LINE_LIMIT:  # laid out as ruff format lays it out
            inner = ["    " + " | ".join(names)]
            if len(inner[0]) > LINE_LIMIT:
                inner = [f"    {names[0]}", *[f"    | {n}" for n in names[1:]]]
            plain = [f"{other} = (", *inner, ")"]
        lines = [
            *plain,
            "",
            "",
            f"{tags} = (",
            f"    {pystr(rule.property_name)},",
            "    {",
            *[f"        {pystr(value)}: {pystr(cls)}," for value, cls in values.items()],
            "    },",
            ")",
            "",
            "",
            f"{name} = Annotated[",
            *_union_lines(
                [f"Annotated[{cls}, Tag({pystr(cls)})]" for cls in classes.values()]
                + [f'Annotated[{other}, Tag("")]']  # any other value: as the plain union
            ),
            f"    Discriminator(lambda value: _variant(value, *{tags})),",
            "]",
        ]
        expr = " | ".join(classes.values())  # what the alias refers to (definition order)
        self.aliases.append(AliasDef(name, lines, expr))
        return name

    def _merged_type(self, node: SchemaNode, hint: str, closed: bool) -> str:
        """The type of an inline ``allOf``; one that contains itself reuses its own class."""
        key = (id(node), closed)
        known = self._expanding.get(key)
        if known is not None:
            return known
        resolved = self.resolve(node)
        if not is_object_model(resolved):
            return self._base_type(resolved, hint, closed)
        name = self._expanding[key] = self.claim(hint)
        return self.define_object(name, resolved)

    def _single(self, json_type: str, node: SchemaNode, hint: str) -> str:
        if json_type == "string" and node.format == "binary":
            return "bytes"  # file content (multipart); JSON carries it as UTF-8 text
        if json_type in _SCALARS:
            return _SCALARS[json_type]
        if json_type == "array":
            if hint in self.context:
                self.context.setdefault(f"{hint}Item", f"One item of: {self.context[hint]}")
            item = self.type_for(node.items, f"{hint}Item") if node.items else "Any"
            return f"list[{item}]"
        if node.properties is not None:
            return self.define_object(self.claim(hint), node)
        extra = node.additional_properties
        if isinstance(extra, SchemaNode):
            return f"dict[str, {self.type_for(extra, hint + 'Value')}]"
        return "dict[str, Any]"


_SCALAR_OF = {str: "str", bool: "bool", int: "int", float: "float"}


def is_object_model(node: SchemaNode) -> bool:
    """True when ``node`` becomes a model class (an object with declared properties)."""
    types = [t for t in node.types() if t != "null"]
    return node.properties is not None and types in ([], ["object"]) and not node.enum


def _plain_enum(node: SchemaNode) -> bool:
    return (
        node.enum is not None
        and any(v is not None for v in node.enum)
        and not node.is_nullable()
        and node.ref is None
    )


_STRUCTURE = (
    "ref",
    "type",
    "properties",
    "items",
    "additional_properties",
    "enum",
    "const",
    "one_of",
    "any_of",
    "all_of",
    "nullable",
    "format",
    "pattern",
    "minimum",
    "maximum",
    "min_length",
    "max_length",
    "min_items",
    "max_items",
    "unique_items",
    "min_properties",
    "max_properties",
    "read_only",
    "write_only",
    "required",
    "discriminator",
)


def _single_ref(node: SchemaNode) -> str | None:
    """The schema an ``allOf: [{$ref: X}, {description: ...}]`` wrapper stands for.

    OpenAPI 3.0 cannot put annotations beside a ``$ref``, so descriptions use this shape;
    anything beyond annotations (a type, properties, bounds) makes it a real merge.
    """
    if not node.all_of or node.properties is not None or node.types():
        return None
    refs = [m.ref_name() for m in node.all_of if m.ref is not None]
    rest = [m for m in node.all_of if m.ref is None]
    if len(refs) != 1 or any(_constrains(m) for m in rest) or _constrains_outer(node):
        return None
    return refs[0]


def _constrains_outer(node: SchemaNode) -> bool:
    return _constrains(node.model_copy(update={"all_of": None, "nullable": False}))


def _constrains(node: SchemaNode) -> bool:
    values = [getattr(node, name) for name in _STRUCTURE]
    return any(value is not None and value is not False and value != [] for value in values)


# The tag of a value of a discriminated union (a generated models module defines it once).
_VARIANT_FUNCTION = [
    "def _variant(value: Any, wire_name: str, tags: dict[str, str]) -> str | None:",
    '    """The class the discriminator property of a body selects (a model: its class)."""',
    "    if isinstance(value, dict):",
    '        return tags.get(str(value.get(wire_name)), "")',
    "    return type(value).__name__",
]


def _union_lines(members: list[str]) -> list[str]:
    """``A | B | C,`` as the first item of a bracket, laid out as ruff format lays it out."""
    one = "    " + " | ".join(members) + ","
    if len(one) <= LINE_LIMIT:
        return [one]
    return [f"    {members[0]}", *[f"    | {m}" for m in members[1:-1]], f"    | {members[-1]},"]


def _split_union(expr: str) -> list[str]:
    """Top-level members of a ``A | B`` expression (brackets respected)."""
    parts: list[str] = []
    depth = 0
    current = ""
    for char in expr:
        depth += char in "[("
        depth -= char in "])"
        if char == "|" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts
