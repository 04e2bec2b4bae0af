"""Benchmark ``flows import n8n``: the whole corpus, per-workflow cost, memory, linear scaling.

Run: ``.venv/bin/python benchmarks/bench_n8n_import.py [CORPUS_DIR]``
(default ``../shared/n8n-corpus/workflows`` relative to the repository root).
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from flows.ir.catalog import DirectoryCatalog  # noqa: E402
from flows.n8n.importer import import_raw, import_workflow  # noqa: E402
from flows.n8n.reader import shape_workflow  # noqa: E402


def synthetic(n: int) -> dict[str, Any]:
    """A chain of ``n`` nodes mixing the core node types, with expressions and a loop."""
    kinds = [
        (
            "n8n-nodes-base.set",
            3.4,
            {
                "assignments": {
                    "assignments": [{"name": "x", "type": "string", "value": "={{ $json.a }}"}]
                }
            },
        ),
        (
            "n8n-nodes-base.if",
            2.2,
            {
                "conditions": {
                    "combinator": "and",
                    "conditions": [
                        {
                            "leftValue": "={{ $json.x }}",
                            "rightValue": "y",
                            "operator": {"type": "string", "operation": "equals"},
                        }
                    ],
                }
            },
        ),
        ("n8n-nodes-base.httpRequest", 4.2, {"url": "=https://api.stripe.com/v1/{{ $json.id }}"}),
        ("n8n-nodes-base.code", 2, {"jsCode": "return items;"}),
        ("n8n-nodes-base.slack", 2.2, {"channelId": "C1", "text": "={{ $('N0').item.json.x }}"}),
        ("n8n-nodes-base.splitOut", 1, {"fieldToSplitOut": "items"}),
        ("n8n-nodes-base.postgres", 2.5, {"operation": "executeQuery", "query": "SELECT 1"}),
        ("@n8n/n8n-nodes-langchain.chainLlm", 1.5, {"text": "={{ $json.q }}"}),
        ("n8n-nodes-base.telegram", 1.2, {"text": "={{ $json.answer }}", "chatId": "1"}),
    ]
    nodes = [
        {"name": "N0", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}}
    ]
    connections: dict[str, Any] = {}
    for i in range(1, n):
        node_type, version, params = kinds[i % len(kinds)]
        nodes.append(
            {"name": f"N{i}", "type": node_type, "typeVersion": version, "parameters": params}
        )
        connections[f"N{i - 1}"] = {"main": [[{"node": f"N{i}", "type": "main", "index": 0}]]}
    return {"name": f"synthetic-{n}", "nodes": nodes, "connections": connections}


def coverage(files: list[Path], catalog: DirectoryCatalog) -> None:
    """Issue 15's figures: statuses, AI slot placement, graph check pass rate."""
    statuses: Counter[str] = Counter()
    passing = wired = slotted = 0
    for path in files:
        result = import_workflow(path, catalog)
        statuses.update(n.status for n in result.report.nodes)
        passing += not result.report.errors
        nodes = result.flow.node_map()
        for edge in result.flow.edges:
            if edge.type.startswith("ai_"):
                wired += 1
                target = nodes.get(edge.target.node)
                slots = getattr(target, "slots", [])
                slotted += any(
                    s.name == edge.target.port and edge.source.node in s.nodes for s in slots
                )
    total = sum(statuses.values())
    print(
        f"non-sticky nodes: {total}: "
        + ", ".join(f"{statuses[s]} {s}" for s in ("mapped", "built-in", "lossy", "unsupported"))
        + f"; unsupported {100 * statuses['unsupported'] / total:.1f}% (target <= 10%)"
    )
    print(f"ai_* edges: {wired}, into a typed slot: {slotted} ({100 * slotted / wired:.1f}%)")
    print(
        f"graph check passes: {passing}/{len(files)} workflows "
        f"({100 * passing / len(files):.1f}%; target >= 95%)"
    )


def main() -> int:
    """Print the figures issues 6 and 15 ask for."""
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared/n8n-corpus/workflows"
    catalog = DirectoryCatalog(REPO / "connectors")
    files = sorted(corpus.glob("*.json"))
    if files:
        per: list[float] = []
        nodes = 0
        start = time.perf_counter()
        cpu_start = time.process_time()
        for path in files:
            t0 = time.perf_counter()
            result = import_workflow(path, catalog)
            per.append(time.perf_counter() - t0)
            nodes += len(result.flow.nodes)
        total = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        tracemalloc.start()
        for path in files:
            import_workflow(path, catalog)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"corpus: {len(files)} workflows, {nodes} nodes, total {total:.3f} s "
            f"(budget 3 s: {'ok' if total <= 3 else 'OVER'}); CPU time {cpu:.3f} s "
            "(the figure to trust on a loaded machine)"
        )
        print(
            f"per workflow: median {statistics.median(per) * 1000:.2f} ms, "
            f"max {max(per) * 1000:.2f} ms"
        )
        print(f"peak traced memory while importing the corpus: {peak / 1e6:.1f} MB")
        coverage(files, catalog)
    else:
        print(f"corpus not found at {corpus}; skipping the corpus figures")
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS so far: {rss:.0f} MB")
    print("synthetic chains (cost per node should stay flat; import_raw pauses the cyclic GC):")
    for n in (500, 1000, 2000, 5000, 10000):
        raw = shape_workflow(synthetic(n), f"synthetic-{n}")
        runs, cpus = [], []
        for _ in range(3):  # best of three
            gc.collect()
            t0, c0 = time.perf_counter(), time.process_time()
            result = import_raw(raw, catalog)
            runs.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
            assert len(result.flow.nodes) == n
        elapsed, cpu = min(runs), min(cpus)
        budget = f" (budget 2 s: {'ok' if elapsed <= 2 else 'OVER'})" if n == 10000 else ""
        print(
            f"  {n:5d} nodes: {elapsed * 1000:8.1f} ms ({elapsed / n * 1e6:6.1f} us/node){budget}; "
            f"CPU {cpu * 1000:8.1f} ms ({cpu / n * 1e6:6.1f} us/node)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
