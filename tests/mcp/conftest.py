"""A real MCP session against a ``flows mcp`` subprocess, driven from synchronous tests.

The SDK's stdio client runs in an anyio blocking portal (a background event loop), so the
tests call tools with plain function calls. One server per test module keeps the suite fast.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "n8n-corpus" / "workflows"
SEED = REPO / "tests" / "data" / "small_seeds" / "stripe"  # see the README there
FLOWS = Path(sys.executable).parent / "flows"

TINY_WORKFLOW: dict[str, Any] = {
    "name": "tiny",
    "nodes": [
        {
            "id": "1",
            "name": "Start",
            "type": "n8n-nodes-base.manualTrigger",
            "typeVersion": 1,
            "position": [0, 0],
            "parameters": {},
        },
        {
            "id": "2",
            "name": "Wait a bit",
            "type": "n8n-nodes-base.wait",
            "typeVersion": 1,
            "position": [200, 0],
            "parameters": {"amount": 1},
        },
    ],
    "connections": {"Start": {"main": [[{"node": "Wait a bit", "type": "main", "index": 0}]]}},
}


class McpClient:
    """Blocking wrapper of an MCP ``ClientSession`` (calls run on the portal's loop)."""

    def __init__(self, portal: Any, session: Any) -> None:
        self.portal = portal
        self.session = session

    def list_tools(self) -> Any:
        return self.portal.call(self.session.list_tools)

    def call(self, name: str, arguments: dict[str, Any] | None = None) -> Any:
        return self.portal.call(self.session.call_tool, name, arguments or {})


@contextmanager
def mcp_server(
    *roots: Path,
    extra: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    command: list[str] | None = None,
) -> Iterator[McpClient]:
    """Start ``flows mcp --root ...`` (the console script) and open an initialised session.

    The console script, as MCP clients run it: ``python -m`` would put the working directory
    (a root holding ``registry/``) first on ``sys.path``. ``XDG_STATE_HOME`` (where the
    registry tools keep their trust store) is a ``state`` folder beside the first root unless
    ``env`` sets it, so tests never write into the real home directory.
    """
    from anyio.from_thread import start_blocking_portal
    from mcp import ClientSession, StdioServerParameters, stdio_client

    program, *args = command or [str(FLOWS), "mcp"]
    for root in roots:
        args += ["--root", str(root)]
    env = {"XDG_STATE_HOME": str(roots[0].parent / "state"), **(env or {})}
    params = StdioServerParameters(
        command=program, args=[*args, *extra], cwd=str(roots[0]), env=env
    )
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(stdio_client(params)) as (read, write),
        portal.wrap_async_context_manager(ClientSession(read, write)) as session,
    ):
        portal.call(session.initialize)
        yield McpClient(portal, session)


def make_root(base: Path) -> Path:
    """A workspace holding a copy of the stripe seed connector (spec, package, fixtures)."""
    root = base / "work"
    shutil.copytree(SEED, root / "connectors" / "stripe")
    return root


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_root(tmp_path_factory.mktemp("mcp"))


@pytest.fixture(scope="module")
def client(root: Path) -> Iterator[McpClient]:
    with mcp_server(root) as session:
        yield session


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path → bytes)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def text_of(result: Any) -> str:
    """The text content of a tool result."""
    return "\n".join(block.text for block in result.content if block.type == "text")
