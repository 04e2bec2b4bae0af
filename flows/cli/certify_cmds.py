"""``flows certify connector``: contract replay, matrix, determinism, policy gate, evidence."""

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
    pack: Annotated[
        list[Path] | None,
        typer.Option(
            "--pack",
            help="An extra policy pack (directory or file) for the policy gate; repeatable.",
        ),
    ] = None,
    openapi: Annotated[
        Path | None,
        typer.Option(
            "--openapi",
            help="The provider's OpenAPI description to check the spec against "
            "(default: the spec's provider.openapi).",
        ),
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Certify a connector and gate it with the policy packs (recorded in the evidence).

    Exit 0 when every check and every error-severity rule passed, 1 when one failed, 2 on
    bad input. The evidence is written when every check passed, whatever the policy outcome
    (it records the gate's result); a failed check writes none."""
    from certify import default_out_dir
    from flows.gate import certify_and_gate

    target = out if out is not None else default_out_dir(spec)
    if json_output:
        gated = certify_and_gate(spec, only=only, out=target, packs=pack or [], openapi=openapi)
        print_json(gated.to_json())
    else:
        gated = _with_progress(spec, only, target, pack or [], openapi)
        _print_table(gated.certification)
        _print_policy(gated)
    if not gated.passed:
        raise typer.Exit(1)


def _with_progress(
    spec: Path, only: list[str] | None, target: Path, packs: list[Path], openapi: Path | None
) -> Any:
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

    from flows.cli.output import stderr_console
    from flows.gate import certify_and_gate

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

        return certify_and_gate(
            spec, only=only, out=target, packs=packs, progress=step, openapi=openapi
        )


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
    if result.synthesized:
        made = ", ".join(f"{v.name}={v.value}" for v in result.synthesized)
        console.print(
            f"note: server variables without a default were certified with made-up values "
            f"({escape(made)}); recorded in the evidence"
        )


def _print_policy(gated: Any) -> None:
    from rich.markup import escape

    console = stdout_console()
    result, report = gated.certification, gated.policy
    if report is None:
        console.print("policy gate not applied: --only runs part of the checks and earns no level")
        _print_written(result)
        return
    counts = report.counts()
    verdict = "[green]passed[/]" if report.passed else "[red]failed[/]"
    console.print(
        f"policy gate {verdict}: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['waived']} waived, {counts['not_applicable']} not applicable "
        f"({', '.join(p['name'] for p in report.packs)})"
    )
    for rule in report.failures():
        label = "[red]FAILED[/]" if rule.severity == "error" else "[yellow]warning[/]"
        console.print(
            f"{label} {escape(rule.rule)} ({escape(rule.subject)}): {escape(rule.message)}"
        )
        if rule.hint:
            console.print(f"  hint: {escape(rule.hint)}")
    _print_written(result)
    if result.passed and not report.passed:
        console.print(
            "the evidence records the failed policy gate; `flows publish` refuses this version "
            "until each failed rule is fixed or waived (the hints above say how; a waiver is "
            "'waivers: [{rule: ID, reason: ...}]' in the spec)"
        )


def _print_written(result: Any) -> None:
    console = stdout_console()
    for path in result.written:
        console.print(f"wrote {path}")
    if not result.passed:
        console.print("no evidence written: a failed certification leaves earlier evidence as is")
