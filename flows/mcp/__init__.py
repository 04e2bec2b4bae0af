"""``flows mcp``: the flows toolchain as Model Context Protocol tools over stdio.

Public API (names are imported on first use, so that the server starts fast)::

    from flows.mcp import FlowsMcp, Sandbox, serve_stdio
    server = FlowsMcp(Sandbox.create(["."]))
    server.call("spec_validate", {"paths": ["connectors/stripe/connector.yaml"]}).data
    serve_stdio(["."])            # what `flows mcp --root .` runs
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flows.mcp.errors import InputTooLarge, PathOutsideRoots, ToolArgumentError, ToolFailed
    from flows.mcp.paths import DEFAULT_MAX_BYTES, Sandbox
    from flows.mcp.server import FlowsMcp, serve_stdio
    from flows.mcp.tools import TOOLS, ToolResult, ToolSpec, available_tools

_EXPORTS = {
    "DEFAULT_MAX_BYTES": "flows.mcp.paths",
    "Sandbox": "flows.mcp.paths",
    "InputTooLarge": "flows.mcp.errors",
    "PathOutsideRoots": "flows.mcp.errors",
    "ToolArgumentError": "flows.mcp.errors",
    "ToolFailed": "flows.mcp.errors",
    "FlowsMcp": "flows.mcp.server",
    "serve_stdio": "flows.mcp.server",
    "TOOLS": "flows.mcp.tools",
    "ToolResult": "flows.mcp.tools",
    "ToolSpec": "flows.mcp.tools",
    "available_tools": "flows.mcp.tools",
}

__all__ = [
    "DEFAULT_MAX_BYTES",
    "TOOLS",
    "FlowsMcp",
    "InputTooLarge",
    "PathOutsideRoots",
    "Sandbox",
    "ToolArgumentError",
    "ToolFailed",
    "ToolResult",
    "ToolSpec",
    "available_tools",
    "serve_stdio",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'flows.mcp' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
