"""Every typeVersion of the core nodes the importer translates."""

from __future__ import annotations

import pytest

from flows.ir.model import Flow, Interval, Js, Ref, Template
from tests.n8n.helpers import edges, main, node, one, run, workflow

FILTER_CONDITIONS = {
    "options": {"caseSensitive": True, "typeValidation": "strict"},
    "combinator": "or",
    "conditions": [
        {
            "id": "c1",
            "leftValue": "={{ $json.status }}",
            "rightValue": "paid",
            "operator": {"type": "string", "operation": "equals"},
        },
        {
            "id": "c2",
            "leftValue": "={{ $json.items }}",
            "rightValue": "",
            "operator": {"type": "array", "operation": "notEmpty", "singleValue": True},
        },
    ],
}


# --------------------------------------------------------------------------- If


def test_if_v1_typed_conditions() -> None:
    params = {
        "conditions": {
            "string": [{"value1": "={{ $json.status }}", "operation": "notEqual", "value2": "x"}],
            "number": [{"value1": "={{ $json.n }}", "operation": "larger", "value2": 3}],
        },
        "combineOperation": "any",
    }
    ir, rep = one(node("If", "if", 1, params))
    assert (ir.kind, ir.mode, ir.combinator, ir.outputs) == (
        "branch",
        "if",
        "or",
        ["true", "false"],
    )
    assert [(c.type, c.op, c.right) for c in ir.conditions] == [
        ("string", "notEqual", "x"),
        ("number", "larger", 3),
    ]
    assert isinstance(ir.conditions[0].left, Ref)
    assert rep.status == "built-in"


def test_if_v1_default_combine_operation_is_all() -> None:
    ir, _ = one(node("If", "if", 1, {"conditions": {"boolean": [{"value1": True}]}}))
    assert ir.combinator == "and"
    assert ir.conditions[0].op == "equal"


@pytest.mark.parametrize("version", [2, 2.1, 2.2, 2.3])
def test_if_v2_filter_conditions(version: float) -> None:
    ir, rep = one(node("If", "if", version, {"conditions": FILTER_CONDITIONS, "options": {}}))
    assert (ir.mode, ir.combinator) == ("if", "or")
    assert [(c.type, c.op) for c in ir.conditions] == [("string", "equals"), ("array", "notEmpty")]
    assert ir.conditions[0].right == "paid"
    assert ir.conditions[1].right is None  # single-value operator
    assert rep.status == "built-in"


def test_if_true_and_false_outputs_become_named_ports() -> None:
    result = run(
        workflow(
            [
                node("If", "if", 2, {"conditions": FILTER_CONDITIONS}),
                node("A", "noOp"),
                node("B", "noOp"),
            ],
            {"If": main("A", "B")},
        )
    )
    assert edges(result) == {("If", "true", "A", "in", "main"), ("If", "false", "B", "in", "main")}


@pytest.mark.parametrize("version", [1, 2, 2.1, 2.2])
def test_filter_all_versions(version: float) -> None:
    params = (
        {"conditions": {"string": [{"value1": "={{ $json.a }}", "value2": "b"}]}}
        if version < 2
        else {"conditions": FILTER_CONDITIONS}
    )
    ir, rep = one(node("Filter", "filter", version, params))
    assert (ir.mode, ir.outputs) == ("filter", ["kept", "discarded"])
    assert len(ir.conditions) >= 1
    assert rep.status == "built-in"


# --------------------------------------------------------------------------- Switch


def test_switch_v1_rules_with_output_indexes() -> None:
    params = {
        "dataType": "string",
        "value1": "={{ $json.status }}",
        "rules": {"rules": [{"value2": "a"}, {"value2": "b", "output": 2, "operation": "=equal"}]},
    }
    ir, rep = one(node("Switch", "switch", 1, params))
    assert ir.outputs == ["0", "1", "2", "3"]
    assert [(r.output, r.conditions[0].right, r.conditions[0].op) for r in ir.rules] == [
        ("0", "a", "equal"),
        ("2", "b", "equal"),
    ]
    assert ir.rules[0].conditions[0].type == "string"
    assert rep.status == "built-in"


def test_switch_v1_default_data_type_comes_from_the_catalog() -> None:
    ir, _ = one(node("Switch", "switch", 1, {"value1": 1, "rules": {"rules": [{"value2": 1}]}}))
    assert ir.rules[0].conditions[0].type == "number"


