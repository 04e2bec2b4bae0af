"""Hypothesis: whatever the input, the importer returns a flow or a FlowsError."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector_spec.errors import FlowsError
from flows.ir.model import Flow
from flows.n8n.importer import import_raw
from flows.n8n.nodes import CONVERTERS
from flows.n8n.reader import parse_workflow_bytes
from tests.n8n.helpers import seed_catalog

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(
        [
            "={{ $json.a }}",
            "={{ $('N0').item.json.x }}",
            "=a {{ 1 + }} b",
            "={{",
            "={{ $fromAI('k', 'd', 'number', [1]) }}",
            "={{ $fromAI('k' }}",
        ]
    ),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
node_types = st.sampled_from(
    [
        *sorted(CONVERTERS),
        "n8n-nodes-base.stripe",
        "n8n-nodes-base.slack",
        *(
            "@n8n/n8n-nodes-langchain." + name
            for name in (
                "agent",
                "chainLlm",
                "lmChatOpenAi",
                "vectorStoreQdrant",
                "textClassifier",
                "sentimentAnalysis",
                "code",
                "toolHttpRequest",
                "outputParserStructured",
                "chatTrigger",
                "mcpTrigger",
                "openAi",
            )
        ),
        "n8n-nodes-base.gmailTool",
        "n8n-nodes-base.postgresTool",
        "n8n-nodes-base.gmailTrigger",
        "n8n-nodes-base.telegramTrigger",
        "x.unknown",
        "",
    ]
)
param_keys = st.sampled_from(
    [
        "conditions",
        "rules",
        "mode",
        "options",
        "url",
        "method",
        "values",
        "fields",
        "assignments",
        "resume",
        "amount",
        "rule",
        "triggerTimes",
        "batchSize",
        "resource",
        "operation",
        "jsCode",
        "numberInputs",
        "output",
        "categories",
        "inputs",
        "outputs",
        "pollTimes",
        "schemaType",
        "inputSchema",
        "jsonSchemaExample",
        "placeholderDefinitions",
        "text",
        "query",
        "hasOutputParser",
        "needsFallback",
        "toolDescription",
        "promptType",
        "command",
    ]
)


@st.composite
def workflows(draw: Any) -> dict[str, Any]:
    count = draw(st.integers(min_value=0, max_value=6))
    nodes = []
    for i in range(count):
        nodes.append(
            {
                "name": f"N{i}",
                "type": draw(node_types),
                "typeVersion": draw(st.sampled_from([1, 1.1, 2, 2.2, 3, 3.4, 4.2, "x", None])),
                "parameters": draw(st.dictionaries(param_keys, json_values, max_size=4)),
                **draw(
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "onError": st.sampled_from(
                                ["continueErrorOutput", "continueRegularOutput", "x"]
                            ),
                            "disabled": st.booleans(),
                            "credentials": json_values,
                        },
                    )
                ),
            }
        )
    names = [f"N{i}" for i in range(count)] + ["Ghost"]
    target = st.fixed_dictionaries(
        {
            "node": st.sampled_from(names),
            "type": st.just("main"),
            "index": st.integers(min_value=-1, max_value=3),
        }
    )
    slot = st.none() | st.lists(target, max_size=2) | json_values
    conn_type = st.sampled_from(
        ["main", "ai_tool", "ai_languageModel", "ai_memory", "ai_embedding"]
    )
    connections = draw(
        st.dictionaries(
            st.sampled_from(names),
            st.dictionaries(conn_type, st.lists(slot, max_size=4) | json_values, max_size=2),
            max_size=count + 1,
        )
    )
    return {"name": "fuzz", "nodes": nodes, "connections": connections}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workflows())
def test_structured_fuzz_imports_or_reports(data: dict[str, Any]) -> None:
    try:
        raw = parse_workflow_bytes(json.dumps(data).encode(), "fuzz.json")
    except FlowsError as error:
        assert error.exit_code == 2
        assert error.diagnostics()
        return
    result = import_raw(raw, seed_catalog())
    Flow.model_validate(json.loads(json.dumps(result.flow.to_json())))
    assert result.report.summary()
    assert result.report.to_markdown()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_arbitrary_bytes_import_or_fail_cleanly(blob: bytes) -> None:
    try:
        raw = parse_workflow_bytes(blob, "blob.json")
    except FlowsError as error:
        assert error.exit_code == 2
        return
    import_raw(raw, seed_catalog())


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_arbitrary_json_documents(value: Any) -> None:
    try:
        raw = parse_workflow_bytes(json.dumps(value).encode(), "doc.json")
    except FlowsError:
        return
    import_raw(raw, seed_catalog())
