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
}


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(flow: Flow) -> str:
    """The flow as a DOT digraph; error edges red, AI edges dashed."""
    lines = [f"digraph {_q(flow.name or 'flow')} {{", "  rankdir=LR;", "  node [fontsize=10];"]
    for node in flow.nodes:
        shape = "ellipse" if node.kind.startswith("trigger.") else _SHAPES.get(node.kind, "box")
        label = f"{node.name}\\n[{node.kind}]"
        style = ", style=dashed" if node.disabled else ""
        lines.append(
            f"  {_q(node.name)} [label={_q(label).replace(chr(92) * 2 + 'n', chr(92) + 'n')}, "
            f"shape={shape}{style}];"
        )
    for edge in flow.edges:
        attrs = [f"label={_q(edge.source.port)}"]
        if edge.type == "error":
            attrs.append("color=red")
        elif edge.type.startswith("ai_"):
            attrs.append("style=dashed")
        lines.append(f"  {_q(edge.source.node)} -> {_q(edge.target.node)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
