"""`flows --help` is served from flows/cli/help.txt; keep that file identical to typer's help."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO

HELP_FILE = REPO / "flows" / "cli" / "help.txt"


def _render_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "render_help", REPO / "scripts" / "render_help.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_help_matches_a_fresh_rendering() -> None:
    fresh = _render_script().render_help()
    assert "Usage: flows [OPTIONS] COMMAND [ARGS]..." in fresh
    assert HELP_FILE.read_text(encoding="utf-8") == fresh, (
        "flows/cli/help.txt is stale (a command group changed); "
        "run: .venv/bin/python scripts/render_help.py"
    )


@pytest.mark.parametrize("argv", [[], ["--help"], ["-h"]])
def test_fast_help_is_served_without_importing_typer(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from flows.cli.main import main\n"
        f"main({argv!r})\n"
        "heavy = sorted(m for m in ('typer', 'click', 'rich', 'pydantic') if m in sys.modules)\n"
        "sys.stderr.write(','.join(heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout == HELP_FILE.read_text(encoding="utf-8")
    assert done.stderr == ""


def test_console_script_help(tmp_path: Path) -> None:
    flows = Path(sys.executable).parent / "flows"
    if not flows.exists():
        pytest.skip("the flows console script is not installed")
    done = subprocess.run([str(flows), "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stdout == HELP_FILE.read_text(encoding="utf-8")
