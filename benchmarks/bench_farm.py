"""Farm benchmark: `flows farm` over a harvest of the OpenAPI directory, and the registry at size.

    python benchmarks/bench_farm.py --specs HARVEST [--work DIR] [--jobs 2] [--chunk 300]
        [--lock FILE] [--deadline SECONDS] [--limit N]
    python benchmarks/bench_farm.py --registry-scale 2500

The second form measures the registry alone at farm scale: N small synthetic connectors
committed the way the farm commits them (batches of 100, one transaction each; time per
batch, first and last), `registry verify` of all of it, and search/show of one connector at 10
and at N.

HARVEST is the output of `flows harvest openapi --catalog ... --out HARVEST` (default: the
harvest of the checked-in sample, made here). The specs are farmed into a fresh registry in
chunks of --chunk specs in a stable shuffled order (each chunk one local farm run, as `flows
farm --specs` does it; a chunk takes the lock FILE first, so whole-catalog runs of several
people interleave), until
all are done or --deadline seconds have passed. Printed: per chunk and in total the specs, the
outcomes, connectors certified, refusals grouped by their first failed check or rule, crashes
(internal errors with a traceback), wall and CPU time and connectors/s; then the registry's
size, `flows registry verify` of all of it, an incremental rerun over the specs farmed (nothing
changed), and search/show of one connector in a 10-connector registry and in the big one.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "openapi" / "data" / "directory"


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}"


@contextmanager
def _locked(path: Path | None) -> Iterator[None]:
    if path is None:
        yield
        return
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _why(outcome: Any) -> str:
    """The refusal's class: its first failed check or rule, or the error's first words."""
    text = outcome.message or ""
    if outcome.status == "refused":
        found = re.search(r"nothing was published: ([\w.-]+)", text)
        return f"{outcome.refused_by}: {found.group(1) if found else text[:60]}"
    first = re.sub(r"\S*/(tmp|work)/\S+", "<path>", text.splitlines()[0] if text else "")
    first = re.sub(r"'[^']*'", "'…'", first)
    return f"error: {first[:110]}"


def _chunks(specs: Path, size: int, limit: int | None) -> list[list[Path]]:
    # a stable shuffle: a run cut short by --deadline has farmed a fair sample, not "a..f"
    keys = sorted(
        (p for p in specs.iterdir() if (p / "connector.yaml").is_file()),
        key=lambda p: hashlib.sha256(p.name.encode()).hexdigest(),
    )
    keys = keys[:limit] if limit else keys
    return [keys[i : i + size] for i in range(0, len(keys), size)]


def _chunk_dir(work: Path, index: int, members: list[Path]) -> Path:
    target = work / "chunks" / f"{index:03d}"
    target.mkdir(parents=True)
    for member in members:
        (target / member.name).symlink_to(member.resolve(), target_is_directory=True)
    return target


def _farm(specs: Path, registry: Path, keys: Path, jobs: int) -> tuple[Any, float, float]:
    from flows.farm import farm_local

    wall, cpu = time.perf_counter(), _cpu()
    report = farm_local(specs, registry=registry, jobs=jobs, key_dir=keys, notice=lambda _: None)
    return report, time.perf_counter() - wall, _cpu() - cpu


def _summary(outcomes: list[Any]) -> dict[str, Any]:
    counts = Counter(o.status for o in outcomes)
    return {
        "counts": dict(counts),
        "certified": sum(1 for o in outcomes if o.status == "published" and o.level == "certified"),
        "levels": dict(Counter(o.level for o in outcomes if o.status == "published")),
        "crashes": sum(1 for o in outcomes if o.traceback or "internal error" in (o.message or "")),
        "refused_by_reason": dict(
            Counter(_why(o) for o in outcomes if o.status in ("refused", "error")).most_common()
        ),
    }


def _timed(label: str, *args: str) -> float:
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "flows.cli.main", *args], capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    print(f"  {label}: {seconds:.2f} s (exit {run.returncode}; {_load()})")
    if run.returncode != 0:
        print("    " + (run.stdout + run.stderr).strip().replace("\n", "\n    ")[:600])
    return seconds


def _size(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()]
    return len(files), sum(p.stat().st_size for p in files)


def _read_times(registry: Path, name: str, label: str) -> None:
    """Search and show of one connector: in-process (best of 3, the registry's own cost) and
    through the CLI (a fresh process each: start-up included)."""
    from registry.query import open_reader, search, show

    trust = registry.parent / f"trust-{label.replace(' ', '-')}"
    for what, call in (
        ("search", lambda: search(open_reader(str(registry), trust_dir=trust), name)),
        ("show", lambda: show(open_reader(str(registry), trust_dir=trust), name)),
    ):
        best = float("inf")
        for _ in range(3):
            began = time.perf_counter()
            call()
            best = min(best, time.perf_counter() - began)
        print(f"  {label}: {what} {name} in-process: {best * 1000:.0f} ms (best of 3)")
    common = ["--registry", str(registry), "--trust-dir", str(trust), "--json"]
    _timed(f"{label}: flows registry search {name}", "registry", "search", name, *common)
    _timed(f"{label}: flows registry show {name}", "registry", "show", name, *common)


def _synthetic(name: str) -> Any:
    from registry import Publication

    spec = (REPO / "connectors" / "stripe" / "connector.yaml").read_text()
    spec = re.sub(r"(?m)^  name: stripe$", f"  name: {name}", spec, count=1)
    spec = spec.replace("stripe.", f"{name}.")
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": f"{name}.whl", "digest": {"sha256": "00" * 32}}],
        "predicateType": "https://flows.dev/certification/v1",
        "predicate": {
            "level": "certified",
            "connector": {"provider": name, "version": "1.0.0", "description": f"{name} api"},
            "checks": [],
            "policy": None,
            "waivers": [],
        },
    }
    return Publication(
        name=name,
        version="1.0.0",
        spec_bytes=spec.encode(),
        wheel_filename=f"flows_connector_{name.replace('-', '_')}-1.0.0-py3-none-any.whl",
        wheel_bytes=b"PK" + bytes(40_000),
        statement=statement,
        extra_files={"summary.md": b"# summary\n" * 20},
    )


def _registry_scale(count: int, work: Path) -> None:
    from registry import Registry

    print(f"registry at scale: {count} synthetic connectors; {_load()}")
    for size in (10, count):
        root = work / f"registry-{size}"
        reg = Registry.init(root, key_dir=work / "keys", notice=lambda _: None)
        names = [f"conn{i:05d}" for i in range(size)]
        times = []
        for start in range(0, size, 100):
            began = time.perf_counter()
            answers = reg.publish_many([_synthetic(n) for n in names[start : start + 100]])
            assert all(not isinstance(a, Exception) for a in answers), answers[:3]
            times.append(time.perf_counter() - began)
        files, nbytes = _size(root)
        print(
            f"  {size} connectors committed in {sum(times):.1f} s ({len(times)} batches: first "
            f"{times[0]:.2f} s, last {times[-1]:.2f} s); {files} files, {nbytes / 1e6:.1f} MB"
        )
        if size == count:
            _timed(
                f"{size}: registry verify (whole)", "registry", "verify", "--registry", str(root)
            )
        _read_times(root, names[size // 2], f"{size} connectors")


def main(argv: list[str]) -> int:
    """Run the benchmark; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=Path)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=300)
    parser.add_argument("--lock", type=Path)
    parser.add_argument("--deadline", type=float)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--registry-scale", type=int)
    args = parser.parse_args(argv)
    if args.registry_scale:
        scale_work = args.work or Path(tempfile.mkdtemp(prefix="bench-registry-"))
        _registry_scale(args.registry_scale, scale_work)
        if args.work is None:
            shutil.rmtree(scale_work, ignore_errors=True)
        return 0
    started = time.perf_counter()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-farm-"))
    work.mkdir(parents=True, exist_ok=True)
    specs = args.specs
    if specs is None:
        from flows.openapi.harvest import harvest_openapi

        specs = work / "harvested"
        harvest_openapi(str(SAMPLE), out_dir=specs)
    registry, keys = work / "registry", work / "keys"
    print(f"farm benchmark: specs {specs}, work {work}, jobs {args.jobs}; {_load()}")
    outcomes: list[Any] = []
    wall_total = cpu_total = 0.0
    farmed: list[Path] = []
    for index, members in enumerate(_chunks(specs, args.chunk, args.limit), start=1):
        if args.deadline and time.perf_counter() - started > args.deadline:
            print(f"deadline reached: {len(farmed)} specs farmed, the rest not")
            break
        chunk = _chunk_dir(work, index, members)
        with _locked(args.lock):
            report, wall, cpu = _farm(chunk, registry, keys, args.jobs)
        farmed += members
        outcomes += report.outcomes
        wall_total, cpu_total = wall_total + wall, cpu_total + cpu
        c = report.counts()
        print(
            f"chunk {index}: {len(members)} specs in {wall:.0f} s wall, {cpu:.0f} s CPU "
            f"({len(members) / wall:.2f} specs/s; {cpu / len(members):.2f} CPU-s/spec): "
            + ", ".join(f"{n} {s}" for s, n in c.items() if n)
            + f"; {_load()}"
        )
    summary = _summary(outcomes)
    published = summary["counts"].get("published", 0)
    print(
        f"TOTAL: {len(farmed)} specs in {wall_total:.0f} s wall, {cpu_total:.0f} s CPU: "
        f"{published} published ({summary['certified']} certified), "
        f"{published / wall_total if wall_total else 0:.2f} connectors/s, "
        f"{len(farmed) / wall_total if wall_total else 0:.2f} specs/s, "
        f"{cpu_total / max(1, len(farmed)):.2f} CPU-s/spec, crashes {summary['crashes']}"
    )
    print(json.dumps(summary, indent=1))
    (work / "bench-farm-summary.json").write_text(json.dumps(summary, indent=1))
    if not published:
        return 0
    files, size = _size(registry)
    print(f"registry: {published} connectors, {files} files, {size / 1e6:.1f} MB")
    with _locked(args.lock):
        _timed("registry verify (whole)", "registry", "verify", "--registry", str(registry))
        everything = work / "chunks" / "all"
        everything.mkdir()
        for member in farmed:
            (everything / member.name).symlink_to(member.resolve(), target_is_directory=True)
        _, wall, cpu = _farm(everything, registry, keys, args.jobs)
        print(
            f"  incremental rerun over {len(farmed)} unchanged specs: {wall:.1f} s wall, "
            f"{cpu:.1f} s CPU; {_load()}"
        )
    names = sorted(o.name for o in outcomes if o.status == "published" and o.name)
    small = work / "small"
    small_specs = small / "specs"
    small_specs.mkdir(parents=True)
    published_keys = {o.key for o in outcomes if o.status == "published"}
    for member in [m for m in farmed if m.name in published_keys][:10]:
        (small_specs / member.name).symlink_to(member.resolve(), target_is_directory=True)
    small_report, _, _ = _farm(small_specs, small / "registry", keys, args.jobs)
    small_names = sorted(o.name for o in small_report.outcomes if o.status == "published")
    if small_names:
        _read_times(
            small / "registry", small_names[len(small_names) // 2], f"{len(small_names)} connectors"
        )
    _read_times(registry, names[len(names) // 2], f"{published} connectors")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
