"""Validate many spec files at once and summarise the outcome."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector_spec.errors import EXIT_BAD_INPUT, EXIT_OK, Diagnostic, DiagnosticError
from connector_spec.loader import load_spec


@dataclass
class FileResult:
    """The outcome for one file."""

    path: Path
    ok: bool
    summary: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    error_text: str = ""


@dataclass
class ValidationReport:
    """The outcome for every file given."""

    results: list[FileResult]

    @property
    def ok(self) -> bool:
        """True when every file is valid."""
        return all(r.ok for r in self.results)

    @property
    def exit_code(self) -> int:
        """0 when all are valid, 2 (bad input) otherwise."""
        return EXIT_OK if self.ok else EXIT_BAD_INPUT

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form, as printed by ``flows spec validate --json``."""
        return {
            "ok": self.ok,
            "files": [
                {
                    "path": str(r.path),
                    "ok": r.ok,
                    "summary": r.summary,
                    "diagnostics": [d.to_json() for d in r.diagnostics],
                }
                for r in self.results
            ],
        }


def validate_files(paths: Iterable[Path]) -> ValidationReport:
    """Validate each file, collecting every diagnostic of each."""
    results: list[FileResult] = []
    for path in paths:
        try:
            loaded = load_spec(path)
        except DiagnosticError as error:
            results.append(
                FileResult(
                    path, False, diagnostics=list(error.items), error_text=error.diagnostics()
                )
            )
            continue
        spec = loaded.spec
        summary = f"{spec.provider.name} {spec.provider.version}, {len(spec.operations)} operations"
        results.append(FileResult(path, True, summary=summary))
    return ValidationReport(results)
