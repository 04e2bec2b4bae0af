"""Options shared by several commands, defined once so that their names and help agree."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.output import JSON_OPTION_HELP

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]
PackOpt = Annotated[
    list[Path] | None,
    typer.Option("--pack", help="Extra policy pack (file or directory); repeatable."),
]
KeyDirOpt = Annotated[
    Path | None,
    typer.Option("--key-dir", help="Signing key directory; default $FLOWS_KEY_DIR or .flows/keys."),
]
KeylessFlag = Annotated[
    bool,
    typer.Option("--keyless", help="Sign statements with sigstore (ambient OIDC identity, CI)."),
]
