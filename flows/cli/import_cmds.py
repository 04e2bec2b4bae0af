"""``flows import ...``: bring workflows from other tools into Flow IR."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from flows.cli.options import JsonFlag
from flows.cli.output import (
    handles_errors,
    print_json,
    stderr_console,
    stdout_console,
)

import_app = typer.Typer(help="Import workflows from other tools.", no_args_is_help=True)


class ReportFormat(StrEnum):
    """File formats of the report."""

    md = "md"
    json = "json"


def _print_report(report: Any, fmt: ReportFormat | None, show: bool) -> None:
    """Print the report on stdout: md/json text, the rich table, or the summary."""
    from flows.n8n.report import report_text

    if fmt is not None:
        typer.echo(report_text(report, fmt.value), nl=False)
        return
    console = stdout_console()
    if show:
        report.print_rich(console)
        return
    from rich.markup import escape

    for source, error in getattr(report, "failures", []):
        console.print(f"[red]failed[/] {escape(source)}: {escape(error.splitlines()[0])}")
    console.print(escape(report.summary()))


def _catalog_used(catalog: Any) -> str:
    """Which connector catalog the import maps onto (a directory, a registry, or none)."""
    if catalog is None:
        return "none"
    return str(getattr(catalog, "origin", "") or "in-memory")


def _warn(message: str | None) -> None:
    if message:
        from rich.markup import escape

        stderr_console().print(f"[yellow]warning:[/] {escape(message)}")


def _check_errors_note(count: int, what: str, written: bool) -> None:
    """Explain exit 1 after a successful conversion whose flow fails the graph check."""
    outputs = " and the outputs written" if written else ""
    stderr_console().print(
        f"{count} check error{'s' if count != 1 else ''}: {what} imported{outputs}, but the "
        "flow does not pass the graph check (see the findings; `flows graph check` on the "
        "written IR reports the same). Exit 1."
    )


@import_app.command("n8n")
@handles_errors
def n8n(
    path: Annotated[Path, typer.Argument(help="An n8n workflow export, or a directory of them.")],
    report: Annotated[
        bool, typer.Option("--report", help="Print the per-node report table.")
    ] = False,
    report_format: Annotated[
        ReportFormat | None,
        typer.Option("--report-format", help="Print the report as md or json instead."),
    ] = None,
    report_out: Annotated[
        Path | None, typer.Option("--report-out", help="Write the md/json report to this file.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the Flow IR here (a directory for a directory input)."),
    ] = None,
    dot: Annotated[
        Path | None,
        typer.Option("--dot", help="Write the graph as DOT here (a directory for a directory)."),
    ] = None,
    recursive: Annotated[
        bool,
        typer.Option("--recursive", "-r", help="With a directory, import its subfolders too."),
    ] = False,
    connectors: Annotated[
        Path | None,
        typer.Option(
            "--connectors",
            help="Directory of <provider>/connector.yaml specs (default: ./connectors when "
            "present, else the local registry's latest specs).",
        ),
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Import n8n workflows: Flow IR, a lossy-conversion report and the graph check.

    Exit 0 when imported cleanly; 1 when the graph check finds errors (the outputs are still
    written) or, for a directory, when a workflow cannot be imported (nothing is written);
    2 for unusable input or outputs (nothing is written).
    """
    from connector_spec.errors import InputError
    from flows.ir.catalog import catalog_warning, resolve_catalog
    from flows.n8n.batch import check_targets, import_file, import_tree, require_workflows

    if report_out is not None and report_format is None:
        raise InputError(
            "--report-out needs --report-format md or json",
            hint="add --report-format md (or json)",
        )
    if not path.exists() and not path.is_symlink():
        raise InputError(
            f"{path}: no such file or directory",
            hint="pass an n8n workflow export (.json) or a directory of them",
        )
    if not path.is_dir():
        from connector_spec.files import check_regular_file

        check_regular_file(path)  # a FIFO, a symlink loop or a device: exit 2 with the path
    fmt = report_format.value if report_format is not None else "md"
    is_dir = path.is_dir()
    check_targets(path, out=out, dot=dot, report_out=report_out, directory=is_dir)
    if is_dir:
        total = require_workflows(path, recursive=recursive)
    catalog = resolve_catalog(connectors)
    used = _catalog_used(catalog)
    if not json_output:
        _warn(catalog_warning(catalog))
        stderr_console().print(f"connector catalog: {used}", markup=False, highlight=False)
    if is_dir:
        from itertools import count

        from flows.cli.progress import progress_callback

        with progress_callback("importing", enabled=not json_output) as bar:
            done = count(1)
            aggregate, written = import_tree(
                path,
                catalog,
                out,
                dot,
                progress=(lambda _p: bar(next(done), total)) if bar else None,
                recursive=recursive,
                report_out=report_out,
                report_format=fmt,
            )
        errors = aggregate.totals()["check_errors"]
        if json_output:
            print_json(
                {
                    "ok": not aggregate.failures and not errors,
                    "catalog": used,
                    **aggregate.to_json(),
                    "written": [str(p) for p in written],
                }
            )
        else:
            shown = report_format if report_out is None or aggregate.failures else None
            _print_report(aggregate, shown, report)
            if written:
                stdout_console().print(f"wrote {len(written)} files")
            if aggregate.failures and (out or dot or report_out):
                stderr_console().print(
                    f"{len(aggregate.failures)} workflow(s) could not be imported; nothing was "
                    "written. Fix or remove them, or run without --out/--dot/--report-out."
                )
            if errors and not aggregate.failures:
                _check_errors_note(errors, "every workflow was", bool(written))
        if aggregate.failures or errors:
            raise typer.Exit(1)
        return
    result, written = import_file(path, catalog, out, dot, report_out=report_out, report_format=fmt)
    errors = len(result.report.errors)
    if json_output:
        print_json(
            {
                "ok": not errors,
                "catalog": used,
                "check_errors": errors,
                "report": result.report.to_json(),
                "written": [str(p) for p in written],
            }
        )
    else:
        _print_report(result.report, report_format if report_out is None else None, report)
        for p in written:
            stdout_console().print(f"wrote {p}")
        if errors:
            _check_errors_note(errors, "the workflow was", bool(written))
    if errors:
        raise typer.Exit(1)


