"""The node-description extract (scripts/build_n8n_nodes.py) and the shipped file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from flows.n8n import nodeinfo
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
import build_n8n_nodes

BASE_NODES = [
    {
        "name": "splitOut",
        "version": [1, 1.1],
        "properties": [
            {"name": "fieldToSplitOut", "default": ""},
            {"name": "tip", "type": "notice", "default": ""},
            {"name": "include", "default": "none", "displayOptions": {"show": {"mode": ["x"]}}},
            {"name": "extra", "default": 1, "displayOptions": {"show": {"@version": [1.1]}}},
        ],
    },
    {"name": "acmeTrigger", "version": 1, "polling": True, "properties": []},
    {"name": "hookTrigger", "version": 1, "webhooks": [{}], "properties": []},
    {"name": "acme", "version": 1, "properties": [{"name": "big", "default": "x" * 100}]},
]
LANGCHAIN_NODES = [
    {
        "name": "lmChatAcme",
        "version": 1,
        "inputs": [],
        "outputs": ["ai_languageModel"],
        "properties": [{"name": "model", "default": "m1"}],
    },
    {
        "name": "chainAcme",
        "version": 1,
        "inputs": ["main", {"type": "ai_languageModel", "maxConnections": 1, "required": True}],
        "outputs": "={{ dynamic }}",
        "properties": [],
    },
]


def _write(root: Path, name: str, nodes: list[dict[str, object]]) -> Path:
    (root / "dist/types").mkdir(parents=True)
    (root / "package.json").write_text(json.dumps({"name": name, "version": "9.9.9"}))
    (root / "dist/types/nodes.json").write_text(json.dumps(nodes))
    return root


def test_build_keeps_a_minimal_extract(tmp_path: Path) -> None:
    base = _write(tmp_path / "base", "n8n-nodes-base", BASE_NODES)
    lc = _write(tmp_path / "lc", "@n8n/n8n-nodes-langchain", LANGCHAIN_NODES)
    out = tmp_path / "out.json"
    assert build_n8n_nodes.main([str(base), str(lc), "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    nodes = data["nodes"]
    assert data["source"] == [
        "n8n-nodes-base@9.9.9 dist/types/nodes.json",
        "@n8n/n8n-nodes-langchain@9.9.9 dist/types/nodes.json",
    ]
    split = nodes["n8n-nodes-base.splitOut"]
    assert split["versions"] == ["1", "1.1"]
    # notices are not parameters; a conditional parameter is named but has no default here
    assert split["params"] == {
        "1": {"names": ["fieldToSplitOut", "include"], "defaults": {"fieldToSplitOut": ""}},
        "1.1": {
            "names": ["extra", "fieldToSplitOut", "include"],
            "defaults": {"extra": 1, "fieldToSplitOut": ""},
        },
    }
    # defaults shown only for some values of other parameters keep n8n's conditions
    assert split["conditional"] == [["include", "none", {"mode": ["x"]}, None]]
    assert nodes["n8n-nodes-base.acmeTrigger"]["trigger"] == "polling"
    assert nodes["n8n-nodes-base.hookTrigger"]["trigger"] == "webhook"
    assert nodes["n8n-nodes-base.acme"] == {"versions": ["1"]}  # an app node: versions only
    model = nodes["@n8n/n8n-nodes-langchain.lmChatAcme"]
    assert (model["outputs"], model["ai_inputs"]) == (["ai_languageModel"], [])
    chain = nodes["@n8n/n8n-nodes-langchain.chainAcme"]
    assert chain["ai_inputs"] == [{"type": "ai_languageModel", "max": 1, "required": True}]
    assert "outputs" not in chain  # an expression: restated in flows/n8n/nodes/ai_slots.py


def test_build_refuses_a_directory_without_the_catalog(tmp_path: Path) -> None:
    assert build_n8n_nodes.main([str(tmp_path), str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    assert not (tmp_path / "o").exists()


def test_the_shipped_extract() -> None:
    assert nodeinfo.known("n8n-nodes-base.telegram")
    assert not nodeinfo.known("n8n-nodes-base.telegramTool")  # tools are made at run time
    assert nodeinfo.trigger_mode("n8n-nodes-base.gmailTrigger") == "polling"
    assert nodeinfo.trigger_mode("n8n-nodes-base.telegramTrigger") == "webhook"
    assert nodeinfo.ai_outputs("@n8n/n8n-nodes-langchain.lmChatOpenAi") == ["ai_languageModel"]
    documented = nodeinfo.documented("n8n-nodes-base.splitOut", 1)
    assert documented is not None and "fieldToSplitOut" in documented.names
    assert nodeinfo.resource_operation("@n8n/n8n-nodes-langchain.openAi", 1.8, {}) == (
        "text",
        "message",
    )


def test_defaults_follow_n8n_display_conditions() -> None:
    postgres = "n8n-nodes-base.postgres"
    inserting = nodeinfo.apply_defaults(postgres, 2.5, {})
    assert inserting["operation"] == "insert"  # n8n's default operation
    assert inserting["columns"] == {"mappingMode": "defineBelow", "value": None}
    querying = nodeinfo.apply_defaults(postgres, 2.5, {"operation": "executeQuery"})
    assert "columns" not in querying  # shown for insert/upsert/update only
    # by version: the v1 agent's default type changed at 1.6
    agent = "@n8n/n8n-nodes-langchain.agent"
    assert nodeinfo.apply_defaults(agent, 1.5, {})["agent"] == "conversationalAgent"
    assert nodeinfo.apply_defaults(agent, 1.7, {})["agent"] == "toolsAgent"
    # what the node says always wins; a type without an extract is left as it is
    assert nodeinfo.apply_defaults(postgres, 2.5, {"operation": "x"})["operation"] == "x"
    assert nodeinfo.apply_defaults("n8n-nodes-base.set", 3.4, {"a": 1}) == {"a": 1}
