"""Connections: error outputs, empty slots, disabled nodes, AI sub-nodes, odd shapes."""

from __future__ import annotations

import pytest

from flows.ir.catalog import CatalogOperation, InMemoryCatalog
from flows.n8n import nodes as nodes_module
from tests.n8n.helpers import edges, main, node, run, workflow


def test_error_output_becomes_an_error_port() -> None:
    fetch = node(
        "Fetch", "httpRequest", 4.2, {"url": "https://x.test"}, onError="continueErrorOutput"
    )
    result = run(
        workflow([fetch, node("Ok", "noOp"), node("Alert", "noOp")], {"Fetch": main("Ok", "Alert")})
    )
    assert edges(result) == {
        ("Fetch", "out", "Ok", "in", "main"),
        ("Fetch", "error", "Alert", "in", "error"),
    }
    ir = result.flow.nodes[0]
    assert ir.on_error == "error_port"
    assert ir.outputs == ["out", "error"]
    assert not result.report.errors


def test_error_port_after_named_outputs() -> None:
    cond = node("If", "if", 2, {}, onError="continueErrorOutput")
    result = run(
        workflow(
            [cond, node("T", "noOp"), node("F", "noOp"), node("E", "noOp")],
            {"If": main("T", "F", "E")},
        )
    )
    assert ("If", "error", "E", "in", "error") in edges(result)
    assert result.flow.nodes[0].outputs == ["true", "false", "error"]


def test_continue_regular_output_and_legacy_continue_on_fail() -> None:
    a = node("A", "noOp", onError="continueRegularOutput")
    b = node("B", "noOp", continueOnFail=True)
    result = run(workflow([a, b]))
    assert [n.on_error for n in result.flow.nodes] == ["continue", "continue"]


def test_null_and_empty_output_slots_are_skipped() -> None:
    data = workflow(
        [node("If", "if", 2), node("F", "noOp")],
        {"If": {"main": [None, [{"node": "F", "type": "main", "index": 0}]]}, "F": {"main": [[]]}},
    )
    result = run(data)
    assert edges(result) == {("If", "false", "F", "in", "main")}


def test_disabled_nodes_are_kept_and_flagged() -> None:
    result = run(workflow([node("Off", "noOp", disabled=True)]))
    ir, rep = result.flow.nodes[0], result.report.nodes[0]
    assert ir.disabled is True
    assert "lossy" in ir.flags
    assert rep.status == "lossy"
    assert "disabled in n8n (passes items through)" in rep.lost


def test_node_settings_that_have_no_equivalent_are_reported() -> None:
    result = run(workflow([node("A", "noOp", retryOnFail=True, executeOnce=True)]))
    assert result.report.nodes[0].lost == [
        "node setting 'retryOnFail' is not represented",
        "node setting 'executeOnce' is not represented",
    ]


def _agent_workflow() -> dict[str, object]:
    return workflow(
        [
            node("Chat", "@n8n/n8n-nodes-langchain.chatTrigger", 1.1),
            node("Agent", "@n8n/n8n-nodes-langchain.agent", 1.7),
            node("Model", "@n8n/n8n-nodes-langchain.lmChatOpenAi", 1),
            node("Memory", "@n8n/n8n-nodes-langchain.memoryBufferWindow", 1.3),
            node("Done", "noOp"),
        ],
        {
            "Chat": main("Agent"),
            "Model": {
                "ai_languageModel": [[{"node": "Agent", "type": "ai_languageModel", "index": 0}]]
            },
            "Memory": {"ai_memory": [[{"node": "Agent", "type": "ai_memory", "index": 0}]]},
            "Agent": main("Done"),
        },
    )


def test_ai_connections_are_typed_edges_into_the_agents_slots() -> None:
    result = run(_agent_workflow())
    assert ("Model", "ai_languageModel", "Agent", "model", "ai_languageModel") in edges(result)
    assert ("Memory", "ai_memory", "Agent", "memory", "ai_memory") in edges(result)
    agent = next(n for n in result.flow.nodes if n.name == "Agent")
    slots = {s.name: (s.connection, s.min, s.max, s.nodes) for s in agent.slots}
    assert slots["model"] == ("ai_languageModel", 1, 1, ["Model"])
    assert slots["memory"] == ("ai_memory", 0, 1, ["Memory"])
    assert slots["tools"] == ("ai_tool", 0, None, [])
    reports = {r.name: r for r in result.report.nodes}
    assert {name: (r.kind, r.status) for name, r in reports.items()} == {
        "Chat": ("trigger.chat", "built-in"),
        "Agent": ("ai.agent", "built-in"),
        "Model": ("ai.model", "built-in"),
        "Memory": ("ai.memory", "built-in"),
        "Done": ("noop", "built-in"),
    }
    assert not result.report.errors
    assert not [f for f in result.report.findings if f.code == "no-trigger"]


