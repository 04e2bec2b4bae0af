"""Path confinement and input limits for the MCP server.

Every path a client passes is resolved (symlinks included) and must land inside one of the
roots given at server start; relative paths are taken from the first root. Inline inputs and
input files larger than the limit are refused before any library reads them. Directories a
library reads whole (policy packs, a spec's ``fixtures/`` and ``flows_*`` folders) are walked
first: every file and folder in them, symlinks resolved, must be inside the roots too.

Nothing here imports :mod:`connector_spec` until an error is raised (server start-up time).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_BYTES = 1024 * 1024
"""The default limit of one inline input or one input file (1 MiB)."""
MAX_TREE_FILES = 10_000
"""The most files a directory read whole (a pack directory, ``fixtures/``) may hold."""


@dataclass(frozen=True)
class Sandbox:
    """The directories the server may read and write, and the size limit of inputs."""

    roots: tuple[Path, ...]
    max_bytes: int = DEFAULT_MAX_BYTES

    @classmethod
    def create(
        cls, roots: Sequence[str | Path] = (), max_bytes: int = DEFAULT_MAX_BYTES
    ) -> Sandbox:
        """Resolve ``roots`` (default: the current directory); each must be a directory."""
        resolved: list[Path] = []
        for root in roots or [Path.cwd()]:
            real = Path(os.path.realpath(root))
            if not real.is_dir():
                from connector_spec.errors import InputError

                raise InputError(
                    f"{root}: not a directory",
                    hint="pass --root DIR for each directory the MCP client may use",
                )
            resolved.append(real)
        if max_bytes <= 0:
            from connector_spec.errors import InputError

            raise InputError(f"--max-bytes {max_bytes}: must be a positive number of bytes")
        return cls(tuple(resolved), max_bytes)

    @property
    def home(self) -> Path:
        """The first root: relative paths and default locations are taken from it."""
        return self.roots[0]

    def _roots_text(self) -> str:
        return ", ".join(str(r) for r in self.roots)

    def inside(self, real: Path) -> bool:
        """True when the resolved path ``real`` is one of the roots or below one."""
        return any(real == root or real.is_relative_to(root) for root in self.roots)

    def resolve(self, value: str | Path, *, field: str) -> Path:
        """The real path of ``value``; raise :class:`PathOutsideRoots` when it escapes."""
        from flows.mcp.errors import PathOutsideRoots

        text = str(value)
        if not text or "\x00" in text:
            from connector_spec.errors import InputError

            raise InputError(f"{field}: {text!r} is not a usable path")
        path = Path(text)
        if not path.is_absolute():
            path = self.home / path
        real = Path(os.path.realpath(path))
        if self.inside(real):
            return real
        raise PathOutsideRoots(
            f"{field}: {text} is outside the directories this server may use "
            f"({self._roots_text()})",
            hint="pass a path inside one of them (relative paths start at the first); "
            "restart `flows mcp` with another --root to allow more",
        )

    def input_file(self, value: str | Path, *, field: str) -> Path:
        """Like :meth:`resolve`, and the file must exist and be within the size limit."""
        path = self.resolve(value, field=field)
        if not path.is_file():
            from connector_spec.errors import InputError
            from connector_spec.files import check_regular_file

            if path.exists():
                check_regular_file(path)  # says what it is instead: a FIFO, a directory, ...
            raise InputError(f"{field}: {value}: no such file", hint="pass an existing file")
        self.check_size(path.stat().st_size, what=f"{field}: {value}")
        return path

    def input_tree(self, value: str | Path, *, field: str) -> Path:
        """Like :meth:`input_file`, for a file or a directory that is read whole.

        A directory is walked (symlinks followed): every file and folder in it must resolve
        inside the roots and every file must be within the size limit; see :meth:`check_tree`.
        """
        path = self.resolve(value, field=field)
        if path.is_dir():
            self.check_tree(path, what=f"{field}: {value}")
            return path
        return self.input_file(value, field=field)

    def check_tree(self, directory: Path, *, what: str, sizes: bool = True) -> None:
        """Refuse ``directory`` when anything in it leads out of the roots or is too large.

        Raises :class:`PathOutsideRoots` for a file or folder (a symlink, or inside a linked
        folder) that resolves outside every root, :class:`InputTooLarge` for a file over the
        limit (unless ``sizes`` is false) or more than :data:`MAX_TREE_FILES` files. ``what``
        names the directory in messages.
        """
        from flows.mcp.errors import InputTooLarge, PathOutsideRoots

        visited: set[str] = set()
        count = 0
        for current, dirs, files in os.walk(directory, followlinks=True):
            real_current = os.path.realpath(current)
            if real_current in visited:  # a link back up: walked already
                dirs[:] = []
                continue
            visited.add(real_current)
            for name in [*dirs, *files]:
                entry = Path(current) / name
                real = Path(os.path.realpath(entry))
                shown = entry.relative_to(directory).as_posix()
                if not self.inside(real):
                    raise PathOutsideRoots(
                        f"{what}: {shown} leads outside the directories this server may use "
                        f"({self._roots_text()})",
                        hint="remove the link or copy the file into the directory; restart "
                        "`flows mcp` with another --root to allow more",
                    )
                if name in files and real.is_file():
                    count += 1
                    if sizes:
                        self.check_size(real.stat().st_size, what=f"{what}: {shown}")
            if count > MAX_TREE_FILES:
                raise InputTooLarge(
                    f"{what} holds more than {MAX_TREE_FILES} files",
                    hint="point the tool at a smaller directory",
                )

    def output_dir(self, value: str | Path, *, field: str) -> Path:
        """Like :meth:`resolve`, for a directory that is written (it may not exist yet)."""
        path = self.resolve(value, field=field)
        if path.exists() and not path.is_dir():
            from connector_spec.errors import InputError

            raise InputError(f"{field}: {value} is not a directory", hint="pass a directory")
        if path.is_dir():
            self._check_links(path, value, field)
        return path

    def _check_links(self, directory: Path, value: str | Path, field: str) -> None:
        """Refuse symlinks out of the roots where generated files go (writes would follow).

        Checked: the directory's own entries and, recursively, its ``flows_*`` package
        directories (what ``generate`` and ``certify`` write); not the whole tree.
        """
        for entry in directory.iterdir():
            if entry.is_symlink():
                self.resolve(entry, field=f"{field}: {value}: link {entry.name}")
            elif entry.is_dir() and entry.name.startswith("flows_"):
                for current, dirs, files in os.walk(entry):
                    for name in [*dirs, *files]:
                        inner = Path(current) / name
                        if inner.is_symlink():
                            self.resolve(inner, field=f"{field}: {value}: link {name}")

    def check_text(self, text: str, *, field: str) -> bytes:
        """The UTF-8 bytes of an inline input, refused when larger than the limit."""
        raw = text.encode("utf-8")
        self.check_size(len(raw), what=f"{field} (inline)")
        return raw

    def check_size(self, size: int, *, what: str) -> None:
        """Raise :class:`InputTooLarge` when ``size`` exceeds the limit."""
        from flows.mcp.errors import InputTooLarge

        if size > self.max_bytes:
            raise InputTooLarge(
                f"{what} is {size} bytes; this server accepts at most {self.max_bytes}",
                hint="pass a smaller input, or restart `flows mcp` with a larger --max-bytes",
            )
