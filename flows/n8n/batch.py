"""Import with outputs: one file (``--out``/``--dot``) or a whole directory (aggregate report)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from connector_spec.errors import InputError
from flows.ir.catalog import ConnectorCatalog
from flows.ir.dot import to_dot
from flows.ir.files import flow_text, write_all_atomic
from flows.n8n.importer import ImportResult, import_directory, import_workflow, iter_workflow_files
from flows.n8n.report import AggregateReport


def output_files(result: ImportResult, out: Path | None, dot: Path | None) -> dict[Path, str]:
    """The files ``--out`` and ``--dot`` ask for, with their text."""
    files: dict[Path, str] = {}
    if out is not None:
        files[out] = flow_text(result.flow.to_json())
    if dot is not None:
        files[dot] = to_dot(result.flow)
    return files


def _check_target_dir(path: Path | None, option: str) -> None:
    if path is None:
        return
    if path.exists() and not path.is_dir():
        raise InputError(f"{path}: {option} must be a directory when importing a directory")


def _check_target_file(path: Path | None, option: str) -> None:
    if path is None:
        return
    if path.is_dir():
        raise InputError(f"{path}: {option} is a directory", hint=f"give {option} a file name")
    if not path.parent.is_dir() and str(path.parent):
        raise InputError(
            f"{path.parent}: directory not found", hint=f"create it or change {option}"
        )


def import_file(
    path: Path, catalog: ConnectorCatalog, out: Path | None = None, dot: Path | None = None
) -> tuple[ImportResult, list[Path]]:
    """Import one workflow and write the requested files (all or none)."""
    _check_target_file(out, "--out")
    _check_target_file(dot, "--dot")
    result = import_workflow(path, catalog)
    written = write_all_atomic(output_files(result, out, dot))
    return result, written


def count_workflows(directory: Path) -> int:
    """How many workflow files :func:`import_tree` will read."""
    return len(iter_workflow_files(directory))


def import_tree(
    directory: Path,
    catalog: ConnectorCatalog,
    out_dir: Path | None = None,
    dot_dir: Path | None = None,
    progress: Callable[[Path], None] | None = None,
) -> tuple[AggregateReport, list[Path]]:
    """Import every ``*.json`` of ``directory``; write ``<stem>.flow.json`` / ``<stem>.dot``
    into ``out_dir`` / ``dot_dir`` only when every workflow imported (else nothing is written)."""
    _check_target_dir(out_dir, "--out")
    _check_target_dir(dot_dir, "--dot")
    aggregate = AggregateReport()
    files: dict[Path, str] = {}
    for path, outcome in import_directory(directory, catalog, progress):
        if isinstance(outcome, ImportResult):
            aggregate.reports.append(outcome.report)
            if out_dir is not None:
                files[out_dir / f"{path.stem}.flow.json"] = flow_text(outcome.flow.to_json())
            if dot_dir is not None:
                files[dot_dir / f"{path.stem}.dot"] = to_dot(outcome.flow)
        else:
            text = outcome.diagnostics() if hasattr(outcome, "diagnostics") else str(outcome)
            aggregate.failures.append((str(path), text))
    if aggregate.failures or not files:
        return aggregate, []  # a failed batch leaves the output directories as they were
    for target in {p.parent for p in files}:
        target.mkdir(parents=True, exist_ok=True)
    return aggregate, write_all_atomic(files)
