"""``flows mcp``: serve the toolchain as Model Context Protocol tools over stdio."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.output import JSON_OPTION_HELP, handles_errors

DEFAULT_MAX_BYTES = 1024 * 1024


@handles_errors
def mcp_command(
    root: Annotated[
        list[Path] | None,
        typer.Option(
            "--root",
            help="A directory tool paths may use (repeatable; default: the current directory). "
            "Relative paths in tool arguments start at the first.",
        ),
    ] = None,
    max_bytes: Annotated[
        int,
        typer.Option("--max-bytes", help="Largest inline input or input file accepted, in bytes."),
    ] = DEFAULT_MAX_BYTES,
    json_output: Annotated[
        bool, typer.Option("--json", help=JSON_OPTION_HELP + " (start-up errors only)")
    ] = False,
) -> None:
    """Serve the toolchain as MCP tools over stdio (for LLM clients).

    Tools for desktop assistants and IDEs: spec_validate, spec_schema, spec_diff,
    connector_generate, connector_certify, policy_check, registry_search/show/verify,
    n8n_import, graph_visualize. Publishing is deliberately not a tool."""
    from flows.mcp.server import serve_stdio

    serve_stdio(root or [], max_bytes=max_bytes)
