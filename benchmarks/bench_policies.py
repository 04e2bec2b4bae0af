"""Benchmark: the default policy pack over a synthetic 50-operation connector.

Run: .venv/bin/python benchmarks/bench_policies.py
Prints the time to load (parse + compile + type-check) the default pack once, and the time of
one evaluation of the default pack (spec + fixtures + manifest + evidence) with compiled
expressions cached. The goal (issue 5) is <= 50 ms per evaluation.
"""

from __future__ import annotations

import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connector_spec import load_spec  # noqa: E402
from policies import default_packs, evaluate  # noqa: E402

OPERATIONS = 50


def synthetic_spec(operations: int) -> dict[str, Any]:
    """A valid spec with ``operations`` operations over operations // 5 resources."""
    caps: list[dict[str, Any]] = []
    ops: list[dict[str, Any]] = []
    for r in range(max(1, operations // 5)):
        res = f"res{r}"
        caps += [
            {"name": f"bench.{res}:read"},
            {"name": f"bench.{res}:write", "implies": [f"bench.{res}:read"]},
            {"name": f"bench.{res}:delete", "implies": [f"bench.{res}:read"]},
        ]
    for i in range(operations):
        res = f"res{(i // 5) % max(1, operations // 5)}"
        kind = i % 5
        op: dict[str, Any] = {
            "id": f"op_{i}",
            "resource": res,
            "summary": f"Operation {i}.",
            "path": f"/v1/{res}/{{item}}" if kind in (1, 3, 4) else f"/v1/{res}",
            "params": [{"name": "item", "in": "path", "required": True}]
            if kind in (1, 3, 4)
            else [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
        }
        if kind in (0, 1):
            op |= {
                "method": "GET",
                "effects": "read",
                "determinism": {"mode": "stable", "volatile": ["/updated"]},
                "capabilities": [f"bench.{res}:read"],
            }
        elif kind in (2, 3):
            op |= {
                "method": "POST" if kind == 2 else "PUT",
                "effects": "write",
                "determinism": {"mode": "strict"},
                "idempotency": {"kind": "key", "header": "Idempotency-Key"}
                if kind == 2
                else {"kind": "natural", "natural_key": ["item"]},
                "capabilities": [f"bench.{res}:write"],
                "body": {"schema": {"type": "object", "properties": {"name": {"type": "string"}}}},
            }
        else:
            op |= {
                "method": "DELETE",
                "effects": "delete",
                "determinism": {"mode": "nondeterministic"},
                "idempotency": {"kind": "natural", "natural_key": ["item"]},
                "capabilities": [f"bench.{res}:delete"],
            }
        ops.append(op)
    return {
        "apiVersion": "flows.dev/v1",
        "kind": "ConnectorSpec",
        "provider": {
            "name": "bench",
            "version": "1.0.0",
            "description": "Synthetic connector for benchmarks.",
            "docs_url": "https://docs.bench.example",
        },
        "base_url": "https://api.bench.example",
        "environments": {"sandbox": {"base_url": "https://sandbox.bench.example"}},
        "auth": {"type": "bearer", "secret": {"env": "BENCH_TOKEN"}},
        "capabilities": caps,
        "operations": ops,
    }


def write_connector(directory: Path, operations: int) -> tuple[Path, dict[str, Any]]:
    """Write spec, one fixture per operation and a manifest; return (spec path, evidence)."""
    spec = synthetic_spec(operations)
    spec_path = directory / "connector.yaml"
    raw = yaml.safe_dump(spec, sort_keys=False).encode()
    spec_path.write_bytes(raw)
    checks = []
    for op in spec["operations"]:
        folder = directory / "fixtures" / op["id"]
        folder.mkdir(parents=True)
        fixture = {
            "fixture_version": 1,
            "operation": op["id"],
            "scenario": "happy_path",
            "source": "recorded",
            "call": {"item": "it_1"},
            "request": {
                "method": op["method"],
                "url": "https://api.bench.example" + op["path"].replace("{item}", "it_1"),
                "headers": {"Authorization": "<redacted>", "Accept": "application/json"},
            },
            "responses": [{"status": 200, "json": {"id": "it_1", "name": "thing"}}],
            "expect": {"result": {"id": "it_1", "name": "thing"}, "attempts": 1},
            "digest": "sha256:" + "0" * 64,
        }
        (folder / "happy_path.yaml").write_text(yaml.safe_dump(fixture))
        for check in ("contract.auth_401", "determinism.replay", "schema.response"):
            checks.append(
                {"id": check, "operation": op["id"], "status": "passed", "duration_ms": 0.1,
                 "message": "", "fixture_backed": True}
            )  # fmt: skip
    evidence = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [
            {"name": "connector.yaml", "digest": {"sha256": hashlib.sha256(raw).hexdigest()}}
        ],
        "predicateType": "https://flows.dev/certification/v1",
        "predicate": {"checks": checks, "level": "recorded", "waivers": []},
    }
    return spec_path, evidence


def compare_engines(spec: dict[str, Any]) -> None:
    """One operation rule over 50 operations: cel-python (celpy) vs common-expression-language."""
    import cel

    try:
        import celpy
    except ImportError:
        print("cel-python not installed; skipping the engine comparison (pip install cel-python)")
        return
    text = (
        "!(op.effects in ['write', 'delete']) || "
        "(has(op.idempotency) && op.idempotency.kind in ['key', 'natural'])"
    )
    ops = spec["operations"]
    env = celpy.Environment()
    slow = env.program(env.compile(text))
    start = time.perf_counter()
    for op in ops:
        slow.evaluate({"op": celpy.json_to_cel(op)})
    celpy_ms = (time.perf_counter() - start) * 1000
    fast = cel.compile(text)
    start = time.perf_counter()
    for op in ops:
        fast.execute({"op": op})
    cel_ms = (time.perf_counter() - start) * 1000
    print(
        f"one rule x {len(ops)} operations, compiled once: cel-python {celpy_ms:.1f} ms, "
        f"common-expression-language {cel_ms:.1f} ms ({celpy_ms / cel_ms:.0f}x)"
    )


def main() -> None:
    """Print the figures."""
    start = time.perf_counter()
    default_packs()
    load_ms = (time.perf_counter() - start) * 1000
    with tempfile.TemporaryDirectory() as tmp:
        spec_path, evidence = write_connector(Path(tmp), OPERATIONS)
        loaded = load_spec(spec_path)
        start = time.perf_counter()
        report = evaluate(loaded, evidence=evidence)
        first_ms = (time.perf_counter() - start) * 1000
        assert report.passed, [r for r in report.results if r.status == "failed"]
        times = []
        for _ in range(30):
            start = time.perf_counter()
            evaluate(loaded, evidence=evidence)
            times.append((time.perf_counter() - start) * 1000)
        from policies.context import load_inputs
        from policies.engine import evaluate_inputs

        packs = default_packs()
        inputs = load_inputs(loaded, evidence=evidence)
        pure = []
        for _ in range(30):
            start = time.perf_counter()
            evaluate_inputs(inputs, packs)
            pure.append((time.perf_counter() - start) * 1000)
    compare_engines(synthetic_spec(OPERATIONS))
    rules = sum(len(p.rules) for p in packs)
    print(f"default pack: {rules} rules; load + compile + type-check once: {load_ms:.1f} ms")
    print(f"first evaluate() after the pack is loaded: {first_ms:.1f} ms")
    print(
        f"evaluate() over {OPERATIONS} operations, {OPERATIONS} fixtures, evidence "
        f"(incl. reading fixtures from disk): median {statistics.median(times):.1f} ms, "
        f"max {max(times):.1f} ms"
    )
    print(
        f"rule evaluation only (inputs in memory): median {statistics.median(pure):.1f} ms, "
        f"max {max(pure):.1f} ms  (goal <= 50 ms)"
    )


if __name__ == "__main__":
    main()
