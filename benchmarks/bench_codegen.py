"""Code generation speed: the three seed connectors, and specs/s on a synthetic 20-op spec;
cold import time of generated packages (a schema-heavy spec with allOf, recursion and open
enums, and the tolerant-reader golden spec).

Run: .venv/bin/python benchmarks/bench_codegen.py [STRIPE_SPEC]
Targets (issue 2): seed connectors <= 1 s in total; >= 50 specs/s on a 20-operation spec.
Target (issue 18): ``import flows_stripe`` of the generated Stripe package <= 150 ms, measured
with ``python -X importtime`` in a fresh process (median of 15; the spec is
connectors/stripe/connector.yaml unless STRIPE_SPEC names another). Printed beside it: httpx's
own import in the same conditions, the process CPU time of the import, the first call (which
loads pydantic and the models) and the load average, since wall times on a shared machine
scale with the load.
"""

from __future__ import annotations

import compileall
import os
import re
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


_IMPORTTIME = re.compile(r"import time:\s+\d+ \|\s+(\d+) \| (\S+)$")


def importtime_ms(cwd: Path, module: str) -> float:
    """The cumulative ``-X importtime`` figure (ms) of ``module`` in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    for line in result.stderr.splitlines():
        match = _IMPORTTIME.match(line)
        if match and match.group(2) == module:
            return int(match.group(1)) / 1000
    raise RuntimeError(f"{module} not in the -X importtime output")


_FIRST_CALL = """
import json, sys, time
c0, t0 = time.process_time(), time.perf_counter()
import {package}
c1, t1 = time.process_time(), time.perf_counter()
import httpx
from {package}._runtime.clock import VirtualClock
spec = json.loads(open("{package}/manifest.json").read())
op = next(o for o in spec["operations"] if o["method"] == "GET" and "{{" not in o["path"])
client = {package}.{client}(
    credentials={credentials},
    transport=httpx.MockTransport(lambda r: httpx.Response(200, json={{}})),
    clock=VirtualClock(0),
)
c2, t2 = time.process_time(), time.perf_counter()
try:
    getattr(getattr(client, op["python"]["attribute"]), op["python"]["method"])()
except Exception:
    pass  # a body that does not match the schema: the decoding work was still done
c3, t3 = time.process_time(), time.perf_counter()
print((c1 - c0) * 1000, (t3 - t2) * 1000)
"""


_CPU = (
    "import time; c = time.process_time(); import {module}; print((time.process_time() - c) * 1000)"
)


def _cpu_ms(cwd: Path, module: str) -> float:
    """CPU time (ms) of importing ``module`` in a fresh interpreter (less load-sensitive)."""
    code = _CPU.format(module=module)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, check=True, capture_output=True, text=True
    )
    return float(result.stdout)


def stripe_import(spec: Path, out: Path, runs: int = 15) -> None:
    """Print the import figures of the Stripe package generated from ``spec``.

    The package is byte-compiled first, as ``pip install`` does (this environment may set
    PYTHONDONTWRITEBYTECODE, which would otherwise make every import compile from source).
    """
    generate_to_directory(spec, out)
    loaded = load_spec(spec)
    compileall.compile_dir(str(out / "flows_stripe"), quiet=1)
    walls, httpx_walls, cpus, httpx_cpus = [], [], [], []
    for _ in range(runs):  # interleaved, so both see the same load
        walls.append(importtime_ms(out, "flows_stripe"))
        httpx_walls.append(importtime_ms(out, "httpx"))
        cpus.append(_cpu_ms(out, "flows_stripe"))
        httpx_cpus.append(_cpu_ms(out, "httpx"))
    names = {r.env or r.store or "" for r in _secret_refs(loaded.spec)}
    code = _FIRST_CALL.format(
        package="flows_stripe",
        client="StripeClient",
        credentials=repr({n: "sk_test_" + "x" * 24 for n in names if n}),
    )
    first_calls = []
    for _ in range(5):
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=out, check=True, capture_output=True, text=True
        )
        first_calls.append(float(result.stdout.split()[1]))
    load = os.getloadavg()
    median = statistics.median
    print(
        f"generated Stripe package ({len(loaded.spec.operations)} operations): import "
        f"flows_stripe {median(walls):.0f} ms wall (-X importtime, median of {runs}; min "
        f"{min(walls):.0f}; target <= 150 ms); httpx alone {median(httpx_walls):.0f} ms wall "
        f"(min {min(httpx_walls):.0f}). CPU time: the package {median(cpus):.0f} ms, httpx "
        f"alone {median(httpx_cpus):.0f} ms. First call (loads pydantic and the models) "
        f"{median(first_calls):.0f} ms. Load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )


def _secret_refs(spec: object) -> list[object]:
    from certify.harness import secret_refs

    return secret_refs(spec)  # type: ignore[arg-type]


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
        source = (
            Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "connectors/stripe/connector.yaml"
        )
        stripe.parent.mkdir(exist_ok=True)
        stripe.write_bytes(source.read_bytes())
        stripe_import(stripe, stripe.parent)
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
