"""Parse n8n's compiled node code as data (tree-sitter's JavaScript grammar; never executed).

Everything here is bounded: files over :data:`MAX_JS_BYTES` are not parsed, and walks stop at
:data:`MAX_DEPTH` levels of nesting, so hostile input costs bounded time and memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import tree_sitter
import tree_sitter_javascript

#: Larger files are not parsed (n8n's largest compiled node file is about 300 KB).
MAX_JS_BYTES = 2 * 1024 * 1024
#: How deep walks over the syntax tree go (real code nests a few dozen levels).
MAX_DEPTH = 400

Node = tree_sitter.Node


@lru_cache(maxsize=1)
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_javascript.language()))


@dataclass(frozen=True)
class Source:
    """One parsed file: its name (relative to the node's directory), bytes and syntax tree."""

    name: str
    data: bytes
    root: Node

    def text(self, node: Node) -> str:
        """The source text of ``node``."""
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def line(self, node: Node) -> int:
        """The 1-based line of ``node``."""
        return int(node.start_point[0]) + 1


def parse_source(name: str, data: bytes) -> Source | None:
    """Parse ``data`` as JavaScript; ``None`` when it is too large to read."""
    if len(data) > MAX_JS_BYTES:
        return None
    return Source(name, data, _parser().parse(data).root_node)


def walk(node: Node, max_depth: int = MAX_DEPTH) -> Iterator[Node]:
    """Every named node under ``node`` (pre-order, iterative, at most ``max_depth`` deep)."""
    stack: list[tuple[Node, int]] = [(node, 0)]
    while stack:
        current, depth = stack.pop()
        yield current
        if depth < max_depth:
            stack.extend((child, depth + 1) for child in reversed(current.named_children))


def field(node: Node, name: str) -> Node | None:
    """The child in field ``name`` (``None`` when absent)."""
    return node.child_by_field_name(name)


def string_value(source: Source, node: Node | None) -> str | None:
    """The value of a string literal, or of a template string without substitutions."""
    if node is None:
        return None
    if node.type == "string":
        inner = source.text(node)[1:-1]
        return _unescape(inner)
    if node.type == "template_string":
        if any(child.type == "template_substitution" for child in node.named_children):
            return None
        return _unescape(source.text(node)[1:-1])
    return None


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            out.append({"n": "\n", "t": "\t", "r": "\r"}.get(nxt, nxt))
        else:
            out.append(char)
    return "".join(out)


def callee_name(source: Source, call: Node) -> str | None:
    """The called function's own name: ``a.b.fooApiRequest.call(...)`` → ``fooApiRequest``.

    ``(0, x.foo)(...)`` (TypeScript's compiled imports) gives ``foo`` as well.
    """
    function = field(call, "function")
    if function is None:
        return None
    if function.type == "member_expression":
        prop = field(function, "property")
        obj = field(function, "object")
        if prop is not None and source.text(prop) in ("call", "apply") and obj is not None:
            function = obj
    while function.type == "parenthesized_expression" and function.named_child_count:
        function = function.named_children[-1]
        if function.type == "sequence_expression" and function.named_child_count:
            function = function.named_children[-1]
    if function.type == "sequence_expression" and function.named_child_count:
        function = function.named_children[-1]
    if function.type == "identifier":
        return source.text(function)
    if function.type == "member_expression":
        prop = field(function, "property")
        return source.text(prop) if prop is not None else None
    return None


def call_arguments(source: Source, call: Node) -> list[Node]:
    """The arguments as the callee sees them (``f.call(this, a, b)`` → ``[a, b]``)."""
    args = field(call, "arguments")
    if args is None:
        return []
    values = [child for child in args.named_children if child.type != "comment"]
    function = field(call, "function")
    if function is not None and function.type == "member_expression":
        prop = field(function, "property")
        if prop is not None and source.text(prop) == "call" and values:
            return values[1:]
    return values


def function_params(source: Source, function: Node) -> list[str]:
    """The parameter names of a function node (``a = 1`` gives ``a``; patterns give ``''``)."""
    params = field(function, "parameters")
    if params is None:
        return []
    names: list[str] = []
    for param in params.named_children:
        if param.type == "assignment_pattern":
            param = field(param, "left") or param
        names.append(source.text(param) if param.type == "identifier" else "")
    return names


FUNCTION_TYPES = frozenset(
    {
        "function_declaration",
        "function_expression",
        "arrow_function",
        "method_definition",
        "generator_function_declaration",
    }
)


def function_name(source: Source, function: Node) -> str | None:
    """The declared name of a function (a declaration, a method, or ``const f = () => ...``)."""
    name = field(function, "name")
    if name is not None:
        return source.text(name)
    parent = function.parent
    if parent is not None and parent.type == "variable_declarator":
        target = field(parent, "name")
        return source.text(target) if target is not None else None
    return None


def unwrap(node: Any) -> Node:
    """``node`` without ``await``, parentheses and ``as``-style wrappers."""
    current: Node = node
    for _ in range(MAX_DEPTH):
        if current.type in ("await_expression", "parenthesized_expression", "non_null_expression"):
            inner = current.named_children
            if not inner:
                return current
            current = inner[-1]
            continue
        return current
    return current
