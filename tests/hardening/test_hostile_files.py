"""A FIFO, a symlink loop or a directory where a file is expected: exit 2 with the path.

Every command that reads a file a user names is run on each kind of hostile path; none may
block (a FIFO used to hang every command forever), print a traceback or write anything.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest
from typer.testing import CliRunner

from connector_spec.files import UnreadableFile, read_input_file
from connector_spec.template import render_template
from flows.cli.app import app

runner = CliRunner()


class Blocked(BaseException):
    """Raised by the alarm; a BaseException so that no error handler can swallow it."""


@pytest.fixture(autouse=True)
def _no_hang() -> Iterator[None]:
    """Fail (instead of hanging the suite) when a command blocks for more than 20 s."""

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise Blocked("the command blocked")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _hostile(tmp_path: Path, kind: str) -> Path:
    target = tmp_path / f"hostile-{kind}.yaml"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "loop":
        target.symlink_to(target.name)
    elif kind == "directory":
        target.mkdir()
    return target


def _spec(tmp_path: Path) -> Path:
    spec = tmp_path / "connectors" / "acme" / "connector.yaml"
    spec.parent.mkdir(parents=True)
    spec.write_text(render_template("acme"), encoding="utf-8")
    return spec


def _snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): "dir" if p.is_dir() else str(p.lstat().st_size)
        for p in root.rglob("*")
    }


COMMANDS: dict[str, list[str]] = {
    "spec validate": ["spec", "validate", "{bad}"],
    "spec diff": ["spec", "diff", "{spec}", "{bad}"],
    "generate": ["generate", "connector", "{bad}"],
    "certify": ["certify", "connector", "{bad}"],
    "policy check": ["policy", "check", "{bad}"],
    "policy check --evidence": ["policy", "check", "{spec}", "--evidence", "{bad}"],
    "policy rules --pack": ["policy", "rules", "--pack", "{bad}"],
    "publish": ["publish", "connector", "{bad}", "--registry", "{tmp}/reg"],
    "import n8n": ["import", "n8n", "{bad}"],
    "graph check": ["graph", "check", "{bad}"],
    "harvest n8n --catalog": ["harvest", "n8n", "--catalog", "{bad}", "--out", "{tmp}/h"],
    "registry init --sigstore-trusted-root": [
        "registry",
        "init",
        "--registry",
        "{tmp}/reg",
        "--sigstore-trusted-root",
        "{bad}",
    ],
}


@pytest.mark.parametrize("kind", ["fifo", "loop", "directory"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_hostile_path_is_refused_with_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, kind: str
) -> None:
    if kind == "directory" and command in {"import n8n", "policy rules --pack"}:
        pytest.skip("a directory is a valid input here (a directory of workflows / packs)")
    if kind == "directory" and command == "harvest n8n --catalog":
        pytest.skip("a directory is a valid input here (an unpacked package)")
    monkeypatch.chdir(tmp_path)
    spec = _spec(tmp_path)
    bad = _hostile(tmp_path, kind)
    argv = [
        a.replace("{bad}", str(bad)).replace("{spec}", str(spec)).replace("{tmp}", str(tmp_path))
        for a in COMMANDS[command]
    ]
    before = _snapshot(tmp_path)
    result = runner.invoke(app, argv)
    output = result.output + (result.stderr if result.stderr_bytes else "")
    assert result.exit_code == 2, output
    assert "Traceback" not in output
    assert str(bad) in output or bad.name in output, output
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("fifo", "FIFO"),
        ("loop", "symlink loop"),
        ("directory", "directory"),
    ],
)
def test_read_input_file_names_what_the_path_is(tmp_path: Path, kind: str, words: str) -> None:
    bad = _hostile(tmp_path, kind)
    with pytest.raises(UnreadableFile) as caught:
        read_input_file(bad, max_bytes=100)
    assert caught.value.exit_code == 2
    assert words in caught.value.diagnostics()
    assert str(bad) in caught.value.diagnostics()


def test_read_input_file_stops_at_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(b"x" * 101)
    with pytest.raises(UnreadableFile, match="101 bytes; the limit is 100"):
        read_input_file(big, max_bytes=100)
    assert read_input_file(big, max_bytes=101) == b"x" * 101


@pytest.mark.parametrize(("kind", "words"), [("fifo", "FIFO"), ("directory", "directory")])
def test_mcp_tools_name_a_hostile_path(tmp_path: Path, kind: str, words: str) -> None:
    from flows.mcp import FlowsMcp, Sandbox

    bad = _hostile(tmp_path, kind)
    server = FlowsMcp(Sandbox.create([tmp_path]))
    for tool, arguments in (
        ("spec_validate", {"paths": [str(bad)]}),
        ("n8n_import", {"path": str(bad)}),
    ):
        result = server.call(tool, arguments)
        assert not result.ok and result.data["exit_code"] == 2, result.data
        assert words in result.data["message"] and bad.name in result.data["message"]
