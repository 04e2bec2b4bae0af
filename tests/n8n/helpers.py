"""Helpers for the n8n importer tests: build workflows in code and import them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flows.ir.catalog import DirectoryCatalog, InMemoryCatalog
from flows.n8n.importer import ImportResult, import_raw
from flows.n8n.reader import shape_workflow
from tests.conftest import REPO, SHARED, SMALL_SEEDS

DATA = REPO / "tests" / "n8n" / "data"
# The real corpus: $FLOWS_N8N_CORPUS, else ../shared/n8n-corpus (tests skip when absent).
CORPUS = Path(os.environ.get("FLOWS_N8N_CORPUS") or SHARED / "n8n-corpus")

_CATALOG: list[InMemoryCatalog] = []


def seed_catalog() -> InMemoryCatalog:
    """The catalog of the seed connectors in ./connectors (loaded once)."""
    if not _CATALOG:
        _CATALOG.append(DirectoryCatalog(SMALL_SEEDS))
    return _CATALOG[0]


def node(
    name: str,
    node_type: str,
    version: float = 1,
    params: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An n8n node; ``node_type`` without a dot gets the n8n-nodes-base. prefix."""
    full = node_type if "." in node_type else f"n8n-nodes-base.{node_type}"
    return {
        "id": f"id-{name}",
        "name": name,
        "type": full,
        "typeVersion": version,
        "position": [0, 0],
        "parameters": params or {},
        **extra,
    }


def main(*targets: str | None) -> dict[str, Any]:
    """A ``main`` connection block: one output slot per argument (None = empty slot)."""
    return {
        "main": [
            [{"node": t, "type": "main", "index": 0}] if t is not None else None for t in targets
        ]
    }


def workflow(
    nodes: list[dict[str, Any]], connections: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A workflow export."""
    return {"name": "test", "nodes": nodes, "connections": connections or {}}


def run(data: dict[str, Any], catalog: Any = None) -> ImportResult:
    """Import a workflow given as a dict."""
    return import_raw(shape_workflow(data, "test.json"), catalog or seed_catalog())


def one(n8n_node: dict[str, Any], catalog: Any = None) -> tuple[Any, Any]:
    """Import a single node; return (IR node, node report)."""
    result = run(workflow([n8n_node]), catalog)
    return result.flow.nodes[0], result.report.nodes[0]


def edges(result: ImportResult) -> set[tuple[str, str, str, str, str]]:
    """Edges as (from, port, to, port, type)."""
    return {
        (e.source.node, e.source.port, e.target.node, e.target.port, e.type)
        for e in result.flow.edges
    }
