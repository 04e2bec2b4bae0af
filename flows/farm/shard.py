"""Prepare a shard: every complete spec of the shard is versioned, certified, gated and staged.

``flows farm --shard I/N --specs DIR --out OUT`` writes ``OUT/farm-shard.json`` (the shard
report, with the SHA-256 of every staged file) and ``OUT/<name>/<version>/`` (the staged
publications). ``OUT`` is replaced as a whole and atomically; it must be absent, empty or an
earlier shard output. The registry (``--registry``), when it exists, is only read: it decides
the versions (see :mod:`flows.farm.versioning`), and ``--merge`` checks that decision again
against the registry it commits to.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path

from connector_spec.atomic import check_replaceable_dir, replace_dir
from connector_spec.errors import argument
from flows.farm.buglog import format_traceback, log_internal_errors
from flows.farm.errors import FarmInputError
from flows.farm.prepare import Task, prepare_spec, published_index
from flows.farm.progress import NoProgress, Progress
from flows.farm.report import FarmReport, SpecOutcome
from flows.farm.select import Candidate, Shard, assign, discover, specs_digest
from flows.farm.versioning import PublishedIndex

SHARD_REPORT = "farm-shard.json"


def default_jobs() -> int:
    """The number of CPUs this process may use."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def check_jobs(jobs: int | None) -> int:
    """``jobs`` (default: the CPU count) after checking it is at least 1."""
    if jobs is None:
        return default_jobs()
    if jobs < 1:
        raise FarmInputError(
            f"{argument('jobs')} {jobs}: give at least 1", hint=f"e.g. {argument('jobs')} 2"
        )
    return jobs


def outcome_of_candidate(candidate: Candidate) -> SpecOutcome | None:
    """The outcome of a spec the farm does not prepare (incomplete, unreadable), else None."""
    if candidate.problem is not None:
        return SpecOutcome(candidate.key, candidate.rel, "error", message=candidate.problem)
    if not candidate.complete:
        return SpecOutcome(
            candidate.key,
            candidate.rel,
            "incomplete",
            reasons=list(candidate.reasons),
            coverage=candidate.coverage,
        )
    return None


def prepare_candidates(
    candidates: Sequence[Candidate],
    out_dir: Path,
    *,
    registry: Path | None,
    packs: Sequence[str | Path] = (),
    jobs: int = 1,
    progress: Progress | None = None,
) -> list[SpecOutcome]:
    """Version and stage every complete candidate into ``out_dir`` (``jobs`` worker processes).

    A spec whose bytes the registry holds as its newest version is ``unchanged`` at once;
    every other spec is versioned and prepared in a worker.
    """
    progress = progress or NoProgress()
    outcomes: list[SpecOutcome] = []
    tasks: list[Task] = []
    work_root = out_dir / ".work"
    published = published_index(registry)
    for candidate in candidates:
        skipped = outcome_of_candidate(candidate)
        if skipped is not None:
            outcomes.append(skipped)
            continue
        unchanged = _unchanged(candidate, published)
        if unchanged is not None:
            outcomes.append(unchanged)
            continue
        tasks.append(
            Task(
                key=candidate.key,
                spec_rel=candidate.rel,
                spec_path=candidate.path.resolve(),
                registry=registry.resolve() if registry is not None else None,
                out_dir=out_dir.resolve(),
                work_dir=(work_root / candidate.key).resolve(),
                coverage=candidate.coverage,
                packs=tuple(str(Path(p).resolve()) for p in packs),
            )
        )
    progress.phase("prepare", len(tasks))
    if jobs <= 1 or len(tasks) <= 1:
        prepared = []
        for task in tasks:
            outcome = prepare_spec(task)
            prepared.append(outcome)
            progress.done(outcome)
    else:
        prepared = _in_pool(tasks, min(jobs, len(tasks)), progress)
    outcomes += _without_name_clashes(prepared, out_dir)
    shutil.rmtree(work_root, ignore_errors=True)
    return sorted(outcomes, key=lambda o: o.key)


