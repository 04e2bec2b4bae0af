"""The harvest report: per node type its rank, what was derived, what is missing and why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["complete", "incomplete", "no-spec", "skipped"]

#: Every reason code the harvest can give, with the sentence shown in reports.
REASONS: dict[str, str] = {
    "not-an-api": "an n8n Core Node, or a node with no credentials and no HTTP routing",
    "trigger": "trigger node (webhooks/polling), not a callable API",
    "auth-code": "the credential authenticates in code (no generic 'authenticate' block)",
    "auth-body": "the credential sends its secret in the request body",
    "auth-expression": "the credential's authenticate block uses a code expression",
    "auth-constant": "the credential sends a fixed value a spec cannot state (e.g. Basic user)",
    "auth-extra-headers": "the credential sends extra headers a spec cannot state",
    "auth-session": (
        "the credential's secret is a session token n8n obtains and renews in code "
        "(preAuthentication); the spec can only take the token itself"
    ),
    "auth-unsupported": "the credential type (e.g. OAuth1, JWT, custom) has no spec equivalent",
    "auth-oauth2-urls": "OAuth2 token/authorization URLs are not fixed https URLs",
    "no-credentials": "the node declares no credential type",
    "no-base-url": "no base URL in requestDefaults or the credential test",
    "base-url-expression": "the base URL is computed by a code expression",
    "base-url-insecure": "the base URL is not https",
    "programmatic": "operations are implemented in code: method and path unknown",
    "url-expression": "an operation's URL is computed by a code expression",
    "no-route": "an operation has no routing.request URL",
    "field-expression": "a field is transformed by a code expression before sending",
    "pre-send-hook": "a preSend hook (code; serialized as null) changes the request",
    "post-receive-hook": "a postReceive hook (code; serialized as null) changes the response",
    "pagination-expression": "pagination is driven by code expressions",
    "static-expression": "a request default/constant is a code expression",
    "response-schema-unknown": (
        "no response schema in the package's __schema__ files: the operation returns any JSON "
        "(a warning, not a reason: certification checks the HTTP contract, not the payload)"
    ),
    "param-conflict": (
        "n8n sends one field in two places (e.g. the path and the query); a spec argument has "
        "one place, so the second was left out"
    ),
    "no-operations": "no operation could be derived",
    "no-code": "the node's compiled code was not found or could not be read",
    "no-request": "no request call of the node's code belongs to this operation",
    "dynamic-method": "the HTTP method is computed at run time",
    "dynamic-path": "the path is computed at run time (not a literal or parameter template)",
    "other-host": "the code sends this operation to another host than the spec's base URL",
    # why an operation of a node linked to an OpenAPI description is not linked
    "no-matching-operation": "no operation of the description has this method and path",
    "openapi-lost": "the matching OpenAPI operation could not be converted",
}

#: Reasons that concern one operation: a declarative spec leaves that operation out (listed as
#: omitted) and can still be complete; they block the spec only when no real operation remains.
OPERATION_REASONS = {
    "url-expression",
    "no-route",
    "field-expression",
    "pre-send-hook",
    "post-receive-hook",
    "pagination-expression",
    "static-expression",
    "param-conflict",
    "no-code",
    "no-request",
    "dynamic-method",
    "dynamic-path",
    "other-host",
}

#: Codes that are warnings: the spec is still complete (they are listed, never blocking).
WARNINGS = {"response-schema-unknown"}

#: Reasons that prevent writing any spec (auth, base URL or operations unknown).
BLOCKING = {
    "auth-code",
    "auth-body",
    "auth-expression",
    "auth-unsupported",
    "auth-oauth2-urls",
    "no-credentials",
    "no-base-url",
    "base-url-expression",
    "base-url-insecure",
    "no-operations",
}


@dataclass(frozen=True)
class Finding:
    """One reason a spec is incomplete, with the place in n8n's description it concerns."""

    code: str
    detail: str

    def to_json(self) -> dict[str, str]:
        """JSON-ready form."""
        return {
            "code": self.code,
            "reason": REASONS.get(self.code, self.code),
            "detail": self.detail,
        }


@dataclass(frozen=True)
class OmittedOperation:
    """An n8n operation left out of a spec, with the findings that kept it out."""

    resource: str
    operation: str
    name: str
    findings: tuple[Finding, ...]

    @property
    def label(self) -> str:
        """``resource/operation`` (``operation`` alone for a node without resources)."""
        return f"{self.resource}/{self.operation}" if self.resource else self.operation

    def reason_codes(self) -> list[str]:
        """Distinct reason codes in first-seen order."""
        return list(dict.fromkeys(f.code for f in self.findings))

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "resource": self.resource,
            "operation": self.operation,
            "name": self.name,
            "reasons": self.reason_codes(),
            "details": [f.detail for f in self.findings],
        }


