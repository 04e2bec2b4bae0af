"""Check results and the certification level derived from them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["passed", "failed", "skipped"]

LEVELS = ("none", "basic", "self-consistent", "certified", "recorded")
FOUNDATION_PREFIXES = ("codegen.", "manifest.", "schema.")
PROVIDER_CHECKED = "contract.provider.description"
UNCHECKED_LEVEL = "self-consistent"  # the highest level without a provider description


@dataclass
class CheckResult:
    """One check on one operation (``operation`` is ``None`` for connector-wide checks)."""

    id: str
    operation: str | None
    status: Status
    message: str = ""
    duration_ms: float = 0.0
    fixture_backed: bool = False

    @property
    def failed(self) -> bool:
        """True when the check ran and did not pass."""
        return self.status == "failed"

    def to_json(self) -> dict[str, Any]:
        """The evidence form of this result."""
        return {
            "id": self.id,
            "operation": self.operation,
            "status": self.status,
            "duration_ms": round(self.duration_ms, 3),
            "message": self.message,
            "fixture_backed": self.fixture_backed,
        }


def derive_level(checks: list[CheckResult], operations: list[str]) -> str:
    """The certification level earned by ``checks`` (docs/formats.md); never set by hand."""
    failed = [c for c in checks if c.failed]
    if any(c.id.startswith(FOUNDATION_PREFIXES) for c in failed):
        return "none"
    if failed:
        return "basic"
    if not any(c.id == PROVIDER_CHECKED and c.status == "passed" for c in checks):
        return UNCHECKED_LEVEL  # consistent with its own spec; never checked against the provider
    recorded = {c.operation for c in checks if c.fixture_backed and c.status == "passed"}
    if operations and all(op in recorded for op in operations):
        return "recorded"
    return "certified"
