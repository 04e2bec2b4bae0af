"""``flows generate connector``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.output import JSON_OPTION_HELP, handles_errors, print_json, stdout_console

generate_app = typer.Typer(help="Generate code from specs.", no_args_is_help=True)


@generate_app.command("connector")
@handles_errors
def generate_connector(
    spec: Annotated[Path, typer.Argument(help="The connector spec (connector.yaml).")],
    out: Annotated[
        Path | None,
        typer.Option(help="Output directory (default: the directory holding the spec)."),
    ] = None,
    check: Annotated[
        bool, typer.Option(help="Write nothing; exit 1 if the output on disk is stale.")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Generate a typed, self-contained client package from a spec."""
    from connector_spec.codegen import generate_to_directory

    result = generate_to_directory(spec, out, check=check)
    if json_output:
        print_json(result.to_json())
    else:
        console = stdout_console()
        if check:
            state = "up to date" if result.up_to_date else "[red]stale[/]"
            console.print(f"{result.out_dir}: {state}")
            for name in result.changed:
                console.print(f"  differs: {name}")
        else:
            console.print(
                f"generated [bold]{result.package}[/] in {result.out_dir} "
                f"({len(result.files)} files, {len(result.changed)} changed) "
                f"in {result.seconds * 1000:.0f} ms"
            )
    if check and not result.up_to_date:
        raise typer.Exit(1)
