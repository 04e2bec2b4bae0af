"""Core utility, file, database, command nodes, app nodes, app triggers and <app>Tool nodes."""

from __future__ import annotations

import pytest

from flows.ir.catalog import CatalogOperation, InMemoryCatalog
from flows.ir.model import FromAi, Ref
from tests.n8n.helpers import edges, main, node, one, run, workflow


def test_split_out_keeps_every_documented_parameter_with_defaults() -> None:
    ir, rep = one(node("Split", "splitOut", 1, {"fieldToSplitOut": "items"}))
    assert (ir.kind, ir.operation, rep.status) == ("data", "split_out", "built-in")
    # n8n's documented defaults are filled in for what the export leaves out
    assert ir.params == {"fieldToSplitOut": "items", "include": "noOtherFields", "options": {}}
    assert (ir.effects, ir.determinism) == ("none", "strict")


@pytest.mark.parametrize(
    ("n8n_type", "version", "params", "kind", "operation"),
    [
        ("aggregate", 1, {"aggregate": "aggregateAllItemData"}, "data", "aggregate"),
        ("limit", 1, {"maxItems": 3}, "data", "limit"),
        ("removeDuplicates", 2, {"operation": "removeDuplicateInputItems"}, "data",
         "remove_duplicates.removeDuplicateInputItems"),
        ("html", 1.2, {"operation": "extractHtmlContent"}, "data", "html.extractHtmlContent"),
        ("extractFromFile", 1, {"operation": "pdf"}, "file", "extract_from_file.pdf"),
        ("convertToFile", 1.1, {"operation": "toJson"}, "file", "convert_to_file.toJson"),
        ("emailSend", 2.1, {"toEmail": "a@b.test"}, "email", "email_send.send"),
        ("rssFeedRead", 1.1, {"url": "https://x.test/feed"}, "feed", "rss_feed_read"),
        ("dataTable", 1, {"operation": "get"}, "data_table", "data_table.get"),
        ("form", 1, {"operation": "completion"}, "form", "form.completion"),
    ],
)  # fmt: skip
def test_core_nodes_become_typed_family_steps(
    n8n_type: str, version: float, params: dict[str, object], kind: str, operation: str
) -> None:
    ir, rep = one(node("N", n8n_type, version, params))
    assert (ir.kind, ir.operation, rep.status) == (kind, operation, "built-in")
    for key, value in params.items():
        assert ir.params[key] == value


def test_compare_datasets_has_two_inputs_and_four_outputs() -> None:
    result = run(
        workflow(
            [node("A", "noOp"), node("B", "noOp"), node("Cmp", "compareDatasets", 2.3, {}),
             node("Same", "noOp")],
            {"A": main("Cmp"), "B": {"main": [[{"node": "Cmp", "type": "main", "index": 1}]]},
             "Cmp": {"main": [[], [{"node": "Same", "type": "main", "index": 0}]]}},
        )
    )  # fmt: skip
    assert ("B", "out", "Cmp", "input_b", "main") in edges(result)
    assert ("Cmp", "same", "Same", "in", "main") in edges(result)
    assert not result.report.errors


def test_postgres_is_a_typed_database_step() -> None:
    params = {
        "operation": "executeQuery",
        "query": "SELECT * FROM users WHERE id = $1",
        "options": {"queryReplacement": "={{ $json.id }}"},
    }
    ir, rep = one(
        node("Q", "postgres", 2.5, params, credentials={"postgres": {"id": "1", "name": "db"}})
    )
    assert (ir.kind, ir.engine, ir.operation, rep.status) == (
        "database", "postgres", "executeQuery", "built-in"
    )  # fmt: skip
    assert ir.query == "SELECT * FROM users WHERE id = $1"
    assert isinstance(ir.query_params[0], Ref) and ir.query_params[0].path == ["id"]
    assert ir.credential == "postgres"
    assert ir.effects == "unknown"