def test_switch_v2_output_keys_name_the_ports() -> None:
    params = {
        "dataType": "string",
        "value1": "={{$json.mimeType}}",
        "rules": {
            "rules": [
                {"value2": "application/pdf", "outputKey": "pdf"},
                {"value2": "image/", "operation": "contains", "outputKey": "image"},
            ]
        },
    }
    result = run(
        workflow(
            [node("Switch", "switch", 2, params), node("P", "noOp"), node("I", "noOp")],
            {"Switch": main("P", "I")},
        )
    )
    sw = result.flow.nodes[0]
    assert sw.outputs == ["pdf", "image"]
    assert edges(result) == {
        ("Switch", "pdf", "P", "in", "main"),
        ("Switch", "image", "I", "in", "main"),
    }


@pytest.mark.parametrize("version", [3, 3.1, 3.2, 3.3, 3.4])
def test_switch_v3_rules_and_fallback(version: float) -> None:
    rule = {"conditions": FILTER_CONDITIONS, "renameOutput": True, "outputKey": "paid"}
    unnamed = {"conditions": FILTER_CONDITIONS}
    params = {"rules": {"values": [rule, unnamed]}, "options": {"fallbackOutput": "extra"}}
    ir, rep = one(node("Switch", "switch", version, params))
    assert ir.outputs == ["paid", "1", "fallback"]
    assert [r.output for r in ir.rules] == ["paid", "1"]
    assert ir.rules[0].combinator == "or"
    assert rep.status == "built-in"


def test_switch_v3_expression_mode() -> None:
    params = {"mode": "expression", "numberOutputs": 2, "output": "={{ $json.index }}"}
    ir, _ = one(node("Switch", "switch", 3, params))
    assert ir.outputs == ["0", "1"]
    assert isinstance(ir.expression, Ref)


# --------------------------------------------------------------------------- SplitInBatches


def test_split_in_batches_v1_single_output_is_lossy() -> None:
    ir, rep = one(node("Loop", "splitInBatches", 1, {"batchSize": 5}))
    assert (ir.kind, ir.mode, ir.batch_size, ir.outputs) == ("loop", "batches", 5, ["loop"])
    assert rep.status == "lossy"


def test_split_in_batches_v2_outputs_are_loop_then_done() -> None:
    result = run(
        workflow(
            [node("Loop", "splitInBatches", 2), node("Each", "noOp"), node("After", "noOp")],
            {"Loop": main("Each", "After"), "Each": main("Loop")},
        )
    )
    loop = result.flow.nodes[0]
    assert loop.outputs == ["loop", "done"]
    assert loop.batch_size == 10  # the v2 default, re-applied from the node catalog
    assert ("Loop", "loop", "Each", "in", "main") in edges(result)
    assert ("Loop", "done", "After", "in", "main") in edges(result)
    assert not result.report.errors  # the cycle passes through the loop node


def test_split_in_batches_v3_outputs_are_done_then_loop() -> None:
    result = run(
        workflow(
            [
                node("Loop", "splitInBatches", 3, {"options": {}}),
                node("Each", "noOp"),
                node("After", "noOp"),
            ],
            {"Loop": main("After", "Each"), "Each": main("Loop")},
        )
    )
    loop = result.flow.nodes[0]
    assert loop.outputs == ["done", "loop"]
    assert (loop.mode, loop.batch_size) == ("for_each", 1)  # v3 default batch size is 1
    assert ("Loop", "loop", "Each", "in", "main") in edges(result)
    assert ("Loop", "done", "After", "in", "main") in edges(result)
    assert not result.report.errors


# --------------------------------------------------------------------------- Merge


@pytest.mark.parametrize(
    ("version", "params", "mode"),
    [
        (1, {}, "append"),
        (1, {"mode": "mergeByIndex"}, "combine_by_position"),
        (1, {"mode": "passThrough", "output": "input2"}, "choose_branch"),
        (2, {"mode": "combine", "combinationMode": "mergeByPosition"}, "combine_by_position"),
        (2, {"mode": "combine"}, "combine_by_fields"),  # combinationMode default
        (2.1, {"mode": "combine", "combinationMode": "multiplex"}, "combine_all"),
        (3, {"mode": "combine", "combineBy": "combineAll"}, "combine_all"),
        (3, {"mode": "combine"}, "combine_by_fields"),  # combineBy default
        (3.1, {"mode": "combine", "combineBy": "combineByPosition"}, "combine_by_position"),
        (3.1, {}, "append"),
        (3.2, {}, "append"),
    ],
)
def test_merge_versions(version: float, params: dict[str, object], mode: str) -> None:
    ir, rep = one(node("Merge", "merge", version, params))
    assert (ir.kind, ir.mode, ir.inputs) == ("merge", mode, ["input1", "input2"])
    assert rep.status == "built-in"


