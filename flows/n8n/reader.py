"""Read an n8n workflow export: bounded size, located JSON errors, shape checks."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connector_spec.errors import Diagnostic, InputError
from connector_spec.files import (
    LONG_NUMBER_HINT,
    LONG_NUMBER_MESSAGE,
    UnreadableFile,
    long_number_at,
    read_input_file,
)
from flows.n8n.errors import WorkflowError

MAX_WORKFLOW_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 64  # real exports nest about 12 levels deep


def _too_deep(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


@dataclass(frozen=True)
class RawWorkflow:
    """A workflow export that has the right shape: a name, a node list, connections."""

    name: str
    nodes: list[dict[str, Any]]
    connections: dict[str, Any] | None
    source: str


def read_workflow(path: str | Path) -> RawWorkflow:
    """Read ``path``; raise :class:`WorkflowError` (exit 2) when it is not a usable workflow."""
    file_path = Path(path)
    if not file_path.exists() and not file_path.is_symlink():
        raise InputError(f"{file_path}: no such file", hint="pass an n8n workflow export (.json)")
    try:
        raw = read_input_file(
            file_path,
            max_bytes=MAX_WORKFLOW_BYTES,
            size_hint="split the workflow or export it without pinned data",
        )
    except UnreadableFile as exc:
        raise WorkflowError(exc.items) from None
    return parse_workflow_bytes(raw, str(file_path))


class _NotANumber(ValueError):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def _not_a_number(token: str) -> Any:
    """``NaN``/``Infinity`` are not JSON (Python's reader accepts them)."""
    raise _NotANumber(token)


def _finite(token: str) -> float:
    """A float literal; one too large for a float (``1e999``) is refused."""
    value = float(token)
    if not math.isfinite(value):
        raise _NotANumber(token)
    return value


def _token_place(text: str, token: str) -> tuple[int | None, int | None]:
    """1-based line and column of the first ``token`` in ``text``."""
    index = text.find(token)
    if index < 0:
        return None, None
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def parse_workflow_bytes(raw: bytes, name: str) -> RawWorkflow:
    """Parse and shape-check workflow JSON; ``name`` is used in diagnostics."""
    if not raw.strip():
        raise WorkflowError(
            [Diagnostic(name, 1, 1, "", "the file is empty", "export the workflow again from n8n")]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise WorkflowError(
            [
                Diagnostic(
                    name,
                    None,
                    None,
                    "",
                    f"not UTF-8 text (byte {exc.start})",
                    "export the workflow again from n8n",
                )
            ]
        ) from None
    try:
        data = json.loads(text, parse_constant=_not_a_number, parse_float=_finite)
    except _NotANumber as exc:
        line, col = _token_place(text, exc.token)
        raise WorkflowError(
            [
                Diagnostic(
                    name,
                    line,
                    col,
                    "",
                    f"not valid JSON: {exc.token} is not a finite JSON number",
                    "write a finite number (n8n itself stores such a value as null)",
                )
            ]
        ) from None
    except json.JSONDecodeError as exc:
        hint = (
            "the file holds more than one JSON document; keep only the first"
            if exc.msg == "Extra data"
            else "the file is truncated or corrupt; export it again from n8n"
        )
        raise WorkflowError(
            [Diagnostic(name, exc.lineno, exc.colno, "", f"not valid JSON: {exc.msg}", hint)]
        ) from None
    except RecursionError:
        data = None
        deep = True
    except ValueError:  # a number too long to convert (no position from json)
        line, col = long_number_at(text) or (None, None)
        raise WorkflowError(
            [Diagnostic(name, line, col, "", LONG_NUMBER_MESSAGE, LONG_NUMBER_HINT)]
        ) from None
    else:
        deep = _too_deep(data, MAX_DEPTH)
    if deep:
        raise WorkflowError(
            [
                Diagnostic(
                    name,
                    None,
                    None,
                    "",
                    f"JSON nested more than {MAX_DEPTH} levels deep",
                    "this is not an n8n export; export the workflow again from n8n",
                )
            ]
        )
    return shape_workflow(data, name, text)


def _name_lines(text: str, node_name: str) -> list[int]:
    """Lines where ``"name": <node_name>`` appears in the source text."""
    import re

    forms = {json.dumps(node_name), json.dumps(node_name, ensure_ascii=False)}
    lines: list[int] = []
    for form in forms:
        for match in re.finditer(r'"name"\s*:\s*' + re.escape(form), text):
            lines.append(text.count("\n", 0, match.start()) + 1)
    return sorted(set(lines))


def _locate(problems: list[Diagnostic], data: dict[str, Any], text: str | None) -> list[Diagnostic]:
    """Add line numbers to node diagnostics when the node's name pins one line down."""
    if text is None:
        return problems
    located: list[Diagnostic] = []
    counts: dict[str, int] = {}
    for node in data["nodes"]:
        if isinstance(node, dict) and isinstance(node.get("name"), str):
            counts[node["name"]] = counts.get(node["name"], 0) + 1
    for item in problems:
        line = item.line
        index = _node_index(item.path)
        if line is None and index is not None:
            node = data["nodes"][index]
            node_name = node.get("name") if isinstance(node, dict) else None
            if isinstance(node_name, str):
                lines = _name_lines(text, node_name)
                if len(lines) == counts[node_name]:  # unambiguous: one match per node
                    before = sum(
                        1
                        for other in data["nodes"][:index]
                        if isinstance(other, dict) and other.get("name") == node_name
                    )
                    line = lines[before]
        located.append(Diagnostic(item.file, line, item.column, item.path, item.message, item.hint))
    return located


def _node_index(path: str) -> int | None:
    import re

    match = re.match(r"(?:workflow\.)?nodes\[(\d+)\]", path)
    return int(match.group(1)) if match else None


def shape_workflow(data: Any, name: str, text: str | None = None) -> RawWorkflow:
    """Check the decoded JSON is a workflow (plain or ``{"workflow": {...}}``-wrapped)."""
    where = ""
    if isinstance(data, dict) and isinstance(data.get("workflow"), dict) and "nodes" not in data:
        data = data["workflow"]
        where = "workflow."
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        raise WorkflowError(
            [
                Diagnostic(
                    name,
                    None,
                    None,
                    where + "nodes",
                    "not an n8n workflow: there is no 'nodes' list",
                    "export the workflow from n8n (Download) and pass that file",
                )
            ]
        )
    problems: list[Diagnostic] = []
    seen: dict[str, int] = {}
    for i, node in enumerate(data["nodes"]):
        path = f"{where}nodes[{i}]"
        if not isinstance(node, dict):
            problems.append(Diagnostic(name, None, None, path, "a node must be an object"))
            continue
        node_name, node_type = node.get("name"), node.get("type")
        if not isinstance(node_name, str) or not node_name:
            problems.append(Diagnostic(name, None, None, path + ".name", "the node has no name"))
            continue
        if not isinstance(node_type, str) or not node_type:
            problems.append(
                Diagnostic(name, None, None, path + ".type", f"node {node_name!r} has no type")
            )
        if node_name in seen:
            problems.append(
                Diagnostic(
                    name,
                    None,
                    None,
                    path + ".name",
                    f"duplicate node name {node_name!r} (also nodes[{seen[node_name]}])",
                    "connections refer to nodes by name; rename one of them",
                )
            )
        else:
            seen[node_name] = i
        params = node.get("parameters", {})
        if params is not None and not isinstance(params, dict):
            problems.append(
                Diagnostic(name, None, None, path + ".parameters", "parameters must be an object")
            )
    connections = data.get("connections")
    if connections is not None and not isinstance(connections, dict):
        problems.append(
            Diagnostic(name, None, None, where + "connections", "connections must be an object")
        )
    if problems:
        raise WorkflowError(_locate(problems, data, text))
    title = data.get("name")
    return RawWorkflow(
        name=title if isinstance(title, str) else Path(name).stem,
        nodes=list(data["nodes"]),
        connections=connections,
        source=name,
    )
