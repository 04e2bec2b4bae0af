"""Errors of the MCP server (all :class:`~connector_spec.errors.FlowsError` subclasses).

Kept apart from :mod:`flows.mcp.paths` and :mod:`flows.mcp.server` so that starting the
server does not import :mod:`connector_spec` before the first tool call.
"""

from __future__ import annotations

from connector_spec.errors import DiagnosticError, FlowsError, InputError


class PathOutsideRoots(InputError):
    """A tool argument names a path outside the directories the server may touch."""


class InputTooLarge(InputError):
    """An inline input or an input file is larger than the server's limit."""


class ToolArgumentError(DiagnosticError):
    """The arguments of a tool call do not match the tool's input schema."""

    kind = "the tool arguments"


class ToolFailed(FlowsError):
    """A tool raised something unexpected (a bug); the server keeps running."""

    exit_code = 1
