"""Generated Python sources formatted by ruff, as a person would leave them.

The templates already write code close to ruff's style; large real-world specs (long union
annotations, long descriptions, many query parameters) reach layouts that only the formatter
itself gets right. ruff is pinned in ``pyproject.toml`` so that the output stays byte-identical
for a given flows version.
"""

from __future__ import annotations

import functools
import subprocess
import tempfile
from pathlib import Path

LINE_LENGTH = 100


class FormatterFault(RuntimeError):
    """ruff could not run or refused generated code: a fault of flows, never of the spec."""


def _ruff() -> str:
    try:
        from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - ruff is a dependency of flows
        raise FormatterFault("ruff is not installed; reinstall flows") from exc
    return str(find_ruff_bin())


def format_sources(sources: dict[str, str]) -> dict[str, str]:
    """``sources`` (relative path → Python text) formatted by ruff; other keys are left out."""
    if not sources:
        return {}
    return dict(_format_recent(tuple(sorted(sources.items()))))


# ruff is pinned and pure, so the same text formats to the same bytes: the last few results
# are kept (certification renders a package again to check that codegen is reproducible,
# after the farm rendered it once for the wheel)
@functools.lru_cache(maxsize=4)
def _format_recent(items: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple(_format(dict(items)).items())


def _format(sources: dict[str, str]) -> dict[str, str]:
    with tempfile.TemporaryDirectory(prefix="flows-format-") as tmp:
        root = Path(tmp)
        for rel, text in sources.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        command = [
            _ruff(),
            "format",
            "--isolated",
            "--no-cache",
            "--line-length",
            str(LINE_LENGTH),
            "-q",
            tmp,
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise FormatterFault(f"ruff format failed on generated code: {result.stderr.strip()}")
        return {rel: (root / rel).read_text(encoding="utf-8") for rel in sources}
