"""``flows certify connector``: contract replay, matrix, determinism and evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from flows.cli.output import JSON_OPTION_HELP, handles_errors, print_json, stdout_console

certify_app = typer.Typer(help="Certify generated connectors offline.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]


@certify_app.command("connector")
@handles_errors
def connector(
    spec: Annotated[
        Path, typer.Argument(help="The connector spec (connectors/<p>/connector.yaml).")
    ],
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Run only these checks: an id, a prefix or a glob."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Evidence directory (default .flows/evidence/<provider>-<version>/)."),
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Certify a connector: exit 0 when every check passed, 1 when one failed, 2 on bad input."""
    from certify import certify_connector, default_out_dir

    target = out if out is not None else default_out_dir(spec)
    if json_output:
        result = certify_connector(spec, only=only, out=target)
        print_json(result.to_json())
    else:
        result = _with_progress(spec, only, target)
        _print_table(result)
    if not result.passed:
        raise typer.Exit(1)


def _with_progress(spec: Path, only: list[str] | None, target: Path) -> Any:
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

    from certify import certify_connector
    from flows.cli.output import stderr_console

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} checks"),
        console=stderr_console(),
        transient=True,
    ) as progress:
        task = progress.add_task(f"certifying {spec}", total=None)

        def step(check: Any) -> None:
            progress.update(task, advance=1, description=f"{check.id} {check.operation or ''}")

        return certify_connector(spec, only=only, out=target, progress=step)


def _print_table(result: Any) -> None:
    from rich.markup import escape
    from rich.table import Table

    console = stdout_console()
    colours = {"passed": "green", "failed": "red", "skipped": "yellow"}
    table = Table(title=f"{result.provider} {result.version}")
    table.add_column("check")
    table.add_column("operation")
    table.add_column("status")
    table.add_column("ms", justify="right")
    table.add_column("message")
    for check in result.checks:
        colour = colours[check.status]
        table.add_row(
            check.id,
            check.operation or "-",
            f"[{colour}]{check.status}[/]",
            f"{check.duration_ms:.1f}",
            escape(check.message),
        )
    console.print(table)
    for check in result.failed:
        console.print(
            f"[red]FAILED[/] {check.id} ({check.operation or 'connector'}): {escape(check.message)}"
        )
    summary = result.statement["predicate"]["summary"]
    console.print(
        f"level [bold]{result.level}[/]: {summary['passed']} passed, {summary['failed']} "
        f"failed, {summary['skipped']} skipped; {result.scenarios} scenarios in "
        f"{result.seconds:.2f} s"
    )
    for path in result.written:
        console.print(f"wrote {path}")
    if not result.passed:
        console.print("no evidence written: a failed certification leaves earlier evidence as is")
