"""``flows record ...``: record contract fixtures and refresh their digests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from flows.cli.options import JsonFlag
from flows.cli.output import handles_errors, print_json, stdout_console

record_app = typer.Typer(help="Record contract fixtures for certification.", no_args_is_help=True)


@record_app.command("connector")
@handles_errors
def connector(
    spec: Annotated[Path, typer.Argument(help="The connector spec.")],
    operation: Annotated[str, typer.Argument(help="The operation id to call.")],
    live: Annotated[
        bool, typer.Option("--live", help="Really call the provider (use its sandbox).")
    ] = False,
    call: Annotated[
        str, typer.Option("--call", help="Keyword arguments of the call as a JSON object.")
    ] = "{}",
    scenario: Annotated[str, typer.Option(help="Fixture name ([a-z0-9_]+).")] = "happy_path",
    environment: Annotated[
        str | None, typer.Option(help="One of the spec's environments (e.g. sandbox).")
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Call OPERATION once against the provider and write fixtures/<op>/<scenario>.yaml."""
    from certify.errors import CertifyInputError
    from certify.record import record_fixture

    try:
        arguments = json.loads(call)
    except ValueError as exc:
        raise CertifyInputError(f"--call is not valid JSON: {exc}") from None
    if not isinstance(arguments, dict):
        raise CertifyInputError("--call must be a JSON object of keyword arguments")
    result = record_fixture(
        spec, operation, call=arguments, scenario=scenario, live=live, environment=environment
    )
    if json_output:
        print_json(result.to_json())
    else:
        stdout_console().print(f"wrote {result.path} ({result.source})")


@record_app.command("rehash")
@handles_errors
def rehash(
    fixtures: Annotated[
        Path, typer.Argument(help="A fixtures directory (connectors/<p>/fixtures).")
    ],
    json_output: JsonFlag = False,
) -> None:
    """Recompute the digest of every fixture after an intended hand edit."""
    from certify.fixtures import rehash as rehash_fixtures

    changed = rehash_fixtures(fixtures)
    if json_output:
        print_json({"ok": True, "changed": [str(p) for p in changed]})
    else:
        stdout_console().print(f"updated {len(changed)} fixture digest(s)")
