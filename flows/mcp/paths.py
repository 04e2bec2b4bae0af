"""Path confinement and input limits for the MCP server.

Every path a client passes is resolved (symlinks included) and must land inside one of the
roots given at server start; relative paths are taken from the first root. Inline inputs and
input files larger than the limit are refused before any library reads them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_BYTES = 1024 * 1024
"""The default limit of one inline input or one input file (1 MiB)."""


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
        from connector_spec.errors import InputError

        resolved: list[Path] = []
        for root in roots or [Path.cwd()]:
            real = Path(os.path.realpath(root))
            if not real.is_dir():
                raise InputError(
                    f"{root}: not a directory",
                    hint="pass --root DIR for each directory the MCP client may use",
                )
            resolved.append(real)
        if max_bytes <= 0:
            raise InputError(f"--max-bytes {max_bytes}: must be a positive number of bytes")
        return cls(tuple(resolved), max_bytes)

    @property
    def home(self) -> Path:
        """The first root: relative paths and default locations are taken from it."""
        return self.roots[0]

    def _roots_text(self) -> str:
        return ", ".join(str(r) for r in self.roots)

    def resolve(self, value: str | Path, *, field: str) -> Path:
        """The real path of ``value``; raise :class:`PathOutsideRoots` when it escapes."""
        from connector_spec.errors import InputError
        from flows.mcp.errors import PathOutsideRoots

        text = str(value)
        if not text or "\x00" in text:
            raise InputError(f"{field}: {text!r} is not a usable path")
        path = Path(text)
        if not path.is_absolute():
            path = self.home / path
        real = Path(os.path.realpath(path))
        if any(real == root or real.is_relative_to(root) for root in self.roots):
            return real
        raise PathOutsideRoots(
            f"{field}: {text} is outside the directories this server may use "
            f"({self._roots_text()})",
            hint="pass a path inside one of them (relative paths start at the first); "
            "restart `flows mcp` with another --root to allow more",
        )

    def input_file(self, value: str | Path, *, field: str) -> Path:
        """Like :meth:`resolve`, and the file must exist and be within the size limit."""
        from connector_spec.errors import InputError

        path = self.resolve(value, field=field)
        if not path.is_file():
            raise InputError(f"{field}: {value}: no such file", hint="pass an existing file")
        self.check_size(path.stat().st_size, what=f"{field}: {value}")
        return path

    def output_dir(self, value: str | Path, *, field: str) -> Path:
        """Like :meth:`resolve`, for a directory that is written (it may not exist yet)."""
        from connector_spec.errors import InputError

        path = self.resolve(value, field=field)
        if path.exists() and not path.is_dir():
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
