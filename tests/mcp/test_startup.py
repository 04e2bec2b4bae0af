"""Start-up of `flows mcp`: no typer, no flows libraries, no tool implementations before the
server answers; unusual command lines go through the full CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flows.cli.main import _mcp_options

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("typer", "rich", "connector_spec", "policies", "certify", "registry", "flows.cli.app")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], ([], None)),
        (["--root", "a", "--root=b", "--max-bytes", "10", "--json"], (["a", "b"], 10)),
        (["--max-bytes=1_000"], ([], 1000)),  # what click's int() accepts too
    ],
)
def test_mcp_options_fast_path(argv: list[str], expected: tuple[list[str], int | None]) -> None:
    assert _mcp_options(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["-h"], ["--root"], ["--root", "--json"], ["--max-bytes", "x"], ["--rot", "a"]],
)
def test_anything_unusual_takes_the_full_cli(argv: list[str]) -> None:
    assert _mcp_options(argv) is None


def test_serving_imports_neither_typer_nor_the_libraries(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""\
        import json, sys
        import flows.mcp.server as server
        from flows.cli.main import main

        def fake_serve(roots=(), *, max_bytes=0, sandbox=None):
            mcp = server.FlowsMcp(sandbox)
            mcp.build()
            mcp.list_tools()
            heavy = sorted(
                name for name in sys.modules
                if any(name == h or name.startswith(h + ".") for h in {HEAVY!r})
            )
            print(json.dumps({{"heavy": heavy, "impl": "flows.mcp.impl" in sys.modules,
                              "roots": [str(r) for r in sandbox.roots]}}))

        server.serve_stdio = fake_serve
        main(["mcp", "--root", sys.argv[1]])
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data == {"heavy": [], "impl": False, "roots": [str(tmp_path.resolve())]}


def test_help_and_start_up_errors_still_come_from_the_cli(tmp_path: Path) -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "flows.cli.main", "mcp", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        check=False,
    )
    assert shown.returncode == 0
    assert "--max-bytes" in shown.stdout and "Serve the toolchain" in shown.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "flows.cli.main", "mcp", "--max-bytes", "0"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        check=False,
    )
    assert bad.returncode == 2
    assert "--max-bytes 0: must be a positive number of bytes" in bad.stderr
    assert "Traceback" not in bad.stderr
