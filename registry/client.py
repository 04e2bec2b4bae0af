"""Reading a registry from a directory, a ``file://`` URL or HTTP(S), plus the trust store.

The client pins the root of the registry at each location on first use and keeps the newest
metadata it has verified under ``.flows/trusted/<location-id>/`` (or ``FLOWS_TRUST_DIR``), so a
registry that later serves older metadata, or another registry at the same location, is
refused (see :class:`TrustStore`).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

from registry.errors import RegistryInputError, TooLarge
from registry.layout import atomic_write

#: The most a client reads of a file whose size no signed metadata gives (a documented cap;
#: TUF's length fields are used wherever they exist). The values follow python-tuf's ngclient.
MAX_ROOT_BYTES = 512 * 1024
MAX_TIMESTAMP_BYTES = 16 * 1024
MAX_METADATA_BYTES = 16 * 1024 * 1024
MAX_LOG_ENTRY_BYTES = 64 * 1024
#: The longest one HTTP(S) read may take in all (each network wait is also bounded by the
#: client's timeout), so a server trickling bytes cannot hold a client forever.
READ_DEADLINE_S = 300.0


class Source(Protocol):
    """Where registry files come from."""

    def read(self, rel: str, limit: int = MAX_METADATA_BYTES) -> bytes:
        """The bytes of ``rel``; ``FileNotFoundError`` when absent, :class:`TooLarge` when
        longer than ``limit`` bytes (reading stops there)."""
        ...

    def describe(self) -> str:
        """Where this source is, for messages."""
        ...


class LocalSource:
    """A registry directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def read(self, rel: str, limit: int = MAX_METADATA_BYTES) -> bytes:
        """Read a regular file below the root (a FIFO or device is refused, never opened
        for a blocking read)."""
        fd = os.open(self.root / rel, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise OSError(errno.EINVAL, "not a regular file", str(self.root / rel))
            if info.st_size > limit:
                raise TooLarge(rel, limit)
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise TooLarge(rel, limit)
        return data

    def describe(self) -> str:
        """The directory."""
        return str(self.root)


class HttpSource:
    """A registry served over HTTP(S); pass ``transport`` to serve it from anything."""

    def __init__(
        self,
        base_url: str,
        *,
        transport: Any | None = None,
        timeout: float = 30.0,
        deadline: float = READ_DEADLINE_S,
        clock: Callable[[], float] = time.monotonic,
    ):
        import httpx

        self.base_url = base_url.rstrip("/") + "/"
        self.client = httpx.Client(transport=transport, timeout=timeout, follow_redirects=True)
        self.deadline = deadline
        self.clock = clock

    def read(self, rel: str, limit: int = MAX_METADATA_BYTES) -> bytes:
        """GET ``base_url/rel`` as a stream, stopping at ``limit`` bytes; 404 is
        ``FileNotFoundError``."""
        import httpx

        url = self.base_url + rel
        started = self.clock()
        try:
            with self.client.stream("GET", url) as response:
                if response.status_code == 404:
                    raise FileNotFoundError(url)
                if response.status_code != 200:
                    raise RegistryInputError(f"{url}: HTTP {response.status_code}")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and len(declared) < 20 and int(declared) > limit:
                    raise TooLarge(rel, limit)
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge(rel, limit)
                    chunks.append(chunk)
                    if self.clock() - started > self.deadline:
                        raise RegistryInputError(
                            f"{url}: no complete answer within {self.deadline:.0f}s "
                            f"({size} bytes so far)",
                            hint="the server is too slow or stalling; try again later",
                        )
        except httpx.HTTPError as exc:
            raise RegistryInputError(
                f"{url}: cannot reach the registry ({exc})", hint="check the URL and network"
            ) from None
        return b"".join(chunks)

    def describe(self) -> str:
        """The base URL."""
        return self.base_url


def default_registry() -> str:
    """``$FLOWS_REGISTRY`` or ``.flows/registry`` under the working directory."""
    return os.environ.get("FLOWS_REGISTRY") or str(Path.cwd() / ".flows" / "registry")


def default_trust_dir() -> Path:
    """``$FLOWS_TRUST_DIR`` or ``.flows/trusted`` under the working directory."""
    env = os.environ.get("FLOWS_TRUST_DIR")
    return Path(env) if env else Path.cwd() / ".flows" / "trusted"


def is_url(location: str) -> bool:
    """True for ``http://``, ``https://`` and ``file://`` locations."""
    return location.startswith(("http://", "https://", "file://"))


def local_path(location: str) -> Path | None:
    """The directory of a path or ``file://`` location; ``None`` for HTTP(S)."""
    if location.startswith("file://"):
        return Path(unquote(urlparse(location).path))
    if location.startswith(("http://", "https://")):
        return None
    return Path(location)


def open_source(location: str, *, transport: Any | None = None) -> Source:
    """A source for a path, ``file://`` URL or HTTP(S) URL."""
    path = local_path(location)
    if path is None:
        return HttpSource(location, transport=transport)
    return LocalSource(path)


def trust_location(location: str) -> str:
    """The spelling of a registry location that trust is pinned to.

    A directory or ``file://`` URL becomes the ``file://`` URL of its absolute (resolved)
    path; an HTTP(S) URL is kept, with one trailing slash.
    """
    path = local_path(location)
    if path is None:
        return location.rstrip("/") + "/"
    try:
        path = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: pin the spelling given
        path = path.absolute()
    return path.as_uri()


class TrustStore:
    """What a client trusts about the registry at one location (trust on first use).

    The first successful verification pins the registry's root; later reads start from
    the pinned root, accept only roots that chain from it (signed by its keys), and refuse
    metadata older than the newest seen before (rollback). Versions are compared, never
    bytes, so re-serialised metadata changes nothing.
    """

    FILES = ("root.json", "timestamp.json", "snapshot.json")
    LOCATION_FILE = "location"

    def __init__(self, directory: Path, location: str = "") -> None:
        self.directory = directory
        self.location = location

    @classmethod
    def for_location(cls, base: Path, location: str) -> TrustStore:
        """The store of the registry at ``location`` (a path or URL), under ``base``."""
        pinned = trust_location(location)
        return cls(base / hashlib.sha256(pinned.encode()).hexdigest()[:16], pinned)

    def load(self, name: str) -> bytes | None:
        """Trusted bytes of ``name`` (one of :attr:`FILES`), if any."""
        path = self.directory / name
        return path.read_bytes() if path.is_file() else None

    def save(self, files: dict[str, bytes]) -> None:
        """Remember newly verified metadata."""
        for name, data in files.items():
            atomic_write(self.directory / name, data)
        if self.location:
            atomic_write(self.directory / self.LOCATION_FILE, self.location.encode() + b"\n")

    def reset(self) -> bool:
        """Forget everything trusted about this location; ``True`` when something was."""
        if not self.directory.exists():
            return False
        shutil.rmtree(self.directory)
        return True


def reset_trust(base: Path, location: str) -> bool:
    """Forget the pinned trust of ``location``: the next read trusts it on first use again."""
    return TrustStore.for_location(base, location).reset()


def pinned_trust(base: Path, location: str) -> dict[str, Any]:
    """What is pinned for ``location``: root version and keys, newest timestamp version."""
    from tuf.api.metadata import Metadata

    store = TrustStore.for_location(base, location)
    info: dict[str, Any] = {"location": store.location, "store": str(store.directory)}
    root_bytes = store.load("root.json")
    if root_bytes is None:
        return {**info, "pinned": False}
    try:
        root = Metadata.from_bytes(root_bytes).signed
        timestamp = store.load("timestamp.json")
        return {
            **info,
            "pinned": True,
            "root_version": root.version,
            "root_keyids": sorted(root.roles["root"].keyids),
            "timestamp_version": (
                Metadata.from_bytes(timestamp).signed.version if timestamp else None
            ),
        }
    except Exception as exc:  # python-tuf raises several types for malformed input
        return {**info, "pinned": True, "damaged": f"the pinned metadata is damaged ({exc})"}
