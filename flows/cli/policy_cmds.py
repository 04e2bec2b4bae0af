"""``flows policy ...`` commands: check a connector against policy packs, list rules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.options import JsonFlag
from flows.cli.output import handles_errors, print_json, stdout_console

policy_app = typer.Typer(
    help="Check connectors against policy packs (CEL rules).", no_args_is_help=True
)

PackOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--pack",
        help="An extra policy pack directory (or file); repeatable. The default pack and the "
        "organisation packs ($FLOWS_POLICY_DIR, else .flows/policies/) always apply.",
    ),
]
_STATUS_STYLE = {
    "passed": "[green]pass  [/]",
    "failed": "[red]FAIL  [/]",
    "waived": "[yellow]waived[/]",
    "not_applicable": "[dim]n/a   [/]",
}


@policy_app.command("check")
@handles_errors
def check(
    spec: Annotated[Path, typer.Argument(help="The connector spec (connector.yaml).")],
    pack: PackOption = None,
    evidence: Annotated[
        Path | None,
        typer.Option(
            help="Certification evidence (in-toto statement or DSSE envelope JSON); default "
            "the statement `flows certify connector` wrote "
            "(.flows/evidence/<provider>-<version>/statement.json) when it exists."
        ),
    ] = None,
    manifest: Annotated[
        Path | None,
        typer.Option(help="Generated manifest.json (default: flows_<provider>/ next to SPEC)."),
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Evaluate the default pack, the organisation packs and any --pack over SPEC.

    Exit 1 if an error-severity rule fails, 2 on bad input (including a broken pack)."""
    from connector_spec import load_spec
    from policies import evaluate

    loaded = load_spec(spec)
    found_evidence = None
    if evidence is None:  # what `flows certify connector` wrote, when it exists
        from certify import default_out_dir
        from certify.evidence import STATEMENT_FILE

        candidate = default_out_dir(loaded.path) / STATEMENT_FILE
        if candidate.is_file():
            evidence = found_evidence = candidate
    report = evaluate(loaded, manifest=manifest, evidence=evidence, packs=pack or [])
    if json_output:
        print_json(report.to_json())
    else:
        from rich.markup import escape

        console = stdout_console()
        console.print(f"policy check of [bold]{escape(str(spec))}[/]")
        for applied in report.packs:
            console.print(
                f"[dim]pack[/] {escape(applied['name'])} {escape(applied['version'])}  "
                f"[dim]{escape(applied['file'])} ({escape(applied['source'])})[/]"
            )
        if found_evidence is not None:
            console.print(
                f"[dim]evidence[/] {escape(str(found_evidence))}  [dim](written by `flows certify "
                "connector`; pass --evidence FILE to use another)[/]"
            )
        for result in report.results:
            severity = "" if result.severity == "error" else f" [dim]({result.severity})[/]"
            console.print(
                f"{_STATUS_STYLE[result.status]} {escape(result.rule)}{severity}  "
                f"[dim]{escape(result.subject)}[/]: {escape(result.message)}"
            )
        for result in report.failures():
            if result.hint:
                console.print(f"[bold]{escape(result.rule)}[/]: {escape(result.hint)}")
        for rule in report.unused_waivers:
            console.print(f"[yellow]note:[/] the spec waives {escape(rule)}, which no pack defines")
        counts = report.counts()
        verdict = "[green]passed[/]" if report.passed else "[red]failed[/]"
        console.print(
            f"{verdict}: {counts['passed']} passed, {counts['failed']} failed, "
            f"{counts['waived']} waived, {counts['not_applicable']} not applicable "
            f"({', '.join(p['name'] for p in report.packs)})"
        )
    if not report.passed:
        raise typer.Exit(report.exit_code)


@policy_app.command("rules")
@handles_errors
def rules(
    pack: PackOption = None,
    json_output: JsonFlag = False,
) -> None:
    """List the rules of the default pack, the organisation packs and any --pack (and check that
    the packs load)."""
    from policies import applicable_packs

    applied = applicable_packs(pack or [])
    packs = [p for p, _ in applied]
    sources = {p.name: source for p, source in applied}
    if json_output:
        print_json(
            {
                "ok": True,
                "packs": [
                    {
                        **p.info(),
                        "file": p.file,
                        "source": sources[p.name],
                        "rules": [
                            {
                                "id": r.id,
                                "severity": r.severity,
                                "applies_to": r.applies_to,
                                "requires": sorted(r.requires),
                                "description": r.description,
                            }
                            for r in p.rules
                        ],
                    }
                    for p in packs
                ],
            }
        )
        return
    from rich.markup import escape

    console = stdout_console()
    for p in packs:
        console.print(
            f"[bold]{escape(p.name)}[/] {escape(p.version)} ({escape(p.file)}, "
            f"{escape(sources[p.name])}, {len(p.rules)} rules)"
        )
        for r in p.rules:
            console.print(
                f"  {escape(r.id)}  [dim]{r.severity}, {r.applies_to}[/]  {escape(r.description)}"
            )
