"""The seed connectors: the README's main job on a fresh clone, and their clients' import time.

Prints
- the main job (``flows publish connector connectors/``: every seed validated, built,
  certified, gated, signed and published into a new registry with a new dev key) run from a
  fresh ``git clone`` of this checkout, as a new process; then the identical rerun
  (``unchanged``, exit 0);
- the cold import time (fresh interpreter, median of 5) of each seed's generated package, and
  the Stripe one against its target (<= 150 ms, issue 18).

The clone uses this interpreter's installed dependencies (the ``pip install`` of the README's
first command is not timed: it is dominated by downloads).

    .venv/bin/python benchmarks/bench_seeds.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_MS = 150.0


def main_job(clone: Path) -> tuple[float, float, str]:
    """Seconds of the first publish and of the rerun, and the first run's output."""
    env = {**os.environ, "PYTHONPATH": str(clone)}
    env.pop("FLOWS_REGISTRY", None)
    env.pop("FLOWS_KEY_DIR", None)
    command = [sys.executable, "-m", "flows.cli.main", "publish", "connector", "connectors/"]
    timings: list[float] = []
    outputs: list[str] = []
    for _ in range(2):
        started = time.perf_counter()
        done = subprocess.run(command, cwd=clone, env=env, capture_output=True, text=True)
        timings.append(time.perf_counter() - started)
        if done.returncode != 0:
            failed = f"the main job failed ({done.returncode}):\n{done.stdout}{done.stderr}"
            raise SystemExit(failed)
        outputs.append(done.stdout)
    assert all(line.startswith(("unchanged", "  ")) for line in outputs[1].splitlines())
    return timings[0], timings[1], outputs[0]


def import_ms(package_dir: Path, package: str, runs: int) -> float:
    """Median cold import time (ms, fresh interpreter) of ``package`` in ``package_dir``."""
    code = (
        "import time; t = time.perf_counter(); import "
        f"{package}; print((time.perf_counter() - t) * 1000)"
    )
    times = [
        float(
            subprocess.run(
                [sys.executable, "-c", code],
                cwd=package_dir,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        for _ in range(runs)
    ]
    return statistics.median(times)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "flows"
        subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
        first, again, output = main_job(clone)
        published = [line for line in output.splitlines() if line.startswith("published")]
        print(
            f"main job on a fresh clone: {first:.1f} s for {len(published)} seeds "
            f"(rerun, all unchanged: {again:.1f} s)"
        )
        for line in published:
            print(f"  {line}")
        for spec in sorted((clone / "connectors").glob("*/connector.yaml")):
            name = spec.parent.name
            ms = import_ms(spec.parent, f"flows_{name}", args.runs)
            target = f" (target <= {TARGET_MS:.0f} ms)" if name == "stripe" else ""
            print(f"cold import of flows_{name}: {ms:.0f} ms, median of {args.runs}{target}")
        deps = import_ms(clone, "httpx, pydantic", args.runs)
        print(f"cold import of httpx + pydantic alone: {deps:.0f} ms, median of {args.runs}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
