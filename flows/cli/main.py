"""Console entry point of ``flows``.

Top-level help is served from a pre-rendered text so that ``flows --help`` does not pay for
importing typer and rich; ``tests/spec/test_fast_help.py`` keeps that text identical to what the
typer application renders. ``flows mcp`` starts its server without importing the typer
application either (MCP clients wait for it); anything unusual on its command line (help, an
unknown option, a start-up error) goes through the full CLI, which reports it.
"""

from __future__ import annotations

import sys


def _fast_help(argv: list[str]) -> bool:
    if argv not in ([], ["--help"], ["-h"]):
        return False
    from importlib import resources

    text = resources.files("flows.cli").joinpath("help.txt").read_text(encoding="utf-8")
    sys.stdout.write(text)
    return True


def _mcp_options(argv: list[str]) -> tuple[list[str], int | None] | None:
    """``--root`` values and ``--max-bytes`` of ``flows mcp ARGS``; None to use the full CLI."""
    roots: list[str] = []
    max_bytes: int | None = None
    index = 0
    while index < len(argv):
        arg = argv[index]
        index += 1
        if arg == "--json":  # only changes how start-up errors look; those take the full CLI
            continue
        name, equals, value = arg.partition("=")
        if name not in ("--root", "--max-bytes"):
            return None
        if not equals:
            if index >= len(argv):
                return None
            value = argv[index]
            index += 1
        if value.startswith("-"):
            return None
        if name == "--root":
            roots.append(value)
            continue
        try:
            max_bytes = int(value)
        except ValueError:
            return None
    return roots, max_bytes


def _fast_mcp(argv: list[str]) -> bool:
    """Serve ``flows mcp`` without typer; False when the full CLI must handle the arguments."""
    if argv[:1] != ["mcp"]:
        return False
    options = _mcp_options(argv[1:])
    if options is None:
        return False
    roots, max_bytes = options
    from flows.mcp.paths import DEFAULT_MAX_BYTES, Sandbox

    try:
        sandbox = Sandbox.create(roots, DEFAULT_MAX_BYTES if max_bytes is None else max_bytes)
    except Exception as error:
        from connector_spec.errors import FlowsError

        if isinstance(error, FlowsError):
            return False  # the full CLI reports it (text or --json) with the right exit code
        raise
    from flows.mcp.server import serve_stdio

    try:
        serve_stdio(sandbox=sandbox)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted; nothing was changed\n")
        raise SystemExit(130) from None
    return True


def main(argv: list[str] | None = None) -> None:
    """Run the ``flows`` command line."""
    args = sys.argv[1:] if argv is None else argv
    if _fast_help(args) or _fast_mcp(args):
        return
    _quiet_on_closed_pipe()
    from flows.cli.app import app

    app(args=args, prog_name="flows")


def _quiet_on_closed_pipe() -> None:
    """``flows ... | head``: end quietly when the reader goes away, as Unix tools do.

    Output is printed after a command's work is done (a publish has committed by then), so
    stopping at a closed pipe loses nothing.
    """
    import signal

    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)


if __name__ == "__main__":
    main()
