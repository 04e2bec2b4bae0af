"""The error hierarchy every flows package shares.

Every error a user can cause is a :class:`FlowsError`. Its :meth:`FlowsError.diagnostics`
returns a human explanation (which file, which place in it, what to do) and its
``exit_code`` follows the house convention: 1 when a check or verification failed, 2 for
bad input or usage. The CLI prints ``diagnostics()`` and exits with ``exit_code``; it never
shows a traceback for these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2

ArgumentStyle = Callable[[str], str]


def python_argument(name: str) -> str:
    """How a library parameter is named to a Python caller: ``only`` → ``argument 'only'``."""
    return f"argument {name!r}"


def cli_argument(name: str) -> str:
    """How a library parameter is named on the command line: ``key_dir`` → ``--key-dir``."""
    return "--" + name.replace("_", "-")


def mcp_argument(name: str) -> str:
    """How a library parameter is named to an MCP client: ``only`` → ``argument `only```."""
    return f"argument `{name}`"


_ARGUMENT_STYLE: ContextVar[ArgumentStyle] = ContextVar("flows_argument_style")


def argument(name: str) -> str:
    """The name the current front-end gives the library parameter ``name``.

    Library messages never spell a CLI flag: they call ``argument("only")``, which reads
    ``--only`` under the CLI, ``argument `only``` under the MCP server and ``argument 'only'``
    for a Python caller. Front-ends choose the spelling with :func:`argument_style`.
    """
    return _ARGUMENT_STYLE.get(python_argument)(name)


@contextmanager
def argument_style(style: ArgumentStyle) -> Iterator[None]:
    """Within the block, :func:`argument` spells parameters with ``style``."""
    token = _ARGUMENT_STYLE.set(style)
    try:
        yield
    finally:
        _ARGUMENT_STYLE.reset(token)


class FlowsError(Exception):
    """Base class of all user-facing flows errors."""

    exit_code: int = EXIT_BAD_INPUT
    hint: str | None = None

    def __init__(self, message: str = "", *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def diagnostics(self) -> str:
        """Return the text shown to a person: what went wrong and, as a hint, what to do."""
        text = str(self)
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class InputError(FlowsError):
    """Bad input or usage: a missing file, an unwritable directory, a wrong argument."""

    exit_code = EXIT_BAD_INPUT


class CheckFailed(FlowsError):
    """A check or a verification ran and did not pass."""

    exit_code = EXIT_CHECK_FAILED


@dataclass(frozen=True)
class Diagnostic:
    """One problem at one place in one file.

    ``line`` and ``column`` are 1-based; either may be unknown (``None``).
    ``path`` is the dotted field path inside the document, e.g. ``operations[2].idempotency``.
    """

    file: str
    line: int | None
    column: int | None
    path: str
    message: str
    hint: str | None = None

    def location(self) -> str:
        """``file:line:col`` with whatever of line and column is known."""
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def format(self) -> str:
        """The one-line form ``file:line:col: field.path: message`` plus an optional hint."""
        where = f"{self.path}: " if self.path else ""
        text = f"{self.location()}: {where}{self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def to_json(self) -> dict[str, object]:
        """A JSON-ready mapping of this diagnostic."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
        }


class DiagnosticError(FlowsError):
    """Bad input with one or more located diagnostics (a spec, a policy pack, a workflow)."""

    exit_code = EXIT_BAD_INPUT
    kind = "input"

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.items: tuple[Diagnostic, ...] = tuple(diagnostics)
        first = self.items[0].format() if self.items else "invalid input"
        super().__init__(first)

    def diagnostics(self) -> str:
        count = len(self.items)
        noun = "error" if count == 1 else "errors"
        lines = [d.format() for d in self.items]
        lines.append(f"{count} {noun} in {self.kind}; nothing was written.")
        return "\n".join(lines)

    def to_json(self) -> list[dict[str, object]]:
        """All diagnostics as JSON-ready mappings."""
        return [d.to_json() for d in self.items]


class SpecError(DiagnosticError):
    """A ConnectorSpec file is not valid."""

    kind = "the connector spec"


def join_messages(errors: Iterable[FlowsError]) -> str:
    """Join the diagnostics of several errors, one block each."""
    return "\n".join(e.diagnostics() for e in errors)


def error_payload(error: FlowsError) -> dict[str, Any]:
    """The JSON shape of an error (CLI ``--json``, MCP tool results).

    ``{"ok": false, "error": <class>, "message": <diagnostics>, "exit_code": 1|2}``, plus
    ``"diagnostics": [...]`` (file, line, column, path, message, hint) for located errors.
    """
    payload: dict[str, Any] = {
        "ok": False,
        "error": type(error).__name__,
        "message": error.diagnostics(),
        "exit_code": error.exit_code,
    }
    if isinstance(error, DiagnosticError):
        payload["diagnostics"] = error.to_json()
    return payload
