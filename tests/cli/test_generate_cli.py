"""`flows generate connector` as a user runs it: output, --check, --json, exit codes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from tests.conftest import SMALL_SEEDS

runner = CliRunner()
STRIPE = SMALL_SEEDS / "stripe" / "connector.yaml"


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_generate_then_check(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", "connector", str(STRIPE), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "generated flows_stripe" in result.output
    assert (tmp_path / "flows_stripe" / "client.py").exists()
    check = runner.invoke(
        app, ["generate", "connector", str(STRIPE), "--out", str(tmp_path), "--check"]
    )
    assert check.exit_code == 0 and "up to date" in check.output


def test_check_reports_stale_files_with_exit_1(tmp_path: Path) -> None:
    runner.invoke(app, ["generate", "connector", str(STRIPE), "--out", str(tmp_path)])
    (tmp_path / "flows_stripe" / "models.py").write_text("# edited by hand\n")
    result = runner.invoke(
        app, ["generate", "connector", str(STRIPE), "--out", str(tmp_path), "--check", "--json"]
    )
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["up_to_date"] is False
    assert payload["changed"] == ["flows_stripe/models.py"]
    assert (tmp_path / "flows_stripe" / "models.py").read_text() == "# edited by hand\n"


def test_invalid_spec_writes_nothing_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(STRIPE.read_text().replace("effects: write", "effects: writes", 1))
    out = tmp_path / "out"
    result = runner.invoke(app, ["generate", "connector", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert "bad.yaml:" in result.output and "effects" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_unwritable_filesystem_is_refused() -> None:
    """/sys refuses new files even to root, so this runs everywhere (CI runs as root)."""
    out = Path("/sys/flows-unwritable-test")
    if not Path("/sys").is_dir():
        pytest.skip("no /sys on this machine")
    result = runner.invoke(app, ["generate", "connector", str(STRIPE), "--out", str(out)])
    assert result.exit_code == 2
    assert "cannot write generated files" in result.output or "not writable" in result.output
    assert "nothing was written" in result.output
    assert not out.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_unwritable_output_directory_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "locked"
    out.mkdir()
    out.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = runner.invoke(app, ["generate", "connector", str(STRIPE), "--out", str(out)])
    finally:
        out.chmod(stat.S_IRWXU)
    assert result.exit_code == 2
    assert "not writable" in result.output
    assert list(out.iterdir()) == []


def test_output_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("keep me\n")
    before = _tree(tmp_path)
    result = runner.invoke(
        app, ["generate", "connector", str(STRIPE), "--out", str(target / "sub")]
    )
    assert result.exit_code == 2
    assert "not a directory" in result.output
    assert _tree(tmp_path) == before


def test_json_error_shape(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", "connector", str(tmp_path / "missing.yaml"), "--json"])
    assert result.exit_code == 2
    payload = json.loads(result.output)
    assert payload["ok"] is False and payload["exit_code"] == 2
    assert payload["diagnostics"][0]["message"] == "file not found"
