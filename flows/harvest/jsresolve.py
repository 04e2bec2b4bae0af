"""Resolve the expressions of request calls per n8n resource/operation (static, bounded)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from flows.harvest.jsparse import (
    Node,
    Source,
    call_arguments,
    callee_name,
    function_params,
    string_value,
    unwrap,
    walk,
)
from flows.harvest.jsparse import field as child
from flows.harvest.jsread import (
    _PASS_THROUGH,
    HTTP_METHODS,
    MAX_RESOLVE_DEPTH,
    Binding,
    FileFacts,
    PartKind,
    Request,
    Value,
)

Ref = tuple[str | None, str | None]  # (resource, operation); (None, None) admits everything
MAX_HELPER_DEPTH = 4
_PASS_LIKE = re.compile(r"encode|decode|trim|slash|segment|sanitize|escape", re.IGNORECASE)
_REQUEST_LIKE = re.compile(r"request", re.IGNORECASE)
_MEMBER_CHAIN = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$")


@dataclass
class Resolved:
    """One request call resolved for one resource/operation."""

    request: Request
    method: str | None
    path: Value | None
    path_index: int | None = None
    body: dict[str, Value] = field(default_factory=dict)
    query: dict[str, Value] = field(default_factory=dict)
    spreads: list[Value] = field(default_factory=list)  # Object.assign(body, <collection>)

    @property
    def specific(self) -> bool:
        """Whether this call belongs to the resource/operation (not shared code)."""
        return self.request.constraint.specificity > 0 or bool(
            self.path is not None and self.path.specific
        )


def _lit(text: str) -> Value:
    return Value((("lit", text),))


def _one(kind: PartKind, text: str) -> Value:
    return Value(((kind, text),))


class OutOfTime(Exception):
    """The node's time budget is spent (hostile or huge code)."""


