"""Per resource/operation of a programmatic node: the method and path its code requests.

The node's compiled files (``dist/nodes/<dir>/**.js``, triggers and tests left out) are
parsed with :mod:`flows.harvest.jsparse` and read with :mod:`flows.harvest.jsread`; for each
resource/operation n8n declares, the request call that belongs to it gives a :class:`CodeOp`
(method, path template, the n8n parameters in the path, query and body) or a reason why not.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from flows.harvest.jsparse import parse_source
from flows.harvest.jsread import Constraint, FileFacts, Value, read_file
from flows.harvest.jsresolve import OutOfTime, Resolved, Resolver
from flows.harvest.naming import identifier

MAX_FILES_PER_NODE = 400
MAX_BYTES_PER_NODE = 16 * 1024 * 1024
#: Wall-clock budget for one node's code (a hostile catalog cannot stall the harvest).
MAX_SECONDS_PER_NODE = 10.0
_VERSION_DIR = re.compile(r"^[vV](\d+)$")
_SKIP_PARTS = frozenset({"test", "tests", "__tests__", "__schema__"})
_VERBS = {
    "POST": ("create", "add", "send", "post", "upload", "insert", "append", "invite", "clear"),
    "PATCH": ("update", "edit", "patch", "modify"),
    "PUT": ("update", "edit", "replace", "upsert", "set"),
    "DELETE": ("delete", "remove", "clear", "archive"),
    "GET": ("get", "list", "search", "find", "read", "download", "fetch"),
}

#: Why no method/path was recovered for a resource/operation.
CODE_REASONS = {
    "no-code": "the node's compiled code was not found or could not be read",
    "no-request": "no request call belongs to this operation in the code",
    "dynamic-method": "the HTTP method is computed at run time",
    "dynamic-path": "the path is computed at run time (not a literal or a parameter template)",
}


@dataclass
class CodeOp:
    """What the code requests for one resource/operation (or why it could not be read)."""

    resource: str | None
    operation: str
    method: str | None = None
    path: str | None = None
    base_url: str | None = None  # the helper's literal base URL, when it has one
    prefix: str = ""  # a literal path the helper adds after a run-time host (``/rest``)
    path_params: dict[str, str | None] = field(default_factory=dict)  # {name: n8n param}
    query: dict[str, str | None] = field(default_factory=dict)  # {key: n8n param}
    body: dict[str, str | None] = field(default_factory=dict)
    spreads: list[str] = field(default_factory=list)  # collections merged into the body
    where: str = ""
    reason: str | None = None

    @property
    def found(self) -> bool:
        """Whether method and path were recovered."""
        return self.reason is None


def node_files(code_files: dict[str, bytes], node_dir: str) -> dict[str, bytes]:
    """The node's own JavaScript files (relative to its directory), bounded in count and size."""
    prefix = node_dir.rstrip("/") + "/"
    out: dict[str, bytes] = {}
    total = 0
    for name in sorted(code_files):
        if not name.startswith(prefix):
            continue
        rel = name[len(prefix) :]
        parts = rel.split("/")
        if "Trigger" in parts[-1] or _SKIP_PARTS & set(parts):
            continue
        data = code_files[name]
        total += len(data)
        if len(out) >= MAX_FILES_PER_NODE or total > MAX_BYTES_PER_NODE:
            break
        out[rel] = data
    return out


def _version_of(rel: str) -> int | None:
    for part in rel.split("/")[:-1]:
        match = _VERSION_DIR.match(part)
        if match:
            return int(match.group(1))
    return None


def _file_constraint(rel: str) -> Constraint:
    """``actions/<resource>/<operation>.operation.js`` (or ``.../<operation>/execute.js``)."""
    parts = rel.split("/")
    if "actions" not in parts:
        return Constraint()
    rest = parts[parts.index("actions") + 1 :]
    if len(rest) == 2 and rest[1].endswith(".operation.js"):
        return Constraint(frozenset({rest[0]}), frozenset({rest[1].removesuffix(".operation.js")}))
    if len(rest) == 3 and rest[2] in ("execute.js", "index.js"):
        return Constraint(frozenset({rest[0]}), frozenset({rest[1]}))
    return Constraint()