def _unchanged(candidate: Candidate, published: PublishedIndex) -> SpecOutcome | None:
    """The ``unchanged`` outcome of a spec whose exact bytes the registry holds, else None."""
    from flows.farm.versioning import unchanged_decision

    try:
        same = published.unchanged(candidate.path.read_bytes())
    except OSError:
        return None  # the worker reports why it cannot be read
    if same is None:
        return None
    name, version = same
    decision = unchanged_decision(name, version, b"")
    return SpecOutcome(
        candidate.key,
        candidate.rel,
        "unchanged",
        name=name,
        version=version,
        spec_version=version,
        base_version=version,
        bump=decision.required_bump,
        version_note=decision.note,
        coverage=candidate.coverage,
    )


def _without_name_clashes(outcomes: list[SpecOutcome], out_dir: Path) -> list[SpecOutcome]:
    """``outcomes`` where every spec whose provider name another prepared spec also has is an
    error (nothing of it staged): the registry holds one connector per name."""
    specs_by_name: dict[str, list[str]] = {}
    for outcome in outcomes:
        if outcome.name is not None and outcome.status != "unchanged":
            specs_by_name.setdefault(outcome.name, []).append(outcome.spec)
    for outcome in outcomes:
        specs = specs_by_name.get(str(outcome.name), [])
        if len(specs) < 2 or outcome.status == "unchanged":
            continue
        if outcome.status == "staged":
            shutil.rmtree(out_dir / str(outcome.name), ignore_errors=True)
        outcome.status, outcome.refused_by, outcome.staged = "error", None, None
        outcome.level = outcome.checks = None
        outcome.message = (
            f"provider name {outcome.name!r} is used by several specs: {', '.join(sorted(specs))}"
        )
    return outcomes


def _in_pool(tasks: list[Task], workers: int, progress: Progress) -> list[SpecOutcome]:
    import multiprocessing

    done: list[SpecOutcome] = []
    # spawn: workers start clean, unaffected by the caller's threads (rich's refresh thread)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures: dict[Future[SpecOutcome], Task] = {pool.submit(prepare_spec, t): t for t in tasks}
        for future in as_completed(futures):
            task = futures[future]
            try:
                outcome = future.result()
            except Exception as error:  # the worker process died (BrokenProcessPool, ...)
                outcome = SpecOutcome(task.key, task.spec_rel, "error", coverage=task.coverage)
                outcome.message = (
                    f"the worker preparing {outcome.spec} failed: {type(error).__name__}: {error}"
                )
                outcome.traceback = format_traceback(error)
            done.append(outcome)
            progress.done(outcome)
    return done


def farm_shard(
    specs_dir: Path,
    shard: Shard,
    out_dir: Path,
    *,
    registry: Path | None = None,
    packs: Sequence[str | Path] = (),
    jobs: int | None = None,
    progress: Progress | None = None,
) -> FarmReport:
    """Prepare shard ``shard`` of the specs in ``specs_dir`` into ``out_dir`` (no signing)."""
    started = time.perf_counter()
    workers = check_jobs(jobs)
    check_replaceable_dir(out_dir, marker=SHARD_REPORT, what="shard output", error=FarmInputError)
    candidates = discover(specs_dir)
    mine = assign(candidates, shard)
    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=parent))
    try:
        outcomes = prepare_candidates(
            mine, staging, registry=registry, packs=packs, jobs=workers, progress=progress
        )
        log_internal_errors(outcomes, staging)  # the shard's output keeps the tracebacks
        report = FarmReport(
            mode="shard",
            outcomes=outcomes,
            specs_dir=str(specs_dir),
            registry=str(registry) if registry is not None else None,
            shard=shard.label(),
            jobs=workers,
            specs_total=len(candidates),
            specs_digest=specs_digest(candidates),
        )
        report.seconds = time.perf_counter() - started
        write_report(staging / SHARD_REPORT, report)
        replace_dir(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


def write_report(path: Path, report: FarmReport) -> None:
    """Write ``report`` as JSON to ``path``."""
    path.write_text(json.dumps(report.to_json(), indent=2, sort_keys=True) + "\n")
