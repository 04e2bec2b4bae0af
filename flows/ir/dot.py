"""Graphviz DOT text for a flow."""

from __future__ import annotations

from flows.ir.model import Flow

_SHAPES = {
    "branch": "diamond",
    "loop": "hexagon",
    "merge": "invtriangle",
    "code": "note",
    "unsupported": "octagon",
    "connector": "box3d",
    "database": "cylinder",
    "command": "component",
    "stop": "doubleoctagon",
    "app": "box3d",
    "ai.agent": "doubleoctagon",
    "ai.model": "parallelogram",
    "ai.embedding": "parallelogram",
    "ai.tool": "cds",
    "ai.memory": "folder",
    "ai.vector_store": "cylinder",
    "ai.output_parser": "tab",
}


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(flow: Flow) -> str:
    """The flow as a DOT digraph; error edges red; AI edges dashed, labelled with the slot
    they fill; AI sub-nodes (models, tools, memory...) filled grey."""
    lines = [f"digraph {_q(flow.name or 'flow')} {{", "  rankdir=LR;", "  node [fontsize=10];"]
    for node in flow.nodes:
        shape = "ellipse" if node.kind.startswith("trigger.") else _SHAPES.get(node.kind, "box")
        label = f"{node.name}\\n[{node.kind}]"
        styles = (["dashed"] if node.disabled else []) + (
            ["filled"] if getattr(node, "provides", None) else []
        )
        style = f', style="{",".join(styles)}"' if styles else ""
        if getattr(node, "provides", None):
            style += ", fillcolor=lightgrey"
        lines.append(
            f"  {_q(node.name)} [label={_q(label).replace(chr(92) * 2 + 'n', chr(92) + 'n')}, "
            f"shape={shape}{style}];"
        )
    for edge in flow.edges:
        ai = edge.type.startswith("ai_")
        attrs = [f"label={_q(edge.target.port if ai else edge.source.port)}"]
        if edge.type == "error":
            attrs.append("color=red")
        elif ai:
            attrs.append("style=dashed")
        lines.append(f"  {_q(edge.source.node)} -> {_q(edge.target.node)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
