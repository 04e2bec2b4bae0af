"""Progress bars for long operations: rich on a terminal, nothing otherwise.

A library function takes ``progress(done, total)``; the command passes the callback from
:func:`progress_callback`, which draws a rich bar on stderr only when stderr is a terminal
and the command is not in ``--json`` mode, and is ``None`` (no cost, no output) otherwise.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Progress = Callable[[int, int], None]


def wants_progress(enabled: bool = True, stream: Any = None) -> bool:
    """True when a bar should be drawn: ``enabled`` and the stream is a terminal."""
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return bool(enabled and callable(isatty) and isatty())


@contextmanager
def progress_callback(
    label: str, *, enabled: bool = True, stream: Any = None
) -> Iterator[Progress | None]:
    """A ``progress(done, total)`` callback drawing a rich bar, or ``None`` when quiet."""
    if not wants_progress(enabled, stream):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn
    from rich.progress import Progress as RichProgress

    console = Console(file=stream if stream is not None else sys.stderr)
    bar = RichProgress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield update
