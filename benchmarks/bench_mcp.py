"""Benchmark of ``flows mcp``: server start to first tool list, and a spec_validate round trip.

Run: ``.venv/bin/python benchmarks/bench_mcp.py [--starts N] [--calls N]``. Targets (issue 8):
start → first tool list <= 1 s, spec_validate on the stripe seed spec <= 50 ms round trip.
Also prints the floor: a bare interpreter importing what the server needs of the ``mcp`` SDK.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import ClientSession, StdioServerParameters, stdio_client

REPO = Path(__file__).resolve().parents[1]
SPEC = "connectors/stripe/connector.yaml"
SDK_IMPORT = "import anyio.to_thread, mcp.server.lowlevel, mcp.server.stdio, mcp.types"
SERVERS = {
    "flows mcp": [str(REPO / ".venv" / "bin" / "flows"), "mcp", "--root", str(REPO)],
    "python -m flows.mcp": [sys.executable, "-m", "flows.mcp", "--root", str(REPO)],
}


async def start_to_list(command: list[str]) -> float:
    """Seconds from spawning the server to the answer of the first tools/list."""
    started = time.perf_counter()
    params = StdioServerParameters(command=command[0], args=command[1:], cwd=str(REPO))
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = await session.list_tools()
        elapsed = time.perf_counter() - started
        assert tools.tools
    return elapsed


async def validate_round_trips(command: list[str], calls: int) -> list[float]:
    """Seconds per spec_validate call on the seed spec (after one warm-up call)."""
    params = StdioServerParameters(command=command[0], args=command[1:], cwd=str(REPO))
    times: list[float] = []
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        arguments: dict[str, Any] = {"paths": [SPEC]}
        warm = await session.call_tool("spec_validate", arguments)
        assert not warm.is_error, warm.content
        for _ in range(calls):
            started = time.perf_counter()
            result = await session.call_tool("spec_validate", arguments)
            times.append(time.perf_counter() - started)
            assert not result.is_error
    return times


def sdk_import_seconds() -> float:
    """Seconds until a fresh interpreter has imported the parts of the SDK the server uses.

    Timed to the line it prints when done, not to its exit (tearing down takes a while).
    """
    started = time.perf_counter()
    code = SDK_IMPORT + "; print('ready', flush=True); import sys; sys.stdin.read()"
    with subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as process:
        assert process.stdout is not None and process.stdin is not None
        assert process.stdout.readline().strip() == b"ready"
        elapsed = time.perf_counter() - started
        process.stdin.close()
    return elapsed


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=7)
    parser.add_argument("--calls", type=int, default=50)
    args = parser.parse_args()
    for label, command in SERVERS.items():
        starts = [anyio.run(start_to_list, command) for _ in range(args.starts)]
        print(
            f"{label:22s} start → first tool list: median {statistics.median(starts) * 1000:.0f} ms"
            f", min {min(starts) * 1000:.0f} ms, max {max(starts) * 1000:.0f} ms "
            f"({args.starts} starts; target <= 1000 ms)"
        )
    floor = [sdk_import_seconds() for _ in range(args.starts)]
    print(
        f"{'floor (SDK import)':22s} python -c 'import mcp.server...': median "
        f"{statistics.median(floor) * 1000:.0f} ms, min {min(floor) * 1000:.0f} ms"
    )
    times = anyio.run(validate_round_trips, SERVERS["flows mcp"], args.calls)
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(
        f"spec_validate round trip ({SPEC}): median {statistics.median(times) * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms, max {max(times) * 1000:.1f} ms "
        f"({args.calls} calls; target <= 50 ms)"
    )


if __name__ == "__main__":
    main()
