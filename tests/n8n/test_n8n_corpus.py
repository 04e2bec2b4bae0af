"""The real corpus in ../shared/n8n-corpus (skipped when absent)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from flows.ir.check import check_flow
from flows.ir.model import Flow
from flows.n8n import import_workflow
from flows.n8n.errors import WorkflowError
from flows.n8n.importer import ImportResult
from flows.n8n.report import NodeReport
from tests.n8n.helpers import CORPUS, seed_catalog

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/n8n-corpus is absent")


def _files(sub: str) -> list[Path]:
    return sorted((CORPUS / sub).glob("*.json")) if CORPUS.is_dir() else []


def test_every_parseable_workflow_imports_and_round_trips() -> None:
    files = _files("workflows")
    assert len(files) == 325
    catalog = seed_catalog()
    statuses: dict[str, int] = {}
    connectors = 0
    for path in files:
        result = import_workflow(path, catalog)
        raw = json.loads(path.read_text())
        kept = [n for n in raw["nodes"] if n["type"] != "n8n-nodes-base.stickyNote"]
        assert len(result.flow.nodes) == len(kept), path.name
        for report in result.report.nodes:
            statuses[report.status] = statuses.get(report.status, 0) + 1
        connectors += sum(1 for n in result.flow.nodes if n.kind == "connector")
        # the written IR reads back and checks the same
        again = Flow.model_validate(json.loads(json.dumps(result.flow.to_json())))
        assert [f.code for f in check_flow(again, catalog)] == [
            f.code for f in check_flow(result.flow, catalog)
        ], path.name
    assert statuses["built-in"] > 1000
    assert statuses["lossy"] > 100
    # issue 15: at most 10% of the non-sticky nodes stay unsupported
    assert statuses["unsupported"] <= 0.10 * sum(statuses.values())
    assert connectors > 0  # Slack nodes in the corpus map onto the seed connector


def test_every_malformed_file_gets_a_clear_located_error() -> None:
    files = _files("malformed")
    assert len(files) == 7
    for path in files:
        with pytest.raises(WorkflowError) as err:
            import_workflow(path, seed_catalog())
        text = err.value.diagnostics()
        assert text.startswith(f"{path}:"), text
        assert "nothing was written" in text
        item = err.value.items[0]
        assert item.line is not None and item.hint


def test_corpus_core_nodes_never_fall_back_to_unsupported() -> None:
    core = {
        "if",
        "switch",
        "merge",
        "splitInBatches",
        "httpRequest",
        "webhook",
        "scheduleTrigger",
        "code",
        "set",
        "wait",
        "noOp",
        "filter",
        "respondToWebhook",
        "executeWorkflow",
    }
    catalog = seed_catalog()
    for path in _files("workflows"):
        result = import_workflow(path, catalog)
        for report in result.report.nodes:
            if report.n8n_type.removeprefix("n8n-nodes-base.") in core:
                assert report.status != "unsupported", (path.name, report.name)


_CORE_PACKAGES = ("n8n-nodes-base.", "@n8n/n8n-nodes-langchain.")


def _corpus_results() -> list[tuple[Path, ImportResult]]:
    catalog = seed_catalog()
    return [(path, import_workflow(path, catalog)) for path in _files("workflows")]


def test_every_n8n_node_type_used_five_times_is_translated_with_a_precise_lost_list() -> None:
    uses: Counter[str] = Counter()
    by_type: dict[str, list[NodeReport]] = {}
    for _, result in _corpus_results():
        for report in result.report.nodes:
            uses[report.n8n_type] += 1
            by_type.setdefault(report.n8n_type, []).append(report)
    common = [t for t, n in uses.items() if n >= 5 and t.startswith(_CORE_PACKAGES)]
    assert len(common) > 80
    for node_type in common:
        for report in by_type[node_type]:
            assert report.status in ("built-in", "mapped", "lossy"), (node_type, report.reason)
            if report.status == "lossy":
                assert report.lost and all(len(line) > 10 for line in report.lost), node_type


def test_every_wired_ai_node_sits_in_a_typed_slot_and_the_check_mostly_passes() -> None:
    passing = total = wired = 0
    for path, result in _corpus_results():
        total += 1
        passing += not result.report.errors
        nodes = result.flow.node_map()
        flagged = {f.node for f in result.report.findings if f.code == "ai-no-slot"}
        for edge in result.flow.edges:
            if not edge.type.startswith("ai_"):
                continue
            wired += 1
            target = nodes[edge.target.node]
            if edge.target.node in flagged or target.kind == "unsupported":
                continue  # a wire n8n itself has no input for, reported as an error
            slot = next(s for s in target.slots if s.name == edge.target.port)
            assert slot.connection == edge.type, path.name
            assert edge.source.node in slot.nodes, path.name
    assert wired > 600
    assert passing >= 0.95 * total, (passing, total)
