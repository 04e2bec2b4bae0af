"""AI graphs: agents and chains with typed slots, and the nodes that fill them."""

from __future__ import annotations

from typing import Any

from flows.ir.check import check_flow
from flows.ir.dot import to_dot
from flows.ir.model import Flow
from tests.n8n.helpers import main, node, one, run, workflow

LC = "@n8n/n8n-nodes-langchain."


def ai(source: str, kind: str, target: str, index: int = 0) -> dict[str, Any]:
    """An ``ai_*`` connection block from ``source`` into ``target``."""
    return {source: {kind: [[{"node": target, "type": kind, "index": index}]]}}


def _agent_with(*extra: tuple[dict[str, Any], dict[str, Any]], **params: Any) -> Any:
    nodes = [node("Chat", LC + "chatTrigger", 1.1), node("Agent", LC + "agent", 2.2, params)]
    connections: dict[str, Any] = {"Chat": main("Agent")}
    for n8n_node, conn in extra:
        nodes.append(n8n_node)
        connections.update(conn)
    return run(workflow(nodes, connections))


def _slots(result: Any, name: str) -> dict[str, list[str]]:
    target = next(n for n in result.flow.nodes if n.name == name)
    return {s.name: s.nodes for s in target.slots}


def test_model_and_fallback_model_fill_their_own_slots_by_input_index() -> None:
    result = _agent_with(
        (node("GPT", LC + "lmChatOpenAi", 1.2, {"model": "gpt-4o"}),
         ai("GPT", "ai_languageModel", "Agent", 0)),
        (node("Claude", LC + "lmChatAnthropic", 1.3), ai("Claude", "ai_languageModel", "Agent", 1)),
        needsFallback=True,
    )  # fmt: skip
    assert _slots(result, "Agent")["model"] == ["GPT"]
    assert _slots(result, "Agent")["fallback_model"] == ["Claude"]
    gpt = next(n for n in result.flow.nodes if n.name == "GPT")
    assert (gpt.kind, gpt.provider, gpt.model, gpt.provides) == (
        "ai.model", LC + "lmChatOpenAi", "gpt-4o", "ai_languageModel"
    )  # fmt: skip
    assert not result.report.errors


def test_slot_cardinality_kind_and_required_are_checked() -> None:
    two = _agent_with(
        (node("A", LC + "lmChatOpenAi", 1), ai("A", "ai_languageModel", "Agent")),
        (node("B", LC + "lmChatOpenAi", 1), ai("B", "ai_languageModel", "Agent")),
    )
    assert [f.code for f in two.report.errors] == ["slot-cardinality"]
    assert "takes at most 1; 2 bound: A, B" in two.report.errors[0].message
    none = _agent_with()
    assert [f.code for f in none.report.errors] == ["slot-unbound"]
    assert (
        "the model slot (ai_languageModel) of 'Agent' needs 1 node" in none.report.errors[0].message
    )
    # a hand-edited IR putting memory into the model slot
    data = two.flow.to_json()
    data["nodes"].append({"name": "Mem", "kind": "ai.memory", "component": "x",
                          "provides": "ai_memory", "inputs": [], "outputs": []})  # fmt: skip
    agent = next(n for n in data["nodes"] if n["name"] == "Agent")
    agent["slots"][0]["nodes"] = ["Mem"]
    data["edges"] = [e for e in data["edges"] if e["type"] == "main"] + [
        {"from": {"node": "Mem", "port": "ai_memory"}, "to": {"node": "Agent", "port": "model"},
         "type": "ai_languageModel"}]  # fmt: skip
    codes = {f.code for f in check_flow(Flow.model_validate(data), None) if f.severity == "error"}
    assert codes == {"slot-kind"}


def test_a_sub_node_wired_where_n8n_has_no_input_is_an_error() -> None:
    result = run(
        workflow(
            [node("Chain", LC + "chainLlm", 1.5),
             node("Split", LC + "textSplitterRecursiveCharacterTextSplitter", 1),
             node("M", LC + "lmChatOpenAi", 1)],
            {**ai("Split", "ai_textSplitter", "Chain"), **ai("M", "ai_languageModel", "Chain")},
        )
    )  # fmt: skip
    assert [f.code for f in result.report.errors] == ["ai-no-slot"]


