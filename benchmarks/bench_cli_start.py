"""Cold start-up of the ``flows`` console script.

Prints the median (and min/max) wall time of >= 20 fresh processes each of
``flows --help`` (target: median <= 100 ms) and ``flows spec validate`` on a seed spec.

    .venv/bin/python benchmarks/bench_cli_start.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FLOWS = Path(sys.executable).parent / "flows"
SEED = REPO / "connectors" / "stripe" / "connector.yaml"
HELP_TARGET_MS = 100.0


def time_runs(argv: list[str], runs: int) -> list[float]:
    """Wall time in milliseconds of ``runs`` fresh processes of ``argv`` (one warm-up first)."""
    subprocess.run(argv, check=True, capture_output=True, cwd=REPO)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, cwd=REPO)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def report(label: str, timings: list[float]) -> float:
    """Print one line of figures; return the median."""
    median = statistics.median(timings)
    print(
        f"{label:<34} median {median:7.1f} ms   min {min(timings):7.1f} ms   "
        f"max {max(timings):7.1f} ms   ({len(timings)} runs)"
    )
    return median


def main() -> int:
    """Run the benchmark; exit 1 when the --help median misses its target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    runs = max(20, args.runs)
    if not FLOWS.exists():
        print(f"{FLOWS} not found: install the project (pip install -e .)", file=sys.stderr)
        return 2
    help_median = report("flows --help", time_runs([str(FLOWS), "--help"], runs))
    report("flows -h", time_runs([str(FLOWS), "-h"], runs))
    report(
        "flows spec validate stripe",
        time_runs([str(FLOWS), "spec", "validate", str(SEED)], runs),
    )
    report("python -c pass (interpreter floor)", time_runs([sys.executable, "-c", "pass"], runs))
    verdict = "ok" if help_median <= HELP_TARGET_MS else "MISSED"
    print(f"--help target: median <= {HELP_TARGET_MS:.0f} ms: {verdict}")
    return 0 if help_median <= HELP_TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