def test_mongodb_collection_and_redis_key_are_the_target() -> None:
    ir, _ = one(node("M", "mongoDb", 1.1, {"operation": "find", "collection": "movies"}))
    assert (ir.engine, ir.table, ir.effects) == ("mongodb", "movies", "read")
    ir, _ = one(node("R", "redis", 1, {"operation": "set", "key": "k", "value": "v"}))
    assert (ir.engine, ir.table, ir.effects, ir.params["value"]) == ("redis", "k", "write", "v")


def test_shell_commands_are_kept_opaque_and_lossy() -> None:
    ir, rep = one(node("Cmd", "executeCommand", 1, {"command": "ls -la\npwd"}))
    assert (ir.kind, ir.protocol, ir.operation, ir.command) == ("command", "local", "execute",
                                                                 "ls -la\npwd")  # fmt: skip
    assert rep.status == "lossy"
    assert rep.lost == ["shell command kept opaque (2 lines)"]
    assert "opaque-code" in ir.flags
    ir, rep = one(node("Get", "ftp", 1, {"operation": "download", "path": "/a.csv"}))
    assert (ir.protocol, ir.path, ir.effects, rep.status) == ("ftp", "/a.csv", "read", "built-in")


def test_form_error_and_stop_nodes() -> None:
    fields = {"values": [{"fieldLabel": "Email"}]}
    ir, rep = one(node("F", "formTrigger", 2.2, {"formTitle": "Hi", "formFields": fields,
                                                 "options": {"path": "sign-up"}}))  # fmt: skip
    assert (ir.kind, ir.path, ir.title, ir.fields, rep.status) == (
        "trigger.form", "sign-up", "Hi", fields, "built-in"
    )  # fmt: skip
    ir, _ = one(node("E", "errorTrigger", 1))
    assert ir.kind == "trigger.error"
    ir, _ = one(node("S", "stopAndError", 1, {"errorMessage": "bad input"}))
    assert (ir.kind, ir.error, ir.outputs) == ("stop", "bad input", [])


def test_app_trigger_polling_keeps_its_timetable_and_counts_as_a_trigger() -> None:
    result = run(
        workflow(
            [node("Mail", "gmailTrigger", 1.2, {"pollTimes": {"item": [
                {"mode": "everyX", "unit": "minutes", "value": 5}]}}), node("Next", "noOp")],
            {"Mail": main("Next")},
        )
    )  # fmt: skip
    ir, rep = result.flow.nodes[0], result.report.nodes[0]
    assert (ir.kind, ir.mode, ir.cron) == ("trigger.app", "polling", ["*/5 * * * *"])
    assert rep.status == "lossy"
    assert rep.lost == [
        "no registry connector for n8n-nodes-base.gmailTrigger: the polling trigger is typed "
        "but nothing receives its events until one is linked"
    ]
    assert not [f for f in result.report.findings if f.code == "no-trigger"]


def test_app_trigger_webhook_is_tied_to_the_registry_connector() -> None:
    catalog = InMemoryCatalog(
        operations=[
            CatalogOperation(
                provider="telegram", version="1.0.0", operation_id="on_update", effects="read",
                determinism="nondeterministic", auth_type="bearer",
                n8n=("n8n-nodes-base.telegramTrigger", None, None),
            )
        ]
    )  # fmt: skip
    ir, rep = one(node("T", "telegramTrigger", 1.1, {"updates": ["message"]}), catalog)
    assert (ir.mode, ir.event, ir.connector, rep.status) == (
        "webhook", ["message"], "telegram@1.0.0", "mapped"
    )  # fmt: skip


def test_app_tool_is_its_base_node_plus_description_and_from_ai_arguments() -> None:
    params = {
        "resource": "message",
        "operation": "post",
        "channelId": "C1",
        "text": "={{ $fromAI('text', 'what to say', 'string') }}",
        "descriptionType": "manual",
        "toolDescription": "Post to Slack",
    }
    base_ir, base_rep = one(node("S", "slack", 2.2, {k: v for k, v in params.items()
                                                     if k not in ("descriptionType",
                                                                  "toolDescription")}))  # fmt: skip
    ir, rep = one(node("S", "slackTool", 2.2, params))
    assert (ir.kind, ir.provides, ir.description) == ("ai.tool", "ai_tool", "Post to Slack")
    assert [(a.name, a.description, a.type) for a in ir.arguments] == [
        ("text", "what to say", "string")
    ]
    # exactly like the base node: same connector mapping, same lost list
    assert ir.call.kind == base_ir.kind == "connector"
    assert ir.call.connector == base_ir.connector
    assert (rep.status, rep.lost) == (base_rep.status, base_rep.lost)
    assert isinstance(ir.call.params["text"], FromAi)


