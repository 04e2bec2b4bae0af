"""Safe, bounded YAML reading that remembers where every value came from.

Only YAML's safe types are built; anchors and aliases are allowed but bounded so that an
alias bomb ("billion laughs") is refused in milliseconds; duplicate keys are errors; every
value's line and column are kept so that later errors can point at them. This is the one YAML
reader of flows: connector specs, policies and fixtures use the default :data:`SPEC_LIMITS`;
OpenAPI descriptions (:mod:`connector_spec.openapi.source`) pass larger :class:`YamlLimits`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from connector_spec.errors import Diagnostic, SpecError
from connector_spec.files import LONG_NUMBER_HINT, UnreadableFile, read_input_file

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_ALIASES = 64
MAX_NODES = 200_000
MAX_DEPTH = 100

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlLimits:
    """How much one YAML document may hold, and what to say when it holds more."""

    max_nodes: int = MAX_NODES
    max_aliases: int = MAX_ALIASES
    max_depth: int = MAX_DEPTH
    empty_hint: str | None = "start from 'flows template connector NAME'"
    size_hint: str = "a connector spec holds far fewer values; split it or remove embedded data"
    depth_hint: str = "a connector spec needs far less nesting; flatten it with $ref schemas"


#: Connector specs, policies, fixtures.
SPEC_LIMITS = YamlLimits()


@dataclass
class SourceMap:
    """Line/column (1-based) of each value and each mapping key, by path."""

    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def position(self, loc: Loc) -> tuple[int, int] | None:
        """Best known position for ``loc``: its key, its value, or its nearest parent."""
        probe = loc
        while True:
            if probe in self.keys:
                return self.keys[probe]
            if probe in self.values:
                return self.values[probe]
            if not probe:
                return None
            probe = probe[:-1]


@dataclass
class YamlDocument:
    """A parsed YAML document with its source positions."""

    path: str
    data: Any
    source_map: SourceMap
    raw: bytes


class _Problem(Exception):
    def __init__(self, message: str, node: yaml.Node | None, hint: str | None = None) -> None:
        super().__init__(message)
        self.node = node
        self.hint = hint


_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _fail(
    path: str, line: int | None, col: int | None, message: str, hint: str | None
) -> SpecError:
    return SpecError([Diagnostic(path, line, col, "", message, hint)])


def read_text(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """Read a file's bytes, refusing missing, unreadable, oversized or non-regular files.

    Uses :func:`connector_spec.files.read_input_file` (a FIFO or a symlink loop is refused,
    never blocked on) and reports problems as a :class:`SpecError`.
    """
    try:
        return read_input_file(
            path,
            max_bytes=max_bytes,
            size_hint="a connector spec is small; split generated content or remove embedded data",
        )
    except UnreadableFile as exc:
        raise SpecError(exc.items) from None


def parse_yaml(
    raw: bytes, path: str, *, limits: YamlLimits = SPEC_LIMITS, positions: bool = True
) -> YamlDocument:
    """Parse one YAML document into plain data plus a :class:`SourceMap`.

    ``limits`` bound it (default: a connector spec's); without ``positions`` the source map
    stays empty (a large OpenAPI description needs no position per value).
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(path, None, None, f"file is not UTF-8 text (byte {exc.start})", None) from None
    loader = _Loader(text)
    try:
        _check_depth(text, path, limits)
        root = loader.get_single_node()
        if root is None:
            raise _fail(path, 1, 1, "file is empty", limits.empty_hint)
        expanded = _expanded_size(root, {}, limits.max_nodes)
        if expanded > limits.max_nodes:
            message = _too_many_values(expanded, _has_alias(text), limits.max_nodes)
            raise _Problem(message, root, limits.size_hint)
        source_map = SourceMap()
        builder = _Builder(loader, source_map, limits, positions)
        data = builder.build(root, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{problem} ({exc.context})"
        raise _fail(path, line, col, f"YAML syntax error: {problem}", _syntax_hint(exc)) from None
    except yaml.YAMLError as exc:
        raise _fail(path, None, None, f"YAML error: {exc}", None) from None
    except RecursionError:
        raise _fail(path, None, None, "document is nested too deeply", None) from None
    except _Problem as exc:
        line = exc.node.start_mark.line + 1 if exc.node else None
        col = exc.node.start_mark.column + 1 if exc.node else None
        raise _fail(path, line, col, str(exc), exc.hint) from None
    finally:
        loader.dispose()
    return YamlDocument(path=path, data=data, source_map=source_map, raw=raw)


def _has_alias(text: str) -> bool:
    """True when the document uses an alias (``*name``) anywhere."""
    scanner = _Loader(text)
    try:
        while scanner.check_token():
            if isinstance(scanner.get_token(), yaml.AliasToken):  # type: ignore[no-untyped-call]
                return True
        return False
    finally:
        scanner.dispose()


def _too_many_values(count: int | None, aliased: bool, limit: int = MAX_NODES) -> str:
    """The message for a document over ``limit`` values, naming the real limit."""
    amount = f"{count:,} values" if count is not None else f"more than {limit:,} values"
    if aliased:
        return (
            f"document expands to {amount} once its aliases are expanded; the limit is "
            f"{limit:,} values; refusing an alias bomb"
        )
    return f"document has {amount}; the limit is {limit:,} values (keys, items and scalars)"


def _syntax_hint(exc: yaml.MarkedYAMLError) -> str:
    """What to do about a YAML syntax error; indentation is the usual cause."""
    text = f"{exc.problem or ''} {exc.context or ''}"
    if "expected" in text or "mapping values are not allowed" in text or "indent" in text:
        return (
            "check the indentation of this line and the one above: keys of one mapping must "
            "start in the same column, use spaces (not tabs), and quote values containing ': '"
        )
    if "tab" in text:
        return "YAML indentation must use spaces, not tabs"
    return "check the YAML syntax at this place (quotes, brackets, indentation)"


def _check_depth(text: str, path: str, limits: YamlLimits) -> None:
    """Refuse deeply nested collections before composing (the C composer recurses per level)."""
    scanner = _Loader(text)
    try:
        depth = 0
        while scanner.check_event():
            event = scanner.get_event()  # type: ignore[no-untyped-call]
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > limits.max_depth:
                    mark = event.start_mark
                    raise _fail(
                        path,
                        mark.line + 1 if mark else None,
                        mark.column + 1 if mark else None,
                        f"document is nested more than {limits.max_depth} levels deep",
                        limits.depth_hint,
                    )
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    finally:
        scanner.dispose()


def _expanded_size(node: yaml.Node, memo: dict[int, int], limit: int = MAX_NODES) -> int:
    """How many values ``node`` becomes once every alias is expanded (linear in the graph)."""
    known = memo.get(id(node))
    if known is not None:
        return known
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(child, memo, limit) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            size += _expanded_size(key, memo, limit) + _expanded_size(value, memo, limit)
            if size > limit:
                break
    memo[id(node)] = size
    return size


class _Builder:
    """Builds plain Python data from composed nodes, with a node budget."""

    def __init__(
        self,
        loader: yaml.SafeLoader,
        source_map: SourceMap,
        limits: YamlLimits = SPEC_LIMITS,
        positions: bool = True,
    ) -> None:
        self.loader = loader
        self.source_map = source_map
        self.limits = limits
        self.positions = positions
        self.budget = limits.max_nodes
        self.seen: set[int] = set()
        self.aliases = 0
        self.expanding = 0

    def _position(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.budget -= 1
        if self.budget < 0:
            message = _too_many_values(None, self.aliases > 0, self.limits.max_nodes)
            raise _Problem(message, node, self.limits.size_hint)
        if self.positions:
            self.source_map.values.setdefault(loc, self._position(node))
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        # A node met again is an alias: composition shares it, building expands it.
        if id(node) in self.seen:
            if not self.expanding:
                self.aliases += 1
                if self.aliases > self.limits.max_aliases:
                    raise _Problem(
                        f"more than {self.limits.max_aliases} aliases; refusing a possible "
                        "alias bomb",
                        node,
                    )
            self.expanding += 1
            try:
                return self._build_collection(node, loc)
            finally:
                self.expanding -= 1
        self.seen.add(id(node))
        return self._build_collection(node, loc)

    def _scalar(self, node: yaml.Node) -> Any:
        """Construct a scalar; a number too long to convert is a located problem, not a crash."""
        try:
            return self.loader.construct_object(node, deep=True)
        except ValueError as exc:
            raise _Problem(
                f"cannot read the value {_preview(node)}: {_short(exc)}",
                node,
                LONG_NUMBER_HINT,
            ) from None

    def _build_collection(self, node: yaml.Node, loc: Loc) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*loc, i)) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self._scalar(key_node)
                if isinstance(key, bool) or not isinstance(key, (str, int)):
                    raise _Problem(f"mapping keys must be strings, got {key!r}", key_node)
                key = str(key)
                if key in result:
                    raise _Problem(
                        f"duplicate key {key!r}", key_node, "each key may appear once per mapping"
                    )
                if self.positions:
                    self.source_map.keys[(*loc, key)] = self._position(key_node)
                result[key] = self.build(value_node, (*loc, key))
            return result
        raise _Problem("unsupported YAML node", node)  # pragma: no cover - yaml has only three


def _preview(node: yaml.Node) -> str:
    text = str(node.value)
    return repr(text) if len(text) <= 40 else f"{text[:20]!r}... ({len(text):,} characters)"


def _short(exc: ValueError) -> str:
    text = str(exc)
    return text.split(";")[0] if "digits" in text else text
