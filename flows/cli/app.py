"""The typer application: every command group, registered without importing the libraries."""

from __future__ import annotations

import typer

from flows import __version__
from flows.cli.certify_cmds import certify_app
from flows.cli.farm_cmds import farm_command
from flows.cli.generate_cmds import generate_app
from flows.cli.graph_cmds import graph_app
from flows.cli.harvest_cmds import harvest_app
from flows.cli.import_cmds import import_app
from flows.cli.index_cmds import register_index_commands
from flows.cli.mcp_cmds import mcp_command
from flows.cli.policy_cmds import policy_app
from flows.cli.publish_cmds import publish_app
from flows.cli.record_cmds import record_app
from flows.cli.registry_cmds import registry_app
from flows.cli.spec_cmds import spec_app, template_app

app = typer.Typer(
    name="flows",
    help="Turn API connector specs into certified, signed, reusable connectors.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)
app.add_typer(publish_app, name="publish")
app.add_typer(spec_app, name="spec")
app.add_typer(template_app, name="template")
app.add_typer(generate_app, name="generate")
app.add_typer(policy_app, name="policy")
app.add_typer(harvest_app, name="harvest")
register_index_commands(registry_app)
app.add_typer(registry_app, name="registry")
app.add_typer(import_app, name="import")
app.add_typer(graph_app, name="graph")
app.add_typer(certify_app, name="certify")
app.add_typer(record_app, name="record")
app.command("mcp", short_help="Serve the toolchain as MCP tools over stdio.")(mcp_command)
app.command("farm", short_help="Certify, gate, sign and publish every complete harvested spec.")(
    farm_command
)


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
