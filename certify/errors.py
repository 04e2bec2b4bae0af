"""Errors of the certification harness, all :class:`connector_spec.errors.FlowsError`."""

from __future__ import annotations

from connector_spec.errors import CheckFailed, DiagnosticError, InputError


class FixtureError(DiagnosticError):
    """A contract fixture file is not valid (exit 2)."""

    kind = "the contract fixtures"


class CertifyInputError(InputError):
    """Bad input to ``flows certify`` or ``flows record`` (exit 2)."""


class RecordRefused(CheckFailed):
    """The recorder found a secret in what it was about to write; nothing was written."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def diagnostics(self) -> str:
        text = str(self)
        return f"{text}\n  hint: {self.hint}" if self.hint else text
