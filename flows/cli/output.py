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


_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]}
_CONTROL.update({ord("\n"): "\n", ord("\t"): "\t"})


def safe_text(text: object) -> str:
    """``text`` with terminal control characters made visible (``ESC`` becomes ``\\x1b``).

    Anything that may come from outside (registry metadata, messages quoting it, file
    contents) goes through this before reaching a terminal, so a hostile registry cannot
    retitle the window or clear the screen. Newlines and tabs are kept.
    """
    return str(text).translate(_CONTROL)


def safe_markup(text: object) -> str:
    """:func:`safe_text`, escaped for rich markup (for ``console.print`` of untrusted text)."""
    from rich.markup import escape

    return escape(safe_text(text))


def print_json(data: Any) -> None:
    """Write ``data`` as indented, key-sorted JSON to stdout."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def _console(**kwargs: Any) -> Any:
    """A rich console that passes every piece of text it renders through :func:`safe_text`.

    Text of any renderable (markup, tables, panels) is escaped just before rich adds its own
    styling codes, which are control segments and are left alone.
    """
    from collections.abc import Iterable

    from rich.console import Console
    from rich.segment import Segment

    class SafeConsole(Console):
        def _render_buffer(self, buffer: Iterable[Segment]) -> str:
            return super()._render_buffer(
                segment if segment.control else Segment(safe_text(segment.text), segment.style)
                for segment in buffer
            )

    return SafeConsole(highlight=False, soft_wrap=True, **kwargs)


def stderr_console() -> Any:
    """A rich console on stderr (imported lazily; control characters made visible)."""
    return _console(stderr=True)


def stdout_console() -> Any:
    """A rich console on stdout (imported lazily; control characters made visible)."""
    return _console()


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
            typer.echo(safe_text(text), nl=False)
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
        stderr_console().print(f"[bold red]error:[/] {safe_markup(error.diagnostics())}")
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
