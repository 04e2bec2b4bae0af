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

from connector_spec.digests import sha256_hex
from connector_spec.errors import FlowsError
from connector_spec.model import OpenApiReference
from flows.farm.report import SpecOutcome
from flows.farm.select import SPEC_FILE
from flows.farm.versioning import PublishedIndex

FIXTURES_DIR = "fixtures"


@dataclass(frozen=True)
class Task:
    """One spec to prepare (picklable: it crosses into a worker process)."""

    outcome: SpecOutcome  # name, versions and the version note already filled in
    spec_bytes: bytes  # the spec as it will be published (version possibly rewritten)
    spec_dir: Path  # where the spec came from (its fixtures/ are certified too)
    out_dir: Path
    work_dir: Path
    packs: tuple[str, ...] = ()


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


def plan_spec(
    key: str, spec_path: Path, spec_rel: str, published: PublishedIndex
) -> tuple[SpecOutcome, bytes | None]:
    """Load the spec and decide its version against the registry (read only).

    Returns the outcome so far and the bytes to publish; ``None`` bytes when there is nothing
    to prepare (``unchanged``, or an ``error`` such as an invalid spec). A spec whose bytes
    are the newest published ones is ``unchanged`` without being parsed (a rerun over
    thousands of unchanged specs costs little more than reading them).
    """
    from connector_spec.loader import parse_spec_bytes
    from connector_spec.yaml_source import read_text
    from flows.farm.versioning import decide_version, unchanged_decision
    from registry import layout

    outcome = SpecOutcome(key=key, spec=spec_rel, status="error")
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
        return outcome, None
    outcome.version, outcome.base_version = decision.version, decision.base_version
    outcome.bump = decision.required_bump
    outcome.version_note = decision.note
    if decision.status == "unchanged":
        outcome.status = "unchanged"
        return outcome, None
    return outcome, decision.spec_bytes


def prepare_spec(task: Task) -> SpecOutcome:
    """Prepare ``task``'s spec; the outcome says what happened (never raises for the spec)."""
    started = time.perf_counter()
    outcome = task.outcome
    try:
        _prepare(task, outcome)
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


def _prepare(task: Task, outcome: SpecOutcome) -> None:
    from connector_spec.codegen import render_package
    from connector_spec.loader import load_spec
    from flows.packaging import build_wheel
    from flows.publish import prepare_publication

    name, version = str(outcome.name), str(outcome.version)
    # certify exactly the bytes that will be published, away from any stray generated package
    work = task.work_dir / name
    work.mkdir(parents=True)
    (work / SPEC_FILE).write_bytes(task.spec_bytes)
    fixtures = task.spec_dir / FIXTURES_DIR
    if fixtures.is_dir():
        shutil.copytree(fixtures, work / FIXTURES_DIR)
    loaded = load_spec(work / SPEC_FILE)
    _copy_provider_description(loaded.spec.provider.openapi, task.spec_dir, work)
    generated = render_package(loaded)
    wheel = build_wheel(generated, loaded.raw)
    prepared = prepare_publication(loaded, wheel, generated.manifest, task.packs)
    files = prepared.publication.files()

    stage = task.out_dir / name / version
    stage.mkdir(parents=True)
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
