"""The typer application: every command group, registered without importing the libraries."""

from __future__ import annotations

import typer

from flows import __version__
from flows.cli.generate_cmds import generate_app
from flows.cli.spec_cmds import spec_app, template_app

app = typer.Typer(
    name="flows",
    help="Turn API connector specs into certified, signed, reusable connectors.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(spec_app, name="spec")
app.add_typer(template_app, name="template")
app.add_typer(generate_app, name="generate")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"flows {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Turn API connector specs into certified, signed, reusable connectors."""
