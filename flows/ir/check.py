"""The validation loop: check a flow's graph, connector operations and inputs."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from flows.ir.base import SCALAR_TYPES
from flows.ir.catalog import ConnectorCatalog, compatible
from flows.ir.findings import Finding as Finding
from flows.ir.model import PLAIN_FIELDS, TRIGGER_KINDS, Flow, Js, Ref
from flows.ir.slots import check_slots

MAX_FLOW_BYTES = 64 * 1024 * 1024
_REQUIRED_BUILTIN: dict[str, tuple[str, ...]] = {"http": ("url",), "subflow": ("workflow",)}


def referenced_nodes(value: Any) -> list[str]:
    """Names of the nodes that references inside ``value`` point at (IR objects or JSON)."""
    names: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (*SCALAR_TYPES, Js)):
            continue
        if isinstance(item, Ref):
            if item.node is not None:
                names.append(item.node)
        elif isinstance(item, dict):
            if isinstance(item.get("ref"), str):
                node = item.get("node")
                if isinstance(node, str):
                    names.append(node)
            else:
                stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, BaseModel):
            stack.extend(vars(item).values())
    return names


def _strongly_connected(nodes: list[str], adj: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (no recursion limit on large graphs)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child_i = work.pop()
            if child_i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = adj.get(node, [])
            recursed = False
            while child_i < len(children):
                child = children[child_i]
                child_i += 1
                if child not in index:
                    work.append((node, child_i))
                    work.append((child, 0))
                    recursed = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if recursed:
                continue
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                result.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return result


# Kinds that put out at least one item for every item they get: a cycle made only of these
# never ends (n8n stops a path only when a node puts out no items).
ALWAYS_EMITS = frozenset({"noop", "transform", "wait", "http"})


def _cycle_finding(members: list[str], nodes: dict[str, Any]) -> Finding:
    """A cycle is information about the flow unless no node in it can ever stop items."""
    listed = ", ".join(members)
    if all(nodes[n].kind in ALWAYS_EMITS for n in members):
        return Finding(
            "error",
            "endless-cycle",
            f"cycle that cannot end: {listed} (every node in it always passes items on)",
            members[0],
            "add a condition (If, Filter, Switch) or a loop node that can leave the cycle",
        )
    return Finding(
        "info",
        "cycle",
        f"cycle: {listed} (n8n repeats it until a node in it puts out no items)",
        members[0],
    )


def check_flow(flow: Flow, catalog: ConnectorCatalog | None) -> list[Finding]:
    """Every problem of ``flow``: unresolved edges, AI slots, cycles that cannot end (others are
    reported as information), unknown or incompatible connector operations, unbound required
    inputs, references to unknown nodes."""
    findings: list[Finding] = []
    counts = Counter(node.name for node in flow.nodes)
    for name, count in counts.items():
        if count > 1:
            findings.append(
                Finding("error", "duplicate-node", f"{count} nodes are named {name!r}", name)
            )
    nodes = flow.node_map()
    adj: dict[str, list[str]] = {}
    for edge in flow.edges:
        src, dst = edge.source, edge.target
        problems = []
        if src.node not in nodes:
            problems.append(f"source node {src.node!r} does not exist")
        if dst.node not in nodes:
            problems.append(f"target node {dst.node!r} does not exist")
        if not problems and edge.type.startswith("ai_"):
            continue  # checked with the slots
        if not problems:
            if src.port not in nodes[src.node].outputs:
                problems.append(f"{src.node!r} has no output port {src.port!r}")
            if dst.port not in nodes[dst.node].inputs:
                problems.append(f"{dst.node!r} has no input port {dst.port!r}")
        if problems:
            findings.append(
                Finding(
                    "error",
                    "dangling-edge",
                    f"edge {src.node}.{src.port} -> {dst.node}.{dst.port}: " + "; ".join(problems),
                    src.node if src.node in nodes else None,
                    "connect only existing nodes and ports",
                )
            )
            continue
        if edge.type in ("main", "error"):
            adj.setdefault(src.node, []).append(dst.node)
    for component in _strongly_connected(list(nodes), adj):
        looped = len(component) > 1 or component[0] in adj.get(component[0], [])
        if looped and not any(nodes[n].kind == "loop" for n in component):
            findings.append(_cycle_finding(sorted(component), nodes))
    if flow.nodes and not any(node.kind in TRIGGER_KINDS for node in flow.nodes):
        findings.append(
            Finding(
                "warning",
                "no-trigger",
                "the flow has no trigger node",
                None,
                "add a webhook, schedule or manual trigger",
            )
        )
    findings.extend(check_slots(flow, nodes))
    for node in flow.nodes:
        values = [v for k, v in vars(node).items() if k not in PLAIN_FIELDS]
        for target in referenced_nodes(values):
            if target not in nodes:
                findings.append(
                    Finding(
                        "warning",
                        "unknown-reference",
                        f"an expression refers to node {target!r}, which does not exist",
                        node.name,
                    )
                )
        findings.extend(_check_step(node, catalog))
        call = getattr(node, "call", None)  # a node used as an AI tool: check what it runs
        if call is not None:
            findings.extend(_check_step(call, catalog))
    return findings


def _check_step(node: Any, catalog: ConnectorCatalog | None) -> list[Finding]:
    """The connector operation and the required inputs of one node."""
    findings: list[Finding] = []
    if node.kind == "connector":
        findings.extend(_check_connector(node, catalog))
    for field in _REQUIRED_BUILTIN.get(node.kind, ()):
        if getattr(node, field) in (None, ""):
            findings.append(
                Finding(
                    "error",
                    "unbound-input",
                    f"required input {field!r} of the {node.kind} node is not set",
                    node.name,
                    f"set {field!r} on the node",
                )
            )
    return findings


def _check_connector(node: Any, catalog: ConnectorCatalog | None) -> list[Finding]:
    provider, _, version = str(node.connector).partition("@")
    if catalog is None:
        return [
            Finding("warning", "no-catalog", "no connector catalog to check against", node.name)
        ]
    versions = catalog.lookup_operation(provider, node.operation)
    if not versions:
        return [
            Finding(
                "error",
                "unknown-operation",
                f"{node.connector} has no operation {node.operation!r} in the registry",
                node.name,
                "check the connector name and operation id",
            )
        ]
    usable = [op for op in versions if compatible(version, op.version)]
    if not usable:
        have = ", ".join(sorted(op.version for op in versions))
        return [
            Finding(
                "error",
                "incompatible-version",
                f"{node.connector} {node.operation}: no compatible version (have {have})",
                node.name,
                "import again against the current registry",
            )
        ]
    op = usable[-1]
    return [
        Finding(
            "error",
            "unbound-input",
            f"required input {name!r} of {node.connector} {node.operation} is not bound",
            node.name,
            f"set {name!r} on the node",
        )
        for name in op.required
        if name not in node.params
    ]


def load_flow(path: str | Path) -> Flow:
    """Read and validate a Flow IR file; raise ``FlowFileError`` with located problems."""
    from pydantic import ValidationError

    from connector_spec.errors import Diagnostic
    from connector_spec.files import UnreadableFile, long_number_at, read_input_file
    from flows.n8n.errors import FlowFileError

    file_path = Path(path)
    try:
        raw = read_input_file(file_path, max_bytes=MAX_FLOW_BYTES)
    except UnreadableFile as exc:
        raise FlowFileError(exc.items) from None
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        col = getattr(exc, "colno", None)
        if isinstance(exc, ValueError) and not isinstance(exc, json.JSONDecodeError):
            line, col = long_number_at(raw.decode("utf-8", "replace")) or (None, None)
        raise FlowFileError(
            [
                Diagnostic(
                    str(file_path),
                    line,
                    col,
                    "",
                    f"not valid JSON: {exc}",
                    "write the file with `flows import n8n ... --out`",
                )
            ]
        ) from None
    try:
        return Flow.model_validate(data)
    except ValidationError as exc:
        raise FlowFileError(
            [
                Diagnostic(
                    str(file_path),
                    None,
                    None,
                    _dotted(err["loc"]),
                    err["msg"],
                    "see `flows graph schema` for the format",
                )
                for err in exc.errors()[:50]
            ]
        ) from None


def _dotted(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
