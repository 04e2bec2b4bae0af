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
from flows.farm.prepare import Task, plan_spec, prepare_spec
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
    """Stage every complete candidate into ``out_dir`` (``jobs`` worker processes)."""
    progress = progress or NoProgress()
    outcomes: list[SpecOutcome] = []
    tasks: list[Task] = []
    work_root = out_dir / ".work"
    published = PublishedIndex(registry)
    for candidate in candidates:
        skipped = outcome_of_candidate(candidate)
        if skipped is not None:
            outcomes.append(skipped)
            continue
        planned, spec_bytes = plan_spec(candidate.key, candidate.path, candidate.rel, published)
        planned.coverage = candidate.coverage
        if spec_bytes is None:
            outcomes.append(planned)
            continue
        tasks.append(
            Task(
                outcome=planned,
                spec_bytes=spec_bytes,
                spec_dir=candidate.path.parent.resolve(),
                out_dir=out_dir.resolve(),
                work_dir=(work_root / candidate.key).resolve(),
                packs=tuple(str(Path(p).resolve()) for p in packs),
            )
        )
    tasks, clashing = _without_name_clashes(tasks)
    outcomes += clashing
    progress.phase("prepare", len(tasks))
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            outcome = prepare_spec(task)
            outcomes.append(outcome)
            progress.done(outcome)
    else:
        outcomes += _in_pool(tasks, min(jobs, len(tasks)), progress)
    shutil.rmtree(work_root, ignore_errors=True)
    return sorted(outcomes, key=lambda o: o.key)


def _without_name_clashes(tasks: list[Task]) -> tuple[list[Task], list[SpecOutcome]]:
    """Tasks whose provider name no other task uses, and error outcomes for the others."""
    keys_by_name: dict[str, list[str]] = {}
    for task in tasks:
        keys_by_name.setdefault(str(task.outcome.name), []).append(task.outcome.spec)
    keep: list[Task] = []
    clashing: list[SpecOutcome] = []
    for task in tasks:
        specs = keys_by_name[str(task.outcome.name)]
        if len(specs) == 1:
            keep.append(task)
            continue
        task.outcome.status = "error"
        task.outcome.message = (
            f"provider name {task.outcome.name!r} is used by several specs: {', '.join(specs)}"
        )
        clashing.append(task.outcome)
    return keep, clashing


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
                outcome = task.outcome
                outcome.status = "error"
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
