"""n8n_import and graph_visualize through a real MCP session (own workflow and the corpus)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from connector_spec.errors import FlowsError
from flows.ir.catalog import DirectoryCatalog
from flows.ir.dot import to_dot
from flows.n8n.importer import import_workflow
from tests.mcp.conftest import CORPUS, TINY_WORKFLOW, McpClient, make_root, mcp_server, text_of


def test_import_inline_and_by_path_agree(client: McpClient, root: Path) -> None:
    inline = client.call("n8n_import", {"workflow": TINY_WORKFLOW})
    assert not inline.is_error, text_of(inline)
    data = inline.structured_content
    assert [n["name"] for n in data["flow"]["nodes"]] == ["Start", "Wait a bit"]
    assert data["report"]["coverage"]["nodes"] == 2
    assert "2 nodes" in text_of(inline)
    as_text = client.call("n8n_import", {"workflow": json.dumps(TINY_WORKFLOW)})
    assert as_text.structured_content["flow"] == data["flow"]
    (root / "tiny.json").write_text(json.dumps(TINY_WORKFLOW))
    by_path = client.call("n8n_import", {"path": "tiny.json"})
    flow = by_path.structured_content["flow"]
    assert (flow["source"], data["flow"]["source"]) == ("tiny.json", "workflow.json")
    assert {**flow, "source": "workflow.json"} == data["flow"]


def test_import_bad_workflow_is_a_located_error(client: McpClient) -> None:
    result = client.call("n8n_import", {"workflow": '{"nodes": [}'})
    assert result.is_error
    data = result.structured_content
    assert data["error"] == "WorkflowError"
    assert data["diagnostics"][0]["line"] == 1
    both = client.call("n8n_import", {"workflow": TINY_WORKFLOW, "path": "tiny.json"})
    assert both.is_error
    assert "give exactly one of `path` or `workflow`" in text_of(both)


def test_import_oversized_inline_workflow_is_refused(client: McpClient) -> None:
    huge = dict(TINY_WORKFLOW, pinData={"x": "y" * (1024 * 1024)})
    result = client.call("n8n_import", {"workflow": huge})
    assert result.is_error
    assert result.structured_content["error"] == "InputTooLarge"


def test_import_corpus_workflows_match_the_library(
    client: McpClient, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared/n8n-corpus is not present")
    monkeypatch.chdir(root)
    catalog = DirectoryCatalog(root / "connectors")
    malformed = sorted((CORPUS.parent / "malformed").glob("*.json"))[:3]
    picked = sorted(CORPUS.glob("*.json"))[:6] + malformed
    assert picked
    failures = 0
    for source in picked:
        target = root / "corpus" / source.name
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(source, target)
        result = client.call("n8n_import", {"path": f"corpus/{source.name}"})
        try:
            expected = import_workflow(f"corpus/{source.name}", catalog)
        except FlowsError as error:
            assert result.is_error
            assert text_of(result) == error.diagnostics()
            assert result.structured_content["error"] == type(error).__name__
            failures += 1
            continue
        assert not result.is_error, text_of(result)
        assert result.structured_content["flow"] == json.loads(json.dumps(expected.flow.to_json()))
        assert result.structured_content["report"] == json.loads(
            json.dumps(expected.report.to_json())
        )
        drawn = client.call("graph_visualize", {"flow": result.structured_content["flow"]})
        assert not drawn.is_error, text_of(drawn)
        assert drawn.structured_content["dot"] == to_dot(expected.flow)
    assert failures >= len(malformed) > 0


def test_graph_visualize_inline_and_by_path(client: McpClient, root: Path) -> None:
    flow = client.call("n8n_import", {"workflow": TINY_WORKFLOW}).structured_content["flow"]
    result = client.call("graph_visualize", {"flow": flow})
    assert not result.is_error, text_of(result)
    dot = result.structured_content["dot"]
    assert dot.startswith('digraph "tiny"')
    assert '"Start" -> "Wait a bit"' in dot
    if shutil.which("dot") is None:
        assert result.structured_content["svg"] is None
    (root / "tiny.flow.json").write_text(json.dumps(flow))
    by_path = client.call("graph_visualize", {"flow_path": "tiny.flow.json", "svg": False})
    assert by_path.structured_content == {"ok": True, "dot": dot, "svg": None}


def test_graph_visualize_bad_flow(client: McpClient) -> None:
    result = client.call("graph_visualize", {"flow": {"nodes": "nope"}})
    assert result.is_error
    data = result.structured_content
    assert data["error"] == "FlowFileError"
    assert any(d["path"].startswith("nodes") for d in data["diagnostics"])
    not_json = client.call("graph_visualize", {"flow": "{"})
    assert not_json.structured_content["error"] == "FlowFileError"


def test_graph_visualize_svg_when_graphviz_is_installed(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "dot"
    # A stand-in for Graphviz: wraps its stdin (the DOT text) in an <svg> element.
    fake.write_text('#!/bin/sh\nprintf "<svg>"; cat; printf "</svg>"\n')
    fake.chmod(0o755)
    root = make_root(tmp_path)
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    with mcp_server(root, env=env) as session:
        flow = session.call("n8n_import", {"workflow": TINY_WORKFLOW}).structured_content["flow"]
        result = session.call("graph_visualize", {"flow": flow})
    data = result.structured_content
    assert data["svg"] == f"<svg>{data['dot']}</svg>"


STRIPE_WORKFLOW = {
    "name": "charge lookup",
    "nodes": [
        {
            "id": "1",
            "name": "Get charge",
            "type": "n8n-nodes-base.stripe",
            "typeVersion": 1,
            "position": [0, 0],
            "parameters": {"resource": "charge", "operation": "get", "chargeId": "ch_1"},
        }
    ],
    "connections": {},
}


def test_import_maps_nodes_with_the_registry_when_there_is_no_connectors_folder(
    tmp_path: Path,
) -> None:
    from flows.publish import publish_connector

    root = tmp_path / "work"
    root.mkdir()
    publish_connector(
        make_root(tmp_path / "seed") / "connectors" / "stripe" / "connector.yaml",
        registry=root / ".flows" / "registry",
        key_dir=tmp_path / "keys",
        notice=lambda _message: None,
    )
    with mcp_server(root) as session:
        result = session.call("n8n_import", {"workflow": STRIPE_WORKFLOW})
    assert not result.is_error, text_of(result)
    nodes = result.structured_content["report"]["nodes"]
    assert [(n["status"], n["kind"]) for n in nodes] == [("mapped", "connector")]
    without = tmp_path / "empty"
    without.mkdir()
    with mcp_server(without) as session:
        bare = session.call("n8n_import", {"workflow": STRIPE_WORKFLOW})
    assert bare.structured_content["report"]["nodes"][0]["status"] != "mapped"
    assert "no connector catalog" in json.dumps(bare.structured_content["report"])
