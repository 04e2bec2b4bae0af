"""The conversion report: per operation kept / lossy / lost, with every loss and its place."""

from __future__ import annotations

from typing import Any

from connector_spec.openapi.convert import Conversion


def conversion_json(conversion: Conversion) -> dict[str, Any]:
    """The whole report as JSON-ready data."""
    statuses = {"kept": 0, "lossy": 0, "lost": 0}
    for result in conversion.results:
        statuses[result.status] += 1
    return {
        "source": conversion.source,
        "sha256": conversion.sha256,
        "openapi": conversion.openapi_version,
        "api_version": conversion.api_version,
        "title": conversion.title,
        "provider": conversion.provider,
        "specs": [
            {"name": s.name, "operations": s.operations, "resources": s.resources}
            for s in conversion.specs
        ],
        "totals": {
            "operations": conversion.total,
            "unselected": conversion.unselected,
            **statuses,
            "lost_by_reason": conversion.lost_by_reason(),
            "losses_by_code": conversion.losses_by_code(),
        },
        "provider_losses": [loss.to_json() for loss in conversion.provider_losses],
        "warnings": [loss.to_json() for loss in conversion.warnings],
        "schema_keywords_dropped": conversion.keywords.to_json(),
        "operations": [result.to_json() for result in conversion.results],
    }


def conversion_summary(conversion: Conversion) -> str:
    """One line: ``stripe-com: 448 of 452 operations kept (210 lossy), 4 lost (...)``."""
    lossy = sum(1 for r in conversion.results if r.status == "lossy")
    lost = conversion.total - conversion.kept
    text = (
        f"{conversion.provider}: {conversion.kept} of {conversion.total} operations kept "
        f"({lossy} lossy), {lost} lost"
    )
    reasons = conversion.lost_by_reason()
    if reasons:
        text += " (" + ", ".join(f"{code} {count}" for code, count in reasons.items()) + ")"
    if conversion.specs:
        text += f"; {len(conversion.specs)} spec{'s' if len(conversion.specs) != 1 else ''}"
    else:
        text += "; no spec: " + (
            "; ".join(loss.detail for loss in conversion.provider_losses) or "no operation kept"
        )
    return text


def conversion_markdown(conversion: Conversion) -> str:
    """The report as Markdown: summary, provider-level notes, schema keywords, operations."""
    lines = [
        f"# OpenAPI import: {conversion.title}",
        "",
        f"- source: `{conversion.source}` (OpenAPI {conversion.openapi_version}, "
        f"API version {conversion.api_version or '?'}, sha256 `{conversion.sha256[:16]}…`)",
        f"- {conversion_summary(conversion)}",
    ]
    if conversion.unselected:
        lines.append(f"- {conversion.unselected} operations not selected")
    for spec in conversion.specs:
        lines.append(f"- spec `{spec.name}`: {spec.operations} operations")
    for title, items in (
        ("Provider-level losses", conversion.provider_losses),
        ("Warnings", conversion.warnings),
    ):
        if items:
            lines += ["", f"## {title}", ""]
            lines += [f"- `{i.code}`: {_cell(i.detail)} (`{i.pointer}`)" for i in items]
    keywords = conversion.keywords.to_json()
    if keywords:
        lines += ["", "## Schema keywords the spec cannot carry (dropped)", ""]
        lines += ["| keyword | places | first at |", "| --- | --- | --- |"]
        lines += [
            f"| `{key}` | {value['count']} | `{_cell(value['first'])}` |"
            for key, value in keywords.items()
        ]
    lines += [
        "",
        "## Operations",
        "",
        "| operation | status | id | details |",
        "| --- | --- | --- | --- |",
    ]
    for result in conversion.results:
        details = [f"lost: {r.code}: {r.detail}" for r in result.reasons]
        details += [f"{loss.code}: {loss.detail}" for loss in result.losses]
        if result.pagination_evidence and result.operation is not None:
            details.append(f"pagination: {result.pagination_evidence}")
        lines.append(
            f"| `{result.key}` | {result.status} | "
            f"{result.id if result.operation is not None else ''} | "
            f"{_cell('; '.join(details))} |"
        )
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
