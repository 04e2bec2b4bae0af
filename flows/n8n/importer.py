"""Import an n8n workflow export into Flow IR and a lossy-conversion report."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flows.ir.catalog import ConnectorCatalog, InMemoryCatalog, catalog_warning
from flows.ir.check import Finding, check_flow
from flows.ir.model import Edge, Endpoint, Flow
from flows.n8n.nodes import STICKY, Converted, convert_node
from flows.n8n.reader import RawWorkflow, read_workflow
from flows.n8n.report import CredentialUse, ImportReport, NodeReport


@dataclass(frozen=True)
class ImportResult:
    """The IR of one workflow and its report."""

    flow: Flow
    report: ImportReport


def _port(ports: list[str], index: int, prefix: str) -> str:
    return ports[index] if 0 <= index < len(ports) else f"{prefix}{index}"


def _edges(
    raw: RawWorkflow, converted: dict[str, Converted], findings: list[Finding]
) -> list[Edge]:
    edges: list[Edge] = []
    for src_name, by_type in (raw.connections or {}).items():
        if not isinstance(by_type, dict):
            findings.append(
                Finding(
                    "warning", "bad-connection", f"connections of {src_name!r} are not an object"
                )
            )
            continue
        src = converted.get(src_name)
        for conn_type, slots in by_type.items():
            if not isinstance(slots, list):
                findings.append(
                    Finding(
                        "warning",
                        "bad-connection",
                        f"{src_name!r} {conn_type} connections are not a list",
                        src_name,
                    )
                )
                continue
            for index, slot in enumerate(slots):
                if not slot:  # null or empty output slot: nothing connected there
                    continue
                if not isinstance(slot, list):
                    continue
                for target in slot:
                    if not isinstance(target, dict) or not isinstance(target.get("node"), str):
                        findings.append(
                            Finding(
                                "warning",
                                "bad-connection",
                                f"a {conn_type} connection of {src_name!r} has no target node",
                                src_name,
                            )
                        )
                        continue
                    edges.append(_edge(src_name, src, str(conn_type), index, target, converted))
    return edges


def _edge(
    src_name: str,
    src: Converted | None,
    conn_type: str,
    index: int,
    target: dict[str, Any],
    converted: dict[str, Converted],
) -> Edge:
    dst_name = str(target["node"])
    dst = converted.get(dst_name)
    t_index = target.get("index", 0)
    t_index = t_index if isinstance(t_index, int) else 0
    if conn_type != "main":
        return Edge.model_validate(
            {
                "from": {"node": src_name, "port": conn_type},
                "to": {"node": dst_name, "port": _bind_slot(dst, conn_type, t_index, src_name)},
                "type": conn_type,
            }
        )
    edge_type = "main"
    if src is None:
        src_port = f"out{index}"
    else:
        outputs = src.node.outputs
        if src.node.on_error == "error_port" and index == len(outputs):
            src_port, edge_type = "error", "error"
        else:
            src_port = _port(outputs, index, "out")
    dst_port = _port(dst.node.inputs, t_index, "in") if dst is not None else f"in{t_index}"
    return Edge(
        source=Endpoint(node=src_name, port=src_port),
        target=Endpoint(node=dst_name, port=dst_port),
        type=edge_type,
    )


def _bind_slot(dst: Converted | None, conn_type: str, index: int, src_name: str) -> str:
    """Bind ``src_name`` into the target's slot for ``conn_type``; the port is the slot's name.

    n8n numbers the inputs of one connection kind (an agent's model 0 and fallback model 1);
    ``index`` picks among the slots of that kind. With no such slot the port is the
    connection kind itself (the graph check reports it)."""
    slots = [s for s in getattr(dst.node, "slots", []) if s.connection == conn_type] if dst else []
    if not slots:
        return conn_type
    slot = slots[index] if 0 <= index < len(slots) else slots[0]
    slot.nodes.append(src_name)
    return str(slot.name)


def _fit_ports(converted: dict[str, Converted], edges: list[Edge]) -> None:
    """Error ports exist when used; unsupported nodes get the ports their edges use."""
    for edge in edges:
        src = converted.get(edge.source.node)
        if src is not None and edge.type == "error" and "error" not in src.node.outputs:
            src.node.outputs.append("error")
        if edge.type != "main":
            continue
        if (
            src is not None
            and src.status == "unsupported"
            and edge.source.port not in src.node.outputs
        ):
            src.node.outputs.append(edge.source.port)
        dst = converted.get(edge.target.node)
        # n8n passes items that reach a trigger from another node straight through it.
        open_ended = dst is not None and (
            dst.status == "unsupported" or dst.node.kind.startswith("trigger.")
        )
        if dst is not None and open_ended and edge.target.port not in dst.node.inputs:
            dst.node.inputs.append(edge.target.port)
    for item in converted.values():
        if item.status == "unsupported":
            item.node.outputs = sorted(item.node.outputs, key=_port_order)


def _port_order(port: str) -> tuple[int, str]:
    if port == "out":
        return (0, port)
    return (int(port[3:]), port) if port.startswith("out") and port[3:].isdigit() else (10**9, port)


def _ai_subgraphs(edges: list[Edge]) -> dict[str, list[str]]:
    """Each node joined by ``ai_*`` edges -> every node of its AI sub-graph."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for edge in edges:
        if edge.type.startswith("ai_"):
            parent[find(edge.source.node)] = find(edge.target.node)
    groups: dict[str, list[str]] = {}
    for name in list(parent):
        groups.setdefault(find(name), []).append(name)
    return {name: sorted(groups[find(name)]) for name in parent}


def import_raw(raw: RawWorkflow, catalog: ConnectorCatalog | None) -> ImportResult:
    """Translate a shape-checked workflow; never raises for odd but readable content.

    With no catalog (``None``) or an empty one, nothing is mapped onto a connector and the
    report carries a one-line ``no-catalog`` warning saying so. The cyclic garbage collector
    is paused meanwhile: the import builds many small acyclic objects, and its passes over a
    growing heap would make a large workflow's cost grow faster than its size.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _import_raw(raw, catalog)
    finally:
        if enabled:
            gc.enable()


def _import_raw(raw: RawWorkflow, catalog: ConnectorCatalog | None) -> ImportResult:
    findings: list[Finding] = []
    warning = catalog_warning(catalog)
    if warning is not None:
        findings.append(Finding("warning", "no-catalog", warning))
    lookup: ConnectorCatalog = catalog if catalog is not None else InMemoryCatalog()
    converted: dict[str, Converted] = {}
    dropped = 0
    credentials: dict[str, CredentialUse] = {}
    for node in raw.nodes:
        if node.get("type") == STICKY:
            dropped += 1
            continue
        item = convert_node(node, lookup)
        converted[node["name"]] = item
        creds = node.get("credentials")
        if isinstance(creds, dict):
            for cred_type, ref in creds.items():
                label = ref.get("name") if isinstance(ref, dict) else None
                use = credentials.setdefault(
                    str(cred_type), CredentialUse(str(cred_type), str(label or ""), [], None)
                )
                use.nodes.append(node["name"])
                if item.link is not None and use.connector is None:
                    use.connector, use.auth = item.link.connector, item.link.auth
    if raw.connections is None:
        findings.append(
            Finding(
                "warning",
                "no-connections",
                "the workflow has no 'connections'; its nodes are imported unconnected",
            )
        )
    edges = _edges(raw, converted, findings)
    _fit_ports(converted, edges)
    flow = Flow(
        name=raw.name, source=raw.source, nodes=[c.node for c in converted.values()], edges=edges
    )
    findings.extend(check_flow(flow, catalog))
    subgraphs = _ai_subgraphs(edges)
    reports = [
        NodeReport(
            name=name,
            n8n_type=item.node.source.n8n_type if item.node.source else "",
            kind=item.node.kind,
            status=item.status,
            lost=list(item.lost),
            suggestion=item.suggestion,
            reason=item.reason,
            subgraph=subgraphs.get(name, []) if item.status == "unsupported" else [],
            connector=item.link.connector if item.link else None,
            operation=item.link.operation_id if item.link else None,
            level=item.link.level if item.link else None,
        )
        for name, item in converted.items()
    ]
    report = ImportReport(
        source=raw.source,
        workflow=raw.name,
        nodes=reports,
        findings=findings,
        credentials=sorted(credentials.values(), key=lambda c: c.type),
        dropped_notes=dropped,
        expressions_translated=sum(c.refs for c in converted.values()),
        expressions_untranslated=sum(c.js for c in converted.values()),
    )
    return ImportResult(flow=flow, report=report)


def import_workflow(path: str | Path, catalog: ConnectorCatalog | None) -> ImportResult:
    """Read and import one workflow file (raises ``WorkflowError`` when unreadable)."""
    return import_raw(read_workflow(path), catalog)


def iter_workflow_files(directory: str | Path, *, recursive: bool = False) -> list[Path]:
    """The ``*.json`` files of a directory in a stable order.

    With ``recursive``, subfolders too (hidden ones and symlinked folders are skipped), sorted
    by their path below ``directory``.
    """
    root = Path(directory)
    if not recursive:
        return sorted(p for p in root.glob("*.json") if p.is_file())
    found: list[Path] = []
    for current, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(current)
        found.extend(here / f for f in files if f.endswith(".json") and (here / f).is_file())
    return sorted(found, key=lambda p: p.relative_to(root).parts)


def folders_with_workflows(directory: str | Path) -> list[str]:
    """The subfolders of ``directory`` (relative, sorted) holding ``*.json`` files at any depth."""
    root = Path(directory)
    parts = [p.relative_to(root).parts for p in iter_workflow_files(root, recursive=True)]
    return sorted({rel[0] for rel in parts if len(rel) > 1})


def import_directory(
    directory: str | Path,
    catalog: ConnectorCatalog | None,
    progress: Callable[[Path], None] | None = None,
    *,
    recursive: bool = False,
) -> Iterator[tuple[Path, ImportResult | Exception]]:
    """Import every workflow of ``directory``; a file that fails yields its error."""
    from connector_spec.errors import FlowsError

    for path in iter_workflow_files(directory, recursive=recursive):
        try:
            outcome: ImportResult | Exception = import_workflow(path, catalog)
        except FlowsError as error:
            outcome = error
        if progress is not None:
            progress(path)
        yield path, outcome