def test_merge_v3_sql_is_lossy_and_input_count_follows_number_inputs() -> None:
    ir, rep = one(node("Merge", "merge", 3, {"mode": "combineBySql", "numberInputs": 3}))
    assert ir.mode == "sql"
    assert ir.inputs == ["input1", "input2", "input3"]
    assert rep.status == "lossy"
    assert "SQL query kept verbatim" in rep.lost


def test_merge_second_input_port_from_connection_index() -> None:
    data = workflow(
        [node("A", "noOp"), node("B", "noOp"), node("Merge", "merge", 3)],
        {
            "A": {"main": [[{"node": "Merge", "type": "main", "index": 0}]]},
            "B": {"main": [[{"node": "Merge", "type": "main", "index": 1}]]},
        },
    )
    assert edges(run(data)) == {
        ("A", "out", "Merge", "input1", "main"),
        ("B", "out", "Merge", "input2", "main"),
    }


# --------------------------------------------------------------------------- HTTP Request


def test_http_v1_legacy_parameters() -> None:
    params = {
        "url": "https://api.example.com/v1/items",
        "requestMethod": "POST",
        "bodyParametersUi": {"parameter": [{"name": "q", "value": "={{ $json.q }}"}]},
        "headerParametersUi": {"parameter": [{"name": "X-Key", "value": "k"}]},
        "authentication": "headerAuth",
    }
    ir, rep = one(node("HTTP", "httpRequest", 1, params))
    assert (ir.kind, ir.method, ir.url, ir.body_type, ir.auth) == (
        "http",
        "POST",
        "https://api.example.com/v1/items",
        "form",
        "headerAuth",
    )
    assert isinstance(ir.body["q"], Ref)
    assert ir.headers == {"X-Key": "k"}
    assert ir.effects == "write"
    assert rep.status == "built-in"


def test_http_v2_json_parameters() -> None:
    params = {"url": "https://x.test/", "jsonParameters": True, "bodyParametersJson": '{"a":1}'}
    ir, _ = one(node("HTTP", "httpRequest", 2, params))
    assert (ir.method, ir.body, ir.body_type) == ("GET", '{"a":1}', "json")
    assert ir.effects == "read"


def test_http_v3_predefined_credential() -> None:
    params = {
        "url": "https://api.openai.com/v1/audio",
        "method": "POST",
        "authentication": "predefinedCredentialType",
        "nodeCredentialType": "openAiApi",
        "sendBody": True,
        "contentType": "multipart-form-data",
        "bodyParameters": {"parameters": [{"name": "model", "value": "whisper-1"}]},
    }
    ir, _ = one(node("HTTP", "httpRequest", 3, params))
    assert (ir.auth, ir.body_type, ir.body) == (
        "openAiApi",
        "multipart-form-data",
        {"model": "whisper-1"},
    )


@pytest.mark.parametrize("version", [4, 4.1, 4.2, 4.3, 4.4, 4.5])
def test_http_v4_query_headers_json_body(version: float) -> None:
    params = {
        "method": "PATCH",
        "url": "=https://api.stripe.com/v1/charges/{{ $json.id }}",
        "sendQuery": True,
        "queryParameters": {"parameters": [{"name": "expand", "value": "customer"}]},
        "sendHeaders": True,
        "specifyHeaders": "json",
        "jsonHeaders": '={"a": 1}',
        "sendBody": True,
        "specifyBody": "json",
        "jsonBody": "={{ JSON.stringify($json) }}",
        "options": {"timeout": 1000},
    }
    ir, rep = one(node("HTTP", "httpRequest", version, params))
    assert isinstance(ir.url, Template)
    assert ir.query == {"expand": "customer"}
    assert ir.headers == {"$json": '{"a": 1}'}
    assert isinstance(ir.body, Js)
    assert ir.body_type == "json"  # contentType default from the catalog
    assert ir.suggested_connector == "stripe@1.0.0"
    assert rep.status == "lossy"
    assert "option 'timeout' is not represented" in rep.lost
    assert "1 JavaScript expression(s) kept verbatim" in rep.lost
    assert "stripe@1.0.0" in (rep.suggestion or "")


