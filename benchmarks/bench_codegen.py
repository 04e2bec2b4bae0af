"""Code generation speed: the three seed connectors, and specs/s on a synthetic 20-op spec;
cold import time of generated packages (a schema-heavy spec with allOf, recursion and open
enums, and the tolerant-reader golden spec).

Run: .venv/bin/python benchmarks/bench_codegen.py
Targets (issue 2): seed connectors <= 1 s in total; >= 50 specs/s on a 20-operation spec.
"""

from __future__ import annotations

import statistics
import subprocess
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


def schema_heavy_spec(schemas: int) -> dict[str, object]:
    """``schemas`` named schemas built by allOf from a base, each with an enum, a recursive
    link and an id-or-object field, and one read operation per ten schemas."""
    spec = synthetic_spec(1)
    named: dict[str, object] = {
        "Base": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string", "readOnly": True},
                "created": {"type": "integer"},
            },
        }
    }
    for index in range(schemas):
        named[f"Model{index}"] = {
            "allOf": [
                {"$ref": "#/schemas/Base"},
                {
                    "type": "object",
                    "properties": {
                        "status": {"type": "string", "enum": ["a", "b", f"c{index}"]},
                        "parent": {"$ref": f"#/schemas/Model{index}"},
                        "owner": {"anyOf": [{"type": "string"}, {"$ref": "#/schemas/Base"}]},
                        "tags": {"type": "array", "items": {"type": "string"}},
                    },
                },
            ]
        }
    spec["schemas"] = named
    spec["operations"] = [
        {
            "id": f"get_model_{index}",
            "resource": "models",
            "summary": "Get one.",
            "method": "GET",
            "path": f"/models/{index}",
            "response": {"schema": {"$ref": f"#/schemas/Model{index}"}},
            "effects": "read",
            "determinism": {"mode": "strict"},
        }
        for index in range(0, schemas, 10)
    ]
    return spec


def import_ms(spec_path: Path, package: str, runs: int = 5) -> float:
    """Median cold import time (ms, fresh interpreter) of the package generated from a spec."""
    out = spec_path.parent / f"out_{package}"
    generate_to_directory(spec_path, out)
    code = (
        "import time; t = time.perf_counter(); import "
        f"{package}.client; print((time.perf_counter() - t) * 1000)"
    )
    times = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], cwd=out, check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(runs)
    ]
    return statistics.median(times)


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
        heavy = Path(tmp) / "heavy.yaml"
        heavy.write_text(yaml.safe_dump(schema_heavy_spec(300), sort_keys=False))
        started = time.perf_counter()
        render_package(load_spec(heavy))
        print(
            f"schema-heavy spec (300 allOf/recursive schemas): load + render "
            f"{(time.perf_counter() - started) * 1000:.0f} ms; cold import of the client "
            f"{import_ms(heavy, 'flows_synthetic'):.0f} ms (median of 5)"
        )
        stripe = Path(tmp) / "stripe" / "connector.yaml"
        stripe.write_bytes((REPO / "connectors" / "stripe" / "connector.yaml").read_bytes())
        print(f"stripe seed: cold import of the client {import_ms(stripe, 'flows_stripe'):.0f} ms")
        print("  target for the generated Stripe package (issue 18): <= 150 ms")
        golden = REPO / "tests" / "codegen" / "golden" / "tolerant.yaml"
        copy = Path(tmp) / "tolerant" / "connector.yaml"
        copy.parent.mkdir()
        copy.write_bytes(golden.read_bytes())
        print(
            f"tolerant-reader golden spec: cold import of the client "
            f"{import_ms(copy, 'flows_tolerant'):.0f} ms (median of 5)"
        )


if __name__ == "__main__":
    main()
