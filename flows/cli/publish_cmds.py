"""``flows publish connector``: validate, generate, certify, gate, sign and publish one spec
(or every spec of a directory)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.options import JsonFlag, KeyDirOpt, KeylessFlag, PackOpt
from flows.cli.output import handles_errors, print_json, stdout_console

publish_app = typer.Typer(
    help="Publish certified connectors into a signed registry.", no_args_is_help=True
)


@publish_app.command("connector")
@handles_errors
def connector(
    spec: Annotated[
        Path,
        typer.Argument(
            help="The connector spec to publish, or a directory of connectors "
            "(<dir>/<name>/connector.yaml: all of them, or none when one is refused)."
        ),
    ],
    registry: Annotated[
        str | None,
        typer.Option(
            "--registry", help="Registry PATH; default $FLOWS_REGISTRY or .flows/registry."
        ),
    ] = None,
    pack: PackOpt = None,
    key_dir: KeyDirOpt = None,
    keyless: KeylessFlag = False,
    json_output: JsonFlag = False,
) -> None:
    """Publish SPEC (a file, or every connector of a directory): exit 0 when published or
    already identical, 1 when a check refused it, 2 on bad input (including a conflicting
    version)."""
    from flows.cli.output import stderr_console
    from flows.publish import publish_connector
    from flows.publish_many import publish_directory

    console = stderr_console()

    def notice(message: str) -> None:
        console.print(f"[yellow]notice:[/] {message}")

    if spec.is_dir():
        outcomes = publish_directory(
            spec,
            registry=registry,
            packs=pack or (),
            key_dir=key_dir,
            keyless=keyless,
            notice=notice,
        )
        if json_output:
            print_json({"ok": True, "connectors": [o.to_json() for o in outcomes]})
            return
    else:
        outcome = publish_connector(
            spec,
            registry=registry,
            packs=pack or (),
            key_dir=key_dir,
            keyless=keyless,
            notice=notice,
        )
        if json_output:
            print_json(outcome.to_json())
            return
        outcomes = [outcome]
    out = stdout_console()
    for outcome in outcomes:
        label = f"{outcome.name}@{outcome.version}"
        if outcome.status == "unchanged":
            out.print(f"[green]unchanged[/] {label} is already published with identical content")
        else:
            out.print(
                f"[green]published[/] {label} (level [bold]{outcome.level}[/]) "
                f"in {outcome.seconds:.2f}s"
            )
        out.print(f"  registry  {outcome.registry}")
        out.print(f"  digest    {outcome.digest}")
        out.print(f"  files     {', '.join(outcome.files)}")
