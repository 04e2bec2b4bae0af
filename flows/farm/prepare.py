"""One spec, in a worker process: version it, generate, build, certify, gate, stage.

:func:`prepare_spec` never raises for a problem of the spec: every outcome (staged,
unchanged, refused by certification or policy, error) is a :class:`SpecOutcome`. Staged
files are exactly the bytes the registry will store, under ``OUT/<name>/<version>/``, and
their SHA-256 digests are recorded in the outcome. Nothing here signs or writes a registry.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connector_spec.digests import sha256_hex
from connector_spec.errors import FlowsError
from connector_spec.model import ConnectorSpec, OpenApiReference
from flows.farm.errors import FarmInputError
from flows.farm.report import SpecOutcome
from flows.farm.select import SPEC_FILE
from flows.farm.versioning import PublishedIndex

FIXTURES_DIR = "fixtures"


@dataclass(frozen=True)
class Task:
    """One spec to version and prepare (picklable: it crosses into a worker process)."""

    key: str
    spec_rel: str  # the spec's path relative to --specs, for messages
    spec_path: Path
    registry: Path | None  # read only: it decides the version
    out_dir: Path
    work_dir: Path
    coverage: dict[str, Any] | None = None
    packs: tuple[str, ...] = ()


@dataclass
class Plan:
    """A spec's outcome so far, and what to prepare (``spec_bytes`` None: nothing)."""

    outcome: SpecOutcome
    spec_bytes: bytes | None = None  # as it will be published (version possibly rewritten)
    spec: ConnectorSpec | None = None  # parsed from ``spec_bytes`` (when they are the file's)


_INDEXES: dict[tuple[Path, int, int, int], PublishedIndex] = {}


def published_index(registry: Path | None) -> PublishedIndex:
    """The registry's :class:`PublishedIndex`, read once per process and committed state."""
    from registry import layout

    if registry is None:
        return PublishedIndex(None)
    try:
        stat = (registry / layout.METADATA / layout.TIMESTAMP_FILE).stat()
    except OSError:
        return PublishedIndex(registry)
    key = (registry.resolve(), stat.st_ino, stat.st_mtime_ns, stat.st_size)
    if key not in _INDEXES:
        _INDEXES.clear()
        _INDEXES[key] = PublishedIndex(registry)
    return _INDEXES[key]


def _fail(outcome: SpecOutcome, error: BaseException, doing: str) -> None:
    """Record ``error`` in ``outcome``: refused by certification/policy, or an error."""
    from flows.publish import CertificationRefused, PolicyRefused

    outcome.status = "error"
    if isinstance(error, CertificationRefused):
        outcome.status, outcome.refused_by = "refused", "certification"
    elif isinstance(error, PolicyRefused):
        outcome.status, outcome.refused_by = "refused", "policy"
    if isinstance(error, FlowsError):
        outcome.message = error.diagnostics()
    else:
        from flows.farm.buglog import BUG_LOG, format_traceback

        outcome.traceback = format_traceback(error)
        outcome.message = (
            f"internal error while {doing} {outcome.spec}: {type(error).__name__}: {error} "
            f"(a flows bug; please report it with the traceback logged in {BUG_LOG})"
        )


