"""``flows farm``: certify, gate, sign and publish every complete harvested spec.

Three modes: local (``--specs DIR``: parallel worker processes, then one merge), a CI shard
(``--shard I/N --specs DIR --out OUT``: prepare and stage, never sign) and the CI merge
(``--merge OUT...``: check the staged outputs, sign, commit).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from flows.cli.options import JsonFlag, KeyDirOpt, KeylessFlag, PackOpt
from flows.cli.output import handles_errors, print_json, stdout_console


@handles_errors
def farm_command(
    specs: Annotated[
        Path | None,
        typer.Option("--specs", help="Harvested specs: DIR/<provider>/connector.yaml."),
    ] = None,
    shard: Annotated[
        str | None,
        typer.Option("--shard", help="Prepare only shard I of N (CI); needs --out; no signing."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Where --shard stages its publications (replaced as a whole)."),
    ] = None,
    merge: Annotated[
        list[Path] | None,
        typer.Option(
            "--merge", help="Shard output (or a directory of them) to commit; repeatable."
        ),
    ] = None,
    registry: Annotated[
        str | None,
        typer.Option(
            "--registry",
            help="Registry PATH; default $FLOWS_REGISTRY or .flows/registry. --shard only "
            "reads it (to pick versions).",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", help="Worker processes preparing specs; default the CPU count."),
    ] = None,
    pack: PackOpt = None,
    key_dir: KeyDirOpt = None,
    keyless: KeylessFlag = False,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Also write the report to FILE (.md or .json)."),
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Certify, gate, sign and publish every complete harvested spec (incomplete ones are
    reported, never published): exit 0 when each is published or unchanged, 1 when one was
    refused or failed, 2 on bad input."""
    from flows.farm import farm_local, farm_merge, farm_shard, parse_shard
    from flows.farm.errors import FarmInputError
    from flows.report_file import report_format, write_report_file

    def refuse(message: str) -> FarmInputError:
        return FarmInputError(message, hint="see `flows farm --help`")

    if shard is not None and merge:
        raise refuse("--shard prepares and --merge commits: give one of them")
    if report is not None:
        report_format(report)
    progress = _progress(quiet=json_output)
    notice = _notice()
    if merge:
        extra = [n for n, v in (("--specs", specs), ("--out", out), ("--jobs", jobs)) if v]
        if pack:
            extra.append("--pack")
        if extra:
            raise refuse(f"--merge commits staged shard outputs; {', '.join(extra)} do not apply")
        with progress:
            result = farm_merge(
                merge,
                registry=registry,
                key_dir=key_dir,
                keyless=keyless,
                notice=notice,
                progress=progress,
            )
    elif shard is not None:
        chosen = parse_shard(shard)
        if specs is None or out is None:
            raise refuse("--shard needs --specs DIR and --out DIR")
        if keyless or key_dir is not None:
            raise refuse("shards never sign: --keyless and --key-dir belong to --merge")
        from flows.publish import registry_root

        with progress:
            result = farm_shard(
                specs,
                chosen,
                out,
                registry=registry_root(registry),
                packs=pack or (),
                jobs=jobs,
                progress=progress,
            )
    else:
        if specs is None:
            raise refuse("give --specs DIR (local run), --shard I/N, or --merge DIR")
        if out is not None:
            raise refuse("--out is where a --shard stages; a local run publishes directly")
        with progress:
            result = farm_local(
                specs,
                registry=registry,
                jobs=jobs,
                packs=pack or (),
                key_dir=key_dir,
                keyless=keyless,
                notice=notice,
                progress=progress,
            )
    if report is not None:
        write_report_file(report, result)
    if json_output:
        print_json(result.to_json())
    else:
        _print_summary(result)
    raise typer.Exit(result.exit_code)


def _notice() -> Any:
    from flows.cli.output import stderr_console

    console = stderr_console()

    def notice(message: str) -> None:
        from rich.markup import escape

        console.print(f"[yellow]notice:[/] {escape(message)}")

    return notice


_COLOURS = {
    "published": "green",
    "staged": "green",
    "unchanged": "cyan",
    "incomplete": "yellow",
    "refused": "red",
    "error": "red",
}


def _progress(*, quiet: bool = False) -> Any:
    """Rich progress bars on stderr when it is a terminal; nothing when it is not, nor with
    ``quiet`` (``--json``): the summary on stdout names every spec's outcome."""
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bars

    from flows.cli.output import stderr_console

    console = stderr_console()

    class Progress:
        def __init__(self) -> None:
            self.bars: Any = None
            self.task: Any = None
            self.name = ""

        def __enter__(self) -> Progress:
            if console.is_terminal and not quiet:
                self.bars = Bars(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    console=console,
                )
                self.bars.start()
            return self

        def __exit__(self, *exc: object) -> None:
            if self.bars is not None:
                self.bars.stop()

        def phase(self, name: str, total: int) -> None:
            self.name = name
            if self.bars is not None and total:
                self.task = self.bars.add_task(f"{name:8}", total=total)

        def done(self, outcome: Any) -> None:
            colour = _COLOURS.get(outcome.status, "white")
            if self.bars is not None and self.task is not None:
                self.bars.update(
                    self.task,
                    advance=1,
                    description=f"{self.name:8} [{colour}]{escape(outcome.label)}[/]",
                )

    return Progress()


def _print_summary(result: Any) -> None:
    from rich.markup import escape
    from rich.table import Table

    console = stdout_console()
    rows = [o for o in result.outcomes if o.status not in ("incomplete", "unchanged")]
    if rows:
        table = Table(title="farmed specs")
        for column in ("spec", "status", "version", "level", "n8n operations", "notes"):
            table.add_column(column)
        for o in rows:
            colour = _COLOURS.get(o.status, "white")
            notes = o.message if o.status in ("refused", "error") else o.version_note
            table.add_row(
                escape(o.name or o.key),
                f"[{colour}]{o.status}[/]" + (f" ({o.refused_by})" if o.refused_by else ""),
                escape(o.version or "-"),
                o.level or "-",
                escape(o.coverage_text.split(" (")[0]),  # kept/total; details in --report
                escape((notes or "-").splitlines()[0][:160]),
            )
        console.print(table)
    grouped = result.incomplete_by_reason()
    if grouped:
        from flows.harvest.report import REASONS

        reasons = Table(title="incomplete specs (not published), by reason")
        reasons.add_column("reason")
        reasons.add_column("specs", justify="right")
        reasons.add_column("meaning")
        for code, count in grouped.items():
            reasons.add_row(code, str(count), escape(REASONS.get(code, code)))
        console.print(reasons)
    counts = result.counts()
    parts = [f"[{_COLOURS[s]}]{n} {s}[/]" for s, n in counts.items() if n]
    console.print(
        f"farm ({result.mode}"
        + (f" {result.shard}" if result.shard else "")
        + f"): {', '.join(parts) or 'no specs'} in {result.seconds:.1f}s"
        + (f" with {result.jobs} jobs" if result.jobs else "")
    )
    if result.registry:
        console.print(f"  registry  {escape(result.registry)}")
