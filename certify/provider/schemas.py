"""Does one schema accept everything another describes? (spec ⟷ provider, either way).

Both sides are JSON-Schema-shaped dicts: the spec's schemas dumped from the model (``$ref``
``#/schemas/X``), the provider's as written in its OpenAPI description (``$ref``
``#/components/...``, OpenAPI 3.0 ``nullable``). A :class:`Side` resolves references and
knows where each node lives (a location tuple), so a disagreement is located on both sides.

The comparison is structural and deliberately about what breaks clients: types, ``null``,
required properties, closed enums and closed objects. Length, range and pattern limits are
left to the dynamic checks, which validate real requests and decode generated responses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

Loc = tuple[str | int, ...]
MAX_DEPTH = 12
MAX_STEPS = 50_000  # comparison steps per comparison (anyOf alternatives are tried)
JSON_TYPES = ("object", "array", "string", "integer", "number", "boolean")


@dataclass
class Side:
    """One side of a comparison: how to follow its ``$ref``s, and what it is called.

    ``nodes`` memoizes :func:`read` by location, so a description whose schemas reference
    each other densely (Stripe's reach hundreds of schemas from one charge) is read once.
    """

    name: str
    resolve: Callable[[dict[str, Any], Loc], tuple[dict[str, Any], Loc]]
    nodes: dict[Loc, Node] = field(default_factory=dict)
    building: set[Loc] = field(default_factory=set)


@dataclass(frozen=True)
class Finding:
    """``wide`` does not accept something ``narrow`` allows, at ``field``."""

    kind: str  # required | null | type | enum | closed
    field: str
    message: str
    wide_loc: Loc  # where the node is written
    narrow_loc: Loc
    wide_target: Loc  # where its content is (references followed)
    narrow_target: Loc


@dataclass
class Node:
    """The facts of one schema node that the comparison needs (references followed)."""

    loc: Loc  # where the node's content is (references followed)
    types: set[str]
    nullable: bool
    values: list[Any] | None  # a closed set of values (enum/const), None when open
    options: list[Node] = field(default_factory=list)
    properties: dict[str, Node] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    closed: bool = False  # additionalProperties: false
    items: Node | None = None
    permissive: bool = False
    at: Loc = ()  # where the node is written (before following a reference)


def read(side: Side, raw: Any, loc: Loc, depth: int = 0) -> Node:
    """The :class:`Node` of ``raw`` (found at ``loc``), down to :data:`MAX_DEPTH`."""
    written = loc
    if not isinstance(raw, dict) or depth > MAX_DEPTH:
        return Node(loc, set(), True, None, permissive=True, at=written)
    written_nullable = raw.get("nullable") is True  # a sibling of a $ref (the spec allows it)
    raw, loc = side.resolve(raw, loc)
    known = side.nodes.get(loc)
    if known is not None:
        if loc in side.building:  # a recursive schema: the node is still being read
            return known
        return replace(known, at=written, nullable=known.nullable or written_nullable)
    members = [(raw, loc)]
    for index, part in enumerate(raw.get("allOf") or []):
        if isinstance(part, dict):
            members.append(side.resolve(part, (*loc, "allOf", index)))
    types: set[str] = set()
    nullable = False
    values: list[Any] | None = None
    node = Node(loc, types, nullable, None, at=written)
    side.nodes[loc] = node
    side.building.add(loc)
    for member, where in members:
        kind = member.get("type")
        kinds = [kind] if isinstance(kind, str) else list(kind) if isinstance(kind, list) else []
        types.update(k for k in kinds if k != "null")
        nullable = nullable or "null" in kinds or member.get("nullable") is True
        if "const" in member:
            values = [member["const"]]
        elif isinstance(member.get("enum"), list):
            values = list(member["enum"])
        props = member.get("properties")
        if isinstance(props, dict):
            for name, child in props.items():
                node.properties[name] = read(side, child, (*where, "properties", name), depth + 1)
        required = member.get("required")
        if isinstance(required, list):
            node.required.update(r for r in required if isinstance(r, str))
        if member.get("additionalProperties") is False:
            node.closed = True
        if isinstance(member.get("items"), dict):
            node.items = read(side, member["items"], (*where, "items"), depth + 1)
        for key in ("anyOf", "oneOf"):
            group = member.get(key)
            if isinstance(group, list):
                node.options += [
                    read(side, option, (*where, key, index), depth + 1)
                    for index, option in enumerate(group)
                ]
    if values is not None:
        nullable = nullable or None in values
        values = [v for v in values if v is not None]
        if not types:
            types.update(_type_of(v) for v in values)
    if not types and not node.options:
        if node.properties or node.required:
            types.add("object")
        elif node.items is not None:
            types.add("array")
    node.values = values
    if node.options and (types or values is not None or node.properties or node.closed):
        # an instance satisfies the node's own keywords *and* one alternative
        merged = [_merge(node, nullable, option) for option in node.options]
        node.options = [m for m in merged if m is not None] or node.options
    node.nullable = nullable or any(o.nullable for o in node.options)
    node.permissive = not types and not node.options and values is None
    side.building.discard(loc)
    if written_nullable and not node.nullable:
        return replace(node, nullable=True)
    return node


def _merge(own: Node, own_nullable: bool, option: Node) -> Node | None:
    """``option`` with the keywords of the node that holds it (``None``: no instance fits)."""
    types = set(own.types or option.types)
    if own.types and option.types:
        types = own.types & option.types
        if "integer" in own.types | option.types and "number" in own.types | option.types:
            types.add("integer")
        if not types:
            return None
    values = own.values if own.values is not None else option.values
    if own.values is not None and option.values is not None:
        values = [v for v in own.values if v in option.values]
    return Node(
        option.loc,
        types,
        own_nullable or option.nullable,
        values,
        option.options,
        {**option.properties, **own.properties},
        own.required | option.required,
        own.closed or option.closed,
        own.items or option.items,
        at=option.at,
    )


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "string"


def _all_types(node: Node) -> set[str]:
    if node.permissive:
        return set(JSON_TYPES)
    found = set(node.types)
    for option in node.options:
        found |= _all_types(option)
    return found


def _covered(wide: set[str], narrow: set[str]) -> set[str]:
    """The types of ``narrow`` that ``wide`` does not accept (integers are numbers)."""
    return {t for t in narrow if t not in wide and not (t == "integer" and "number" in wide)}


def _show(values: list[Any]) -> str:
    return ", ".join(repr(v) for v in values[:8]) + (", ..." if len(values) > 8 else "")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


@dataclass
class Comparison:
    """Compares ``wide`` ⊇ ``narrow`` and collects :class:`Finding` s."""

    wide: Side
    narrow: Side
    findings: list[Finding] = field(default_factory=list)
    # generated clients read response enums as open (a new provider value never breaks
    # them), so only a request's enum (what the provider accepts) is a closed set
    closed_enums: bool = True
    budget: list[int] = field(default_factory=lambda: [MAX_STEPS])  # shared with trials

    def add(self, kind: str, path: str, message: str, wide: Node, narrow: Node) -> None:
        """Record one finding (at most one per field and kind)."""
        if any(f.field == (path or "<body>") and f.kind == kind for f in self.findings):
            return
        self.findings.append(
            Finding(kind, path or "<body>", message, wide.at, narrow.at, wide.loc, narrow.loc)
        )

    def covers(self, wide: Node, narrow: Node, path: str = "", depth: int = 0) -> None:
        """Record where ``wide`` does not accept what ``narrow`` allows."""
        self.budget[0] -= 1
        if wide.permissive or narrow.permissive or depth > MAX_DEPTH or self.budget[0] < 0:
            return
        label = f"`{path}`" if path else "the body"
        if narrow.nullable and not wide.nullable:
            self.add(
                "null",
                path,
                f"{label} can be null in {self.narrow.name}; {self.wide.name} does not allow null",
                wide,
                narrow,
            )
        if narrow.options:  # each alternative (with the node's own keywords merged in)
            for option in narrow.options:
                self.covers(wide, option, path, depth + 1)
            return
        if wide.options:
            wanted = narrow.types
            candidates = [o for o in wide.options if not _covered(_all_types(o), wanted)]
            if not candidates:
                missing = _covered(_all_types(wide), wanted)
                if missing:
                    self._type(path, label, wide, narrow, missing)
                return
            # the alternative that accepts it: the one with no finding, else the closest
            best: list[Finding] | None = None
            for option in candidates:
                trial = Comparison(self.wide, self.narrow, [], self.closed_enums, self.budget)
                trial.covers(option, narrow, path, depth + 1)
                if not trial.findings:
                    return
                if best is None or len(trial.findings) < len(best):
                    best = trial.findings
            for finding in best or []:
                if finding not in self.findings:
                    self.findings.append(finding)
            return
        missing = _covered(_all_types(wide), narrow.types)
        if missing:
            self._type(path, label, wide, narrow, missing)
        self._values(path, label, wide, narrow)
        if "object" in narrow.types and "object" in wide.types:
            self._object(path, wide, narrow, depth)
        if narrow.items is not None and wide.items is not None:
            self.covers(wide.items, narrow.items, f"{path}[]", depth + 1)

    def _type(self, path: str, label: str, wide: Node, narrow: Node, missing: set[str]) -> None:
        self.add(
            "type",
            path,
            f"{label} can be {' or '.join(sorted(missing))} in {self.narrow.name}; "
            f"{self.wide.name} only allows {' or '.join(sorted(_all_types(wide))) or 'nothing'}",
            wide,
            narrow,
        )

    def _values(self, path: str, label: str, wide: Node, narrow: Node) -> None:
        if wide.values is None or not self.closed_enums:
            return
        if narrow.values is None:
            open_types = narrow.types & {"string", "integer", "number"}
            if open_types:
                self.add(
                    "enum",
                    path,
                    f"{label} is a closed enum in {self.wide.name} ({_show(wide.values)}) "
                    f"but any {' or '.join(sorted(open_types))} in {self.narrow.name}",
                    wide,
                    narrow,
                )
            return
        extra = [v for v in narrow.values if v not in wide.values]
        if extra:
            self.add(
                "enum",
                path,
                f"{label} can be {_show(extra)} in {self.narrow.name}; "
                f"{self.wide.name} only allows {_show(wide.values)}",
                wide,
                narrow,
            )

    def _object(self, path: str, wide: Node, narrow: Node, depth: int) -> None:
        for name in sorted(wide.required - narrow.required):
            state = "optional" if name in narrow.properties else "not described"
            where = wide.properties.get(name, wide)
            self.add(
                "required",
                _join(path, name),
                f"`{_join(path, name)}` is required in {self.wide.name} but {state} in "
                f"{self.narrow.name}",
                where,
                narrow.properties.get(name, narrow),
            )
        for name, child in narrow.properties.items():
            if name in wide.properties:
                self.covers(wide.properties[name], child, _join(path, name), depth + 1)
            elif wide.closed:
                self.add(
                    "closed",
                    _join(path, name),
                    f"`{_join(path, name)}` is in {self.narrow.name} but {self.wide.name} "
                    "allows no property of that name (additionalProperties: false)",
                    wide,
                    child,
                )