def test_http_defaults_method_get() -> None:
    ir, rep = one(
        node("HTTP", "httpRequest", 4.2, {"url": "https://slack.com/api/chat.postMessage"})
    )
    assert ir.method == "GET"
    assert ir.suggested_connector == "slack@1.0.0"
    assert rep.status == "built-in"


# --------------------------------------------------------------------------- triggers


@pytest.mark.parametrize("version", [1, 1.1, 2, 2.1])
def test_webhook_versions(version: float) -> None:
    params = {"path": "orders", "httpMethod": "POST", "responseMode": "responseNode", "options": {}}
    ir, rep = one(node("Hook", "webhook", version, params))
    assert (ir.kind, ir.method, ir.path, ir.response_mode, ir.inputs) == (
        "trigger.webhook",
        "POST",
        "orders",
        "respond_node",
        [],
    )
    assert rep.status == "built-in"


def test_webhook_defaults() -> None:
    ir, _ = one(node("Hook", "webhook", 2, {"path": "x"}))
    assert (ir.method, ir.response_mode, ir.auth) == ("GET", "immediately", "none")


@pytest.mark.parametrize("version", [1, 1.1, 1.2, 1.3, 1.4])
def test_schedule_trigger_versions(version: float) -> None:
    params = {
        "rule": {
            "interval": [
                {"field": "cronExpression", "expression": "0 8 * * *"},
                {"field": "weeks", "triggerAtDay": [1], "triggerAtHour": 7},
            ]
        }
    }
    ir, rep = one(node("Every day", "scheduleTrigger", version, params))
    assert ir.kind == "trigger.schedule"
    assert ir.cron == []
    assert ir.intervals == [
        Interval(unit="cron", expression="0 8 * * *"),
        Interval(unit="weeks", every=1, weekday=[1], hour=7, minute=0),
    ]
    assert rep.status == "built-in"


def test_schedule_trigger_default_rule_is_daily_at_midnight() -> None:
    ir, rep = one(node("S", "scheduleTrigger", 1.2, {}))
    assert ir.intervals == [Interval(unit="days", every=1, hour=0, minute=0)]
    assert rep.status == "built-in"


@pytest.mark.parametrize(
    ("rule", "interval"),
    [
        ({"field": "seconds"}, Interval(unit="seconds", every=30)),
        ({"field": "seconds", "secondsInterval": 10}, Interval(unit="seconds", every=10)),
        ({"field": "minutes"}, Interval(unit="minutes", every=5)),
        ({"field": "minutes", "minutesInterval": "15"}, Interval(unit="minutes", every=15)),
        (
            {"field": "hours", "hoursInterval": 2, "triggerAtMinute": 30},
            Interval(unit="hours", every=2, minute=30),
        ),
        ({}, Interval(unit="days", every=1, hour=0, minute=0)),  # field defaults to days
        (
            {"daysInterval": 3, "triggerAtHour": 9, "triggerAtMinute": 15},
            Interval(unit="days", every=3, hour=9, minute=15),
        ),
        (
            {"field": "weeks", "weeksInterval": 2, "triggerAtDay": [1, 5], "triggerAtHour": 8},
            Interval(unit="weeks", every=2, weekday=[1, 5], hour=8, minute=0),
        ),
        ({"field": "weeks"}, Interval(unit="weeks", every=1, weekday=[0], hour=0, minute=0)),
        (
            {"field": "months", "monthsInterval": 3, "triggerAtDayOfMonth": 28, "triggerAtHour": 9},
            Interval(unit="months", every=3, day_of_month=28, hour=9, minute=0),
        ),
        # keys n8n ignores for the chosen unit are not a loss
        ({"field": "minutes", "triggerAtHour": 7}, Interval(unit="minutes", every=5)),
    ],
)
def test_schedule_trigger_intervals_are_typed(rule: dict[str, object], interval: Interval) -> None:
    ir, rep = one(node("S", "scheduleTrigger", 1.2, {"rule": {"interval": [rule]}}))
    assert ir.intervals == [interval]
    assert rep.status == "built-in", rep.lost