@import_app.command("openapi")
@handles_errors
def openapi(
    description: Annotated[
        Path, typer.Argument(help="An OpenAPI 3.0/3.1 description (JSON or YAML).")
    ],
    provider: Annotated[
        str | None,
        typer.Option("--provider", help="Provider slug (default: from the description)."),
    ] = None,
    select: Annotated[
        str | None,
        typer.Option(
            "--select",
            help="Only these operations: comma-separated operationIds (globs), tag:NAME or "
            "'GET /path'.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write <DIR>/<provider>/connector.yaml (default: stdout)."),
    ] = None,
    report_file: Annotated[
        Path | None,
        typer.Option("--report", help="Write the conversion report here (.md or .json)."),
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Convert an OpenAPI description into a ConnectorSpec, with a per-operation loss report.

    Exit 0 when a valid spec was made (losses are listed, not failures); 1 when no spec could
    be made (the reasons are printed); 2 for an unreadable description or bad options.
    Nothing is written unless everything is.
    """
    from connector_spec.errors import InputError
    from connector_spec.openapi.report import conversion_json
    from flows.openapi.importer import import_openapi

    patterns = [p.strip() for p in (select or "").split(",") if p.strip()]
    result = import_openapi(
        description, provider=provider, select=patterns, out_dir=out, report=report_file
    )
    if json_output:
        print_json(
            {
                "ok": True,
                **conversion_json(result.conversion),
                "written": [str(p) for p in result.written],
            }
        )
        return
    if out is None:
        if len(result.files) != 1:
            raise InputError(
                f"the description is split into {len(result.files)} specs",
                hint="give --out DIR to write them all",
            )
        typer.echo(next(iter(result.files.values())).decode(), nl=False)
        stderr_console().print(result.summary())
        return
    console = stdout_console()
    for path in result.written:
        console.print(f"wrote {path}")
    console.print(result.summary())
