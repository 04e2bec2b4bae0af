"""``python -m flows.mcp [--root DIR ...] [--max-bytes N]``: the server without the CLI.

Starts slightly faster than ``flows mcp`` (no typer/rich import); same server.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys

from flows.mcp.paths import DEFAULT_MAX_BYTES


def _forget_working_directory() -> None:
    """Drop the working directory ``python -m`` puts first on ``sys.path``.

    Otherwise a workspace folder named like a flows package (``registry/``, ``policies/``)
    would shadow it. Kept when the packages are only importable from there.
    """
    if sys.path and sys.path[0] in ("", os.getcwd()):
        entry = sys.path.pop(0)
        if importlib.util.find_spec("connector_spec") is None:
            sys.path.insert(0, entry)


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and serve; bad arguments print a diagnostic and return 2."""
    parser = argparse.ArgumentParser(prog="python -m flows.mcp", description=__doc__)
    parser.add_argument("--root", action="append", default=[], help="Allowed directory.")
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES)
    args = parser.parse_args(argv)
    _forget_working_directory()
    from flows.mcp.server import serve_stdio

    try:
        serve_stdio(args.root, max_bytes=args.max_bytes)
    except Exception as error:
        from connector_spec.errors import FlowsError  # imported only now: start-up time

        if not isinstance(error, FlowsError):
            raise
        sys.stderr.write(f"error: {error.diagnostics()}\n")
        return error.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
