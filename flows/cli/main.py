"""Console entry point of ``flows``.

Top-level help is served from a pre-rendered text so that ``flows --help`` does not pay for
importing typer and rich; ``tests/test_cli_help.py`` keeps that text identical to what the
typer application renders.
"""

from __future__ import annotations

import sys
from importlib import resources


def _fast_help(argv: list[str]) -> bool:
    if argv not in ([], ["--help"], ["-h"]):
        return False
    text = resources.files("flows.cli").joinpath("help.txt").read_text(encoding="utf-8")
    sys.stdout.write(text)
    return True


def main(argv: list[str] | None = None) -> None:
    """Run the ``flows`` command line."""
    args = sys.argv[1:] if argv is None else argv
    if _fast_help(args):
        return
    from flows.cli.app import app

    app(args=args, prog_name="flows")


if __name__ == "__main__":
    main()
