"""Screening JSON-RPC lines before the MCP SDK sees them.

The SDK drops a line it cannot parse without answering, so a client that sends garbage, a
JSON array, a deeply nested document or an out-of-range id waits forever. Every line read
from stdin goes through :func:`screen` first: a well-formed message is handed on; anything
else is answered as JSON-RPC 2.0 says (``-32700`` parse error, ``-32600`` invalid request);
a ``tools/call`` whose arguments hold a number too long to convert gets the same structured
argument error as any other invalid argument.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flows.mcp.errors import ToolArgumentError

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
MAX_LINE_CHARS = 64 * 1024 * 1024
MAX_ID = 2**63 - 1
"""The largest integer id answered (JSON-RPC ids must round-trip; larger ones are refused)."""


class _TooLong(str):
    """A JSON number with more digits than Python converts (kept as its text)."""


def _parse_int(text: str) -> int | _TooLong:
    try:
        return int(text)
    except ValueError:
        return _TooLong(text)


@dataclass(frozen=True)
class Screened:
    """The outcome for one line: a ``message`` for the SDK, or a ``reply`` to send instead."""

    message: Any = None
    reply: dict[str, Any] | None = None


def _error(code: int, message: str, ident: Any = None) -> Screened:
    return Screened(
        reply={"jsonrpc": "2.0", "id": ident, "error": {"code": code, "message": message}}
    )


def _valid_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return not isinstance(value, _TooLong) and -MAX_ID <= value <= MAX_ID
    return isinstance(value, str) and not isinstance(value, _TooLong)


_MAX_INT_BITS = 14_280  # 4,300 decimal digits


def long_number_paths(value: Any, path: str = "") -> list[str]:
    """Where ``value`` holds a number too long to convert to text (dotted paths, sorted)."""
    found: list[str] = []
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        too_long = isinstance(item, int) and abs(item).bit_length() > _MAX_INT_BITS
        if isinstance(item, _TooLong) or too_long:
            found.append(where)
        elif isinstance(item, dict):
            stack.extend((v, f"{where}.{k}" if where else str(k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(item))
    return sorted(found)


def screen(line: str, validate: Any) -> Screened:
    """Decide what to do with one line; ``validate`` is the SDK's message parser.

    ``validate(line)`` returns the SDK's message or raises; it is called only on lines that
    are a JSON object with an acceptable id.
    """
    if len(line) > MAX_LINE_CHARS:
        return _error(PARSE_ERROR, f"Parse error: message longer than {MAX_LINE_CHARS} characters")
    try:
        data = json.loads(line, parse_int=_parse_int)
    except (ValueError, RecursionError) as exc:
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        return _error(PARSE_ERROR, f"Parse error: {detail}")
    if not isinstance(data, dict):
        kind = "an array (batches are not supported)" if isinstance(data, list) else "not an object"
        return _error(INVALID_REQUEST, f"Invalid Request: the message is {kind}")
    if "id" in data and data["id"] is not None and not _valid_id(data["id"]):
        return _error(INVALID_REQUEST, "Invalid Request: id must be a string or a 64-bit integer")
    ident = data.get("id")
    long_numbers = long_number_paths(data)
    if long_numbers:
        arguments = [p for p in long_numbers if p.startswith("params.arguments.")]
        if data.get("method") == "tools/call" and ident is not None and arguments:
            return Screened(
                reply={
                    "jsonrpc": "2.0",
                    "id": ident,
                    "result": _argument_error(
                        str((data.get("params") or {}).get("name", "?")), arguments
                    ),
                }
            )
        return _error(INVALID_REQUEST, "Invalid Request: a number has too many digits", ident)
    try:
        return Screened(message=validate(line))
    except Exception:  # the SDK's parser refused it: name the problem in JSON-RPC terms
        if ident is None:
            return Screened()  # an unusable notification: JSON-RPC gives it no reply
        return _error(INVALID_REQUEST, "Invalid Request: not a valid JSON-RPC 2.0 message", ident)


def long_number_error(tool: str, paths: list[str]) -> ToolArgumentError:
    """The argument error for numbers too long to convert, one diagnostic per argument path."""
    from connector_spec.errors import Diagnostic
    from connector_spec.files import MAX_INT_DIGITS
    from flows.mcp.errors import ToolArgumentError

    return ToolArgumentError(
        [
            Diagnostic(
                f"tool {tool}",
                None,
                None,
                path,
                f"number has more than {MAX_INT_DIGITS:,} digits",
                "see the tool's input schema (tools/list)",
            )
            for path in paths[:50]
        ]
    )


def _argument_error(tool: str, paths: list[str]) -> dict[str, Any]:
    """The tools/call result for arguments holding numbers too long to convert."""
    from connector_spec.errors import error_payload

    error = long_number_error(tool, [p.removeprefix("params.arguments.") for p in paths])
    return {
        "content": [{"type": "text", "text": error.diagnostics()}],
        "structuredContent": error_payload(error),
        "isError": True,
    }