@dataclass
class NodeEntry:
    """The harvest outcome of one n8n node type."""

    node_type: str
    display_name: str
    rank: int = 0
    usage: int = 0
    signal: int = 0
    kind: str = "programmatic"
    status: Status = "incomplete"
    provider: str | None = None
    spec_path: str | None = None
    credential: str | None = None
    derived: list[str] = field(default_factory=list)
    missing: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    operations: int = 0
    stubs: list[dict[str, str]] = field(default_factory=list)
    #: Declarative operations left out of the spec (operation-level reasons).
    omitted: list[OmittedOperation] = field(default_factory=list)
    #: n8n's resource/operation pairs kept in the spec (the connection check not counted).
    kept: int = 0
    #: What a programmatic node's code requests per (resource, operation) (not serialized).
    code_ops: dict[Any, Any] = field(default_factory=dict, repr=False)
    #: The spec's base for those operations (a ``programmatic.CodeBase``; not serialized).
    code_base: Any = field(default=None, repr=False)
    #: Linking to an OpenAPI description: linked / total and why the rest are not.
    link: dict[str, Any] | None = None

    def coverage(self) -> dict[str, Any] | None:
        """Operations kept vs omitted for a declarative spec (``None`` for other entries)."""
        if not self.spec_path or (self.kind != "declarative" and not self.code_ops):
            return None
        by_reason: Counter[str] = Counter()
        for omitted in self.omitted:
            by_reason.update(omitted.reason_codes())
        return {
            "n8n_operations": self.kept + len(self.omitted),
            "kept": self.kept,
            "omitted": len(self.omitted),
            "omitted_by_reason": dict(sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0]))),
        }

    def reason_codes(self) -> list[str]:
        """Distinct reason codes in first-seen order."""
        return list(dict.fromkeys(f.code for f in self.missing))

    def warning_codes(self) -> list[str]:
        """Distinct warning codes in first-seen order."""
        return list(dict.fromkeys(f.code for f in self.warnings))

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "node_type": self.node_type,
            "display_name": self.display_name,
            "rank": self.rank,
            "usage": self.usage,
            "signal": self.signal,
            "kind": self.kind,
            "status": self.status,
            "provider": self.provider,
            "spec_path": self.spec_path,
            "credential": self.credential,
            "derived": self.derived,
            "missing": [f.to_json() for f in self.missing],
            "reasons": self.reason_codes(),
            "warnings": [f.to_json() for f in self.warnings],
            "operations": self.operations,
            "stubs": self.stubs,
            "coverage": self.coverage(),
            "omitted_operations": [o.to_json() for o in self.omitted],
            **({"link": self.link} if self.link is not None else {}),
        }


