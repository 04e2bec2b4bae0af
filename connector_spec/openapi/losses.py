"""What a conversion could not say: losses, by code, each with its place in the description."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Loss:
    """One thing the ConnectorSpec does not say: ``code`` (stable), detail, JSON pointer."""

    code: str
    detail: str
    pointer: str = ""

    def to_json(self) -> dict[str, str]:
        """JSON-ready mapping."""
        return {"code": self.code, "detail": self.detail, "pointer": self.pointer}


@dataclass
class KeywordLosses:
    """Schema keywords the spec's schema subset cannot carry, counted over a whole spec."""

    counts: Counter[str] = field(default_factory=Counter)
    first: dict[str, str] = field(default_factory=dict)

    def add(self, keyword: str, pointer: str) -> None:
        """Count one dropped ``keyword`` found at ``pointer``."""
        self.counts[keyword] += 1
        self.first.setdefault(keyword, pointer)

    def to_json(self) -> dict[str, Any]:
        """``{keyword: {count, first}}`` sorted by keyword."""
        return {
            key: {"count": self.counts[key], "first": self.first[key]}
            for key in sorted(self.counts)
        }