def test_a_node_of_n8n_without_connector_is_a_lossy_app_call_an_unknown_one_unsupported() -> None:
    ir, rep = one(node("T", "telegram", 1.2, {"operation": "sendMessage", "text": "hi"}))
    assert (ir.kind, ir.app, ir.resource, ir.operation, ir.params) == (
        "app", "n8n-nodes-base.telegram", "message", "sendMessage", {"text": "hi"}
    )  # fmt: skip
    assert rep.status == "lossy"
    _, rep = one(node("X", "acme.widget", 1, {}))
    assert rep.status == "unsupported"


def test_merge_v3_number_of_inputs() -> None:
    three = {"main": [[{"node": "M", "type": "main", "index": 2}]]}
    result = run(
        workflow(
            [node("A", "noOp"), node("M", "merge", 3.2, {"numberInputs": "3"})],
            {"A": three},
        )
    )
    assert result.flow.nodes[1].inputs == ["input1", "input2", "input3"]
    assert not result.report.errors
    # before v3 a merge has two inputs whatever the parameter says
    result = run(workflow([node("A", "noOp"), node("M", "merge", 2.1, {"numberInputs": 3})],
                          {"A": three}))  # fmt: skip
    assert [f.code for f in result.report.errors] == ["dangling-edge"]
    _, rep = one(node("M", "merge", 3, {"numberInputs": "={{ 4 }}"}))
    assert "number of inputs '={{ 4 }}' is not a number: 2 kept" in rep.lost


def test_items_reaching_a_trigger_pass_through_it() -> None:
    result = run(
        workflow(
            [node("Every", "scheduleTrigger", 1.2, {"rule": {"interval": [{}]}}),
             node("Mail", "emailReadImap", 2, {})],
            {"Every": main("Mail")},
        )
    )  # fmt: skip
    assert result.flow.nodes[1].kind == "trigger.app"
    assert not result.report.errors


def test_the_operation_a_tool_runs_is_checked_like_a_node() -> None:
    params = {"resource": "charge", "operation": "create", "amount": 5}
    result = run(workflow([node("Charge", "stripeTool", 1, params)]))
    tool = result.flow.nodes[0]
    assert (tool.kind, tool.call.kind, tool.call.operation) == ("ai.tool", "connector",
                                                               "create_charge")  # fmt: skip
    assert [f.message for f in result.report.errors] == [
        "required input 'currency' of stripe@1.0.0 create_charge is not bound"
    ]


def test_app_trigger_is_tied_to_the_connector_of_its_app_even_without_a_trigger_operation() -> None:
    catalog = InMemoryCatalog(
        operations=[
            CatalogOperation(
                provider="telegram", version="1.2.0", operation_id="send_message",
                effects="write", determinism="nondeterministic", auth_type="bearer",
                n8n=("n8n-nodes-base.telegram", "message", "sendMessage"),
            )
        ]
    )  # fmt: skip
    ir, rep = one(node("T", "telegramTrigger", 1.1, {"updates": ["message"]}), catalog)
    assert (ir.connector, rep.status) == ("telegram@1.2.0", "lossy")
    assert rep.lost == [
        "the registry connector telegram@1.2.0 serves the app but links no trigger operation to "
        "n8n-nodes-base.telegramTrigger: nothing receives its events until one is linked"
    ]


def test_the_start_node_of_old_n8n_is_a_manual_trigger() -> None:
    result = run(workflow([node("Start", "start"), node("Next", "noOp")], {"Start": main("Next")}))
    assert result.flow.nodes[0].kind == "trigger.manual"
    assert not result.report.findings
