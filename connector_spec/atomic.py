"""All-or-nothing file writes, shared by every package that writes user-visible files.

``replace_file`` puts new bytes at a path through a temporary file in the same directory and
one ``os.replace``: a reader sees the old content or the new, never a part. ``replace_dir``
swaps a fully staged directory into place, keeping the previous one until the swap succeeded;
``replace_files`` puts a set of files into a directory all or nothing.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from connector_spec.errors import InputError, argument


def fsync_dir(path: Path) -> None:
    """Flush a directory entry to disk (best effort where the platform does not support it)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def replace_file(path: Path, data: bytes, *, durable: bool = False) -> None:
    """Replace ``path`` with ``data`` in one ``os.replace`` (parents are created).

    ``durable`` also fsyncs the file and its directory, for writes that must survive a crash
    (registry metadata, the commit point of a transaction).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(path.parent)


def replace_dir(staging: Path, out_dir: Path) -> None:
    """Move the staged directory ``staging`` to ``out_dir``, replacing an earlier one last.

    On failure an earlier ``out_dir`` is put back; ``staging`` is the caller's to clean up.
    """
    backup: Path | None = None
    parent = out_dir.resolve().parent
    try:
        if out_dir.exists():
            backup = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=parent))
            backup.rmdir()
            os.replace(out_dir, backup)
        os.replace(staging, out_dir)
    except BaseException:
        if backup is not None and backup.exists() and not out_dir.exists():
            os.replace(backup, out_dir)
        raise
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)


def replace_files(directory: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Put every file of ``files`` (plain names to bytes) into ``directory``, all or nothing.

    The files are written to a staging directory first. A new ``directory`` is then moved
    into place by one rename; in an existing one, each file replaces its namesake and a
    failure part-way puts back what was there before. A directory standing where a file
    must go raises ``IsADirectoryError`` (naming it) before anything is written.
    """
    for name in files:
        target = directory / name
        if target.is_dir() and not target.is_symlink():
            raise IsADirectoryError(errno.EISDIR, "a directory is in the way", str(target))
    if not os.path.lexists(directory):
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
        try:
            for name, data in files.items():
                (staging / name).write_bytes(data)
            os.rename(staging, directory)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return [directory / name for name in files]
    staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=directory))
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)
        _move_in_with_undo(staging, directory, list(files))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [directory / name for name in files]


def _move_in_with_undo(staging: Path, directory: Path, names: list[str]) -> None:
    previous = staging / ".previous"
    previous.mkdir()
    moved: list[tuple[str, bool]] = []
    try:
        for name in names:
            target = directory / name
            existed = os.path.lexists(target)
            if existed:
                os.replace(target, previous / name)
            moved.append((name, existed))
            os.replace(staging / name, target)
    except BaseException:
        for name, existed in reversed(moved):
            target = directory / name
            if existed and os.path.lexists(previous / name):
                os.replace(previous / name, target)
            elif not existed:
                target.unlink(missing_ok=True)
        raise


def check_replaceable_dir(
    out_dir: Path, *, marker: str, what: str, error: type[InputError] = InputError
) -> None:
    """Refuse an output directory that :func:`replace_dir` must not replace as a whole.

    Allowed: an absent directory (the writer creates its parents), an empty one, or an
    earlier output of the same command (it holds the file ``marker``). Anything else raises
    ``error`` (exit 2) naming the directory; ``what`` names such an output ("harvest output").
    """
    name = f"{argument('out')} {out_dir}"
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise error(
            f"{name}: exists and is not a directory", hint=f"choose another {argument('out')}"
        )
    if any(out_dir.iterdir()) and not (out_dir / marker).is_file():
        raise error(
            f"{name}: not empty and not a previous {what} (no {marker})",
            hint=f"{argument('out')} is replaced as a whole; give an empty or new directory",
        )


def check_writable_dir(directory: Path, *, option: str, context: str | None = None) -> None:
    """Refuse an output directory that is missing or not writable (``InputError``, exit 2).

    ``option`` names the argument the way the caller's front-end spells it (e.g.
    ``argument("out")``); ``context`` (a target file) prefixes the message when given.
    """
    prefix = f"{context}: {option}: " if context else ""
    if not directory.is_dir():
        raise InputError(
            f"{prefix}{directory}: output directory does not exist; nothing was written",
            hint=f"create {directory} first or choose another {option} path",
        )
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError(
            f"{prefix}{directory}: output directory is not writable; nothing was written",
            hint=f"choose another {option} path or fix the directory's permissions",
        )
