"""The MCP server answers every line it cannot use, as JSON-RPC 2.0 says; never silence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flows.mcp import FlowsMcp, Sandbox
from flows.mcp.jsonrpc import INVALID_REQUEST, PARSE_ERROR
from tests.hardening.mcp_session import mcp_session

HUGE = "9" * 5000

INIT = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"},
    },
}


def _session(tmp_path: Path, lines: list[str]) -> list[dict[str, Any]]:
    """Send ``lines`` after the handshake, then a final tools/list; replies by position."""
    handshake = [
        json.dumps(INIT),
        json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    ]
    last = json.dumps({"jsonrpc": "2.0", "id": "last", "method": "tools/list"})
    replies, stderr = mcp_session(tmp_path, [*handshake, *lines, last], "last")
    assert "Traceback" not in stderr, stderr
    return replies


def test_unusable_messages_get_json_rpc_errors(tmp_path: Path) -> None:
    lines = [
        "garbage{",
        "[1, 2]",
        "[" * 100_000 + "]" * 100_000,
        '{"jsonrpc": "2.0", "id": ' + HUGE + ', "method": "tools/list"}',
        '{"jsonrpc": "2.0", "id": 1e400, "method": "tools/list"}',
        '{"jsonrpc": "2.0", "id": 7, "method": 5}',
    ]
    replies = _session(tmp_path, lines)
    assert replies[0]["id"] == 0 and "result" in replies[0]
    errors = replies[1:-1]
    codes = [(r["id"], r["error"]["code"]) for r in errors]
    assert codes == [
        (None, PARSE_ERROR),
        (None, INVALID_REQUEST),
        (None, PARSE_ERROR),
        (None, INVALID_REQUEST),
        (None, INVALID_REQUEST),
        (7, INVALID_REQUEST),
    ]
    assert replies[-1]["id"] == "last" and replies[-1]["result"]["tools"]  # still serving


def test_a_5000_digit_argument_is_an_argument_error(tmp_path: Path) -> None:
    call = (
        '{"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "spec_diff", '
        '"arguments": {"old": ' + HUGE + ', "new": "b.yaml"}}}'
    )
    replies = _session(tmp_path, [call])
    result = replies[1]["result"]
    assert replies[1]["id"] == 3 and result["isError"] is True
    assert result["structuredContent"]["error"] == "ToolArgumentError"
    assert result["structuredContent"]["diagnostics"][0]["path"] == "old"
    assert "more than 4,300 digits" in result["content"][0]["text"]


def test_a_5000_digit_argument_in_process_is_an_argument_error(tmp_path: Path) -> None:
    server = FlowsMcp(Sandbox.create([tmp_path]))
    workflow = {"name": "w", "nodes": [{"typeVersion": 10**5000}], "connections": {}}
    result = server.call("n8n_import", {"workflow": workflow})
    assert not result.ok
    assert result.data["error"] == "ToolArgumentError"
    assert result.data["diagnostics"][0]["path"] == "workflow.nodes[0].typeVersion"