def read_node_code(files: dict[str, bytes], node_version: float) -> list[FileFacts]:
    """Parse and read the files of one node, the version directory nearest ``node_version``
    first (``v2/`` for typeVersion 2.x), shared files next, older versions last."""
    major = int(node_version)

    versions = {v for v in map(_version_of, files) if v is not None}
    own = max((v for v in versions if v <= major), default=None)

    def order(rel: str) -> tuple[int, int, str]:
        version = _version_of(rel)
        if version is None:
            return (1, 0, rel)
        if version == own:
            return (0, 0, rel)
        return (2, -version if version < major else version, rel)

    facts: list[FileFacts] = []
    started = time.monotonic()
    for rel in sorted(files, key=order):
        if time.monotonic() - started > MAX_SECONDS_PER_NODE:
            break
        source = parse_source(rel, files[rel])
        if source is not None:
            file_facts = read_file(source, _file_constraint(rel))
            file_facts.group = order(rel)[0]
            facts.append(file_facts)
    return facts


def extract_operations(
    facts: list[FileFacts], refs: list[tuple[str | None, str]]
) -> dict[tuple[str | None, str], CodeOp]:
    """A :class:`CodeOp` per resource/operation of ``refs``."""
    resolver = Resolver(facts, deadline=time.monotonic() + MAX_SECONDS_PER_NODE)
    out: dict[tuple[str | None, str], CodeOp] = {}
    for resource, operation in refs:
        try:
            out[(resource, operation)] = _one(resolver, facts, resource, operation)
        except OutOfTime:
            out[(resource, operation)] = CodeOp(
                resource, operation, where="time budget spent", reason="no-code"
            )
    return out


def _one(
    resolver: Resolver, facts: list[FileFacts], resource: str | None, operation: str
) -> CodeOp:
    result = CodeOp(resource, operation)
    if not facts:
        result.reason = "no-code"
        return result
    ref = (resource, operation)
    candidates: list[tuple[tuple[int, ...], Resolved]] = []
    order = 0
    for file_facts in facts:
        for request in file_facts.requests:
            if not request.constraint.admits(resource, operation):
                continue
            resolved = resolver.resolve(request, ref)
            order += 1
            if not resolved.specific:
                continue
            rank = (
                file_facts.group,
                -request.constraint.specificity,
                0 if resolved.method and resolved.path is not None else 1,
                0 if _verb_fits(resolved.method, operation) else 1,
                order,
            )
            candidates.append((rank, resolved))
    if not candidates:
        candidates = _indirect(resolver, facts, resource, operation)
    if not candidates:
        result.reason = "no-request"
        return result
    candidates.sort(key=lambda c: c[0])
    best = candidates[0][1]
    result.where = f"{best.request.source.name}:{best.request.source.line(best.request.node)}"
    if best.method is None:
        result.reason = "dynamic-method"
        return result
    result.method = best.method
    if best.path is None or not _fill_path(result, best.path, resolver, best):
        result.reason = "dynamic-path"
        return result
    result.query = {k: _param_of(v) for k, v in best.query.items()}
    result.body = {k: _param_of(v) for k, v in best.body.items()}
    result.spreads = [p for v in best.spreads for p in v.params()]
    return result


def _indirect(
    resolver: Resolver, facts: list[FileFacts], resource: str | None, operation: str
) -> list[tuple[tuple[int, ...], Resolved]]:
    """Request calls inside functions the operation's own code calls (one or two levels)."""
    out: list[tuple[tuple[int, ...], Resolved]] = []
    order = 0
    for file_facts in facts:
        for callee, guard, _pos in file_facts.calls:
            if guard.specificity == 0 or not guard.admits(resource, operation):
                continue
            for request in _requests_in(resolver, callee, depth=0):
                resolved = resolver.resolve(request, (None, None))
                if resolved.method is None or resolved.path is None:
                    continue
                order += 1
                rank = (
                    file_facts.group,
                    -guard.specificity,
                    0 if _verb_fits(resolved.method, operation) else 1,
                    order,
                )
                out.append((rank, resolved))
    return out


def _requests_in(resolver: Resolver, callee: str, depth: int) -> list[Any]:
    found = resolver.functions.get(callee)
    if found is None or depth > 1:
        return []
    file_facts, function = found
    start, end = function.start_byte, function.end_byte
    inside = [r for r in file_facts.requests if start <= r.node.start_byte < end]
    if inside or depth == 1:
        return inside
    nested: list[Any] = []
    for name, _guard, pos in file_facts.calls:
        if start <= pos < end and name != callee:
            nested += _requests_in(resolver, name, depth + 1)
    return nested


