"""Writing a command's report file: Markdown or JSON, atomically (harvest, farm)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from connector_spec.atomic import replace_file
from connector_spec.errors import InputError, argument

FORMATS = ("md", "json")


class Report(Protocol):
    """A report that renders itself as Markdown and as JSON data."""

    def to_markdown(self) -> str:
        """The report as Markdown text."""
        ...

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        ...


def report_format(path: Path, fmt: str | None = None) -> str:
    """``md`` or ``json``: ``fmt`` when given, else by the suffix of ``path``.

    Raises :class:`InputError` (exit 2) for another format or a directory that does not exist,
    before any work is done.
    """
    chosen = fmt if fmt is not None else path.suffix[1:]
    if chosen not in FORMATS:
        raise InputError(
            f"{argument('report')} {path}: give a .md or .json file name"
            if fmt is None
            else f"report format {fmt!r} is not md or json"
        )
    if not path.resolve().parent.is_dir():
        raise InputError(f"{argument('report')} {path}: directory {path.parent} does not exist")
    return chosen


def json_bytes(data: Any) -> bytes:
    """``data`` as indented, key-sorted JSON with a final newline (every flows report file)."""
    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")


def write_report_file(path: Path, report: Report, fmt: str | None = None) -> None:
    """Write ``report`` to ``path`` as ``fmt`` (default: by suffix), atomically."""
    chosen = report_format(path, fmt)
    data = report.to_markdown().encode("utf-8") if chosen == "md" else json_bytes(report.to_json())
    replace_file(path.resolve(), data)
