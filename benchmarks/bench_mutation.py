"""Mutation run: every realistic client bug of ``tests/certify/mutation.py`` is injected into
a freshly generated package, certified, and must be caught. Prints the kill rate per family.

    .venv/bin/python benchmarks/bench_mutation.py
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.certify.mutation import MUTANTS, prepare_target, run_mutant  # noqa: E402


def main() -> int:
    """Run every mutant; exit 1 when one survives."""
    logging.disable(logging.CRITICAL)  # retries log on every mutant; the figures are what count
    start = time.perf_counter()
    by_family: dict[str, list[bool]] = defaultdict(list)
    survivors = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        prepared = {t: prepare_target(t, folder / "targets") for t in {m.target for m in MUTANTS}}
        work = folder / "work"
        work.mkdir()
        for mutant in MUTANTS:
            result = run_mutant(mutant, work, prepared)
            by_family[mutant.family].append(result.killed)
            mark = "killed  " if result.killed else "SURVIVED"
            caught = ", ".join(sorted(result.failed - {"codegen.reproducible"})[:3])
            print(f"{mark} [{mutant.family}] {mutant.target}: {mutant.name} -> {caught}")
            if not result.killed:
                survivors.append(mutant.name)
    killed = sum(sum(v) for v in by_family.values())
    print()
    for family, kills in sorted(by_family.items()):
        print(f"  {family:12} {sum(kills)}/{len(kills)}")
    print(
        f"kill rate: {killed}/{len(MUTANTS)} = {killed / len(MUTANTS):.0%}  [goal 100%] "
        f"in {time.perf_counter() - start:.1f} s"
    )
    return 1 if survivors else 0


if __name__ == "__main__":
    raise SystemExit(main())
