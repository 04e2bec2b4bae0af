"""``flows graph ...``: check, draw and describe Flow IR files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.options import JsonFlag
from flows.cli.output import emit_text, handles_errors, print_json, stdout_console

graph_app = typer.Typer(help="Check, draw and describe Flow IR files.", no_args_is_help=True)

ConnectorsOpt = Annotated[
    Path | None,
    typer.Option(
        "--connectors",
        help="Directory of <provider>/connector.yaml specs (default: ./connectors when present, "
        "else the local registry's latest specs).",
    ),
]


@graph_app.command("check")
@handles_errors
def check(
    flow_file: Annotated[Path, typer.Argument(help="A Flow IR JSON file.")],
    connectors: ConnectorsOpt = None,
    json_output: JsonFlag = False,
) -> None:
    """Check a flow: edges resolve, AI slots hold what they take, no cycle that cannot end,
    connector operations exist at a compatible version, required inputs are bound. Exit 1 when
    an error is found (cycles that can end are reported as information)."""
    from flows.ir.catalog import catalog_warning, resolve_catalog
    from flows.ir.check import Finding, check_flow, load_flow

    flow = load_flow(flow_file)
    catalog = resolve_catalog(connectors)
    findings = check_flow(flow, catalog)
    warning = catalog_warning(catalog)
    if warning is not None:
        findings.insert(0, Finding("warning", "no-catalog", warning))
    errors = [f for f in findings if f.severity == "error"]
    if json_output:
        print_json(
            {"ok": not errors, "file": str(flow_file), "findings": [f.to_json() for f in findings]}
        )
    else:
        from rich.markup import escape

        console = stdout_console()
        for f in findings:
            colour = {"error": "red", "warning": "yellow"}.get(f.severity, "blue")
            where = f" [{escape(f.node)}]" if f.node else ""
            hint = f" (hint: {escape(f.hint)})" if f.hint else ""
            console.print(f"[{colour}]{f.severity}[/] {f.code}{where}: {escape(f.message)}{hint}")
        status = "[red]failed[/]" if errors else "[green]ok[/]"
        console.print(
            f"{status} {escape(str(flow_file))}: {len(flow.nodes)} nodes, {len(flow.edges)} edges, "
            f"{len(errors)} errors, {sum(f.severity == 'warning' for f in findings)} warnings"
        )
    if errors:
        raise typer.Exit(1)


@graph_app.command("schema")
@handles_errors
def schema(
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Print the JSON Schema of Flow IR v1."""
    from flows.ir.files import write_all_atomic
    from flows.ir.schema import schema_text

    text = schema_text()
    emit_text(text, out, json_output=json_output, write=lambda path: write_all_atomic({path: text}))


@graph_app.command("dot")
@handles_errors
def dot(
    flow_file: Annotated[Path, typer.Argument(help="A Flow IR JSON file.")],
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Print (or write) a flow as a Graphviz DOT graph."""
    from flows.ir.check import load_flow
    from flows.ir.dot import to_dot
    from flows.ir.files import write_all_atomic

    text = to_dot(load_flow(flow_file))
    emit_text(
        text,
        out,
        json_output=json_output,
        write=lambda path: write_all_atomic({path: text}),
        stdout_json={"ok": True, "dot": text},
    )
