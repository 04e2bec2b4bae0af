"""``flows harvest openapi``: every description of the APIs.guru directory → ConnectorSpecs.

The output contract is ``flows harvest n8n``'s, so ``flows farm`` publishes the result:
``<out>/<provider>/connector.yaml`` + ``harvest.json`` (status, reasons, warnings, coverage of
the description's operations, every omitted and lossy operation with its reasons) and
``<out>/harvest-report.json`` (+ ``.md``). ``--out`` is replaced as a whole, atomically.
Providers are named after the description's place in the directory (``api/amazonaws.com/
ec2.json`` → ``amazonaws-com-ec2``: host + API name), which is stable across versions.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from connector_spec.atomic import check_replaceable_dir, replace_dir
from connector_spec.openapi.naming import slug
from flows.harvest.errors import OutputDirError
from flows.harvest.harvest import REPORT_FILE
from flows.openapi.catalog import Runner, open_directory
from flows.openapi.outcome import DESCRIPTION_FILE, Outcome, harvest_one
from flows.openapi.pool import run_jobs
from flows.openapi.report import HarvestReport

MARKDOWN_REPORT_FILE = "harvest-report.md"
Progress = Callable[[str], None]
__all__ = ["DESCRIPTION_FILE", "HarvestResult", "Outcome", "harvest_one", "harvest_openapi"]


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
        tasks = [
            (d.key, str(d.path), names[d.key], directory.source, directory.version)
            for d in descriptions
        ]
        sizes = [_size(d.path) for d in descriptions]
        staging = _staging(out_dir)
        try:
            outcomes: list[Outcome] = []
            with contextlib.closing(run_jobs(harvest_one, tasks, jobs=jobs, sizes=sizes)) as run:
                for outcome in run:
                    if staging is not None:
                        _write(staging, outcome)
                    outcome.files = {}
                    outcomes.append(outcome)
                    if progress is not None:
                        progress(outcome.key)
            outcomes.sort(key=lambda o: o.key)  # the order of the work does not show
            report = HarvestReport(
                source=str(catalog),
                version=directory.version,
                outcomes=outcomes,
                seconds=time.perf_counter() - started,
                out_dir=str(out_dir) if out_dir else None,
            )
            if staging is not None and out_dir is not None:
                (staging / REPORT_FILE).write_bytes(_json(report.to_json(run_details=False)))
                if markdown_report:
                    (staging / MARKDOWN_REPORT_FILE).write_text(
                        report.to_markdown(run_details=False)
                    )
                replace_dir(staging, out_dir)
        except BaseException:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            raise
    return HarvestResult(report, out_dir)


def _write(staging: Path, outcome: Outcome) -> None:
    for rel, data in sorted(outcome.files.items()):
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _json(data: object) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()


def _staging(out_dir: Path | None) -> Path | None:
    if out_dir is None:
        return None
    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=parent))
