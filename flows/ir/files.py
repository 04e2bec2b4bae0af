"""Write outputs so that a failure leaves every target file as it was."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_all_atomic(files: dict[Path, str]) -> list[Path]:
    """Stage every file next to its target, then move them all into place.

    If staging fails, no target is touched and the staged files are removed.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for target, text in files.items():
            directory = target.parent if str(target.parent) else Path(".")
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
            staged.append((tmp, target))
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for tmp, target in staged:
        os.replace(tmp, target)
    return list(files)


def flow_text(flow_json: dict[str, Any]) -> str:
    """Stable, indented JSON for a flow file."""
    return json.dumps(flow_json, indent=2, ensure_ascii=False) + "\n"
