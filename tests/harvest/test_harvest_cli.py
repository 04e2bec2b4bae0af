"""`flows harvest n8n` as a user runs it: tables, --json, report files, exit codes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from flows.cli.app import app
from tests.harvest.helpers import FIXTURE, make_tgz, tree

runner = CliRunner()


def _harvest(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["harvest", "n8n", "--catalog", str(FIXTURE), *args])
    return result.exit_code, result.output


def test_prints_ranking_and_reasons(tmp_path: Path) -> None:
    code, output = _harvest("--out", str(tmp_path / "out"))
    assert code == 0, output
    assert "n8n-nodes-base 2.41.2" in output
    assert "9 node types: 1 complete, 4 incomplete, 2 no spec, 2 skipped" in output
    assert "pre-send-hook" in output
    assert "warnings (specs written; not blocking)" in output
    assert "response-schema-unknown" in output
    assert (tmp_path / "out" / "adalo" / "connector.yaml").is_file()


def test_json_output_is_the_report(tmp_path: Path) -> None:
    code, output = _harvest("--out", str(tmp_path / "out"), "--json")
    assert code == 0
    data = json.loads(output)
    assert data["ok"] is True
    assert data["catalog"]["version"] == "2.41.2"
    assert data["totals"]["specs_written"] == 5
    assert data["totals"]["omitted_operations_by_reason"] == {"pre-send-hook": 2}
    assert data["out_dir"] == str(tmp_path / "out")


def test_report_file_in_markdown_and_json(tmp_path: Path) -> None:
    code, _ = _harvest("--out", str(tmp_path / "out"), "--report", str(tmp_path / "r.md"))
    assert code == 0
    assert (tmp_path / "r.md").read_text().startswith("# n8n harvest report")
    code, _ = _harvest(
        "--out",
        str(tmp_path / "out"),
        "--report",
        str(tmp_path / "r.txt"),
        "--report-format",
        "json",
    )
    assert code == 0
    assert json.loads((tmp_path / "r.txt").read_text())["totals"]["node_types"] == 9


def test_report_format_md_without_file_goes_into_out(tmp_path: Path) -> None:
    code, _ = _harvest("--out", str(tmp_path / "out"), "--report-format", "md")
    assert code == 0
    assert (tmp_path / "out" / "harvest-report.md").is_file()


def test_bad_catalog_exits_2_without_traceback_and_writes_nothing(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["harvest", "n8n", "--catalog", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "nope: no such file or directory" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_bad_input_as_json(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("x")
    code, output = _harvest("--out", str(out), "--json")
    assert code == 2
    payload = json.loads(output)
    assert payload["ok"] is False and payload["error"] == "OutputDirError"
    assert tree(out) == {"mine.txt": b"x"}


def test_unknown_report_format_and_missing_report_dir(tmp_path: Path) -> None:
    code, output = _harvest("--out", str(tmp_path / "o"), "--report-format", "xml")
    assert code == 2 and "not md or json" in output
    code, output = _harvest("--out", str(tmp_path / "o"), "--report", str(tmp_path / "x" / "r.md"))
    assert code == 2 and "does not exist" in output
    assert not (tmp_path / "o").exists()


def test_missing_usage_dir(tmp_path: Path) -> None:
    code, output = _harvest("--out", str(tmp_path / "o"), "--usage", str(tmp_path / "none"))
    assert code == 2 and "not a directory" in output


def test_npm_catalog_source_through_the_cli(tmp_path: Path, monkeypatch: Any) -> None:
    archive = make_tgz(FIXTURE, tmp_path / "packed.tgz")
    seen: list[list[str]] = []

    def fake_npm(argv: Sequence[str], cwd: Path) -> None:
        seen.append(list(argv))
        shutil.copy(archive, cwd / "n8n-nodes-base-2.41.2.tgz")

    monkeypatch.setattr("flows.harvest.catalog._run", fake_npm)
    result = runner.invoke(
        app,
        ["harvest", "n8n", "--catalog", "npm:n8n-nodes-base@2.41.2", "--out", str(tmp_path / "o")],
    )
    assert result.exit_code == 0, result.output
    assert seen == [["npm", "pack", "n8n-nodes-base@2.41.2", "--silent"]]
    report = json.loads((tmp_path / "o" / "harvest-report.json").read_text())
    assert report["catalog"]["source"] == "npm:n8n-nodes-base@2.41.2"
