"""``flows spec ...`` and ``flows template ...`` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.options import JsonFlag
from flows.cli.output import emit_text, handles_errors, print_json, stdout_console

spec_app = typer.Typer(help="Validate, describe and compare connector specs.", no_args_is_help=True)
template_app = typer.Typer(help="Write commented starting files.", no_args_is_help=True)


@spec_app.command("validate")
@handles_errors
def validate(
    files: Annotated[list[Path], typer.Argument(help="Spec files to validate.")],
    json_output: JsonFlag = False,
) -> None:
    """Validate spec files; report every problem as file:line:col: field: message."""
    from connector_spec.validate import validate_files

    report = validate_files(files)
    if json_output:
        print_json(report.to_json())
    else:
        console = stdout_console()
        for result in report.results:
            if result.ok:
                console.print(f"[green]ok[/]    {result.path}  ({result.summary})")
            else:
                from rich.markup import escape

                console.print(f"[red]error[/] {escape(result.error_text)}")
    if not report.ok:
        raise typer.Exit(report.exit_code)


@spec_app.command("schema")
@handles_errors
def schema(
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Print the JSON Schema of ConnectorSpec v1 (for editors and other tools)."""
    from connector_spec.schema_export import schema_text, write_schema

    emit_text(schema_text(), out, json_output=json_output, write=write_schema)


@spec_app.command("diff")
@handles_errors
def diff(
    old: Annotated[Path, typer.Argument(help="The published (old) spec.")],
    new: Annotated[Path, typer.Argument(help="The proposed (new) spec.")],
    json_output: JsonFlag = False,
) -> None:
    """Classify every change as breaking / additive / patch and name the semver bump it needs."""
    from connector_spec.diff import diff_files

    result = diff_files(old, new)
    if json_output:
        print_json(result.to_json())
        if result.version_problem:
            raise typer.Exit(1)
        return
    from rich.table import Table

    console = stdout_console()
    table = Table(title=f"{old} → {new}")
    table.add_column("kind")
    table.add_column("where")
    table.add_column("change")
    colours = {"breaking": "red", "additive": "yellow", "patch": "cyan"}
    for change in result.changes:
        table.add_row(f"[{colours[change.kind]}]{change.kind}[/]", change.where, change.message)
    if result.changes:
        console.print(table)
    else:
        console.print("no changes")
    console.print(
        f"minimum bump: [bold]{result.required_bump}[/] "
        f"({result.old_version} → at least {result.minimum_next_version})"
    )
    if result.version_problem:
        console.print(f"[red]{result.version_problem}[/]")
        raise typer.Exit(1)


@template_app.command("connector")
@handles_errors
def template_connector(
    name: Annotated[str, typer.Argument(help="Provider name (a slug such as acme or acme-crm).")],
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Print (or write) a commented starting spec for a new provider."""
    from connector_spec.template import render_template, write_template

    text = render_template(name)
    emit_text(
        text,
        out,
        json_output=json_output,
        write=lambda path: write_template(name, path),
        stdout_json={"ok": True, "name": name, "text": text},
        next_step=f"; next: flows spec validate {out}",
    )
