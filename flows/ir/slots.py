"""The AI part of the graph check: every ``ai_*`` edge ends in a typed slot, every slot holds
as many nodes as it allows, of the kind it takes."""

from __future__ import annotations

from typing import Any

from flows.ir.findings import Finding
from flows.ir.model import Flow


def _ai_edges(flow: Flow, nodes: dict[str, Any], findings: list[Finding]) -> set[tuple[str, ...]]:
    """The ``(source, target, slot)`` of every AI edge; edges that reach no slot are errors."""
    seen: set[tuple[str, ...]] = set()
    for edge in flow.edges:
        if not edge.type.startswith("ai_"):
            continue
        src, dst = edge.source.node, edge.target.node
        target = nodes.get(dst)
        if src not in nodes or target is None or target.kind == "unsupported":
            continue  # reported as a dangling edge, or nothing is known of the target
        seen.add((src, dst, edge.target.port))
        slot = next(
            (
                s
                for s in getattr(target, "slots", [])
                if s.name == edge.target.port and s.connection == edge.type
            ),
            None,
        )
        if slot is None:
            findings.append(
                Finding(
                    "error",
                    "ai-no-slot",
                    f"{src!r} is wired into {dst!r} as {edge.type}, but the {target.kind} node "
                    f"has no slot {edge.target.port!r} taking {edge.type}",
                    dst,
                    "wire the AI sub-node into a node with a matching slot",
                )
            )
        elif src not in slot.nodes:
            findings.append(
                Finding(
                    "error",
                    "ai-slot-edge",
                    f"edge {src} -> {dst}.{slot.name} is not listed in that slot",
                    dst,
                    "list the node in the slot or remove the edge",
                )
            )
    return seen


def _check_slot(
    node: Any, slot: Any, nodes: dict[str, Any], edges: set[tuple[str, ...]]
) -> list[Finding]:
    findings: list[Finding] = []
    count = len(slot.nodes)
    where = f"the {slot.name} slot ({slot.connection}) of {node.name!r}"
    if count < slot.min:
        findings.append(
            Finding(
                "error",
                "slot-unbound",
                f"{where} needs {slot.min} node{'s' if slot.min != 1 else ''}; {count} bound",
                node.name,
                f"connect a node providing {slot.connection}",
            )
        )
    if slot.max is not None and count > slot.max:
        findings.append(
            Finding(
                "error",
                "slot-cardinality",
                f"{where} takes at most {slot.max}; {count} bound: {', '.join(slot.nodes)}",
                node.name,
                "keep only the nodes the slot allows",
            )
        )
    for name in slot.nodes:
        bound = nodes.get(name)
        if bound is None:
            findings.append(
                Finding(
                    "error", "slot-kind", f"{where} names {name!r}, which does not exist", node.name
                )
            )
        elif bound.kind != "unsupported" and getattr(bound, "provides", None) != slot.connection:
            gives = getattr(bound, "provides", None) or "main items"
            findings.append(
                Finding(
                    "error",
                    "slot-kind",
                    f"{name!r} ({bound.kind}, provides {gives}) cannot fill {where}",
                    node.name,
                    f"bind a node that provides {slot.connection}",
                )
            )
        elif (name, node.name, slot.name) not in edges:
            findings.append(
                Finding(
                    "error",
                    "ai-slot-edge",
                    f"{where} names {name!r} but no edge joins them",
                    node.name,
                    "add the edge or remove the name",
                )
            )
    return findings


def check_slots(flow: Flow, nodes: dict[str, Any]) -> list[Finding]:
    """Slot findings of ``flow``; ``nodes`` is its node map."""
    findings: list[Finding] = []
    edges = _ai_edges(flow, nodes, findings)
    filled = {src for src, _, _ in edges}
    for node in flow.nodes:
        for slot in getattr(node, "slots", []):
            findings.extend(_check_slot(node, slot, nodes, edges))
        provides = getattr(node, "provides", None)
        if provides and node.name not in filled and not node.disabled:
            findings.append(
                Finding(
                    "warning",
                    "ai-unused",
                    f"{node.name!r} provides {provides} but is not wired into any node",
                    node.name,
                    "connect it to the agent or chain that should use it, or remove it",
                )
            )
    return findings