@pytest.mark.parametrize(
    ("rule", "lost"),
    [
        (
            {"field": "minutes", "minutesInterval": "={{ $env.EVERY }}"},
            "schedule rule 1: minutesInterval '={{ $env.EVERY }}' is not a whole number",
        ),
        ({"field": "days", "triggerAtHour": 25}, "triggerAtHour 25 is not a whole number 0-23"),
        ({"field": "weeks", "triggerAtDay": ["monday"]}, "weekdays ['monday'] are not day numbers"),
        ({"field": "years"}, "trigger interval 'years' is not represented"),
        ({"field": "cronExpression", "expression": "={{ $json.cron }}"}, "not a literal"),
        ("daily", "schedule rule 1: not an object"),
    ],
)
def test_schedule_trigger_rules_not_converted_are_reported(rule: object, lost: str) -> None:
    params = {"rule": {"interval": [rule, {"field": "hours"}]}}
    ir, rep = one(node("S", "scheduleTrigger", 1.2, params))
    assert ir.intervals == [Interval(unit="hours", every=1, minute=0)]  # the rule that converts
    assert rep.status == "lossy"
    assert any(lost in item and "not converted" in item for item in rep.lost), rep.lost


def test_schedule_trigger_unknown_keys_are_lossy_but_the_rule_is_kept() -> None:
    params = {"rule": {"interval": [{"field": "hours", "triggerAtSecond": 5}]}}
    ir, rep = one(node("S", "scheduleTrigger", 1.3, params))
    assert ir.intervals == [Interval(unit="hours", every=1, minute=0)]
    assert rep.status == "lossy"
    assert rep.lost == ["schedule rule 1: 'triggerAtSecond' is not represented"]


def test_schedule_trigger_without_a_rule_list_is_lossy() -> None:
    ir, rep = one(node("S", "scheduleTrigger", 1.2, {"rule": {}}))
    assert ir.intervals == []
    assert rep.status == "lossy"


def test_schedule_intervals_round_trip_through_json() -> None:
    params = {"rule": {"interval": [{"field": "weeks", "triggerAtDay": [2], "triggerAtHour": 6}]}}
    result = run(workflow([node("S", "scheduleTrigger", 1.2, params)]))
    data = result.flow.to_json()
    assert data["nodes"][0]["intervals"] == [
        {
            "unit": "weeks",
            "every": 1,
            "hour": 6,
            "minute": 0,
            "weekday": [2],
            "day_of_month": None,
            "expression": None,
        }
    ]
    assert Flow.model_validate(data) == result.flow


def test_legacy_cron() -> None:
    params = {
        "triggerTimes": {
            "item": [
                {"hour": 6},
                {"mode": "everyWeek", "hour": 9, "minute": 30, "weekday": "5"},
                {"mode": "everyX", "value": 15, "unit": "minutes"},
                {"mode": "custom", "cronExpression": "0 0 1 * *"},
            ]
        }
    }
    ir, rep = one(node("Cron", "cron", 1, params))
    assert ir.cron == ["0 6 * * *", "30 9 * * 5", "*/15 * * * *", "0 0 1 * *"]
    assert rep.status == "built-in"


def test_manual_and_subflow_triggers() -> None:
    ir, _ = one(node("Go", "manualTrigger"))
    assert ir.kind == "trigger.manual"
    ir, _ = one(node("Called", "executeWorkflowTrigger"))
    assert ir.kind == "trigger.subflow"


# --------------------------------------------------------------------------- code


@pytest.mark.parametrize(
    ("node_type", "version", "params", "language", "source"),
    [
        ("code", 1, {"jsCode": "return items;"}, "javascript", "return items;"),
        ("code", 2, {"language": "python", "pythonCode": "return []"}, "python", "return []"),
        ("code", 2, {"mode": "runOnceForEachItem", "jsCode": "x"}, "javascript", "x"),
        ("function", 1, {"functionCode": "return items;\n"}, "javascript", "return items;\n"),
    ],
)
def test_code_is_kept_opaque_and_flagged(
    node_type: str, version: float, params: dict[str, object], language: str, source: str
) -> None:
    ir, rep = one(node("Code", node_type, version, params))
    assert (ir.kind, ir.language, ir.source_code) == ("code", language, source)
    assert "opaque-code" in ir.flags
    assert (ir.effects, ir.determinism) == ("unknown", "unknown")
    assert rep.status == "lossy"
    assert rep.lost[0].startswith("code kept opaque")


# --------------------------------------------------------------------------- set


def test_set_v1_typed_values() -> None:
    params = {
        "values": {
            "number": [{"name": "n", "value": 4}],
            "string": [{"name": "s", "value": "={{ $json.a }}"}],
        },
        "keepOnlySet": True,
    }
    ir, rep = one(node("Set", "set", 1, params))
    assert [(a.name, a.type) for a in ir.assignments] == [("n", "number"), ("s", "string")]
    assert ir.keep == "none"
    assert isinstance(ir.assignments[1].value, Ref)
    assert rep.status == "built-in"


