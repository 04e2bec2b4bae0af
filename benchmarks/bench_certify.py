"""Certification speed: the seed connectors, a synthetic 50-operation connector, and the
harness cost per request relative to a bare ``httpx.MockTransport`` request.

    .venv/bin/python benchmarks/bench_certify.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from certify import certify_connector  # noqa: E402
from certify.synthetic import synthetic_spec  # noqa: E402

SEEDS = ["stripe", "slack", "sendgrid"]


def bare_request_ms(count: int = 3000) -> float:
    """Milliseconds per request through a bare httpx.MockTransport client."""
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, json={})))
    client.get("https://api.example.com/warm")
    start = time.perf_counter()
    for _ in range(count):
        client.get("https://api.example.com/v1/things")
    elapsed = time.perf_counter() - start
    client.close()
    return elapsed / count * 1000


def main() -> None:
    """Print the figures issue 3 asks for."""
    cold_start = time.perf_counter()
    for provider in SEEDS:
        certify_connector(REPO / "connectors" / provider / "connector.yaml")
    cold = time.perf_counter() - cold_start
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        results = [certify_connector(REPO / "connectors" / p / "connector.yaml") for p in SEEDS]
        runs.append(time.perf_counter() - start)
        assert all(r.passed for r in results)
    scenarios = sum(r.scenarios for r in results)
    print(
        f"seed connectors (3, whole matrix, sync + async clients): {scenarios} scenarios, "
        f"{sum(len(r.checks) for r in results)} checks"
    )
    print(f"  first run (cold imports): {cold:.3f} s; warm best: {min(runs):.3f} s  [goal <= 1 s]")
    for provider in SEEDS:
        checks, cpus = [], []
        for _ in range(3):
            cpu = time.process_time()
            seed = certify_connector(REPO / "connectors" / provider / "connector.yaml")
            cpus.append(time.process_time() - cpu)
            checks.append(sum(c.duration_ms for c in seed.checks) / 1000)
        print(
            f"  {provider}: check time {min(checks):.3f} s wall, whole certification "
            f"{min(cpus):.3f} s CPU  [goal < 1 s per seed]"
        )

    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "connector.yaml"
        spec.write_text(synthetic_spec(50))
        certify_connector(spec)  # warm-up: codegen templates, pydantic
        best = None
        for _ in range(3):
            result = certify_connector(spec)
            if best is None or result.matrix_seconds < best.matrix_seconds:
                best = result
        assert best is not None
        assert best.passed, [c.message for c in best.failed]
    matrix_rate = best.scenarios / best.matrix_seconds
    total_rate = best.scenarios / best.seconds
    print(
        f"synthetic 50-operation connector: {best.scenarios} scenarios, "
        f"{best.requests} requests, {len(best.checks)} checks"
    )
    print(
        f"  matrix {best.matrix_seconds:.3f} s -> {matrix_rate:,.0f} scenarios/s, each run on "
        f"the sync and the async client ({2 * matrix_rate:,.0f} client runs/s)  [goal >= 2,000]"
    )
    print(
        f"  whole certification incl. codegen x2 + import: {best.seconds:.3f} s -> "
        f"{total_rate:,.0f} scenarios/s"
    )
    big_operations = 200
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "connector.yaml"
        spec.write_text(synthetic_spec(big_operations))
        certify_connector(spec)  # warm-up
        walls, cpus = [], []
        for _ in range(3):
            wall, cpu = time.perf_counter(), time.process_time()
            big = certify_connector(spec)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            assert big.passed, [c.message for c in big.failed]
    print(
        f"synthetic {big_operations}-operation connector: {big.scenarios} scenarios, "
        f"{big.requests} requests, {len(big.checks)} checks"
    )
    print(
        f"  whole certification: best {min(walls):.3f} s wall, {min(cpus):.3f} s CPU  "
        "[goal <= 5 s; wall time grows when other processes share the CPU]"
    )
    floor = bare_request_ms()
    per_request = best.matrix_seconds / best.requests * 1000
    print(f"bare httpx.MockTransport request: {floor:.3f} ms")
    print(
        f"harness cost per request (matrix time / requests): {per_request:.3f} ms = "
        f"{per_request / floor:.2f}x the floor  [goal <= 3x]"
    )


if __name__ == "__main__":
    main()
