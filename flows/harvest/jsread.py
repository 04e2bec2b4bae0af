"""What a node's compiled code does per resource/operation: its HTTP request calls, as data.

One pass over each file's syntax tree records, under the resource/operation conditions that
guard them (``if (resource === 'x')``, ``switch (operation)``, ``['a', 'b'].includes(operation)``,
``resource === 'x' && operation === 'y'``, an ``actions/<resource>/<operation>`` file):

* request calls: a call of a function named ``*request*`` with an HTTP method among its first
  arguments (``xApiRequest.call(this, 'POST', `/path/${id}`, body, qs)``), or an options
  object with ``method`` and ``url``/``uri``;
* assignments to variables (``endpoint = `/a/${b}```, ``requestMethod = 'PUT'``) and to
  fields (``body.name = ...``, ``qs.limit = ...``), each with its condition, so a call after
  the branches (``apiRequest(requestMethod, endpoint, body, qs)``) resolves per operation.

Values resolve to :class:`Value` parts: literals, n8n parameters (``this.getNodeParameter('x')``),
unresolved names and dynamic code. Nothing is executed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from flows.harvest.jsparse import (
    FUNCTION_TYPES,
    MAX_DEPTH,
    Node,
    Source,
    call_arguments,
    callee_name,
    string_value,
    unwrap,
)
from flows.harvest.jsparse import field as child

HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_REQUEST_NAME = re.compile(r"request", re.IGNORECASE)
#: Calls that pass their first argument through as far as a URL is concerned.
_PASS_THROUGH = frozenset(
    {"encodeURIComponent", "encodeURI", "String", "removeTrailingSlash", "toPathSegment", "trim"}
)
#: How many steps a value's resolution follows (variables referring to variables).
MAX_RESOLVE_DEPTH = 12

#: ``hole``: a variable computed at run time (``const id = extractId(...)``); in a path it can
#: stand for one whole segment (a path parameter), never for the start of the path.
PartKind = Literal["lit", "param", "var", "hole", "dyn"]


@dataclass(frozen=True)
class Constraint:
    """The resources and operations a piece of code runs for (``None``: any)."""

    resources: frozenset[str] | None = None
    operations: frozenset[str] | None = None

    def both(self, other: Constraint) -> Constraint:
        """The conjunction of two constraints."""
        return Constraint(
            _meet(self.resources, other.resources), _meet(self.operations, other.operations)
        )

    def admits(self, resource: str | None, operation: str) -> bool:
        """Whether code under this constraint can run for ``resource``/``operation``."""
        res_ok = self.resources is None or resource is None or resource in self.resources
        return res_ok and (self.operations is None or operation in self.operations)

    @property
    def specificity(self) -> int:
        """2 when the operation is named, 1 when only the resource is, 0 otherwise."""
        return 2 if self.operations is not None else 1 if self.resources is not None else 0


ANY = Constraint()


def _meet(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if a is None:
        return b
    if b is None:
        return a
    return a & b


@dataclass(frozen=True)
class Value:
    """A resolved expression: literal text, n8n parameters, unresolved names, dynamic code."""

    parts: tuple[tuple[PartKind, str], ...]
    specific: bool = False  # resolution went through an operation-specific assignment

    def literal(self) -> str | None:
        """The text when every part is literal."""
        if all(kind == "lit" for kind, _ in self.parts):
            return "".join(text for _, text in self.parts)
        return None

    def params(self) -> list[str]:
        """The n8n parameters the value comes from."""
        return [text for kind, text in self.parts if kind == "param"]


@dataclass(frozen=True)
class Binding:
    """An assignment ``name = value`` (or ``obj.key = value``) under a constraint."""

    name: str
    constraint: Constraint
    value: Node
    position: int
    scope: tuple[int, int]


@dataclass
class Request:
    """A request call: its arguments (as the callee sees them) or its options object."""

    source: Source
    node: Node
    callee: str
    constraint: Constraint
    scope: tuple[int, int]
    args: list[Node] = field(default_factory=list)
    options: Node | None = None


@dataclass
class FileFacts:
    """The request calls, bindings and functions of one file."""

    source: Source
    requests: list[Request] = field(default_factory=list)
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    fields: dict[str, list[Binding]] = field(default_factory=dict)  # "obj.key" / "obj.*"
    functions: dict[str, Node] = field(default_factory=dict)
    calls: list[tuple[str, Constraint, int]] = field(default_factory=list)  # callee, guard, pos
    group: int = 0  # preference among a node's files (its own version directory first)


def read_file(source: Source, base: Constraint = ANY) -> FileFacts:
    """Walk one file; ``base`` is the constraint its location implies (an action file)."""
    facts = FileFacts(source)
    _Walker(facts).visit(source.root, base, (0, len(source.data)), 0)
    return facts


class _Walker:
    def __init__(self, facts: FileFacts) -> None:
        self.facts = facts
        self.src = facts.source
        self.dims: dict[str, str] = {"resource": "resource", "operation": "operation"}

    def visit(self, node: Node, guard: Constraint, scope: tuple[int, int], depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        kind = node.type
        if kind in FUNCTION_TYPES:
            name = child(node, "name")
            if name is not None:
                self.facts.functions.setdefault(self.src.text(name), node)
            elif node.parent is not None and node.parent.type == "variable_declarator":
                target = child(node.parent, "name")
                if target is not None:
                    self.facts.functions.setdefault(self.src.text(target), node)
            scope = (node.start_byte, node.end_byte)
        elif kind == "if_statement":
            test = child(node, "condition")
            inner = guard.both(self.condition(test)) if test is not None else guard
            consequence = child(node, "consequence")
            if consequence is not None:
                self.visit(consequence, inner, scope, depth + 1)
            alternative = child(node, "alternative")
            if alternative is not None:
                self.visit(alternative, guard, scope, depth + 1)
            return
        elif kind == "switch_statement":
            self.switch(node, guard, scope, depth)
            return
        elif kind == "ternary_expression":
            test = child(node, "condition")
            inner = guard.both(self.condition(test)) if test is not None else guard
            for branch, constraint in (("consequence", inner), ("alternative", guard)):
                part = child(node, branch)
                if part is not None:
                    self.visit(part, constraint, scope, depth + 1)
            return
        elif kind == "variable_declarator":
            self.bind(child(node, "name"), child(node, "value"), guard, scope, node)
        elif kind in ("assignment_expression", "augmented_assignment_expression"):
            self.bind(child(node, "left"), child(node, "right"), guard, scope, node)
        elif kind == "call_expression":
            self.call(node, guard, scope)
        for sub in node.named_children:
            self.visit(sub, guard, scope, depth + 1)

    # -- conditions -------------------------------------------------------------------------

    def dimension(self, node: Node | None) -> str | None:
        """``resource``/``operation`` when ``node`` names n8n's resource or operation."""
        if node is None:
            return None
        node = unwrap(node)
        if node.type == "identifier":
            return self.dims.get(self.src.text(node))
        if node.type == "member_expression":
            prop = child(node, "property")
            text = self.src.text(prop) if prop is not None else ""
            return text if text in ("resource", "operation") else None
        if node.type == "call_expression" and callee_name(self.src, node) == "getNodeParameter":
            args = call_arguments(self.src, node)
            name = string_value(self.src, unwrap(args[0])) if args else None
            return name if name in ("resource", "operation") else None
        return None

    def condition(self, node: Node, depth: int = 0) -> Constraint:
        node = unwrap(node)
        if depth > 20:
            return ANY
        if node.type == "binary_expression":
            op = child(node, "operator")
            operator = self.src.text(op) if op is not None else ""
            left, right = child(node, "left"), child(node, "right")
            if left is None or right is None:
                return ANY
            if operator == "&&":
                return self.condition(left, depth + 1).both(self.condition(right, depth + 1))
            if operator == "||":
                return _join(self.condition(left, depth + 1), self.condition(right, depth + 1))
            if operator in ("===", "=="):
                for a, b in ((left, right), (right, left)):
                    value = string_value(self.src, unwrap(b))
                    if value is None:
                        continue
                    dim = self.dimension(a)
                    if dim is not None:
                        return _single(dim, frozenset({value}))
                    if a.type == "identifier" and ":" in value:  # fullOperation === 'a:b'
                        res, _, oper = value.partition(":")
                        return Constraint(frozenset({res}), frozenset({oper}))
            return ANY
        if node.type == "call_expression" and callee_name(self.src, node) == "includes":
            function = child(node, "function")
            args = call_arguments(self.src, node)
            target = child(function, "object") if function is not None else None
            if target is not None and len(args) == 1 and unwrap(target).type == "array":
                dim = self.dimension(args[0])
                values = [string_value(self.src, v) for v in unwrap(target).named_children]
                if dim is not None and values and all(v is not None for v in values):
                    return _single(dim, frozenset(v for v in values if v is not None))
        return ANY

    def switch(self, node: Node, guard: Constraint, scope: tuple[int, int], depth: int) -> None:
        value = child(node, "value")
        dim = self.dimension(value)
        body = child(node, "body")
        if body is None:
            return
        pending: set[str] = set()
        for case in body.named_children:
            if case.type == "switch_default":
                pending.clear()
                for stmt in case.named_children:
                    self.visit(stmt, guard, scope, depth + 1)
                continue
            if case.type != "switch_case":
                continue
            test = child(case, "value")
            label = string_value(self.src, unwrap(test)) if test is not None else None
            if label is not None:
                pending.add(label)
            statements = [s for s in case.named_children if s != test and s.type != "comment"]
            inner = guard
            if dim is not None and label is not None:
                inner = guard.both(_single(dim, frozenset(pending)))
            for stmt in statements:
                self.visit(stmt, inner, scope, depth + 1)
            if statements:
                pending.clear()

    # -- bindings and calls -----------------------------------------------------------------

    def bind(
        self,
        target: Node | None,
        value: Node | None,
        guard: Constraint,
        scope: tuple[int, int],
        where: Node,
    ) -> None:
        if target is None or value is None:
            return
        if target.type == "identifier":
            name = self.src.text(target)
            dim = self.dimension(value)
            if dim is not None:
                self.dims[name] = dim
            binding = Binding(name, guard, value, where.start_byte, scope)
            self.facts.bindings.setdefault(name, []).append(binding)
        elif target.type in ("member_expression", "subscript_expression"):
            obj = child(target, "object")
            key = self.member_key(target)
            if obj is not None and obj.type == "identifier" and key is not None:
                name = f"{self.src.text(obj)}.{key}"
                binding = Binding(name, guard, value, where.start_byte, scope)
                self.facts.fields.setdefault(name, []).append(binding)

    def member_key(self, target: Node) -> str | None:
        if target.type == "member_expression":
            prop = child(target, "property")
            return self.src.text(prop) if prop is not None else None
        index = child(target, "index")
        return string_value(self.src, index) if index is not None else None

    def call(self, node: Node, guard: Constraint, scope: tuple[int, int]) -> None:
        name = callee_name(self.src, node)
        if name is None:
            return
        args = call_arguments(self.src, node)
        self.facts.calls.append((name, guard, node.start_byte))
        if name == "assign" and len(args) >= 2 and args[0].type == "identifier":
            target = self.src.text(args[0])
            for extra in args[1:]:
                binding = Binding(f"{target}.*", guard, extra, node.start_byte, scope)
                self.facts.fields.setdefault(f"{target}.*", []).append(binding)
            return
        if not _REQUEST_NAME.search(name):
            return
        options = next((a for a in args[:3] if _is_options(self.src, a)), None)
        self.facts.requests.append(
            Request(self.src, node, name, guard, scope, args=args, options=options)
        )


def _single(dim: str, values: frozenset[str]) -> Constraint:
    return Constraint(resources=values) if dim == "resource" else Constraint(operations=values)


def _join(a: Constraint, b: Constraint) -> Constraint:
    """``a || b``: the union where both name the same dimension, else unconstrained."""
    if a.operations is not None and b.operations is not None and a.resources == b.resources:
        return Constraint(a.resources, a.operations | b.operations)
    if (
        a.resources is not None
        and b.resources is not None
        and a.operations is None
        and b.operations is None
    ):
        return Constraint(a.resources | b.resources, None)
    return ANY


def _is_options(source: Source, node: Node) -> bool:
    if node.type != "object":
        return False
    keys = set()
    for pair in node.named_children:
        if pair.type == "pair":
            key = child(pair, "key")
            if key is not None:
                keys.add(source.text(key).strip("'\""))
    return "method" in keys and bool(keys & {"url", "uri"})