def plan_spec(key: str, spec_path: Path, spec_rel: str, published: PublishedIndex) -> Plan:
    """Read the spec and decide its version against the registry (read only).

    A spec whose bytes are the newest published ones is ``unchanged`` without being parsed
    (a rerun over thousands of unchanged specs costs little more than reading them).
    """
    from connector_spec.loader import parse_spec_bytes
    from connector_spec.yaml_source import read_text
    from flows.farm.versioning import decide_version, unchanged_decision
    from registry import layout

    outcome = SpecOutcome(key=key, spec=spec_rel, status="error")
    spec: ConnectorSpec | None = None
    try:
        raw = read_text(spec_path)
        same = published.unchanged(raw)
        if same is not None:
            name, version = same
            outcome.name, outcome.spec_version = name, version
            decision = unchanged_decision(name, version, raw)
        else:
            spec = parse_spec_bytes(raw, str(spec_path))
            name = layout.check_name(spec.provider.name)
            outcome.name, outcome.spec_version = name, spec.provider.version
            decision = decide_version(raw, spec, published.base(name))
            layout.semver_key(decision.version)
    except Exception as error:  # FlowsError, or a bug: either way only this spec fails
        _fail(outcome, error, "versioning")
        return Plan(outcome)
    outcome.version, outcome.base_version = decision.version, decision.base_version
    outcome.bump = decision.required_bump
    outcome.version_note = decision.note
    if decision.status == "unchanged":
        outcome.status = "unchanged"
        return Plan(outcome)
    return Plan(outcome, decision.spec_bytes, spec if decision.spec_bytes == raw else None)


def prepare_spec(task: Task) -> SpecOutcome:
    """Version ``task``'s spec and prepare it; the outcome says what happened (never raises
    for the spec)."""
    started = time.perf_counter()
    plan = plan_spec(task.key, task.spec_path, task.spec_rel, published_index(task.registry))
    outcome = plan.outcome
    outcome.coverage = task.coverage
    if plan.spec_bytes is None:
        outcome.seconds = time.perf_counter() - started
        return outcome
    try:
        _prepare(task, plan)
    except Exception as error:  # a bug elsewhere must not stop the other specs
        _fail(outcome, error, "preparing")
    finally:
        shutil.rmtree(task.work_dir, ignore_errors=True)
        outcome.seconds = time.perf_counter() - started
    return outcome


def _copy_provider_description(
    reference: OpenApiReference | None, spec_dir: Path, work: Path
) -> None:
    """Certification reads ``provider.openapi.path`` beside the spec: bring it along."""
    if reference is None or reference.path is None:
        return
    source, target = spec_dir / reference.path, work / reference.path
    if source.is_file() and work.resolve() in target.resolve().parents:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def _prepare(task: Task, plan: Plan) -> None:
    from connector_spec.codegen import render_package
    from connector_spec.loader import LoadedSpec, load_spec
    from flows.packaging import build_wheel
    from flows.publish import prepare_publication

    outcome, spec_bytes = plan.outcome, bytes(plan.spec_bytes or b"")
    name, version = str(outcome.name), str(outcome.version)
    # certify exactly the bytes that will be published, away from any stray generated package
    work = task.work_dir / name
    work.mkdir(parents=True)
    (work / SPEC_FILE).write_bytes(spec_bytes)
    spec_dir = task.spec_path.parent.resolve()
    fixtures = spec_dir / FIXTURES_DIR
    if fixtures.is_dir():
        shutil.copytree(fixtures, work / FIXTURES_DIR)
    if plan.spec is not None:  # parsed from these very bytes while versioning
        loaded = LoadedSpec(spec=plan.spec, path=work / SPEC_FILE, raw=spec_bytes)
    else:
        loaded = load_spec(work / SPEC_FILE)
    _copy_provider_description(loaded.spec.provider.openapi, spec_dir, work)
    generated = render_package(loaded)
    wheel = build_wheel(generated, loaded.raw)
    prepared = prepare_publication(loaded, wheel, generated.manifest, task.packs, generated)
    files = prepared.publication.files()

    stage = task.out_dir / name / version
    try:
        stage.mkdir(parents=True)
    except FileExistsError:
        raise FarmInputError(
            f"{name}@{version} is staged already: another spec has provider name {name!r}"
        ) from None
    for filename, data in files.items():
        (stage / filename).write_bytes(data)
    outcome.status = "staged"
    outcome.level = prepared.certification.level
    outcome.checks = dict(prepared.certification.statement["predicate"]["summary"])
    outcome.staged = {
        "dir": f"{name}/{version}",
        "wheel": wheel.filename,
        "files": {filename: sha256_hex(data) for filename, data in sorted(files.items())},
    }
