"""The CLI: flows import n8n and flows graph, as a user sees them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from flows.cli.app import app
from flows.ir.schema import published_schema_text, schema_text
from tests.conftest import CONNECTORS
from tests.n8n.helpers import DATA

runner = CliRunner()
FIXTURE = DATA / "order_webhook.json"


def run(*args: str | Path) -> tuple[int, str, str]:
    argv = [str(a) for a in args]
    if argv[:2] in (["import", "n8n"], ["graph", "check"]):
        argv += ["--connectors", str(CONNECTORS)]
    result = runner.invoke(app, argv)
    return result.exit_code, result.stdout, result.stderr


def test_report_table_and_outputs(tmp_path: Path) -> None:
    out, dot = tmp_path / "flow.json", tmp_path / "flow.dot"
    code, stdout, _ = run("import", "n8n", FIXTURE, "--report", "--out", out, "--dot", dot)
    assert code == 0, stdout
    for text in (
        "Charge",
        "mapped",
        "built-in",
        "lossy",
        "code kept opaque",
        "stripeApi",
        "Order webhook: 7 nodes: 2 mapped",
    ):
        assert text in stdout
    flow = json.loads(out.read_text())
    assert flow["apiVersion"] == "flows.dev/flow/v1"
    assert [n["kind"] for n in flow["nodes"]][:3] == ["trigger.webhook", "branch", "connector"]
    assert list(flow["nodes"][0])[:2] == ["name", "kind"]
    text = dot.read_text()
    assert text.startswith('digraph "Order webhook" {')
    assert '"Call API" -> "Respond" [label="error", color=red];' in text


def test_summary_only_by_default() -> None:
    code, stdout, _ = run("import", "n8n", FIXTURE)
    assert code == 0
    assert stdout.strip().startswith("Order webhook: 7 nodes")
    assert "┃" not in stdout


def test_report_formats(tmp_path: Path) -> None:
    code, stdout, _ = run("import", "n8n", FIXTURE, "--report-format", "md")
    assert code == 0
    assert stdout.startswith("# Import report: Order webhook")
    assert "| Charge | `n8n-nodes-base.stripe` | connector | mapped |" in stdout
    code, stdout, _ = run("import", "n8n", FIXTURE, "--report-format", "json")
    data = json.loads(stdout)
    assert data["coverage"]["mapped"] == 2
    assert data["credentials"][0]["type"] == "slackApi"
    target = tmp_path / "r.md"
    code, _, _ = run("import", "n8n", FIXTURE, "--report-format", "md", "--report-out", target)
    assert code == 0 and target.read_text().startswith("# Import report")


def test_json_output() -> None:
    code, stdout, _ = run("import", "n8n", FIXTURE, "--json")
    data = json.loads(stdout)
    assert (code, data["ok"], data["written"]) == (0, True, [])
    assert data["report"]["summary"].startswith("Order webhook")


def test_bad_input_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"nodes": [')
    out = tmp_path / "flow.json"
    out.write_text("previous")
    dot = tmp_path / "new.dot"
    code, stdout, stderr = run("import", "n8n", bad, "--out", out, "--dot", dot)
    assert code == 2
    assert f"{bad}:1:" in stderr
    assert "not valid JSON" in stderr
    assert "Traceback" not in stderr + stdout
    assert out.read_text() == "previous"
    assert not dot.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "flow.json"]
    code, stdout, _ = run("import", "n8n", bad, "--json")
    data = json.loads(stdout)
    assert (code, data["ok"], data["exit_code"]) == (2, False, 2)
    assert data["diagnostics"][0]["line"] == 1


def test_usage_errors() -> None:
    code, _, stderr = run("import", "n8n", "/nonexistent.json")
    assert code == 2 and "no such file or directory" in stderr
    code, _, stderr = run("import", "n8n", FIXTURE, "--report-out", "x.md")
    assert code == 2 and "--report-out needs --report-format" in stderr
    result = runner.invoke(app, ["import", "n8n", str(FIXTURE), "--connectors", "/nope"])
    assert result.exit_code == 2
    assert "connectors directory not found" in result.stderr


def test_directory_import_with_aggregate_and_outputs(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(FIXTURE, src / "a.json")
    shutil.copy(DATA / "order_webhook_wrapped.json", src / "b.json")
    (src / "broken.json").write_text("{")
    out = tmp_path / "flows"
    code, stdout, _ = run("import", "n8n", src, "--out", out, "--report-format", "md")
    assert code == 1  # one workflow could not be imported
    assert "| Order webhook | 7 | 2 | 4 | 1 | 0 | 0 |" in stdout
    assert "`" + str(src / "broken.json") + "`" in stdout
    assert "2/3 workflows imported (1 failed)" in stdout
    assert not out.exists()  # a batch with a failure writes nothing
    (src / "broken.json").unlink()
    code, stdout, _ = run("import", "n8n", src, "--out", out, "--dot", out)
    assert code == 0, stdout
    assert "wrote 4 files" in stdout
    assert sorted(p.name for p in out.iterdir()) == ["a.dot", "a.flow.json", "b.dot", "b.flow.json"]
    (src / "broken.json").write_text("{")
    code, stdout, _ = run("import", "n8n", src, "--json")
    data = json.loads(stdout)
    assert (code, data["ok"], data["totals"]["failed"], data["totals"]["mapped"]) == (
        1,
        False,
        1,
        4,
    )


def test_graph_check_exit_codes(tmp_path: Path) -> None:
    out = tmp_path / "flow.json"
    assert run("import", "n8n", FIXTURE, "--out", out)[0] == 0
    code, stdout, _ = run("graph", "check", out)
    assert code == 0 and "ok" in stdout and "0 errors" in stdout
    data = json.loads(out.read_text())
    data["edges"].append(
        {"from": {"node": "Charge", "port": "out"}, "to": {"node": "Webhook", "port": "in"}}
    )
    data["nodes"][2]["params"].pop("currency")
    out.write_text(json.dumps(data))
    code, stdout, _ = run("graph", "check", out)
    assert code == 1
    assert "dangling-edge" in stdout and "unbound-input" in stdout
    code, stdout, _ = run("graph", "check", out, "--json")
    assert code == 1
    assert {f["code"] for f in json.loads(stdout)["findings"]} == {"dangling-edge", "unbound-input"}
    out.write_text("{oops")
    code, _, stderr = run("graph", "check", out)
    assert code == 2 and "not valid JSON" in stderr


def test_graph_schema_is_published_and_current(tmp_path: Path) -> None:
    code, stdout, _ = run("graph", "schema")
    assert code == 0
    assert stdout == schema_text() == published_schema_text()
    schema = json.loads(stdout)
    assert "ConnectorNode" in schema["$defs"] and "Ref" in schema["$defs"]
    target = tmp_path / "s.json"
    assert run("graph", "schema", "--out", target)[0] == 0
    assert target.read_text() == stdout


def test_graph_dot(tmp_path: Path) -> None:
    out = tmp_path / "flow.json"
    run("import", "n8n", FIXTURE, "--out", out)
    code, stdout, _ = run("graph", "dot", out)
    assert code == 0 and stdout.startswith("digraph")


def test_imported_flow_validates_against_the_published_schema(tmp_path: Path) -> None:
    import jsonschema  # type: ignore[import-untyped]

    out = tmp_path / "flow.json"
    run("import", "n8n", FIXTURE, "--out", out)
    jsonschema.validate(json.loads(out.read_text()), json.loads(published_schema_text()))


def test_output_targets_are_checked_before_importing(tmp_path: Path) -> None:
    code, _, stderr = run("import", "n8n", FIXTURE, "--out", tmp_path / "no" / "such" / "f.json")
    assert code == 2 and "directory not found" in stderr
    code, _, stderr = run("import", "n8n", FIXTURE, "--dot", tmp_path)
    assert code == 2 and "is a directory" in stderr
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    code, _, stderr = run("import", "n8n", DATA, "--out", afile)
    assert code == 2 and "must be a directory" in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]