def test_set_v2_keeps_other_fields_by_default() -> None:
    ir, _ = one(node("Set", "set", 2, {"values": {"boolean": [{"name": "b", "value": True}]}}))
    assert ir.keep == "all"
    assert ir.assignments[0].value is True


@pytest.mark.parametrize("version", [3, 3.1, 3.2])
def test_set_v3_fields(version: float) -> None:
    params = {
        "fields": {
            "values": [
                {"name": "t", "stringValue": "={{ $json.title }}"},
                {"name": "n", "type": "numberValue", "numberValue": "3"},
            ]
        },
        "include": "none",
        "options": {},
    }
    ir, rep = one(node("Set", "set", version, params))
    assert [(a.name, a.type) for a in ir.assignments] == [("t", "string"), ("n", "number")]
    assert ir.keep == "none"
    assert rep.status == "built-in"


@pytest.mark.parametrize("version", [3.3, 3.4, 3.5])
def test_set_v33_assignments(version: float) -> None:
    params = {
        "assignments": {
            "assignments": [{"id": "1", "name": "x", "type": "string", "value": "={{ $json.y }}"}]
        },
        "options": {},
    }
    ir, rep = one(node("Set", "set", version, params))
    assert [(a.name, a.type, a.value.ref) for a in ir.assignments] == [
        ("x", "string", "input.item.y")
    ]
    assert ir.keep == "none"  # includeOtherFields defaults to false
    assert rep.status == "built-in"
    ir, _ = one(node("Set", "set", version, {**params, "includeOtherFields": True}))
    assert ir.keep == "all"


def test_set_raw_mode_keeps_json() -> None:
    ir, rep = one(node("Set", "set", 3.4, {"mode": "raw", "jsonOutput": "={{ {a: 1} }}"}))
    assert isinstance(ir.raw_json, Js)
    assert rep.status == "lossy"


# ------------------------------------------------------------- wait, noop, respond, sub-flow


def test_wait_v1_defaults_one_hour() -> None:
    ir, _ = one(node("Wait", "wait", 1, {}))
    assert (ir.mode, ir.amount, ir.unit, ir.seconds) == ("interval", 1, "hours", 3600.0)


def test_wait_v11_amount_in_seconds_by_default() -> None:
    ir, rep = one(node("Wait", "wait", 1.1, {"amount": 15}))
    assert (ir.mode, ir.amount, ir.unit, ir.seconds) == ("interval", 15, "seconds", 15.0)
    assert rep.status == "built-in"


def test_wait_until_and_webhook() -> None:
    ir, _ = one(
        node("Wait", "wait", 1.1, {"resume": "specificTime", "dateTime": "={{ $json.at }}"})
    )
    assert (ir.mode, ir.until.ref) == ("until", "input.item.at")
    ir, rep = one(node("Wait", "wait", 1.1, {"resume": "webhook"}))
    assert ir.mode == "webhook"
    assert rep.status == "lossy"


def test_noop() -> None:
    ir, rep = one(node("Nothing", "noOp"))
    assert (ir.kind, rep.status) == ("noop", "built-in")


def test_respond_to_webhook() -> None:
    params = {
        "respondWith": "text",
        "responseBody": "={{ $json.html }}",
        "options": {"responseCode": 201},
    }
    ir, rep = one(node("Respond", "respondToWebhook", 1.1, params))
    assert (ir.kind, ir.respond_with, ir.body.ref, ir.status) == (
        "respond",
        "text",
        "input.item.html",
        201,
    )
    assert rep.status == "built-in"


def test_execute_workflow_is_a_subflow_call() -> None:
    params = {
        "workflowId": {"__rl": True, "value": "abc", "mode": "list"},
        "options": {"waitForSubWorkflow": False},
    }
    ir, rep = one(node("Call", "executeWorkflow", 1.1, params))
    assert (ir.kind, ir.workflow, ir.wait, ir.mode) == ("subflow", "abc", False, "once")
    assert rep.status == "built-in"


def test_sticky_notes_are_dropped_and_counted() -> None:
    result = run(workflow([node("Note", "stickyNote", 1, {"content": "hi"}), node("A", "noOp")]))
    assert [n.name for n in result.flow.nodes] == ["A"]
    assert result.report.coverage()["sticky_notes_dropped"] == 1
