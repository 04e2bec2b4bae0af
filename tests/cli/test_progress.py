"""Long operations draw a rich bar on a terminal and stay quiet with --json or without one."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest

from flows.cli import farm_cmds
from flows.cli.progress import progress_callback


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar() -> None:
    stream = Terminal()
    with progress_callback("generating site", stream=stream) as progress:
        assert progress is not None
        progress(1, 4)
        progress(4, 4)
    assert "generating site" in stream.getvalue()


def test_no_terminal_no_bar() -> None:
    stream = io.StringIO()
    with progress_callback("generating site", stream=stream) as progress:
        assert progress is None
    assert stream.getvalue() == ""


def test_json_mode_gets_no_bar_even_on_a_terminal() -> None:
    stream = Terminal()
    with progress_callback("generating site", enabled=False, stream=stream) as progress:
        assert progress is None
    assert stream.getvalue() == ""


def test_farm_prints_no_progress_without_a_terminal_nor_with_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    outcome = SimpleNamespace(status="published", label="stripe@1.0.0")
    for quiet in (False, True):
        progress = farm_cmds._progress(quiet=quiet)
        with progress:
            progress.phase("publish", 1)
            progress.done(outcome)
        captured = capsys.readouterr()
        assert "stripe@1.0.0" not in captured.err + captured.out
