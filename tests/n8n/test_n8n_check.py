"""The validation loop on Flow IR, from Python and from files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.ir.check import check_flow, load_flow
from flows.ir.model import Flow
from flows.n8n.errors import FlowFileError
from tests.n8n.helpers import seed_catalog


def _flow(nodes: list[dict[str, object]], edges: list[tuple[str, str, str, str]]) -> Flow:
    return Flow.model_validate(
        {
            "name": "t",
            "nodes": nodes,
            "edges": [
                {"from": {"node": a, "port": ap}, "to": {"node": b, "port": bp}}
                for a, ap, b, bp in edges
            ],
        }
    )


START = {"name": "Start", "kind": "trigger.manual", "inputs": []}


def codes(flow: Flow) -> list[str]:
    return [f.code for f in check_flow(flow, seed_catalog())]


def test_clean_flow_has_no_findings() -> None:
    flow = _flow([START, {"name": "A", "kind": "noop"}], [("Start", "out", "A", "in")])
    assert codes(flow) == []


def test_unknown_ports_and_nodes() -> None:
    flow = _flow(
        [START, {"name": "A", "kind": "noop"}],
        [("Start", "nope", "A", "in"), ("A", "out", "Ghost", "in")],
    )
    findings = check_flow(flow, seed_catalog())
    assert [f.code for f in findings] == ["dangling-edge", "dangling-edge"]
    assert "'Start' has no output port 'nope'" in findings[0].message
    assert "target node 'Ghost' does not exist" in findings[1].message


def test_cycle_through_loop_node_is_allowed() -> None:
    loop = {"name": "L", "kind": "loop", "mode": "batches", "outputs": ["loop", "done"]}
    flow = _flow(
        [START, loop, {"name": "Body", "kind": "noop"}],
        [("Start", "out", "L", "in"), ("L", "loop", "Body", "in"), ("Body", "out", "L", "in")],
    )
    assert codes(flow) == []


def test_self_loop_without_loop_node_is_a_cycle() -> None:
    flow = _flow(
        [START, {"name": "A", "kind": "noop"}],
        [("Start", "out", "A", "in"), ("A", "out", "A", "in")],
    )
    assert codes(flow) == ["endless-cycle"]


def test_long_chain_does_not_hit_recursion_limits() -> None:
    nodes = [START] + [{"name": f"n{i}", "kind": "noop"} for i in range(5000)]
    edges = [("Start", "out", "n0", "in")] + [
        (f"n{i}", "out", f"n{i + 1}", "in") for i in range(4999)
    ]
    edges.append(("n4999", "out", "n0", "in"))
    assert codes(_flow(nodes, edges)) == ["endless-cycle"]


def test_connector_operation_must_exist_at_a_compatible_version() -> None:
    def conn(connector: str, op: str, params: dict[str, object]) -> Flow:
        node = {
            "name": "C",
            "kind": "connector",
            "connector": connector,
            "operation": op,
            "params": params,
        }
        return _flow([START, node], [("Start", "out", "C", "in")])

    bound = {"amount": 1, "currency": "usd"}
    assert codes(conn("stripe@1.0.0", "create_charge", bound)) == []
    assert codes(conn("stripe@1.0.0", "no_such_op", {})) == ["unknown-operation"]
    assert codes(conn("stripe@2.0.0", "create_charge", bound)) == ["incompatible-version"]
    assert codes(conn("stripe@1.0.0", "create_charge", {"amount": 1})) == ["unbound-input"]


def test_references_to_unknown_nodes_and_missing_trigger_are_warnings() -> None:
    node = {
        "name": "A",
        "kind": "transform",
        "assignments": [
            {"name": "x", "value": {"ref": "nodes.Gone.output.item.a", "node": "Gone"}}
        ],
    }
    findings = check_flow(_flow([node], []), seed_catalog())
    assert {(f.severity, f.code) for f in findings} == {
        ("warning", "unknown-reference"),
        ("warning", "no-trigger"),
    }


def test_load_flow_reports_located_problems(tmp_path: Path) -> None:
    bad_json = tmp_path / "a.json"
    bad_json.write_text('{"nodes": [\n  {"name": ')
    with pytest.raises(FlowFileError) as err:
        load_flow(bad_json)
    assert err.value.items[0].line == 2
    assert f"{bad_json}:2:" in err.value.diagnostics()

    wrong = tmp_path / "b.json"
    wrong.write_text(json.dumps({"nodes": [{"name": "A", "kind": "teleport"}]}))
    with pytest.raises(FlowFileError) as err:
        load_flow(wrong)
    assert err.value.items[0].path.startswith("nodes[0]")
    assert err.value.exit_code == 2


def test_builtin_required_inputs() -> None:
    http = {"name": "H", "kind": "http", "url": ""}
    call = {"name": "S", "kind": "subflow"}
    flow = _flow([START, http, call], [("Start", "out", "H", "in"), ("H", "out", "S", "in")])
    findings = check_flow(flow, seed_catalog())
    assert [(f.code, f.node) for f in findings] == [("unbound-input", "H"), ("unbound-input", "S")]
    assert findings[0].message == "required input 'url' of the http node is not set"
