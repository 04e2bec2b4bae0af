"""Farm benchmark: wall time of `flows farm` (local mode) into a fresh registry.

    python benchmarks/bench_farm.py [CATALOG] [--copies N] [--jobs N] [--what-if]

1. Harvests the full n8n catalog (CATALOG, else $FLOWS_N8N_CATALOG, else
   /tmp/n8npkg/package) and farms every complete spec (target: <= 60 s here).
2. When the harvest yields fewer than 10 complete specs, also farms the three seed connectors
   x N renamed copies (default 10, i.e. 30 specs) with --jobs 2 and --jobs 1, plus the
   idempotent rerun (nothing changed: nothing published).
3. With --what-if, also farms a copy of the harvest in which every written spec is marked
   complete (never do that for real): how many would certify and pass policy, and why not.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = ("stripe", "slack", "sendgrid")


def _catalog(arg: str | None) -> Path | None:
    for value in (arg, os.environ.get("FLOWS_N8N_CATALOG"), "/tmp/n8npkg/package"):
        if value and Path(value).exists():
            return Path(value)
    return None


def _farm(specs: Path, registry: Path, jobs: int, label: str) -> dict[str, object]:
    from flows.farm import farm_local

    started = time.perf_counter()
    report = farm_local(specs, registry=registry, jobs=jobs, key_dir=registry.parent / "keys")
    seconds = time.perf_counter() - started
    counts = report.counts()
    farmed = sum(counts[s] for s in ("published", "unchanged", "refused", "error"))
    rate = farmed / seconds if seconds else 0.0
    print(
        f"farm ({label}): {farmed} complete specs in {seconds:.2f} s ({rate:.1f} specs/s), "
        f"jobs={jobs}: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    )
    return {"report": report, "seconds": seconds}


def _synthetic(target: Path, copies: int) -> int:
    from connector_spec.loader import parse_spec_bytes

    count = 0
    for seed in SEEDS:
        raw = (REPO / "connectors" / seed / "connector.yaml").read_text()
        for i in range(1, copies + 1):
            name = f"{seed}{i:02d}"
            text = re.sub(rf"(\n  name: ){seed}\n", rf"\g<1>{name}\n", raw, count=1)
            text = re.sub(rf"(?<![\w/.-]){seed}\.(?=[a-z_]+:[a-z_]+)", f"{name}.", text)
            parse_spec_bytes(text.encode(), name)
            (target / name).mkdir(parents=True)
            (target / name / "connector.yaml").write_text(text)
            count += 1
    return count


def _what_if(harvested: Path, work: Path, jobs: int) -> None:
    import shutil

    forced = work / "forced"
    shutil.copytree(harvested, forced)
    for sidecar in forced.glob("*/harvest.json"):
        data = json.loads(sidecar.read_text())
        data.update(status="complete", reasons=[])
        sidecar.write_text(json.dumps(data))
    result = _farm(forced, work / "forced-registry", jobs, "what-if: every harvested spec forced")
    report = result["report"]
    why: Counter[str] = Counter()
    for o in report.outcomes:  # type: ignore[attr-defined]
        if o.status in ("refused", "error"):
            first = (o.message or "").splitlines()[0]
            check = re.search(r"(?:failed, nothing was published: )([\w.]+)", first)
            key = check.group(1) if check else re.sub(r"/tmp/\S+", "<spec>", first)[:110]
            why[f"{o.status} ({o.refused_by or 'error'}): {key}"] += 1
    for reason, n in why.most_common():
        print(f"  {n:3d}  {reason}")


def main(argv: list[str]) -> int:
    """Run the benchmark; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("catalog", nargs="?")
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--what-if", action="store_true")
    args = parser.parse_args(argv)

    from flows.farm.shard import default_jobs
    from flows.harvest import harvest_n8n

    jobs = args.jobs or default_jobs()
    print(f"cpus available: {default_jobs()}")
    with tempfile.TemporaryDirectory(prefix="bench-farm-") as tmp:
        work = Path(tmp)
        complete = 0
        catalog = _catalog(args.catalog)
        if catalog is None:
            print("no n8n catalog (pass CATALOG or set FLOWS_N8N_CATALOG); harvest skipped")
        else:
            started = time.perf_counter()
            result = harvest_n8n(catalog, out_dir=work / "harvested")
            by_status = result.report.by_status()
            print(
                f"harvest {result.report.catalog_version}: {time.perf_counter() - started:.2f} s; "
                + ", ".join(f"{n} {s}" for s, n in by_status.items())
            )
            complete = by_status["complete"]
            farmed = _farm(work / "harvested", work / "registry", jobs, "harvested catalog")
            report = farmed["report"]
            print(
                "  incomplete by reason: " + json.dumps(report.incomplete_by_reason())  # type: ignore[attr-defined]
            )
            print("  coverage of farmed specs: " + json.dumps(report.coverage()))  # type: ignore[attr-defined]
            for o in report.outcomes:  # type: ignore[attr-defined]
                if o.status in ("published", "unchanged", "refused", "error"):
                    print(f"    {o.label:26} {o.status:10} {o.level or '-':10} {o.coverage_text}")
            if args.what_if:
                _what_if(work / "harvested", work, jobs)
        if complete < 10:
            seeds = work / "seeds"
            n = _synthetic(seeds, args.copies)
            print(f"synthetic: {n} specs ({len(SEEDS)} seed connectors x {args.copies} copies)")
            for j in sorted({2, 1} | {jobs}, reverse=True):
                _farm(seeds, work / f"seed-registry-{j}", j, f"{n} synthetic")
            _farm(seeds, work / "seed-registry-1", 1, "rerun, nothing changed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