@dataclass
class HarvestReport:
    """All node entries of one harvest, ranked."""

    catalog_source: str
    catalog_version: str
    node_descriptions: int
    credential_types: int
    usage_source: str | None
    entries: list[NodeEntry]
    out_dir: str | None = None
    warnings: list[str] = field(default_factory=list)

    def by_status(self) -> dict[str, int]:
        """Number of node types per status."""
        counts = Counter(e.status for e in self.entries)
        return {s: counts.get(s, 0) for s in ("complete", "incomplete", "no-spec", "skipped")}

    def reasons(self, statuses: tuple[str, ...] = ("incomplete", "no-spec")) -> dict[str, int]:
        """For each reason code, how many node types with one of ``statuses`` have it."""
        counts: Counter[str] = Counter()
        for entry in self.entries:
            if entry.status in statuses:
                counts.update(entry.reason_codes())
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def warning_counts(
        self, statuses: tuple[str, ...] = ("complete", "incomplete")
    ) -> dict[str, int]:
        """For each warning code, how many node types with one of ``statuses`` have it."""
        counts: Counter[str] = Counter()
        for entry in self.entries:
            if entry.status in statuses:
                counts.update(entry.warning_codes())
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def omitted_by_reason(self, statuses: tuple[str, ...] = ("complete",)) -> dict[str, int]:
        """For each reason code, how many omitted operations of specs with ``statuses`` have it."""
        counts: Counter[str] = Counter()
        for entry in self.entries:
            if entry.status in statuses:
                for omitted in entry.omitted:
                    counts.update(omitted.reason_codes())
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def partial(self) -> list[NodeEntry]:
        """Complete specs that leave some of n8n's operations out."""
        return [e for e in self.entries if e.status == "complete" and e.omitted]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form of the whole report (``ok`` is always true: it is a report)."""
        return {
            "ok": True,
            "catalog": {
                "source": self.catalog_source,
                "version": self.catalog_version,
                "node_descriptions": self.node_descriptions,
                "credential_types": self.credential_types,
            },
            "usage_source": self.usage_source,
            "out_dir": self.out_dir,
            "totals": {
                "node_types": len(self.entries),
                "by_status": self.by_status(),
                "specs_written": sum(1 for e in self.entries if e.spec_path),
                "incomplete_by_reason": self.reasons(("incomplete",)),
                "complete_with_warnings": self.warning_counts(("complete",)),
                "complete_partial": len(self.partial()),
                "omitted_operations_by_reason": self.omitted_by_reason(),
                "warnings_by_code": self.warning_counts(),
                "no_spec_by_reason": self.reasons(("no-spec",)),
                "skipped_by_reason": self.reasons(("skipped",)),
                **link_totals(self.entries),
            },
            "reason_texts": REASONS,
            "warnings": self.warnings,
            "nodes": [e.to_json() for e in self.entries],
        }

    def to_markdown(self) -> str:
        """The report as a Markdown document."""
        totals = self.by_status()
        lines = [
            f"# n8n harvest report: n8n-nodes-base {self.catalog_version}",
            "",
            f"- catalog: `{self.catalog_source}` ({self.node_descriptions} node descriptions, "
            f"{self.credential_types} credential types)",
            "- ranking: "
            + (f"usage in {self.usage_source}" if self.usage_source else "catalog signals"),
            f"- node types: {len(self.entries)}; complete {totals['complete']}, incomplete "
            f"{totals['incomplete']}, no spec {totals['no-spec']}, skipped {totals['skipped']}",
            "",
        ]
        for title, statuses in (
            ("Incomplete specs by reason", ("incomplete",)),
            ("No spec written, by reason", ("no-spec",)),
            ("Skipped node types, by reason", ("skipped",)),
        ):
            grouped = self.reasons(statuses)
            if not grouped:
                continue
            lines += [f"## {title}", "", "| reason | node types | meaning |", "| --- | --- | --- |"]
            lines += [
                f"| `{code}` | {n} | {REASONS.get(code, code)} |" for code, n in grouped.items()
            ]
            lines.append("")
        warned = self.warning_counts()
        if warned:
            lines += [
                "## Warnings (specs written; not blocking)",
                "",
                "| warning | node types | meaning |",
                "| --- | --- | --- |",
            ]
            lines += [
                f"| `{code}` | {n} | {REASONS.get(code, code)} |" for code, n in warned.items()
            ]
            lines.append("")
        complete = [e for e in self.entries if e.status == "complete" and e.kind == "declarative"]
        if complete:
            lines += [
                "## Operation coverage of complete declarative specs",
                "",
                "| spec | kept | omitted | omitted operations (reasons) |",
                "| --- | --- | --- | --- |",
            ]
            for e in complete:
                omitted = ", ".join(f"{o.label} ({', '.join(o.reason_codes())})" for o in e.omitted)
                lines.append(f"| `{e.provider}` | {e.kept} | {len(e.omitted)} | {omitted or '-'} |")
            lines.append("")
            by_reason = self.omitted_by_reason()
            if by_reason:
                lines += ["| omitted for | operations |", "| --- | --- |"]
                lines += [f"| `{code}` | {n} |" for code, n in by_reason.items()]
                lines.append("")
        lines += link_markdown(self.entries)
        lines += [
            "## Node types",
            "",
            "| rank | node type | usage | kind | status | operations | derived | missing |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for e in self.entries:
            if e.status == "skipped":
                continue
            lines.append(
                f"| {e.rank} | `{e.node_type}` | {e.usage} | {e.kind} | {e.status} | "
                f"{e.operations} (+{len(e.stubs)} stubs, {len(e.omitted)} omitted) | "
                f"{', '.join(e.derived) or '-'} | "
                f"{', '.join(e.reason_codes()) or '-'} |"
            )
        if self.warnings:
            lines += ["", "## Warnings", ""] + [f"- {w}" for w in self.warnings]
        return "\n".join(lines) + "\n"


from flows.harvest.link_report import link_markdown, link_totals  # noqa: E402

REASONS["spec-invalid"] = "the assembled spec did not validate (a harvester bug; please report)"
BLOCKING.add("spec-invalid")
