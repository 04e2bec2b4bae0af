"""The lossy-conversion report: per node, coverage, credentials, findings, one-line summary."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flows.ir.check import Finding

STATUSES = ("mapped", "built-in", "lossy", "unsupported")


@dataclass
class NodeReport:
    """How one n8n node was translated."""

    name: str
    n8n_type: str
    kind: str
    status: str
    lost: list[str] = field(default_factory=list)
    suggestion: str | None = None
    reason: str | None = None
    subgraph: list[str] = field(default_factory=list)
    connector: str | None = None  # provider@version the node maps onto
    operation: str | None = None
    level: str | None = None  # that version's certification level (registry catalogs)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "name": self.name,
            "n8n_type": self.n8n_type,
            "kind": self.kind,
            "status": self.status,
            "connector": self.connector,
            "operation": self.operation,
            "level": self.level,
            "lost": self.lost,
            "suggestion": self.suggestion,
            "reason": self.reason,
            "subgraph": self.subgraph,
        }

    def mapping(self) -> str:
        """``onto stripe@1.2.0 create_charge (certified)``, or "" when not mapped."""
        if not self.connector:
            return ""
        level = f" ({self.level})" if self.level else ""
        return f"onto {self.connector} {self.operation}{level}"

    def detail(self) -> str:
        """One text cell: the connector mapped onto, what was lost, why unsupported, what to
        use instead."""
        parts = [self.mapping()] if self.connector else []
        parts += self.lost
        if self.reason:
            parts.append(self.reason)
        if self.subgraph:
            parts.append("AI sub-graph: " + ", ".join(self.subgraph))
        if self.suggestion:
            parts.append("suggestion: " + self.suggestion)
        return "; ".join(parts)


@dataclass
class CredentialUse:
    """A credential the flow needs, and which nodes use it."""

    type: str
    label: str
    nodes: list[str]
    connector: str | None
    auth: str | None = None  # the connector auth this n8n credential becomes

    def to_json(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "type": self.type,
            "label": self.label,
            "nodes": self.nodes,
            "connector": self.connector,
            "auth": self.auth,
        }

    def becomes(self) -> str:
        """What the credential becomes: ``connector slack@1.0.0 auth bearer (env SLACK_TOKEN)``,
        that no connector takes it, or that the connector's auth is of another kind than the
        credential (an OAuth2 credential and an API-key auth, or the reverse)."""
        if not self.connector:
            return "no connector auth (no node using it maps onto a connector)"
        auth = self.auth or "unknown"
        if not credential_fits(self.type, auth):
            return (
                f"no connector auth as is: connector {self.connector} takes auth {auth}, which "
                f"an n8n {self.type} credential does not hold; create that credential for it"
            )
        return f"connector {self.connector} auth {auth}"


def credential_fits(credential_type: str, auth: str) -> bool:
    """Whether an n8n credential can supply a connector auth, judged by kind: n8n names its
    OAuth2 credentials ``...OAuth2...``; they fit OAuth2 and bearer auths, the others every
    auth but OAuth2 (a bearer token may be an OAuth2 access token)."""
    oauth2_credential = "oauth2" in credential_type.lower()
    kind = auth.split(" ", 1)[0]
    if oauth2_credential:
        return kind.startswith("oauth2") or kind == "bearer"
    return not kind.startswith("oauth2")


@dataclass
class ImportReport:
    """Everything a person needs to judge one import."""

    source: str
    workflow: str
    nodes: list[NodeReport]
    findings: list[Finding]
    credentials: list[CredentialUse]
    dropped_notes: int = 0
    expressions_translated: int = 0
    expressions_untranslated: int = 0

    def coverage(self) -> dict[str, Any]:
        """Counts per status and the share translated without loss."""
        counts = Counter(n.status for n in self.nodes)
        total = len(self.nodes)
        clean = counts["mapped"] + counts["built-in"]
        return {
            "nodes": total,
            **{status: counts[status] for status in STATUSES},
            "lossless_percent": round(100.0 * clean / total, 1) if total else 100.0,
            "supported_percent": (
                round(100.0 * (total - counts["unsupported"]) / total, 1) if total else 100.0
            ),
            "sticky_notes_dropped": self.dropped_notes,
            "expressions_translated": self.expressions_translated,
            "expressions_untranslated": self.expressions_untranslated,
            **app_counts(self.nodes),
        }

    @property
    def errors(self) -> list[Finding]:
        """Findings of severity ``error``."""
        return [f for f in self.findings if f.severity == "error"]

    def summary(self) -> str:
        """The one-line summary."""
        c = self.coverage()
        problems = len(self.errors)
        return (
            f"{self.workflow}: {c['nodes']} nodes: {c['mapped']} mapped, {c['built-in']} built-in, "
            f"{c['lossy']} lossy, {c['unsupported']} unsupported ({c['lossless_percent']}% "
            f"lossless){app_text(c)}; {problems} check error{'s' if problems != 1 else ''}; "
            f"{len(self.credentials)} credential{'s' if len(self.credentials) != 1 else ''} needed"
        )

    def to_json(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "source": self.source,
            "workflow": self.workflow,
            "summary": self.summary(),
            "coverage": self.coverage(),
            "nodes": [n.to_json() for n in self.nodes],
            "credentials": [c.to_json() for c in self.credentials],
            "findings": [f.to_json() for f in self.findings],
        }

    def to_markdown(self) -> str:
        """A Markdown document (for files and pull requests)."""
        lines = [
            f"# Import report: {_md(self.workflow)}",
            "",
            f"Source: `{self.source}`",
            "",
            "| node | n8n type | IR kind | status | details |",
            "|---|---|---|---|---|",
        ]
        for n in self.nodes:
            lines.append(
                f"| {_md(n.name)} | `{n.n8n_type}` | {n.kind} | {n.status} | {_md(n.detail())} |"
            )
        c = self.coverage()
        lines += ["", "## Coverage", ""]
        lines += [f"- {key}: {value}" for key, value in c.items()]
        lines += ["", "## Credentials", ""]
        lines += [
            f"- `{cred.type}` ({_md(cred.label)}) used by {_md(', '.join(cred.nodes))}; "
            f"becomes {_md(cred.becomes())}"
            for cred in self.credentials
        ] or ["- none"]
        lines += ["", "## Findings", ""]
        lines += [
            f"- **{f.severity}** {f.code}: {_md(f.message)}"
            + (f" (hint: {_md(f.hint)})" if f.hint else "")
            for f in self.findings
        ] or ["- none"]
        lines += ["", f"**Summary:** {_md(self.summary())}", ""]
        return "\n".join(lines)

    def print_rich(self, console: Any) -> None:
        """Print a rich table, the coverage, credentials, findings and the summary."""
        from rich.markup import escape
        from rich.table import Table

        colours = {"mapped": "green", "built-in": "cyan", "lossy": "yellow", "unsupported": "red"}
        table = Table(title=escape(self.workflow), show_lines=False)
        for column in ("node", "n8n type", "IR kind", "status", "details"):
            table.add_column(column, overflow="fold")
        for n in self.nodes:
            colour = colours.get(n.status, "white")
            table.add_row(
                escape(n.name),
                escape(n.n8n_type),
                n.kind,
                f"[{colour}]{n.status}[/]",
                escape(n.detail()),
            )
        console.print(table)
        c = self.coverage()
        console.print("coverage: " + ", ".join(f"{k} {v}" for k, v in c.items()))
        for cred in self.credentials:
            console.print(
                f"credential: {escape(cred.type)} {escape(cred.label)} "
                f"used by {escape(', '.join(cred.nodes))}; becomes {escape(cred.becomes())}"
            )
        for f in self.findings:
            colour = {"error": "red", "warning": "yellow"}.get(f.severity, "blue")
            console.print(f"[{colour}]{f.severity}[/] {f.code}: {escape(f.message)}")
        console.print(f"[bold]{escape(self.summary())}[/]")


def app_counts(nodes: list[NodeReport]) -> dict[str, int]:
    """How many nodes are app nodes (:mod:`flows.n8n.appnodes`) and how many of those map onto
    a registry connector operation (with or without lost parameters)."""
    from flows.n8n.appnodes import app_type

    apps = [n for n in nodes if app_type(n.n8n_type) is not None]
    return {"app_nodes": len(apps), "app_nodes_on_connectors": sum(1 for n in apps if n.connector)}


def app_text(counts: dict[str, Any]) -> str:
    """``; 3/4 app nodes onto connectors`` (empty without app nodes)."""
    if not counts["app_nodes"]:
        return ""
    return f"; {counts['app_nodes_on_connectors']}/{counts['app_nodes']} app nodes onto connectors"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


@dataclass
class AggregateReport:
    """The reports of every workflow of a directory, plus the files that failed."""

    reports: list[ImportReport] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)

    def totals(self) -> dict[str, Any]:
        """Node counts per status over all workflows, and the most common unsupported types."""
        counts: Counter[str] = Counter()
        unsupported: Counter[str] = Counter()
        for report in self.reports:
            for n in report.nodes:
                counts[n.status] += 1
                if n.status == "unsupported":
                    unsupported[n.n8n_type] += 1
        total = sum(counts.values())
        clean = counts["mapped"] + counts["built-in"]
        return {
            "workflows": len(self.reports) + len(self.failures),
            "imported": len(self.reports),
            "failed": len(self.failures),
            "nodes": total,
            **{status: counts[status] for status in STATUSES},
            "lossless_percent": round(100.0 * clean / total, 1) if total else 100.0,
            "check_errors": sum(len(r.errors) for r in self.reports),
            "top_unsupported": unsupported.most_common(10),
            **app_counts([n for r in self.reports for n in r.nodes]),
        }

    def node_types(self, top: int = 3) -> list[dict[str, Any]]:
        """Per n8n node type over all workflows: count, count per status and the most common
        ``lost`` reasons (and unsupported reasons), most used type first."""
        counts: Counter[str] = Counter()
        statuses: dict[str, Counter[str]] = {}
        reasons: dict[str, Counter[str]] = {}
        for report in self.reports:
            for n in report.nodes:
                counts[n.n8n_type] += 1
                statuses.setdefault(n.n8n_type, Counter())[n.status] += 1
                why = reasons.setdefault(n.n8n_type, Counter())
                why.update(n.lost)
                if n.status == "unsupported" and n.reason:
                    why[n.reason] += 1
        return [
            {
                "type": node_type,
                "count": count,
                "statuses": {s: statuses[node_type][s] for s in STATUSES},
                "top_lost": [[text, k] for text, k in reasons[node_type].most_common(top)],
            }
            for node_type, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        ]

    def summary(self) -> str:
        """One line over the directory."""
        t = self.totals()
        return (
            f"{t['imported']}/{t['workflows']} workflows imported ({t['failed']} failed); "
            f"{t['nodes']} nodes: {t['mapped']} mapped, {t['built-in']} built-in, "
            f"{t['lossy']} lossy, {t['unsupported']} unsupported "
            f"({t['lossless_percent']}% lossless){app_text(t)}; {t['check_errors']} check "
            f"error{'s' if t['check_errors'] != 1 else ''}"
        )

    def to_json(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "summary": self.summary(),
            "totals": self.totals(),
            "workflows": [
                {
                    "source": r.source,
                    "workflow": r.workflow,
                    "summary": r.summary(),
                    "coverage": r.coverage(),
                    "check_errors": len(r.errors),
                }
                for r in self.reports
            ],
            "failures": [{"source": s, "error": e} for s, e in self.failures],
            "node_types": self.node_types(),
        }

    def to_markdown(self) -> str:
        """A Markdown document."""
        lines = [
            "# n8n import: aggregate report",
            "",
            "| workflow | nodes | mapped | built-in | lossy | unsupported | check errors |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in self.reports:
            c = r.coverage()
            lines.append(
                f"| {_md(r.workflow)} | {c['nodes']} | {c['mapped']} | {c['built-in']} | "
                f"{c['lossy']} | {c['unsupported']} | {len(r.errors)} |"
            )
        if self.failures:
            lines += ["", "## Failed", ""]
            lines += [f"- `{s}`: {_md(e)}" for s, e in self.failures]
        t = self.totals()
        lines += ["", "## Node types", ""]
        lines += ["| n8n type | nodes | " + " | ".join(STATUSES) + " | top lost reasons |"]
        lines += ["|---|---|" + "---|" * len(STATUSES) + "---|"]
        for row in self.node_types():
            cells = " | ".join(str(row["statuses"][s]) for s in STATUSES)
            why = "; ".join(f"{text} (x{k})" for text, k in row["top_lost"])
            lines.append(f"| `{row['type']}` | {row['count']} | {cells} | {_md(why)} |")
        lines += ["", "## Most common unsupported node types", ""]
        lines += [f"- `{name}`: {count}" for name, count in t["top_unsupported"]] or ["- none"]
        lines += ["", f"**Summary:** {_md(self.summary())}", ""]
        return "\n".join(lines)

    def print_rich(self, console: Any) -> None:
        """A table with one row per workflow, the failures and the summary."""
        from rich.markup import escape
        from rich.table import Table

        table = Table(title="n8n import")
        for column in ("workflow", "nodes", "mapped", "built-in", "lossy", "unsupported", "errors"):
            table.add_column(column, overflow="fold")
        for r in self.reports:
            c = r.coverage()
            table.add_row(
                escape(r.workflow),
                *(str(c[k]) for k in ("nodes", "mapped", "built-in", "lossy", "unsupported")),
                str(len(r.errors)),
            )
        console.print(table)
        for source, error in self.failures:
            console.print(f"[red]failed[/] {escape(source)}: {escape(error.splitlines()[0])}")
        for name, count in self.totals()["top_unsupported"]:
            console.print(f"unsupported: {escape(name)} x{count}")
        for row in self.node_types()[:10]:
            counts = ", ".join(f"{k} {v}" for k, v in row["statuses"].items() if v)
            why = f"; most lost: {row['top_lost'][0][0]}" if row["top_lost"] else ""
            console.print(f"type {escape(row['type'])} x{row['count']}: {counts}{escape(why)}")
        console.print(f"[bold]{escape(self.summary())}[/]")


def report_text(report: ImportReport | AggregateReport, fmt: str) -> str:
    """The report as a file: ``md`` (Markdown) or ``json`` (indented, sorted keys)."""
    if fmt == "md":
        return report.to_markdown()
    if fmt == "json":
        return json.dumps(report.to_json(), indent=2, sort_keys=True) + "\n"
    raise ValueError(f"unknown report format {fmt!r} (md or json)")
