"""Render the top-level ``flows --help`` text into ``flows/cli/help.txt``.

``flows``, ``flows --help`` and ``flows -h`` are served from that file without importing typer
(see ``flows/cli/main.py``), so it must match what the typer application renders.
``tests/spec/test_fast_help.py`` fails when it is stale. Run after adding a command group:

    .venv/bin/python scripts/render_help.py           # rewrite flows/cli/help.txt
    .venv/bin/python scripts/render_help.py --check   # exit 1 if it is stale
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HELP_FILE = REPO / "flows" / "cli" / "help.txt"

_RENDER = (
    "import sys\n"
    "from flows.cli.app import app\n"
    "try:\n"
    "    app(args=['--help'], prog_name='flows')\n"
    "except SystemExit as exit:\n"
    "    sys.exit(exit.code)\n"
)


def render_help() -> str:
    """The typer app's top-level help, rendered as plain text (no rich, 100 columns)."""
    env = dict(os.environ)
    env.update({"TYPER_USE_RICH": "0", "COLUMNS": "100", "LINES": "50", "NO_COLOR": "1"})
    env.pop("FORCE_COLOR", None)
    done = subprocess.run(
        [sys.executable, "-c", _RENDER],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"rendering the help failed:\n{done.stderr}")
    return done.stdout


def main(argv: list[str]) -> int:
    """Write (or with ``--check`` compare) ``flows/cli/help.txt``."""
    text = render_help()
    current = HELP_FILE.read_text(encoding="utf-8") if HELP_FILE.exists() else None
    if "--check" in argv:
        if current == text:
            print(f"{HELP_FILE.relative_to(REPO)} is up to date")
            return 0
        print(f"{HELP_FILE.relative_to(REPO)} is stale; run: python scripts/render_help.py")
        return 1
    if current != text:
        temp = HELP_FILE.with_suffix(".txt.tmp")
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, HELP_FILE)
    print(f"wrote {HELP_FILE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
