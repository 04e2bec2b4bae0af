"""Errors raised by the registry: bad input (exit 2) and failed verification (exit 1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from connector_spec.errors import CheckFailed, InputError


class RegistryInputError(InputError):
    """A registry operation was asked to do something it must refuse (exit 2)."""


class PublishRefused(RegistryInputError):
    """A publication broke a version rule; nothing was written."""


class TooLarge(CheckFailed):
    """A registry file is larger than the most a client reads of it (exit 1)."""

    def __init__(self, where: str, limit: int) -> None:
        self.where = where
        self.limit = limit
        super().__init__(f"{where}: larger than {limit} bytes, the most a client reads of it")


@dataclass(frozen=True)
class Problem:
    """One verification problem: which file, and what is wrong with it."""

    file: str
    message: str

    def format(self) -> str:
        """``file: message``."""
        return f"{self.file}: {self.message}"

    def to_json(self) -> dict[str, str]:
        """A JSON-ready mapping."""
        return {"file": self.file, "message": self.message}


class VerificationFailed(CheckFailed):
    """Verification found one or more problems (exit 1)."""

    def __init__(self, problems: Sequence[Problem], *, what: str = "the registry") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.what = what
        first = self.problems[0].format() if self.problems else "verification failed"
        super().__init__(first)

    def diagnostics(self) -> str:
        lines = [p.format() for p in self.problems]
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines.append(
            f"{count} {noun} verifying {self.what}; nothing was trusted or written. "
            "Restore the named files from a good copy, or republish."
        )
        return "\n".join(lines)

    def to_json(self) -> list[dict[str, str]]:
        """All problems as JSON-ready mappings."""
        return [p.to_json() for p in self.problems]
