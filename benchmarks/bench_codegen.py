"""Code generation speed: the three seed connectors, and specs/s on a synthetic 20-op spec.

Run: .venv/bin/python benchmarks/bench_codegen.py
Targets (issue 2): seed connectors <= 1 s in total; >= 50 specs/s on a 20-operation spec.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from connector_spec import load_spec  # noqa: E402
from connector_spec.codegen import generate_to_directory, render_package  # noqa: E402


def synthetic_spec(operations: int) -> dict[str, object]:
    """A spec with ``operations`` operations of every kind."""
    ops = []
    for index in range(operations):
        write = index % 3 == 0
        op: dict[str, object] = {
            "id": f"operation_{index}",
            "resource": f"resource_{index % 5}",
            "summary": f"Operation number {index}.",
            "method": "POST" if write else "GET",
            "path": f"/things/{{thing_id}}/op{index}",
            "params": [
                {"name": "thing_id", "in": "path", "required": True},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}},
            ],
            "response": {"schema": {"$ref": "#/schemas/Thing"}},
            "effects": "write" if write else "read",
            "determinism": {"mode": "strict"},
        }
        if write:
            op["body"] = {
                "schema": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "kind": {"type": "string", "enum": ["a", "b", "c"]},
                    },
                }
            }
            op["idempotency"] = {"kind": "key", "header": "Idempotency-Key"}
        ops.append(op)
    return {
        "apiVersion": "flows.dev/v1",
        "kind": "ConnectorSpec",
        "provider": {
            "name": "synthetic",
            "version": "1.0.0",
            "description": "Benchmark.",
            "docs_url": "https://example.com",
        },
        "base_url": "https://api.example.com",
        "auth": {"type": "bearer", "secret": {"env": "TOKEN"}},
        "schemas": {
            "Thing": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "created": {"type": "integer"},
                    "meta": {"type": "object", "properties": {"a": {"type": "boolean"}}},
                },
            }
        },
        "operations": ops,
    }


def main() -> None:
    seeds = sorted((REPO / "connectors").glob("*/connector.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            for spec in seeds:
                generate_to_directory(spec, Path(tmp) / spec.parent.name)
            runs.append(time.perf_counter() - started)
        print(
            f"seed connectors ({len(seeds)}): generate to disk, median of 5 = "
            f"{statistics.median(runs) * 1000:.1f} ms (first run {runs[0] * 1000:.1f} ms; "
            "target <= 1000 ms)"
        )
        path = Path(tmp) / "synthetic.yaml"
        path.write_text(yaml.safe_dump(synthetic_spec(20), sort_keys=False))
        loaded = load_spec(path)
        render_package(loaded)
        count = 200
        started = time.perf_counter()
        for _ in range(count):
            render_package(load_spec(path))
        elapsed = time.perf_counter() - started
        print(
            f"synthetic 20-operation spec: load + render {count / elapsed:.0f} specs/s "
            f"({elapsed / count * 1000:.2f} ms each; target >= 50 specs/s)"
        )


if __name__ == "__main__":
    main()