class Resolver:
    """Resolves values inside the files of one node (bindings are per file)."""

    def __init__(self, files: list[FileFacts], deadline: float | None = None) -> None:
        self.deadline = deadline
        self.files = files
        self.field_keys: dict[int, dict[str, list[str]]] = {}
        for facts in files:
            keys: dict[str, list[str]] = {}
            for dotted in facts.fields:
                keys.setdefault(dotted.split(".", 1)[0], []).append(dotted)
            self.field_keys[id(facts)] = keys
        self.by_source = {id(f.source): f for f in files}
        self.functions: dict[str, tuple[FileFacts, Node]] = {}
        for facts in files:
            for name, node in facts.functions.items():
                self.functions.setdefault(name, (facts, node))

    # -- values -----------------------------------------------------------------------------

    def value(self, facts: FileFacts, node: Node, ref: Ref, at: int, depth: int = 0) -> Value:
        """What ``node`` (in ``facts``' file) evaluates to for ``ref``, as seen at byte ``at``."""
        src = facts.source
        node = unwrap(node)
        if depth > MAX_RESOLVE_DEPTH:
            return _one("dyn", src.text(node)[:80])
        literal = string_value(src, node)
        if literal is not None:
            return _lit(literal)
        kind = node.type
        if kind == "number":
            return _lit(src.text(node))
        if kind == "template_string":
            return self._template(facts, node, ref, at, depth)
        if kind == "binary_expression":
            return self._binary(facts, node, ref, at, depth)
        if kind == "identifier":
            binding = self.binding(facts.bindings.get(src.text(node), []), ref, at)
            if binding is None:
                return _one("var", src.text(node))
            inner = self.value(facts, binding.value, ref, binding.position, depth + 1)
            specific = inner.specific or binding.constraint.specificity > 0
            if len(inner.parts) == 1 and inner.parts[0][0] == "dyn":
                return Value((("hole", src.text(node)),), specific)
            return Value(inner.parts, specific)
        if kind == "call_expression":
            return self._call(facts, node, ref, at, depth)
        if kind == "member_expression":
            obj, prop = child(node, "object"), child(node, "property")
            if obj is not None and prop is not None:
                if obj.type == "this":
                    return _one("var", src.text(prop))
                base = self.value(facts, obj, ref, at, depth + 1)
                if base.params() and len(base.parts) == 1:
                    return base  # a resource locator's .value, a collection's field
                if _MEMBER_CHAIN.match(src.text(node)):
                    return _one("hole", src.text(prop))  # credentials.companyId → {companyId}
        return _one("dyn", src.text(node)[:80])

    def _template(self, facts: FileFacts, node: Node, ref: Ref, at: int, depth: int) -> Value:
        parts: list[tuple[PartKind, str]] = []
        specific = False
        src = facts.source
        for part in node.named_children:
            if part.type == "template_substitution":
                inner = part.named_children[0] if part.named_children else None
                if inner is None:
                    continue
                value = self.value(facts, inner, ref, at, depth + 1)
                parts += value.parts
                specific = specific or value.specific
            else:
                parts.append(("lit", string_value(src, part) or src.text(part)))
        return Value(_merge(parts), specific)

    def _binary(self, facts: FileFacts, node: Node, ref: Ref, at: int, depth: int) -> Value:
        src = facts.source
        op = child(node, "operator")
        operator = src.text(op) if op is not None else ""
        left, right = child(node, "left"), child(node, "right")
        if left is None or right is None:
            return _one("dyn", src.text(node)[:80])
        a = self.value(facts, left, ref, at, depth + 1)
        b = self.value(facts, right, ref, at, depth + 1)
        if operator == "+":
            return Value(_merge([*a.parts, *b.parts]), a.specific or b.specific)
        if operator in ("||", "??"):
            if a.literal() is None and b.literal() is not None:
                return b
            return a
        return _one("dyn", src.text(node)[:80])

    def _call(self, facts: FileFacts, node: Node, ref: Ref, at: int, depth: int) -> Value:
        src = facts.source
        name = callee_name(src, node)
        args = call_arguments(src, node)
        if name == "getNodeParameter" and args:
            param = string_value(src, unwrap(args[0]))
            if param == "resource" and ref[0] is not None:
                return Value((("lit", ref[0]),), True)
            if param == "operation" and ref[1] is not None:
                return Value((("lit", ref[1]),), True)
            if param is not None:
                return _one("param", param)
        if name is not None and (name in _PASS_THROUGH or _PASS_LIKE.search(name)):
            function = child(node, "function")
            if args:
                return self.value(facts, args[0], ref, at, depth + 1)
            obj = child(function, "object") if function is not None else None
            if obj is not None:
                return self.value(facts, obj, ref, at, depth + 1)
        if args and name is not None and not _REQUEST_LIKE.search(name):
            first = self.value(facts, args[0], ref, at, depth + 1)
            if len(first.parts) == 1 and first.parts[0][0] == "param":
                return first  # extractId(this.getNodeParameter('id')): still that parameter
        return _one("dyn", src.text(node)[:80])

    def binding(self, bindings: list[Binding], ref: Ref, at: int) -> Binding | None:
        """The last binding before ``at`` whose scope holds ``at`` and that can run for ``ref``."""
        chosen: Binding | None = None
        for binding in bindings:
            if binding.position >= at or not binding.scope[0] <= at <= binding.scope[1]:
                continue
            if ref[1] is not None and not binding.constraint.admits(ref[0], ref[1]):
                continue
            if chosen is None or binding.position > chosen.position:
                chosen = binding
        return chosen

    # -- request calls ----------------------------------------------------------------------

    def resolve(self, request: Request, ref: Ref) -> Resolved:
        """``request``'s method, path, body and query for ``ref``."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise OutOfTime
        facts = self.by_source[id(request.source)]
        at = request.node.start_byte
        if request.options is not None:
            return self._from_options(facts, request, ref, at)
        for index, arg in enumerate(request.args[:3]):
            method = self.value(facts, arg, ref, at).literal()
            if method is not None and method.upper() in HTTP_METHODS:
                path_index = self._path_index(facts, request, ref, at, index)
                if path_index is None:
                    return Resolved(request, method.upper(), None)
                path = self.value(facts, request.args[path_index], ref, at)
                result = Resolved(request, method.upper(), path, path_index)
                names = self._helper_params(request.callee)
                for offset, arg_node in enumerate(request.args[index + 2 :], start=index + 2):
                    pname = names[offset] if offset < len(names) else ""
                    role = _role(pname, offset - index - 2)
                    if role is not None:
                        self._fields(facts, arg_node, ref, at, result, role)
                return result
        return Resolved(request, None, None)

    def _path_index(
        self, facts: FileFacts, request: Request, ref: Ref, at: int, method_index: int
    ) -> int | None:
        """The argument after the method, or the one before it when that one is a path
        (``jiraApiRequest('/api/2/issue', 'POST', body)``)."""
        after = method_index + 1
        if after < len(request.args) and _path_like(
            self.value(facts, request.args[after], ref, at)
        ):
            return after
        if method_index > 0:
            before = self.value(facts, request.args[method_index - 1], ref, at)
            if _path_like(before):
                return method_index - 1
        return after if after < len(request.args) else None

    def _from_options(self, facts: FileFacts, request: Request, ref: Ref, at: int) -> Resolved:
        src = facts.source
        pairs: dict[str, Node] = {}
        assert request.options is not None
        for pair in request.options.named_children:
            key, val = child(pair, "key"), child(pair, "value")
            if pair.type == "pair" and key is not None and val is not None:
                pairs[src.text(key).strip("'\"")] = val
        method = self.value(facts, pairs["method"], ref, at).literal()
        url_node = pairs.get("url") or pairs.get("uri")
        path = self.value(facts, url_node, ref, at) if url_node is not None else None
        result = Resolved(request, method.upper() if method else None, path)
        if method is None or method.upper() not in HTTP_METHODS:
            result.method = None
        for option, role in (("body", "body"), ("qs", "query"), ("json", "body")):
            if option in pairs:
                self._fields(facts, pairs[option], ref, at, result, role)
        return result

    def _fields(
        self, facts: FileFacts, node: Node, ref: Ref, at: int, result: Resolved, role: str
    ) -> None:
        target = result.body if role == "body" else result.query
        src = facts.source
        node = unwrap(node)
        if node.type == "object":
            for pair in node.named_children:
                key, val = child(pair, "key"), child(pair, "value")
                if pair.type == "pair" and key is not None and val is not None:
                    target[src.text(key).strip("'\"")] = self.value(facts, val, ref, at)
                elif pair.type == "shorthand_property_identifier":
                    target[src.text(pair)] = self.value(facts, pair, ref, at)
            return
        if node.type != "identifier":
            return
        name = src.text(node)
        whole = self.binding(facts.bindings.get(name, []), ref, at)
        if whole is not None:
            value = self.value(facts, whole.value, ref, whole.position)
            if value.params():
                result.spreads.append(value)
        start = whole.position if whole is not None else -1
        prefix = name + "."
        for dotted in self.field_keys[id(facts)].get(name, []):
            bindings = facts.fields[dotted]
            binding = self.binding(bindings, ref, at)
            if binding is None or binding.position < start:
                continue
            value = self.value(facts, binding.value, ref, binding.position)
            if dotted.endswith(".*"):
                if value.params():
                    result.spreads.append(value)
            else:
                target[dotted[len(prefix) :]] = value

    def _helper_params(self, callee: str) -> list[str]:
        found = self.functions.get(callee)
        if found is None:
            return []
        return function_params(found[0].source, found[1])

    # -- helpers' base URLs -----------------------------------------------------------------

    def base_url(self, callee: str, path_index: int, depth: int = 0) -> Value | None:
        """What a request helper puts before its path argument (e.g. ``https://api.x.com/v1``)."""
        found = self.functions.get(callee)
        if found is None or depth > MAX_HELPER_DEPTH:
            return None
        facts, function = found
        params = function_params(facts.source, function)
        if path_index >= len(params) or not params[path_index]:
            return None
        path_name = params[path_index]
        src = facts.source
        body = child(function, "body")
        if body is None:
            return None
        for node in walk(body):
            if node.type in ("template_string", "binary_expression"):
                value = self.value(facts, node, (None, None), node.start_byte)
                prefix = _prefix_before(value, path_name)
                if prefix is not None:
                    return prefix
            elif node.type == "call_expression":
                name = callee_name(src, node)
                if name is None or name == callee or name not in self.functions:
                    continue
                for index, arg in enumerate(call_arguments(src, node)):
                    if arg.type == "identifier" and src.text(arg) == path_name:
                        inner = self.base_url(name, index, depth + 1)
                        if inner is not None:
                            return inner
        return None


def _path_like(value: Value) -> bool:
    first = value.parts[0] if value.parts else ("lit", "")
    return first[0] == "lit" and first[1].startswith(("/", "http://", "https://"))


def _prefix_before(value: Value, path_name: str) -> Value | None:
    for index, (kind, text) in enumerate(value.parts):
        if kind == "var" and text == path_name:
            prefix = value.parts[:index]
            if (
                prefix
                and prefix[0][0] == "lit"
                and prefix[0][1].startswith(("http://", "https://"))
            ):
                return Value(prefix)
            if prefix:
                return Value(prefix)
            return None
    return None


def _role(param_name: str, position_after_path: int) -> str | None:
    lowered = param_name.lower()
    if "body" in lowered or lowered == "data":
        return "body"
    if lowered in ("qs", "query", "querystring", "params") or "query" in lowered:
        return "query"
    if param_name:
        return None
    return ("body", "query")[position_after_path] if position_after_path < 2 else None


def _merge(parts: list[tuple[PartKind, str]]) -> tuple[tuple[PartKind, str], ...]:
    out: list[tuple[PartKind, str]] = []
    for kind, text in parts:
        if kind == "lit" and out and out[-1][0] == "lit":
            out[-1] = ("lit", out[-1][1] + text)
        elif kind != "lit" or text:
            out.append((kind, text))
    return tuple(out)


def first_source(files: list[FileFacts]) -> Source | None:
    """The first parsed file (for messages)."""
    return files[0].source if files else None
