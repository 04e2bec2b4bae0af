"""The CLI: flows import n8n and flows graph, as a user sees them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from flows.ir.schema import published_schema_text, schema_text
from tests.conftest import SMALL_SEEDS
from tests.n8n.helpers import CORPUS, DATA

runner = CliRunner()
FIXTURE = DATA / "order_webhook.json"


def run(*args: str | Path) -> tuple[int, str, str]:
    argv = [str(a) for a in args]
    if argv[:2] in (["import", "n8n"], ["graph", "check"]):
        argv += ["--connectors", str(SMALL_SEEDS)]
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


def _cells(line: str) -> int:
    """The number of cells of a Markdown table row (escaped pipes are not separators)."""
    return len(line.replace("\\|", "").strip().strip("|").split("|"))


def test_report_formats(tmp_path: Path) -> None:
    code, stdout, _ = run("import", "n8n", FIXTURE, "--report-format", "md")
    assert code == 0
    assert stdout.startswith("# Import report: Order webhook")
    assert "| Charge | `n8n-nodes-base.stripe` | connector | mapped |" in stdout
    table = [line for line in stdout.splitlines() if line.startswith("|")]
    assert table[0] == "| node | n8n type | IR kind | status | details |"
    assert table[1] == "|---|---|---|---|---|"
    assert len(table) == 2 + 7  # header, separator, one row per node
    assert {_cells(line) for line in table} == {_cells(table[0])} == {5}
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
    # the per-node-type table: what blocks a migration, at a glance
    types = {row["type"]: row for row in data["node_types"]}
    assert types["n8n-nodes-base.code"] == {
        "type": "n8n-nodes-base.code",
        "count": 2,
        "statuses": {"mapped": 0, "built-in": 0, "lossy": 2, "unsupported": 0},
        "top_lost": [["code kept opaque (1 line of javaScript)", 2]],
    }
    assert data["node_types"][0]["count"] >= data["node_types"][-1]["count"]
    code, stdout, _ = run("import", "n8n", src, "--report-format", "md")
    assert "| `n8n-nodes-base.code` | 2 | 0 | 0 | 2 | 0 | code kept opaque" in stdout


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
    target = tmp_path / "no" / "such" / "f.json"
    code, _, stderr = run("import", "n8n", FIXTURE, "--out", target)
    assert code == 2 and "output directory does not exist" in stderr and str(target) in stderr
    code, _, stderr = run("import", "n8n", FIXTURE, "--dot", tmp_path)
    assert code == 2 and "is a directory" in stderr
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    code, _, stderr = run("import", "n8n", DATA, "--out", afile)
    assert code == 2 and "must be a directory" in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def tree(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` with its bytes (to prove nothing changed)."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_a_failed_report_out_writes_nothing_and_names_the_users_path(tmp_path: Path) -> None:
    target = tmp_path / "nodir" / "r.md"
    code, stdout, stderr = run(
        "import",
        "n8n",
        FIXTURE,
        "--out",
        tmp_path / "flow.json",
        "--dot",
        tmp_path / "flow.dot",
        "--report-format",
        "md",
        "--report-out",
        target,
    )
    assert code == 2
    assert list(tmp_path.iterdir()) == []  # neither flow.json nor flow.dot
    assert (
        str(target) in stderr
        and "--report-out" in stderr
        and "output directory does not exist" in stderr
    )
    assert f"hint: create {tmp_path / 'nodir'} first" in stderr
    assert ".tmp" not in stderr and "Traceback" not in stdout + stderr


def test_outputs_may_not_collide_or_overwrite_the_input(tmp_path: Path) -> None:
    src = tmp_path / "wf.json"
    shutil.copy(FIXTURE, src)
    same = tmp_path / "same"
    code, _, stderr = run("import", "n8n", src, "--out", same, "--dot", same)
    assert code == 2 and "--out and --dot name the same file" in stderr
    code, _, stderr = run("import", "n8n", src, "--report-format", "md", "--report-out", src)
    assert code == 2 and "would overwrite the workflow being imported" in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wf.json"]
    assert src.read_bytes() == FIXTURE.read_bytes()


def test_every_output_is_written_together(tmp_path: Path) -> None:
    out, dot, rep = tmp_path / "f.json", tmp_path / "f.dot", tmp_path / "r.json"
    code, stdout, _ = run(
        "import", "n8n", FIXTURE, "--out", out, "--dot", dot, "--report-format", "json",
        "--report-out", rep,
    )  # fmt: skip
    assert code == 0, stdout
    assert json.loads(rep.read_text())["coverage"]["mapped"] == 2
    assert out.is_file() and dot.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.dot", "f.json", "r.json"]
    assert "Order webhook: 7 nodes" in stdout  # the summary still goes to stdout


CYCLE = {
    "name": "Polling loop",
    "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1,
         "parameters": {}},
        {"name": "Check", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "parameters": {}},
        {"name": "Again", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "parameters": {}},
    ],
    "connections": {
        "Start": {"main": [[{"node": "Check", "type": "main", "index": 0}]]},
        "Check": {"main": [[{"node": "Again", "type": "main", "index": 0}]]},
        "Again": {"main": [[{"node": "Check", "type": "main", "index": 0}]]},
    },
}  # fmt: skip


def test_check_errors_exit_1_like_graph_check_but_still_write(tmp_path: Path) -> None:
    src = tmp_path / "cycle.json"
    src.write_text(json.dumps(CYCLE))
    out = tmp_path / "flow.json"
    code, stdout, stderr = run("import", "n8n", src, "--out", out)
    assert code == 1
    assert "1 check error;" in stdout  # the summary
    assert "1 check error: the workflow was imported and the outputs written" in stderr
    assert out.is_file()  # the conversion succeeded: the IR is written
    assert run("graph", "check", out)[0] == 1  # the same verdict
    code, stdout, _ = run("import", "n8n", src, "--json")
    data = json.loads(stdout)
    assert (code, data["ok"], data["check_errors"]) == (1, False, 1)
    assert [f["code"] for f in data["report"]["findings"]] == ["endless-cycle"]
    # a directory holding it exits 1 too, and still writes
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(src, folder / "cycle.json")
    shutil.copy(FIXTURE, folder / "ok.json")
    code, stdout, stderr = run("import", "n8n", folder, "--out", tmp_path / "flows")
    assert code == 1
    assert "wrote 2 files" in stdout
    # the aggregate summary counts them (and the app nodes mapped onto connectors)
    assert "(90.0% lossless); 2/2 app nodes onto connectors; 1 check error\n" in stdout
    assert "1 check error: every workflow was imported" in stderr
    # a clean workflow still exits 0
    assert run("import", "n8n", FIXTURE)[0] == 0


def _nested(tmp_path: Path) -> Path:
    root = tmp_path / "exports"
    (root / "b-team").mkdir(parents=True)
    (root / "a-team" / "deep").mkdir(parents=True)
    (root / ".git").mkdir()
    shutil.copy(FIXTURE, root / "b-team" / "orders.json")
    shutil.copy(FIXTURE, root / "a-team" / "orders.json")
    shutil.copy(DATA / "order_webhook_wrapped.json", root / "a-team" / "deep" / "wrapped.json")
    (root / ".git" / "config.json").write_text("{}")
    (root / "README.md").write_text("exports")
    return root


def test_a_directory_without_top_level_workflows_is_an_error(tmp_path: Path) -> None:
    root = _nested(tmp_path)
    before = tree(tmp_path)
    code, stdout, stderr = run("import", "n8n", root, "--out", tmp_path / "flows")
    assert code == 2
    assert "no workflow files (*.json) at its top level" in stderr
    assert "a-team/, b-team/ hold .json files" in stderr
    assert "--recursive" in stderr
    assert "0/0" not in stdout + stderr
    assert tree(tmp_path) == before
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, stderr = run("import", "n8n", empty)
    assert code == 2 and "no workflow files (*.json) in it" in stderr
    code, _, stderr = run("import", "n8n", empty, "--recursive")
    assert code == 2 and "in it or in its subfolders" in stderr


def test_recursive_import_walks_subfolders_in_a_stable_order(tmp_path: Path) -> None:
    root = _nested(tmp_path)
    out = tmp_path / "flows"
    code, stdout, _ = run("import", "n8n", root, "--recursive", "--json")
    assert code == 0, stdout
    data = json.loads(stdout)
    assert [w["source"] for w in data["workflows"]] == [
        str(root / "a-team" / "deep" / "wrapped.json"),
        str(root / "a-team" / "orders.json"),
        str(root / "b-team" / "orders.json"),
    ]  # hidden folders are skipped
    code, stdout, _ = run("import", "n8n", root, "-r", "--out", out, "--dot", out)
    assert code == 0, stdout
    assert sorted(tree(out)) == [
        "a-team/deep/wrapped.dot",
        "a-team/deep/wrapped.flow.json",
        "a-team/orders.dot",
        "a-team/orders.flow.json",
        "b-team/orders.dot",
        "b-team/orders.flow.json",
    ]  # the same relative places: equal file names in different folders do not collide


def test_a_failed_recursive_batch_creates_no_directories(tmp_path: Path) -> None:
    root = _nested(tmp_path)
    (root / "b-team" / "broken.json").write_text("{")
    out = tmp_path / "flows"
    report = tmp_path / "report.md"
    code, stdout, stderr = run(
        "import", "n8n", root, "-r", "--out", out, "--report-format", "md", "--report-out", report
    )
    assert code == 1
    assert not out.exists() and not report.exists()
    assert "# n8n import: aggregate report" in stdout  # not written, so printed
    assert "nothing was written" in stderr


def test_the_real_corpus_needs_recursive() -> None:
    corpus = CORPUS
    if not corpus.is_dir():
        pytest.skip("../shared/n8n-corpus is absent")
    code, _, stderr = run("import", "n8n", corpus)
    assert code == 2
    assert "malformed/, workflows/ hold .json files" in stderr and "--recursive" in stderr
    code, stdout, _ = run("import", "n8n", corpus, "--recursive", "--json")
    totals = json.loads(stdout)["totals"]
    assert (code, totals["imported"], totals["failed"]) == (1, 325, 7)


POLLING = {
    "name": "Polling",
    "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1,
         "parameters": {}},
        {"name": "Poll", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2,
         "parameters": {"url": "https://x.test/job"}},
        {"name": "Done?", "type": "n8n-nodes-base.if", "typeVersion": 2.2, "parameters": {}},
        {"name": "Later", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": {}},
    ],
    "connections": {
        "Start": {"main": [[{"node": "Poll", "type": "main", "index": 0}]]},
        "Poll": {"main": [[{"node": "Done?", "type": "main", "index": 0}]]},
        "Done?": {"main": [[], [{"node": "Later", "type": "main", "index": 0}]]},
        "Later": {"main": [[{"node": "Poll", "type": "main", "index": 0}]]},
    },
}  # fmt: skip


def test_a_cycle_that_can_end_is_information_not_a_failure(tmp_path: Path) -> None:
    src, out = tmp_path / "poll.json", tmp_path / "poll.flow.json"
    src.write_text(json.dumps(POLLING))
    code, stdout, _ = run("import", "n8n", src, "--out", out)
    assert code == 0, stdout
    code, stdout, _ = run("graph", "check", out)
    assert code == 0
    assert "info cycle [Done?]: cycle: Done?, Later, Poll" in stdout
    assert "0 errors, 0 warnings" in stdout
    code, stdout, _ = run("graph", "check", out, "--json")
    data = json.loads(stdout)
    assert (code, data["ok"]) == (0, True)
    assert [(f["severity"], f["code"]) for f in data["findings"]] == [("info", "cycle")]
