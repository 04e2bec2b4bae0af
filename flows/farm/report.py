"""The farm report: one outcome per spec, counts, incomplete specs grouped by reason.

A shard writes its report as ``farm-shard.json`` beside its staged publications; the merge
reads those back (:meth:`FarmReport.from_json`) and reports the whole run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

FORMAT = "flows-farm/1"
STATUSES = ("published", "staged", "unchanged", "incomplete", "refused", "error")
FAILED = ("refused", "error")
DONE = ("published", "staged", "unchanged")


@dataclass
class SpecOutcome:
    """What the farm did with one spec."""

    key: str
    spec: str
    status: str
    name: str | None = None
    version: str | None = None
    spec_version: str | None = None
    base_version: str | None = None
    bump: str | None = None
    version_note: str | None = None
    reasons: list[str] = field(default_factory=list)
    message: str | None = None
    refused_by: str | None = None
    level: str | None = None
    checks: dict[str, int] | None = None
    digest: str | None = None
    staged: dict[str, Any] | None = None
    seconds: float = 0.0
    #: n8n operations kept vs omitted (from the harvest sidecar; ``None`` for other specs)
    coverage: dict[str, Any] | None = None
    #: the traceback of an internal error (a flows bug), for the bug log; never in the JSON
    traceback: str | None = field(default=None, repr=False)

    @property
    def coverage_text(self) -> str:
        """``kept/total (omitted: reason n, ...)``, or ``-`` without coverage."""
        if not self.coverage:
            return "-"
        kept, total = self.coverage["kept"], self.coverage["n8n_operations"]
        reasons = self.coverage.get("omitted_by_reason") or {}
        if not self.coverage["omitted"]:
            return f"{kept}/{total} (all)"
        detail = ", ".join(f"{code} {n}" for code, n in reasons.items())
        return f"{kept}/{total} ({self.coverage['omitted']} omitted: {detail})"

    @property
    def label(self) -> str:
        """``name@version`` when known, else the spec's key."""
        if self.name and self.version:
            return f"{self.name}@{self.version}"
        return self.name or self.key

    @property
    def bumped(self) -> bool:
        """True when the farm changed the spec's version to satisfy ``flows spec diff``."""
        return self.version is not None and self.spec_version not in (None, self.version)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        data = asdict(self)
        data.pop("traceback")
        data["seconds"] = round(self.seconds, 3)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SpecOutcome:
        """Read back what :meth:`to_json` wrote."""
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class FarmReport:
    """The outcome of ``flows farm`` (one shard, a merge, or a local run)."""

    mode: str  # "local" | "shard" | "merge"
    outcomes: list[SpecOutcome]
    specs_dir: str | None = None
    registry: str | None = None
    shard: str | None = None
    jobs: int | None = None
    specs_total: int | None = None
    specs_digest: str | None = None
    shards: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        """Number of specs per status."""
        counted = Counter(o.status for o in self.outcomes)
        return {s: counted.get(s, 0) for s in STATUSES}

    def incomplete_by_reason(self) -> dict[str, int]:
        """For each reason code, how many incomplete specs have it (most frequent first)."""
        counted: Counter[str] = Counter()
        for o in self.outcomes:
            if o.status == "incomplete":
                counted.update(dict.fromkeys(o.reasons, 1))
        return dict(sorted(counted.items(), key=lambda kv: (-kv[1], kv[0])))

    def coverage(self) -> dict[str, Any]:
        """Operation coverage of the published/staged specs: partial ones, kept and omitted
        operations, omitted operations by reason (an operation counts once per reason)."""
        done = [o for o in self.outcomes if o.status in DONE and o.coverage]
        by_reason: Counter[str] = Counter()
        for o in done:
            by_reason.update((o.coverage or {}).get("omitted_by_reason") or {})
        return {
            "specs": len(done),
            "partial": sum(1 for o in done if (o.coverage or {}).get("omitted")),
            "kept": sum(int((o.coverage or {})["kept"]) for o in done),
            "omitted": sum(int((o.coverage or {})["omitted"]) for o in done),
            "omitted_by_reason": dict(sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0]))),
        }

    def failed(self) -> list[SpecOutcome]:
        """Outcomes that make the run fail (refused or error)."""
        return [o for o in self.outcomes if o.status in FAILED]

    @property
    def exit_code(self) -> int:
        """0 when every complete spec was published, staged or unchanged; 1 otherwise."""
        return 1 if self.failed() else 0

    def bumps(self) -> list[SpecOutcome]:
        """Outcomes whose version the farm raised."""
        return [o for o in self.outcomes if o.bumped and o.status in ("published", "staged")]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (``--json``; also the shard report file)."""
        return {
            "format": FORMAT,
            "ok": self.exit_code == 0,
            "exit_code": self.exit_code,
            "mode": self.mode,
            "specs_dir": self.specs_dir,
            "registry": self.registry,
            "shard": self.shard,
            "shards": self.shards,
            "jobs": self.jobs,
            "specs_total": self.specs_total,
            "specs_digest": self.specs_digest,
            "seconds": round(self.seconds, 3),
            "counts": self.counts(),
            "incomplete_by_reason": self.incomplete_by_reason(),
            "coverage": self.coverage(),
            "bumps": [
                {
                    "name": o.name,
                    "from": o.spec_version,
                    "to": o.version,
                    "registry_had": o.base_version,
                    "bump": o.bump,
                    "why": o.version_note,
                }
                for o in self.bumps()
            ],
            "specs": [o.to_json() for o in self.outcomes],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FarmReport:
        """Read back what :meth:`to_json` wrote."""
        return cls(
            mode=str(data["mode"]),
            outcomes=[SpecOutcome.from_json(o) for o in data["specs"]],
            specs_dir=data.get("specs_dir"),
            registry=data.get("registry"),
            shard=data.get("shard"),
            jobs=data.get("jobs"),
            specs_total=data.get("specs_total"),
            specs_digest=data.get("specs_digest"),
            shards=list(data.get("shards") or []),
            seconds=float(data.get("seconds") or 0.0),
        )

    def headline(self) -> str:
        """One line: what happened to how many specs."""
        counts = self.counts()
        parts = [f"{n} {status}" for status, n in counts.items() if n]
        return f"farm ({self.mode}): " + (", ".join(parts) or "no specs")

    def to_markdown(self) -> str:
        """The report as Markdown (the farm pull request's body)."""
        from flows.harvest.report import REASONS

        counts = self.counts()
        lines = [
            "# flows farm report",
            "",
            f"- {self.headline()} in {self.seconds:.1f} s"
            + (f" ({self.jobs} jobs)" if self.jobs else ""),
        ]
        if self.specs_dir:
            lines.append(f"- specs: `{self.specs_dir}`")
        if self.registry:
            lines.append(f"- registry: `{self.registry}`")
        if self.shards:
            lines.append(f"- shards merged: {', '.join(self.shards)}")
        lines.append("")
        done = [o for o in self.outcomes if o.status in ("published", "staged")]
        if done:
            lines += [
                f"## {'Published' if counts['published'] else 'Staged'} ({len(done)})",
                "",
                "| connector | version | level | n8n operations | version |",
                "| --- | --- | --- | --- | --- |",
            ]
            for o in done:
                lines.append(
                    f"| `{o.name}` | {o.version} | {o.level or '-'} | {_cell(o.coverage_text)} | "
                    f"{_cell(o.version_note or '-')} |"
                )
            lines.append("")
            coverage = self.coverage()
            if coverage["partial"]:
                lines += [
                    f"{coverage['partial']} of them cover n8n's operations partially "
                    f"({coverage['kept']} operations kept, {coverage['omitted']} omitted; "
                    "each lists its omitted operations in its description and spec header).",
                    "",
                ]
        failed = self.failed()
        if failed:
            lines += [
                f"## Refused or failed ({len(failed)})",
                "",
                "| spec | status | by | message |",
                "| --- | --- | --- | --- |",
            ]
            for o in failed:
                lines.append(
                    f"| `{o.spec}` | {o.status} | {o.refused_by or '-'} | "
                    f"{_cell(o.message or '-')} |"
                )
            lines.append("")
        grouped = self.incomplete_by_reason()
        if grouped:
            lines += [
                f"## Incomplete specs, not published ({counts['incomplete']}), by reason",
                "",
                "| reason | specs | meaning |",
                "| --- | --- | --- |",
            ]
            lines += [f"| `{c}` | {n} | {REASONS.get(c, c)} |" for c, n in grouped.items()]
            lines.append("")
        unchanged = [o for o in self.outcomes if o.status == "unchanged"]
        if unchanged:
            lines += [
                f"## Unchanged ({len(unchanged)})",
                "",
                ", ".join(f"`{o.label}`" for o in unchanged),
                "",
            ]
        return "\n".join(lines)


def _cell(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
