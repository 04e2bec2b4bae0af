"""The OpenAPI-link part of the harvest report: per node, operations linked / total and why."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flows.harvest.report import NodeEntry


def code_totals(entries: list[NodeEntry]) -> dict[str, int]:
    """Node types whose code was read, and resource/operation pairs with method + path."""
    read = [e for e in entries if e.code_ops]
    pairs = sum(len(e.code_ops) for e in read)
    found = sum(1 for e in read for op in e.code_ops.values() if op.found)
    return {
        "node_types_read": len(read),
        "node_types_with_an_operation": sum(
            1 for e in read if any(op.found for op in e.code_ops.values())
        ),
        "pairs": pairs,
        "pairs_with_method_and_path": found,
    }


def link_totals(entries: list[NodeEntry]) -> dict[str, Any]:
    """``code`` and ``openapi_links`` totals for the report."""
    linked = [e for e in entries if e.link and e.link.get("linked")]
    reasons: Counter[str] = Counter()
    for entry in linked:
        reasons.update(entry.link["unlinked_by_reason"] if entry.link else {})
    return {
        "code": code_totals(entries),
        "openapi_links": {
            "node_types_linked": len(linked),
            "operations_linked": sum(e.link["linked"] for e in linked if e.link),
            "n8n_operations_of_linked_nodes": sum(
                e.link["n8n_operations"] for e in linked if e.link
            ),
            "unlinked_by_reason": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        },
    }


def link_markdown(entries: list[NodeEntry]) -> list[str]:
    """A Markdown section: every node type whose code was read, linked / total and why not."""
    read = [e for e in entries if e.code_ops]
    if not read:
        return []
    totals = link_totals(entries)
    code, links = totals["code"], totals["openapi_links"]
    lines = [
        "## Node code and OpenAPI links",
        "",
        f"- node types whose code was read: {code['node_types_read']} "
        f"({code['node_types_with_an_operation']} with at least one operation)",
        f"- resource/operation pairs with method + path: {code['pairs_with_method_and_path']} "
        f"of {code['pairs']}",
        f"- node types linked to an OpenAPI description: {links['node_types_linked']}; "
        f"operations linked: {links['operations_linked']} of "
        f"{links['n8n_operations_of_linked_nodes']}",
        "",
        "| node type | description | code: method+path | linked | not linked (reasons) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for e in read:
        found = sum(1 for op in e.code_ops.values() if op.found)
        link = e.link or {}
        why = ", ".join(f"{k} {n}" for k, n in (link.get("unlinked_by_reason") or {}).items())
        if not link.get("linked"):
            why = link.get("reason") or why
        description = link.get("description") or "-"
        lines.append(
            f"| `{e.node_type}` | {description} | {found} / {len(e.code_ops)} | "
            f"{link.get('linked', 0)} / {len(e.code_ops)} | {why or '-'} |"
        )
    lines.append("")
    return lines