def _verb_fits(method: str | None, operation: str) -> bool:
    lowered = operation.lower()
    return method is not None and any(lowered.startswith(v) for v in _VERBS.get(method, ()))


def _param_of(value: Value) -> str | None:
    params = value.params()
    return params[0] if len(params) == 1 and len(value.parts) == 1 else None


def _collapse_segments(parts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A segment partly computed at run time (``/values/${name}!${a}:${b ? c : d}:append``)
    becomes one placeholder named after its first variable, keeping a ``:verb`` suffix."""
    segments: list[list[tuple[str, str]]] = [[]]
    for kind, text in parts:
        if kind != "lit":
            segments[-1].append((kind, text))
            continue
        pieces = text.split("/")
        for index, piece in enumerate(pieces):
            if index:
                segments.append([])
            if piece:
                segments[-1].append(("lit", piece))
    out: list[tuple[str, str]] = []
    for index, segment in enumerate(segments):
        if index:
            out.append(("lit", "/"))
        computed = any(kind in ("dyn", "hole") for kind, _ in segment)
        if not computed or index == 0 or len(segment) < 2:
            out += segment
            continue
        suffix: list[tuple[str, str]] = []
        last = segment[-1]
        if last[0] == "lit" and ":" in last[1]:
            suffix = [("lit", ":" + last[1].rsplit(":", 1)[1])]
        name = next((text for kind, text in segment if kind in ("var", "param", "hole")), "value")
        out += [("hole", name), *suffix]
    merged: list[tuple[str, str]] = []
    for kind, text in out:
        if kind == "lit" and merged and merged[-1][0] == "lit":
            merged[-1] = ("lit", merged[-1][1] + text)
        else:
            merged.append((kind, text))
    return merged


def _holes_are_segments(parts: list[tuple[str, str]]) -> bool:
    """Every run-time value fills one whole segment after a literal (``/blocks/{id}/x``)."""
    for index, (kind, _) in enumerate(parts):
        if kind != "hole":
            continue
        before = parts[index - 1] if index else ("", "")
        after = parts[index + 1] if index + 1 < len(parts) else ("lit", "")
        if before[0] != "lit" or not before[1].endswith("/"):
            return False
        if after[0] != "lit" or not (after[1] == "" or after[1][0] in "/:?"):
            return False
    return True


def _fill_path(result: CodeOp, path: Value, resolver: Resolver, best: Resolved) -> bool:
    """Turn ``path`` into ``result.path`` (``/a/{b}``) and its base URL; False when dynamic."""
    parts = _collapse_segments(list(path.parts))
    if any(kind == "dyn" for kind, _ in parts) or not _holes_are_segments(parts):
        return False
    base: str | None = None
    if parts and parts[0][0] == "lit" and parts[0][1].startswith(("http://", "https://")):
        text = parts[0][1]
        scheme, _, rest = text.partition("://")
        host, slash, tail = rest.partition("/")
        base = f"{scheme}://{host}"
        parts[0] = ("lit", slash + tail)
    elif best.path_index is not None:
        prefix = resolver.base_url(best.request.callee, best.path_index)
        literal = prefix.literal() if prefix is not None else None
        if literal is not None and literal.startswith(("http://", "https://")):
            base = literal
        elif prefix is not None and prefix.parts and prefix.parts[-1][0] == "lit":
            tail = prefix.parts[-1][1]
            result.prefix = "/" + tail.strip("/") if tail.strip("/") and "/" in tail else ""
        if base is None and parts and parts[0][0] != "lit":
            return False  # a path that starts with a run-time value and no known base
    if base is None and parts and parts[0][0] != "lit":
        return False
    text_parts: list[str] = []
    used: set[str] = set()
    for kind, text in parts:
        if kind == "lit":
            text_parts.append(text.split("?", 1)[0] if "?" in text else text)
            if "?" in text:
                break
            continue
        name = identifier(text, fallback="value")
        candidate, n = name, 2
        while candidate in used:
            candidate, n = f"{name}{n}", n + 1
        used.add(candidate)
        result.path_params[candidate] = text if kind == "param" else None
        text_parts.append("{" + candidate + "}")
    joined = "".join(text_parts)
    if base is not None and base.endswith("/") and not joined.startswith("/"):
        base = base.rstrip("/")
    result.path = "/" + joined.lstrip("/") if joined else "/"
    result.base_url = base.rstrip("/") if base else None
    return True
