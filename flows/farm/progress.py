"""How the farm reports progress to whoever runs it (the CLI draws rich progress bars)."""

from __future__ import annotations

from typing import Protocol

from flows.farm.report import SpecOutcome


class Progress(Protocol):
    """Receives the phases of a farm run and each spec as it finishes."""

    def phase(self, name: str, total: int) -> None:
        """A phase (``prepare``, ``publish``) starts with ``total`` specs to go through."""
        ...

    def done(self, outcome: SpecOutcome) -> None:
        """One spec of the current phase is finished."""
        ...


class NoProgress:
    """Reports nothing."""

    def phase(self, name: str, total: int) -> None:
        """Ignore the phase."""

    def done(self, outcome: SpecOutcome) -> None:
        """Ignore the outcome."""
