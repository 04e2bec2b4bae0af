"""``flows import ...``: bring workflows from other tools into Flow IR."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from flows.cli.output import (
    JSON_OPTION_HELP,
    handles_errors,
    print_json,
    stderr_console,
    stdout_console,
)

import_app = typer.Typer(help="Import workflows from other tools.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]


class ReportFormat(StrEnum):
    """File formats of the report."""

    md = "md"
    json = "json"


def _emit_report(
    report: Any, fmt: ReportFormat | None, show: bool, report_out: Path | None
) -> None:
    import json

    from flows.ir.files import write_all_atomic

    if fmt is not None:
        text = (
            report.to_markdown()
            if fmt is ReportFormat.md
            else json.dumps(report.to_json(), indent=2, sort_keys=True) + "\n"
        )
        if report_out is not None:
            write_all_atomic({report_out: text})
        else:
            typer.echo(text, nl=False)
            return
    console = stdout_console()
    if show:
        report.print_rich(console)
    else:
        from rich.markup import escape

        for source, error in getattr(report, "failures", []):
            console.print(f"[red]failed[/] {escape(source)}: {escape(error.splitlines()[0])}")
        console.print(escape(report.summary()))


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
    connectors: Annotated[
        Path, typer.Option("--connectors", help="Directory of <provider>/connector.yaml specs.")
    ] = Path("connectors"),
    json_output: JsonFlag = False,
) -> None:
    """Import n8n workflows: Flow IR, a lossy-conversion report and the graph check."""
    from connector_spec.errors import InputError
    from flows.ir.catalog import DirectoryCatalog
    from flows.n8n.batch import count_workflows, import_file, import_tree

    if report_out is not None and report_format is None:
        raise InputError("--report-out needs --report-format md or json")
    if not path.exists():
        raise InputError(
            f"{path}: no such file or directory",
            hint="pass an n8n workflow export (.json) or a directory of them",
        )
    catalog = DirectoryCatalog(connectors)
    if path.is_dir():
        from rich.progress import Progress

        total = count_workflows(path)
        with Progress(console=stderr_console(), transient=True, disable=json_output) as bar:
            task = bar.add_task("importing", total=total)
            aggregate, written = import_tree(
                path, catalog, out, dot, progress=lambda _p: bar.advance(task)
            )
        if json_output:
            print_json(
                {
                    "ok": not aggregate.failures,
                    **aggregate.to_json(),
                    "written": [str(p) for p in written],
                }
            )
        else:
            _emit_report(aggregate, report_format, report, report_out)
            if written:
                stdout_console().print(f"wrote {len(written)} files")
            elif aggregate.failures and (out is not None or dot is not None):
                stderr_console().print(
                    f"{len(aggregate.failures)} workflow(s) could not be imported; nothing was "
                    "written. Fix or remove them, or run without --out/--dot."
                )
        if aggregate.failures:
            raise typer.Exit(1)
        return
    result, written = import_file(path, catalog, out, dot)
    if json_output:
        print_json(
            {"ok": True, "report": result.report.to_json(), "written": [str(p) for p in written]}
        )
        return
    _emit_report(result.report, report_format, report, report_out)
    for p in written:
        stdout_console().print(f"wrote {p}")