def test_tools_memory_parser_and_retrieval_fill_typed_slots() -> None:
    schema = '{"type": "object", "properties": {"name": {"type": "string"}}}'
    result = _agent_with(
        (node("M", LC + "lmChatOpenAi", 1), ai("M", "ai_languageModel", "Agent")),
        (node("Mem", LC + "memoryBufferWindow", 1.3, {"contextWindowLength": 8}),
         ai("Mem", "ai_memory", "Agent")),
        (node("Wf", LC + "toolWorkflow", 2.2, {"description": "Look up a customer",
              "workflowInputs": {"value": {
                  "id": "={{ $fromAI('customer_id', 'the id', 'number') }}"}}}),
         ai("Wf", "ai_tool", "Agent")),
        (node("Http", LC + "toolHttpRequest", 1.1, {"toolDescription": "Search",
          "url": "https://s.test?q={query}", "placeholderDefinitions": {"values": [
              {"name": "query", "description": "search terms"}]}}),
         ai("Http", "ai_tool", "Agent")),
        (node("Docs", LC + "vectorStoreQdrant", 1.1, {"mode": "retrieve-as-tool",
                                                     "toolName": "docs"}),
         ai("Docs", "ai_tool", "Agent")),
        (node("Emb", LC + "embeddingsOpenAi", 1.2), ai("Emb", "ai_embedding", "Docs")),
        (node("Parse", LC + "outputParserStructured", 1.2, {"schemaType": "manual",
                                                          "inputSchema": schema}),
         ai("Parse", "ai_outputParser", "Agent")),
        hasOutputParser=True,
        options={"systemMessage": "Be brief"},
    )  # fmt: skip
    assert not result.report.errors
    slots = _slots(result, "Agent")
    assert slots == {"model": ["M"], "memory": ["Mem"], "tools": ["Wf", "Http", "Docs"],
                     "output_parser": ["Parse"]}  # fmt: skip
    assert _slots(result, "Docs") == {"embedding": ["Emb"], "reranker": []}
    nodes = result.flow.node_map()
    assert nodes["Agent"].system_message == "Be brief"
    assert nodes["Agent"].prompt.path == ["chatInput"]  # promptType auto: the chat input
    assert [(a.name, a.type) for a in nodes["Wf"].arguments] == [("customer_id", "number")]
    assert [(a.name, a.description) for a in nodes["Http"].arguments] == [("query", "search terms")]
    assert nodes["Parse"].json_schema == {"type": "object",
                                          "properties": {"name": {"type": "string"}}}  # fmt: skip
    assert nodes["Mem"].params["contextWindowLength"] == 8
    assert {r.status for r in result.report.nodes} == {"built-in"}
    dot = to_dot(result.flow)
    assert '"Mem" -> "Agent" [label="memory", style=dashed];' in dot


def test_vector_store_insert_is_a_main_step_with_document_and_embedding_slots() -> None:
    result = run(
        workflow(
            [node("Start", "manualTrigger"),
             node("Store", LC + "vectorStorePinecone", 1.1, {"mode": "insert"}),
             node("Load", LC + "documentDefaultDataLoader", 1.1),
             node("Emb", LC + "embeddingsOpenAi", 1.2)],
            {"Start": main("Store"), **ai("Load", "ai_document", "Store"),
             **ai("Emb", "ai_embedding", "Store")},
        )
    )  # fmt: skip
    store = result.flow.node_map()["Store"]
    assert (store.kind, store.mode, store.inputs, store.provides) == (
        "ai.vector_store", "insert", ["in"], None
    )  # fmt: skip
    assert _slots(result, "Store") == {"document": ["Load"], "embedding": ["Emb"]}
    assert not result.report.errors


def test_text_classifier_has_one_output_per_category() -> None:
    params = {"categories": {"categories": [{"category": "Sales"}, {"category": "Support"}]},
              "options": {"fallback": "other"}}  # fmt: skip
    ir, rep = one(node("Route", LC + "textClassifier", 1.1, params))
    assert (ir.kind, ir.role, ir.outputs, rep.status) == (
        "ai.agent", "text_classifier", ["Sales", "Support", "other"], "built-in"
    )  # fmt: skip


def test_provider_app_node_without_connector_is_a_lossy_typed_call() -> None:
    ir, rep = one(node("Img", LC + "openAi", 1.8, {"resource": "image", "operation": "analyze",
                                                   "modelId": "gpt-4o"}))  # fmt: skip
    assert (ir.kind, ir.resource, ir.operation, ir.model) == ("ai.app", "image", "analyze",
                                                              "gpt-4o")  # fmt: skip
    assert rep.lost == [
        f"no registry connector for {LC}openAi image/analyze: kept as a typed provider call"
    ]


def test_tool_code_and_langchain_code_are_opaque() -> None:
    _, rep = one(node("T", LC + "toolCode", 1.1, {"jsCode": "return 1"}))
    assert (rep.kind, rep.status, rep.lost) == ("ai.tool", "lossy", ["tool code kept opaque"])


def test_mcp_and_chat_triggers_start_a_flow() -> None:
    result = run(
        workflow(
            [node("Mcp", LC + "mcpTrigger", 2, {"path": "tools"}),
             node("Calc", LC + "toolCalculator", 1)],
            ai("Calc", "ai_tool", "Mcp"),
        )
    )  # fmt: skip
    mcp = result.flow.node_map()["Mcp"]
    assert (mcp.kind, mcp.path, _slots(result, "Mcp")) == ("trigger.mcp", "tools",
                                                          {"tools": ["Calc"]})  # fmt: skip
    assert not result.report.findings


def test_an_app_trigger_shipped_with_the_langchain_nodes_is_a_trigger() -> None:
    ir, rep = one(node("Teams", LC + "microsoftAgent365Trigger", 1.1, {}))
    assert (ir.kind, ir.app, ir.inputs) == ("trigger.app", LC + "microsoftAgent365Trigger", [])
    assert rep.status == "lossy"


def test_a_model_given_as_a_bare_resource_locator_is_its_value() -> None:
    ir, _ = one(node("M", LC + "lmOpenAi", 1, {"model": {"mode": "list", "value": "gpt-x"}}))
    assert (ir.kind, ir.model) == ("ai.model", "gpt-x")


def test_a_v1_tools_agent_without_tools_passes_as_n8n_runs_it() -> None:
    result = run(
        workflow(
            [node("Chat", LC + "chatTrigger", 1.1), node("Agent", LC + "agent", 1.7),
             node("M", LC + "lmChatOpenAi", 1)],
            {"Chat": main("Agent"), **ai("M", "ai_languageModel", "Agent")},
        )
    )  # fmt: skip
    assert _slots(result, "Agent") == {"model": ["M"], "memory": [], "tools": []}
    assert not result.report.errors