def test_ai_sub_node_is_mapped_when_the_registry_links_it() -> None:
    catalog = InMemoryCatalog(
        operations=[
            CatalogOperation(
                provider="openai",
                version="1.2.0",
                operation_id="chat",
                effects="read",
                determinism="nondeterministic",
                auth_type="bearer",
                n8n=("@n8n/n8n-nodes-langchain.lmChatOpenAi", None, None),
            )
        ]
    )
    result = run(_agent_workflow(), catalog)
    model = next(n for n in result.flow.nodes if n.name == "Model")
    assert (model.kind, model.connector, model.operation) == ("ai.model", "openai@1.2.0", "chat")
    assert next(r for r in result.report.nodes if r.name == "Model").status == "mapped"


def test_unknown_node_types_are_unsupported_but_keep_their_edges() -> None:
    result = run(
        workflow(
            [
                node("Start", "manualTrigger"),
                node("X", "acme.thing", 1, {"a": 1}),
                node("End", "noOp"),
            ],
            {"Start": main("X"), "X": main("End", "End")},
        )
    )
    x = result.flow.nodes[1]
    assert (x.kind, x.parameters, x.outputs) == ("unsupported", {"a": 1}, ["out", "out1"])
    assert ("X", "out1", "End", "in", "main") in edges(result)
    assert result.report.nodes[1].status == "unsupported"
    assert not result.report.errors


def test_connections_to_missing_nodes_are_flagged_as_dangling() -> None:
    result = run(workflow([node("A", "noOp")], {"A": main("Ghost"), "Nobody": main("A")}))
    codes = [(f.severity, f.code) for f in result.report.findings]
    assert codes.count(("error", "dangling-edge")) == 2


def test_malformed_connection_entries_are_flagged_not_fatal() -> None:
    result = run(
        workflow([node("A", "noOp")], {"A": {"main": [[{"type": "main"}]], "ai_tool": "x"}, "B": 3})
    )
    assert {f.code for f in result.report.findings} >= {"bad-connection"}
    assert result.flow.edges == []


def test_missing_connections_key_is_flagged() -> None:
    data = {"nodes": [node("A", "manualTrigger")]}
    result = run(data)
    assert [f.code for f in result.report.findings] == ["no-connections"]


def test_a_cycle_no_node_can_leave_is_an_error() -> None:
    result = run(
        workflow(
            [
                node("Start", "manualTrigger"),
                node("Poll", "httpRequest", 4.2, {"url": "https://x.test"}),
                node("Again", "wait", 1.1),
            ],
            {"Start": main("Poll"), "Poll": main("Again"), "Again": main("Poll")},
        )
    )
    cycles = [f for f in result.report.findings if f.code == "endless-cycle"]
    assert [(f.severity, f.node) for f in cycles] == [("error", "Again")]
    assert "Again, Poll" in cycles[0].message


def test_a_polling_cycle_with_a_condition_is_information() -> None:
    done = {"conditions": {"conditions": [{"leftValue": "={{ $json.done }}", "operator": {
        "type": "boolean", "operation": "true", "singleValue": True}}]}}  # fmt: skip
    result = run(
        workflow(
            [
                node("Start", "manualTrigger"),
                node("Poll", "httpRequest", 4.2, {"url": "https://x.test"}),
                node("Done?", "if", 2.2, done),
                node("Again", "wait", 1.1),
            ],
            {
                "Start": main("Poll"),
                "Poll": main("Done?"),
                "Done?": {"main": [[], [{"node": "Again", "type": "main", "index": 0}]]},
                "Again": main("Poll"),
            },
        )
    )
    cycles = [f for f in result.report.findings if f.code == "cycle"]
    assert [(f.severity, f.node) for f in cycles] == [("info", "Again")]
    assert "Again, Done?, Poll" in cycles[0].message
    assert not result.report.errors


def test_parameters_of_an_unknown_shape_keep_the_node_verbatim(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(ctx: object) -> object:
        raise TypeError("unexpected shape")

    monkeypatch.setitem(nodes_module.CONVERTERS, "n8n-nodes-base.wait", broken)
    result = run(workflow([node("W", "wait", 1.1, {"amount": [1]})]))
    ir, rep = result.flow.nodes[0], result.report.nodes[0]
    assert (ir.kind, ir.parameters) == ("unsupported", {"amount": [1]})
    assert (rep.status, rep.reason) == (
        "unsupported",
        "parameters not understood (TypeError); kept verbatim",
    )


def test_odd_numbers_in_switch_parameters_fall_back_to_defaults() -> None:
    result = run(
        workflow(
            [
                node("S", "switch", 1, {"rules": {"rules": [{"output": "abc"}]}}),
                node("T", "switch", 3, {"mode": "expression", "numberOutputs": "x"}),
            ]
        )
    )
    assert result.flow.nodes[0].rules[0].output == "0"
    assert result.flow.nodes[1].outputs == ["0", "1", "2", "3"]
