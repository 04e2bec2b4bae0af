"""Write outputs so that a failure leaves every target file as it was."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from connector_spec.errors import InputError


def _write_error(target: Path, exc: OSError) -> InputError:
    """An error naming the user's path (never the temporary file) and what to do."""
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        return InputError(
            f"{target}: cannot write: directory {parent} not found; nothing was written",
            hint=f"create {parent} first, or choose another path",
        )
    reason = exc.strerror or type(exc).__name__
    return InputError(
        f"{target}: cannot write ({reason}); nothing was written",
        hint="check that the path is writable and not a directory, or choose another path",
    )


def _make_parents(directory: Path, created: list[Path]) -> None:
    """Create ``directory`` and its missing parents, remembering each one created."""
    missing: list[Path] = []
    current = directory
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        path.mkdir()
        created.append(path)


def _backup(target: Path) -> Path | None:
    """A hidden copy of an existing target (a hard link when possible), to restore on failure."""
    if not target.is_file():
        return None
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".bak")
    os.close(fd)
    backup = Path(name)
    backup.unlink()
    try:
        os.link(target, backup)
    except OSError:
        shutil.copy2(target, backup)
    return backup


def write_all_atomic(files: dict[Path, str], *, make_dirs: bool = False) -> list[Path]:
    """Write every file or none of them.

    Each file is staged next to its target, then all are moved into place. When staging fails
    no target is touched; when a move fails, the targets already moved get their previous
    content back. With ``make_dirs``, missing parent directories are created (and removed
    again on failure). Errors are ``InputError`` naming the user's path, with a hint.
    """
    created: list[Path] = []
    staged: list[tuple[Path, Path]] = []
    try:
        for target, text in files.items():
            directory = target.parent if str(target.parent) else Path(".")
            try:
                if make_dirs:
                    _make_parents(directory, created)
                fd, name = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
                staged.append((Path(name), target))
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
            except OSError as exc:
                raise _write_error(target, exc) from None
        _move_into_place(staged)
    except BaseException:
        for staged_file, _ in staged:
            staged_file.unlink(missing_ok=True)
        for path in reversed(created):
            with contextlib.suppress(OSError):
                path.rmdir()
        raise
    return list(files)


def _move_into_place(staged: list[tuple[Path, Path]]) -> None:
    """Replace every target by its staged file; on failure restore the ones already replaced."""
    done: list[tuple[Path, Path | None]] = []
    try:
        for tmp, target in staged:
            backup: Path | None = None
            try:
                backup = _backup(target)
                os.replace(tmp, target)
            except OSError as exc:
                if backup is not None:
                    backup.unlink(missing_ok=True)
                raise _write_error(target, exc) from None
            done.append((target, backup))
    except BaseException:
        for target, backup in reversed(done):
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
        raise
    finally:
        for _, backup in done:
            if backup is not None:
                backup.unlink(missing_ok=True)


def flow_text(flow_json: dict[str, Any]) -> str:
    """Stable, indented JSON for a flow file."""
    return json.dumps(flow_json, indent=2, ensure_ascii=False) + "\n"
