"""Printing for the CLI: rich text for people, JSON for machines, errors without tracebacks."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, ParamSpec, TypeVar

import typer

from connector_spec.errors import (
    EXIT_BAD_INPUT,
    FlowsError,
    argument_style,
    cli_argument,
    error_payload,
)

P = ParamSpec("P")
R = TypeVar("R")


def print_json(data: Any) -> None:
    """Write ``data`` as indented, key-sorted JSON to stdout."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def stderr_console() -> Any:
    """A rich console on stderr (imported lazily)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def stdout_console() -> Any:
    """A rich console on stdout (imported lazily)."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def emit_text(
    text: str,
    out: Path | None,
    *,
    json_output: bool,
    write: Callable[[Path], object],
    stdout_json: dict[str, Any] | None = None,
    next_step: str = "",
) -> None:
    """The ``--out`` convention: print ``text`` (or ``stdout_json`` with ``--json``) to stdout,
    or ``write(out)`` and say what was written."""
    if out is None:
        if json_output and stdout_json is not None:
            print_json(stdout_json)
        else:
            typer.echo(text, nl=False)
        return
    write(out)
    if json_output:
        print_json({"ok": True, "written": str(out)})
    else:
        stdout_console().print(f"wrote {out}{next_step}")


def fail(error: FlowsError, *, json_mode: bool) -> NoReturn:
    """Report ``error`` (to stdout as JSON, or to stderr for people) and exit with its code."""
    if json_mode:
        print_json(error_payload(error))
    else:
        from rich.markup import escape

        stderr_console().print(f"[bold red]error:[/] {escape(error.diagnostics())}")
    raise typer.Exit(error.exit_code)


def handles_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn :class:`FlowsError` into a printed diagnostic and the right exit code.

    The wrapped command must take a ``json_output`` keyword (``--json``).
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        json_mode = bool(kwargs.get("json_output", False))
        try:
            with argument_style(cli_argument):  # library messages name CLI flags here
                return func(*args, **kwargs)
        except FlowsError as error:
            fail(error, json_mode=json_mode)
        except KeyboardInterrupt:
            stderr_console().print("interrupted; nothing was changed")
            raise typer.Exit(130) from None
        except OSError as error:
            from connector_spec.errors import InputError

            name = getattr(error, "filename", None) or ""
            fail(
                InputError(f"{name}: {error.strerror or error}" if name else str(error)),
                json_mode=json_mode,
            )

    return wrapper


JSON_OPTION_HELP = "Print machine-readable JSON on stdout."
EXIT_USAGE = EXIT_BAD_INPUT
