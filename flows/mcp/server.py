"""The MCP server: tools over stdio with the official ``mcp`` SDK (low-level server).

Tool calls are validated against the tool's pydantic input model and run in a worker thread.
Every failure becomes a tool result with ``isError`` set, the diagnostic text the CLI prints
as its text content and ``{"ok": false, "error", "message", "exit_code", "diagnostics"}`` as
structured content; the server itself never stops because of a tool.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows.mcp.paths import DEFAULT_MAX_BYTES, Sandbox
from flows.mcp.tools import ToolResult, ToolSpec, available_tools

if TYPE_CHECKING:
    from mcp.server import Server
    from mcp.types import CallToolResult, ListToolsResult

    from connector_spec.errors import FlowsError
    from flows.mcp.errors import ToolArgumentError

SERVER_NAME = "flows"
log = logging.getLogger("flows.mcp")


def argument_error(tool: str, exc: Any) -> ToolArgumentError:
    """A located diagnostic per pydantic validation problem of the arguments of ``tool``."""
    from connector_spec.errors import Diagnostic
    from flows.mcp.errors import ToolArgumentError

    return ToolArgumentError(
        [
            Diagnostic(
                f"tool {tool}",
                None,
                None,
                ".".join(str(p) for p in err["loc"]),
                err["msg"],
                "see the tool's input schema (tools/list)",
            )
            for err in exc.errors()[:50]
        ]
    )


def run_tool(tool: ToolSpec, arguments: dict[str, Any] | None, sandbox: Sandbox) -> ToolResult:
    """Validate ``arguments`` and run ``tool``; every failure is returned, never raised."""
    from pydantic import ValidationError

    from connector_spec.errors import FlowsError, InputError, argument_style, mcp_argument
    from flows.mcp.errors import ToolFailed
    from flows.mcp.jsonrpc import long_number_error, long_number_paths

    try:
        too_long = long_number_paths(arguments or {})
        if too_long:
            raise long_number_error(tool.name, too_long)
        try:
            args = tool.model.model_validate(arguments or {})
        except ValidationError as exc:
            raise argument_error(tool.name, exc) from None
        with argument_style(mcp_argument):  # library messages name tool arguments here
            return tool.invoke(args, sandbox)
    except FlowsError as error:
        return _failure(error)
    except OSError as error:
        name = getattr(error, "filename", None) or ""
        text = f"{name}: {error.strerror or error}" if name else str(error)
        return _failure(InputError(text))
    except Exception as error:  # a bug in a library must not take the server down
        log.exception("tool %s failed", tool.name)
        return _failure(
            ToolFailed(f"{tool.name} failed unexpectedly: {type(error).__name__}: {error}")
        )


def _failure(error: FlowsError) -> ToolResult:
    from connector_spec.errors import error_payload

    return ToolResult(error_payload(error), ok=False, text=error.diagnostics())


class FlowsMcp:
    """The tools of one server instance, bound to its sandbox."""

    def __init__(self, sandbox: Sandbox, tools: Sequence[ToolSpec] | None = None) -> None:
        self.sandbox = sandbox
        self.tools = {t.name: t for t in (available_tools() if tools is None else tools)}
        self._listing: ListToolsResult | None = None
        # One call at a time: some libraries (certify) import generated packages into
        # sys.modules, which concurrent calls must not interleave.
        self._lock = threading.Lock()

    def list_tools(self) -> ListToolsResult:
        """The tools/list answer: name, description, input schema and hints of every tool."""
        from mcp import types

        if self._listing is None:
            self._listing = types.ListToolsResult(
                tools=[
                    types.Tool(
                        name=t.name,
                        description=t.description,
                        input_schema=t.model.model_json_schema(),
                        annotations=types.ToolAnnotations(
                            read_only_hint=t.read_only,
                            destructive_hint=False,
                            idempotent_hint=True,
                            open_world_hint=False,
                        ),
                    )
                    for t in self.tools.values()
                ]
            )
        return self._listing

    def call(self, name: str, arguments: dict[str, Any] | None) -> ToolResult:
        """Run tool ``name`` (synchronously)."""
        tool = self.tools.get(name)
        if tool is None:
            from connector_spec.errors import InputError

            known = ", ".join(self.tools)
            return _failure(InputError(f"no tool named {name!r}", hint=f"the tools are {known}"))
        with self._lock:
            return run_tool(tool, arguments, self.sandbox)

    @staticmethod
    def to_mcp(result: ToolResult) -> CallToolResult:
        """The MCP form of a result: JSON text content plus structured content."""
        from mcp import types

        text = result.text
        if text is None:
            text = json.dumps(result.data, indent=2, sort_keys=True, default=str)
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=text)],
            structured_content=json.loads(json.dumps(result.data, default=str)),
            is_error=not result.ok,
        )

    def build(self) -> Server[Any]:
        """The low-level MCP server answering tools/list and tools/call."""
        import anyio.to_thread
        from mcp import types
        from mcp.server import Server

        from flows import __version__

        async def on_list_tools(
            ctx: Any, params: types.PaginatedRequestParams | None
        ) -> types.ListToolsResult:
            return self.list_tools()

        async def on_call_tool(ctx: Any, params: types.CallToolRequestParams) -> Any:
            work = functools.partial(self.call, params.name, params.arguments)
            return self.to_mcp(await anyio.to_thread.run_sync(work))

        return Server(
            SERVER_NAME,
            version=__version__,
            instructions=(
                "Deterministic connector toolchain. Draft specs in conversation, then let these "
                "tools validate, generate, certify and check them. Paths must lie inside: "
                + ", ".join(str(r) for r in self.sandbox.roots)
                + ". Publishing is not available here; a person runs `flows publish`."
            ),
            on_list_tools=on_list_tools,
            on_call_tool=on_call_tool,
        )


def serve_stdio(
    roots: Sequence[str | Path] = (),
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    sandbox: Sandbox | None = None,
) -> None:
    """Serve the tools over stdin/stdout until the client closes the connection.

    ``sandbox`` (already created) takes the place of ``roots`` and ``max_bytes``.
    """
    if sandbox is None:
        sandbox = Sandbox.create(roots, max_bytes)  # bad roots fail before any MCP traffic
    import anyio
    from mcp.server.stdio import stdio_server

    server = FlowsMcp(sandbox).build()

    async def main() -> None:
        stdin = _ScreenedStdin()
        async with stdio_server(stdin=stdin) as (read_stream, write_stream):  # type: ignore[arg-type]
            stdin.replies = write_stream
            stdin.ready.set()
            await server.run(read_stream, write_stream, server.create_initialization_options())

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    anyio.run(main)


class _ScreenedStdin:
    """stdin as the SDK reads it, minus the lines :func:`flows.mcp.jsonrpc.screen` answers.

    A line that is not a usable JSON-RPC message is answered here (parse error, invalid
    request, argument error) through the SDK's own write stream, so replies never interleave.
    """

    def __init__(self) -> None:
        import anyio

        self.ready = anyio.Event()
        self.replies: Any = None

    async def __aiter__(self) -> Any:
        import io

        import anyio
        import mcp_types as types
        from mcp.shared.message import SessionMessage

        from flows.mcp.jsonrpc import screen

        def validate(line: str) -> Any:
            return types.jsonrpc_message_adapter.validate_json(line, by_name=False)

        wrapper = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
        async for line in anyio.wrap_file(wrapper):
            if not line.strip():
                continue
            screened = screen(line, validate)
            if screened.reply is not None:
                await self.ready.wait()
                message = types.jsonrpc_message_adapter.validate_python(screened.reply)
                await self.replies.send(SessionMessage(message))
            elif screened.message is not None:
                yield line
