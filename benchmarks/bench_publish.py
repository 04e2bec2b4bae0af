"""Publishing one seed connector end to end (goal: <= 2 s).

Prints the median over fresh registries of the library call (``publish_connector``), the
same through the CLI as a new process (what a user waits for), and an identical republish.

    .venv/bin/python benchmarks/bench_publish.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from flows.publish import publish_connector

REPO = Path(__file__).resolve().parent.parent
SEEDS = ("stripe", "sendgrid", "slack")


def _fresh_copy(tmp: Path, provider: str) -> Path:
    target = tmp / provider
    shutil.copytree(
        REPO / "connectors" / provider, target, ignore=shutil.ignore_patterns("__pycache__")
    )
    return target / "connector.yaml"


def library_runs(runs: int) -> tuple[list[float], list[float]]:
    """Seconds per first publish and per identical republish, each into a new registry."""
    first: list[float] = []
    again: list[float] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            spec = _fresh_copy(tmp, "stripe")
            options = {"registry": tmp / "registry", "key_dir": tmp / "keys", "notice": _quiet}
            start = time.perf_counter()
            outcome = publish_connector(spec, **options)  # type: ignore[arg-type]
            first.append(time.perf_counter() - start)
            assert outcome.status == "published"
            start = time.perf_counter()
            outcome = publish_connector(spec, **options)  # type: ignore[arg-type]
            again.append(time.perf_counter() - start)
            assert outcome.status == "unchanged"
    return first, again


def cli_runs(runs: int) -> list[float]:
    """Seconds for `flows publish connector` as a new process, per seed, new registry each."""
    flows = Path(sys.executable).with_name("flows")
    times: list[float] = []
    for index in range(runs):
        provider = SEEDS[index % len(SEEDS)]
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            spec = _fresh_copy(tmp, provider)
            start = time.perf_counter()
            subprocess.run(
                [str(flows), "publish", "connector", str(spec), "--json"],
                cwd=tmp,
                env={**os.environ, "FLOWS_REGISTRY": "", "FLOWS_KEY_DIR": ""},
                check=True,
                capture_output=True,
            )
            times.append(time.perf_counter() - start)
    return times


def _quiet(_message: str) -> None:
    return None


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    first, again = library_runs(runs)
    cli = cli_runs(runs)
    print(
        f"publish_connector(stripe), fresh registry: median {statistics.median(first):.3f} s, "
        f"max {max(first):.3f} s (goal <= 2 s)"
    )
    print(f"identical republish (no-op): median {statistics.median(again):.3f} s")
    print(
        f"`flows publish connector` as a new process (seeds in turn): median "
        f"{statistics.median(cli):.3f} s, max {max(cli):.3f} s (goal <= 2 s)"
    )


if __name__ == "__main__":
    main()
