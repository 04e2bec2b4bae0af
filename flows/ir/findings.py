"""One finding of the graph check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Finding:
    """One thing the check found. ``severity`` is ``error``, ``warning`` or ``info``."""

    severity: str
    code: str
    message: str
    node: str | None = None
    hint: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "node": self.node,
            "hint": self.hint,
        }
