"""``flows registry lock`` and ``flows registry site``: pip pins and the catalog site."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.options import JsonFlag
from flows.cli.output import emit_text, handles_errors, print_json, stdout_console
from flows.cli.progress import progress_callback
from flows.cli.registry_cmds import RegistryOpt, TrustDirOpt, _location, _reader


def lock(
    refs: Annotated[list[str], typer.Argument(help="NAME or NAME@VERSION (default: newest).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the requirements file here.")
    ] = None,
    registry: RegistryOpt = None,
    trust_dir: TrustDirOpt = None,
    json_output: JsonFlag = False,
) -> None:
    """Verify connectors and pin their wheels by hash in a pip requirements file."""
    from registry.lock import lock as run_lock
    from registry.lock import render_lock, write_lock

    location = _location(registry)
    pins = run_lock(_reader(registry, trust_dir), refs)
    text = render_lock(pins, location)
    emit_text(
        text,
        out,
        json_output=json_output,
        write=lambda path: write_lock(text, path),
        stdout_json={"ok": True, "lock": text, "pins": [p.__dict__ for p in pins]},
        next_step=f"; install with: pip install --require-hashes --no-deps -r {out}",
    )


def site(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the site into.")],
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="The registry's public URL, used in links and commands."),
    ] = None,
    graphs: Annotated[
        bool, typer.Option("--graphs/--no-graphs", help="Render graphs with Graphviz if present.")
    ] = True,
    registry: RegistryOpt = None,
    trust_dir: TrustDirOpt = None,
    json_output: JsonFlag = False,
) -> None:
    """Verify the registry and write its static catalog site into DIR."""
    from registry.site.generate import write_site

    with progress_callback("site", enabled=not json_output) as progress:
        result = write_site(
            _reader(registry, trust_dir),
            _location(registry),
            out,
            base_url=base_url,
            graphs=graphs,
            progress=progress,
        )
    if json_output:
        print_json(result.to_json())
        return
    stdout_console().print(
        f"wrote {result.files} files for {result.connectors} connectors "
        f"({result.versions} versions) into {out}; open {out / 'index.html'}"
    )


def register_index_commands(app: typer.Typer) -> None:
    """Add ``lock`` and ``site`` to the ``flows registry`` group."""
    app.command("lock")(handles_errors(lock))
    app.command("site")(handles_errors(site))
