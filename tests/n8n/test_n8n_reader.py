"""Reading exports: wrapped and plain, and every kind of bad input gets a located error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connector_spec.errors import InputError
from flows.n8n import import_workflow, read_workflow
from flows.n8n import reader as reader_module
from flows.n8n.errors import WorkflowError
from tests.n8n.helpers import DATA, seed_catalog


def test_plain_and_wrapped_exports_import_the_same() -> None:
    plain = import_workflow(DATA / "order_webhook.json", seed_catalog())
    wrapped = import_workflow(DATA / "order_webhook_wrapped.json", seed_catalog())
    assert plain.flow.model_dump(exclude={"source"}) == wrapped.flow.model_dump(exclude={"source"})
    assert plain.flow.name == "Order webhook"


def test_fixture_workflow_report(tmp_path: Path) -> None:
    result = import_workflow(DATA / "order_webhook.json", seed_catalog())
    statuses = {n.name: n.status for n in result.report.nodes}
    assert statuses == {
        "Webhook": "built-in",
        "Paid?": "built-in",
        "Charge": "mapped",
        "Notify": "mapped",
        "Call API": "built-in",
        "Respond": "built-in",
        "Format": "lossy",
    }
    coverage = result.report.coverage()
    assert coverage["mapped"] == 2
    # $json.body.paid, $json.body.customer, $('Webhook')...amount, $json.id, $json
    assert (coverage["expressions_translated"], coverage["expressions_untranslated"]) == (5, 0)
    assert result.report.summary().startswith(
        "Order webhook: 7 nodes: 2 mapped, 4 built-in, 1 lossy"
    )
    assert result.report.errors == []


def write(tmp_path: Path, text: str | bytes, name: str = "w.json") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def diag(path: Path) -> WorkflowError:
    with pytest.raises(WorkflowError) as err:
        read_workflow(path)
    assert err.value.exit_code == 2
    assert str(path) in err.value.diagnostics()
    return err.value


def test_truncated_json_has_line_and_column(tmp_path: Path) -> None:
    text = (DATA / "order_webhook.json").read_text()
    error = diag(write(tmp_path, text[: len(text) // 2]))
    item = error.items[0]
    assert item.line is not None and item.line > 1
    assert item.column is not None
    assert "truncated or corrupt" in (item.hint or "")


def test_two_documents_in_one_file(tmp_path: Path) -> None:
    error = diag(write(tmp_path, '{"nodes": []}\n{"nodes": []}\n'))
    assert (error.items[0].line, error.items[0].column) == (2, 1)
    assert "more than one JSON document" in (error.items[0].hint or "")


def test_empty_and_binary_files(tmp_path: Path) -> None:
    assert "empty" in diag(write(tmp_path, "  \n")).items[0].message
    assert "UTF-8" in diag(write(tmp_path, b"\xff\xfe\x00garbage")).items[0].message


def test_non_workflow_json(tmp_path: Path) -> None:
    for text in ("[1, 2]", '{"name": "x"}', '{"workflow": {"name": "x"}}', '"nodes"'):
        error = diag(write(tmp_path, text))
        assert "not an n8n workflow" in error.items[0].message


def test_duplicate_names_and_bad_nodes_are_all_reported(tmp_path: Path) -> None:
    data = {
        "nodes": [
            {"name": "A", "type": "n8n-nodes-base.noOp"},
            {"name": "A", "type": "n8n-nodes-base.noOp"},
            {"type": "n8n-nodes-base.noOp"},
            {"name": "B"},
            "nonsense",
            {"name": "C", "type": "x", "parameters": [1]},
        ],
        "connections": [],
    }
    error = diag(write(tmp_path, json.dumps(data)))
    assert [i.path for i in error.items] == [
        "nodes[1].name",
        "nodes[2].name",
        "nodes[3].type",
        "nodes[4]",
        "nodes[5].parameters",
        "connections",
    ]
    assert "duplicate node name 'A' (also nodes[0])" in error.items[0].message
    assert error.diagnostics().endswith("6 errors in the n8n workflow; nothing was written.")


def test_very_large_files_are_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader_module, "MAX_WORKFLOW_BYTES", 100)
    error = diag(write(tmp_path, json.dumps({"nodes": [], "pad": "x" * 200})))
    assert "the limit is 100" in error.items[0].message


def test_deeply_nested_json(tmp_path: Path) -> None:
    for depth in (70, 100000):
        nested = "[" * depth + "]" * depth
        error = diag(write(tmp_path, '{"nodes": [], "x": ' + nested + "}"))
        assert error.items[0].message == "JSON nested more than 64 levels deep"


def test_missing_file() -> None:
    with pytest.raises(InputError):
        read_workflow(Path("/nonexistent/w.json"))


def test_node_problems_carry_the_line_of_the_node(tmp_path: Path) -> None:
    text = (
        '{"workflow": {"nodes": [\n'
        '  {"name": "A", "type": "n8n-nodes-base.noOp"},\n'
        '  {"name": "B", "type": "n8n-nodes-base.noOp", "parameters": 3},\n'
        '  {"name": "A", "type": "n8n-nodes-base.noOp"}\n'
        "]}}\n"
    )
    error = diag(write(tmp_path, text))
    assert [(i.line, i.path) for i in error.items] == [
        (3, "workflow.nodes[1].parameters"),
        (4, "workflow.nodes[2].name"),
    ]
    assert f"{tmp_path / 'w.json'}:4: workflow.nodes[2].name: duplicate node name 'A'" in (
        error.diagnostics()
    )


@pytest.mark.parametrize(
    ("text", "where", "token"),
    [
        (b'{"nodes": [{"name": "A", "type": "x", "parameters": {"v": 1e999}}]}', "1:59", "1e999"),
        (b'{"nodes": [],\n "x": NaN}', "2:7", "NaN"),
        (b'{"nodes": [], "x": -Infinity}', "1:20", "-Infinity"),
    ],
)
def test_numbers_json_cannot_hold_are_refused_with_their_place(
    text: bytes, where: str, token: str
) -> None:
    # Python's reader takes them, but the IR written from them would not be JSON
    with pytest.raises(WorkflowError) as err:
        reader_module.parse_workflow_bytes(text, "w.json")
    assert err.value.diagnostics().startswith(
        f"w.json:{where}: not valid JSON: {token} is not a finite JSON number"
    )
