"""Import with outputs: one file (``--out``/``--dot``/``--report-out``) or a whole directory.

Every output target is checked before anything is imported, and all the outputs of one
command are written in one all-or-nothing step (:func:`flows.ir.files.write_all_atomic`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from connector_spec.atomic import check_writable_dir
from connector_spec.errors import InputError, argument
from flows.ir.catalog import ConnectorCatalog
from flows.ir.dot import to_dot
from flows.ir.files import flow_text, write_all_atomic
from flows.n8n.importer import (
    ImportResult,
    folders_with_workflows,
    import_directory,
    import_workflow,
    iter_workflow_files,
)
from flows.n8n.report import AggregateReport, report_text


def output_files(result: ImportResult, out: Path | None, dot: Path | None) -> dict[Path, str]:
    """The files ``--out`` and ``--dot`` ask for, with their text."""
    files: dict[Path, str] = {}
    if out is not None:
        files[out] = flow_text(result.flow.to_json())
    if dot is not None:
        files[dot] = to_dot(result.flow)
    return files


def _check_file(path: Path, option: str) -> None:
    if path.is_dir():
        raise InputError(
            f"{path}: {option} is a directory; nothing was written",
            hint=f"give {option} a file name",
        )
    check_writable_dir(
        path.parent if str(path.parent) else Path("."), option=option, context=str(path)
    )


def _check_dir(path: Path, option: str) -> None:
    if path.exists() and not path.is_dir():
        raise InputError(
            f"{path}: {option} must be a directory when importing a directory",
            hint=f"give {option} a directory (it is created when missing)",
        )
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(
            f"{path}: {option}: {existing} is not a directory; nothing was written",
            hint=f"change {option}",
        )
    check_writable_dir(existing, option=option, context=str(path))


def check_targets(
    source: Path,
    *,
    out: Path | None = None,
    dot: Path | None = None,
    report_out: Path | None = None,
    directory: bool = False,
) -> None:
    """Refuse, before importing anything, outputs that cannot be written.

    ``out``/``dot`` are files (directories when ``directory``); ``report_out`` is a file. Each
    must be writable, no two may name the same file, and none may be the input itself.
    """
    files: dict[str, Path] = {}
    for name, path in (("out", out), ("dot", dot), ("report_out", report_out)):
        option = argument(name)
        if path is None:
            continue
        if directory and name != "report_out":
            _check_dir(path, option)
            continue
        _check_file(path, option)
        files[option] = path
    seen: dict[Path, str] = {}
    for option, path in files.items():
        resolved = path.resolve()
        if resolved == source.resolve():
            raise InputError(
                f"{path}: {option} would overwrite the workflow being imported",
                hint=f"give {option} another file name",
            )
        if resolved in seen:
            raise InputError(
                f"{path}: {seen[resolved]} and {option} name the same file",
                hint="give each output its own file name",
            )
        seen[resolved] = option


def import_file(
    path: Path,
    catalog: ConnectorCatalog | None,
    out: Path | None = None,
    dot: Path | None = None,
    *,
    report_out: Path | None = None,
    report_format: str = "md",
) -> tuple[ImportResult, list[Path]]:
    """Import one workflow and write the requested files, all or none.

    The files are written even when the graph check finds errors (the conversion itself
    succeeded; the findings are in the report).
    """
    check_targets(path, out=out, dot=dot, report_out=report_out)
    result = import_workflow(path, catalog)
    files = output_files(result, out, dot)
    if report_out is not None:
        files[report_out] = report_text(result.report, report_format)
    return result, write_all_atomic(files)


def count_workflows(directory: Path, *, recursive: bool = False) -> int:
    """How many workflow files :func:`import_tree` will read."""
    return len(iter_workflow_files(directory, recursive=recursive))


def require_workflows(directory: Path, *, recursive: bool = False) -> int:
    """The number of workflow files to import; ``InputError`` when there is none."""
    count = count_workflows(directory, recursive=recursive)
    if count:
        return count
    if recursive:
        raise InputError(
            f"{directory}: no workflow files (*.json) in it or in its subfolders",
            hint="pass an n8n workflow export (.json) or a directory of them",
        )
    folders = folders_with_workflows(directory)
    if folders:
        shown = ", ".join(f"{name}/" for name in folders[:5])
        more = f" and {len(folders) - 5} more" if len(folders) > 5 else ""
        raise InputError(
            f"{directory}: no workflow files (*.json) at its top level; the subfolders "
            f"{shown}{more} hold .json files",
            hint=f"pass {argument('recursive')} to import the subfolders too, or pass one of them",
        )
    raise InputError(
        f"{directory}: no workflow files (*.json) in it",
        hint="pass an n8n workflow export (.json) or a directory of them",
    )


def import_tree(
    directory: Path,
    catalog: ConnectorCatalog | None,
    out_dir: Path | None = None,
    dot_dir: Path | None = None,
    progress: Callable[[Path], None] | None = None,
    *,
    recursive: bool = False,
    report_out: Path | None = None,
    report_format: str = "md",
) -> tuple[AggregateReport, list[Path]]:
    """Import every ``*.json`` of ``directory`` (and its subfolders with ``recursive``).

    ``<name>.flow.json`` / ``<name>.dot`` go into ``out_dir`` / ``dot_dir`` at the same
    relative place as the workflow, and the aggregate report into ``report_out``. They are
    written together, and only when every workflow imported: a failed batch writes nothing.
    """
    check_targets(directory, out=out_dir, dot=dot_dir, report_out=report_out, directory=True)
    aggregate = AggregateReport()
    files: dict[Path, str] = {}
    for path, outcome in import_directory(directory, catalog, progress, recursive=recursive):
        if isinstance(outcome, ImportResult):
            aggregate.reports.append(outcome.report)
            rel = path.relative_to(directory)
            if out_dir is not None:
                files[(out_dir / rel).with_name(f"{path.stem}.flow.json")] = flow_text(
                    outcome.flow.to_json()
                )
            if dot_dir is not None:
                files[(dot_dir / rel).with_name(f"{path.stem}.dot")] = to_dot(outcome.flow)
        else:
            text = outcome.diagnostics() if hasattr(outcome, "diagnostics") else str(outcome)
            aggregate.failures.append((str(path), text))
    if aggregate.failures:
        return aggregate, []  # a failed batch leaves every output as it was
    if report_out is not None:
        files[report_out] = report_text(aggregate, report_format)
    return aggregate, write_all_atomic(files, make_dirs=True)
