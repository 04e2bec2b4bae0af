"""Reading an input file safely: regular files only, bounded, never blocking.

Every place flows reads a file a user names goes through :func:`read_input_file`. A FIFO, a
device, a socket, a directory or a symlink loop is refused with the path *before* it is opened
for reading (a FIFO would otherwise block forever), the file is opened non-blocking and checked
again after opening (so a path swapped in between is still caught), and at most ``max_bytes``
are read.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from connector_spec.errors import Diagnostic, DiagnosticError


class UnreadableFile(DiagnosticError):
    """A path that should name a readable regular file does not (exit 2)."""

    kind = "the input"


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _refuse(name: str, message: str, hint: str | None) -> UnreadableFile:
    return UnreadableFile([Diagnostic(name, None, None, "", message, hint)])


def _os_problem(name: str, exc: OSError) -> UnreadableFile:
    if exc.errno == errno.ENOENT:
        return _refuse(name, "file not found", "check the path")
    if exc.errno == errno.ELOOP:
        return _refuse(name, "symlink loop (too many levels of symbolic links)", "fix the link")
    if exc.errno == errno.EACCES:
        return _refuse(name, "permission denied", "make the file readable")
    if exc.errno == errno.EISDIR:
        return _refuse(name, "is a directory, not a file", "pass a file")
    return _refuse(name, f"cannot read file: {exc.strerror or exc}", None)


def check_regular_file(path: str | Path) -> int:
    """Return the size of ``path``; raise :class:`UnreadableFile` unless it is a regular file.

    Symlinks are followed; a dangling link, a symlink loop, a directory, a FIFO, a socket or a
    device is refused with the path and what it is. Nothing is opened.
    """
    name = str(path)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _os_problem(name, exc) from None
    except ValueError:  # an embedded NUL byte
        raise _refuse(name, "is not a usable path", None) from None
    if not stat.S_ISREG(info.st_mode):
        if stat.S_ISDIR(info.st_mode):
            raise _refuse(name, "is a directory, not a file", "pass a file")
        raise _refuse(name, f"is {_kind_of(info.st_mode)}, not a regular file", "pass a file")
    return info.st_size


def read_input_file(path: str | Path, *, max_bytes: int, size_hint: str | None = None) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them.

    Raises :class:`UnreadableFile` (exit 2, naming the path) for a missing or unreadable path,
    anything but a regular file, or a file larger than ``max_bytes`` (``size_hint`` then says
    what to do). Never blocks on a FIFO and never reads more than ``max_bytes + 1`` bytes.
    """
    name = str(path)
    size = check_regular_file(path)
    if size > max_bytes:
        raise _refuse(name, f"file is {size:,} bytes; the limit is {max_bytes:,}", size_hint)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _os_problem(name, exc) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # swapped between the check and the open
            raise _refuse(name, f"is {_kind_of(info.st_mode)}, not a regular file", "pass a file")
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:
            chunk = os.read(fd, min(1024 * 1024, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise _os_problem(name, exc) from None
    finally:
        os.close(fd)
    if total > max_bytes:
        raise _refuse(name, f"file is larger than {max_bytes:,} bytes", size_hint)
    return b"".join(chunks)


MAX_INT_DIGITS = 4300
"""Python refuses to convert integers longer than this (``sys.get_int_max_str_digits``)."""

_LONG_NUMBER = re.compile(r"\d{" + str(MAX_INT_DIGITS + 1) + ",}")


def long_number_at(text: str) -> tuple[int, int] | None:
    """The 1-based (line, column) of the first number too long to convert, or None.

    JSON and YAML parsers raise a bare ``ValueError`` on such a number, without a place;
    callers use this to point at it.
    """
    match = _LONG_NUMBER.search(text)
    if match is None:
        return None
    line = text.count("\n", 0, match.start()) + 1
    column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    return line, column


LONG_NUMBER_MESSAGE = f"a number has more than {MAX_INT_DIGITS:,} digits"
LONG_NUMBER_HINT = "numbers are limited to 4,300 digits; quote it to keep it as a string"
