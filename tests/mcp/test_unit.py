"""In-process checks: path confinement, limits, crash containment and the CLI start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import Field

from connector_spec.errors import InputError
from flows.mcp import FlowsMcp, InputTooLarge, PathOutsideRoots, Sandbox, ToolSpec
from flows.mcp.tools import ToolInput, ToolResult

REPO = Path(__file__).resolve().parents[2]


def test_sandbox_resolves_relative_paths_from_the_first_root(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    box = Sandbox.create([a, b])
    assert box.resolve("x/y.yaml", field="f") == a.resolve() / "x" / "y.yaml"
    assert box.resolve(b / "z", field="f") == b.resolve() / "z"
    assert box.resolve("x/../inside", field="f") == a.resolve() / "inside"
    with pytest.raises(PathOutsideRoots) as caught:
        box.resolve("../c", field="spec")
    assert caught.value.exit_code == 2
    assert caught.value.diagnostics().startswith("spec: ../c is outside the directories")
    assert "hint: " in caught.value.diagnostics()


def test_sandbox_follows_symlinks(tmp_path: Path) -> None:
    root, other = tmp_path / "root", tmp_path / "other"
    root.mkdir()
    other.mkdir()
    os.symlink(other, root / "link")
    os.symlink(root / "real.txt", root / "inner-link")
    box = Sandbox.create([root])
    with pytest.raises(PathOutsideRoots):
        box.resolve("link/file", field="f")
    assert box.resolve("inner-link", field="f") == root.resolve() / "real.txt"


def test_sandbox_limits(tmp_path: Path) -> None:
    box = Sandbox.create([tmp_path], max_bytes=10)
    assert box.check_text("0123456789", field="t") == b"0123456789"
    with pytest.raises(InputTooLarge):
        box.check_text("01234567890", field="t")
    with pytest.raises(InputTooLarge):
        box.check_text("é" * 6, field="t")  # 12 bytes of UTF-8
    (tmp_path / "f").write_bytes(b"x" * 11)
    with pytest.raises(InputTooLarge):
        box.input_file("f", field="f")
    with pytest.raises(InputError, match="no such file"):
        box.input_file("missing", field="f")
    with pytest.raises(InputError, match="not a directory"):
        Sandbox.create([tmp_path / "f"])
    with pytest.raises(InputError, match="not a usable path"):
        box.resolve("a\x00b", field="f")


class _Boom(ToolInput):
    n: int = Field(default=1)


def _explode(args: _Boom, sandbox: Sandbox) -> ToolResult:
    raise RuntimeError("kaboom")


def _no_file(args: _Boom, sandbox: Sandbox) -> ToolResult:
    open(sandbox.home / "missing.txt").close()
    return ToolResult({})


def test_unexpected_exceptions_become_tool_errors(tmp_path: Path) -> None:
    tools = [ToolSpec("boom", "explodes", _Boom, _explode), ToolSpec("io", "io", _Boom, _no_file)]
    server = FlowsMcp(Sandbox.create([tmp_path]), tools)
    result = server.call("boom", {})
    assert not result.ok
    assert result.data["error"] == "ToolFailed"
    assert "boom failed unexpectedly: RuntimeError: kaboom" in result.data["message"]
    io = server.call("io", {})
    assert io.data["error"] == "InputError"
    assert "missing.txt: No such file or directory" in io.data["message"]
    mcp_result = FlowsMcp.to_mcp(result)
    assert mcp_result.is_error
    assert mcp_result.structured_content == result.data


def test_cli_refuses_a_missing_root_without_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli.main", "mcp", "--root", str(tmp_path / "nope"), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    payload = json.loads(done.stdout)
    assert payload["error"] == "InputError"
    assert "nope: not a directory" in payload["message"]


def test_output_dir_checks_links_inside_generated_packages(tmp_path: Path) -> None:
    root, other = tmp_path / "root", tmp_path / "other"
    (root / "out" / "flows_x" / "sub").mkdir(parents=True)
    other.mkdir()
    box = Sandbox.create([root])
    assert box.output_dir("out", field="out") == root.resolve() / "out"
    os.symlink(other / "f.py", root / "out" / "flows_x" / "sub" / "f.py")
    with pytest.raises(PathOutsideRoots, match=r"link f\.py"):
        box.output_dir("out", field="out")
