"""Reading a registry from a directory, a ``file://`` URL or HTTP(S), plus the trust store.

The client keeps the newest metadata it has verified under ``.flows/trusted/<registry-id>/``
(or ``FLOWS_TRUST_DIR``), so a registry that later serves older metadata is refused.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

from registry.errors import RegistryInputError
from registry.layout import atomic_write


class Source(Protocol):
    """Where registry files come from."""

    def read(self, rel: str) -> bytes:
        """The bytes of ``rel``; raise ``FileNotFoundError`` when absent."""
        ...

    def describe(self) -> str:
        """Where this source is, for messages."""
        ...


class LocalSource:
    """A registry directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def read(self, rel: str) -> bytes:
        """Read a file below the root."""
        return (self.root / rel).read_bytes()

    def describe(self) -> str:
        """The directory."""
        return str(self.root)


class HttpSource:
    """A registry served over HTTP(S); pass ``transport`` to serve it from anything."""

    def __init__(self, base_url: str, *, transport: Any | None = None, timeout: float = 30.0):
        import httpx

        self.base_url = base_url.rstrip("/") + "/"
        self.client = httpx.Client(transport=transport, timeout=timeout, follow_redirects=True)

    def read(self, rel: str) -> bytes:
        """GET ``base_url/rel``; 404 is ``FileNotFoundError``."""
        import httpx

        url = self.base_url + rel
        try:
            response = self.client.get(url)
        except httpx.HTTPError as exc:
            raise RegistryInputError(
                f"{url}: cannot reach the registry ({exc})", hint="check the URL and network"
            ) from None
        if response.status_code == 404:
            raise FileNotFoundError(url)
        if response.status_code != 200:
            raise RegistryInputError(f"{url}: HTTP {response.status_code}")
        return bytes(response.content)

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


class TrustStore:
    """The newest verified root, timestamp and snapshot of one registry."""

    FILES = ("root.json", "timestamp.json", "snapshot.json")

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @classmethod
    def for_registry(cls, base: Path, first_root: bytes) -> TrustStore:
        """The store of the registry whose first root is ``first_root``."""
        registry_id = hashlib.sha256(first_root).hexdigest()[:16]
        return cls(base / registry_id)

    def load(self, name: str) -> bytes | None:
        """Trusted bytes of ``name`` (one of :attr:`FILES`), if any."""
        path = self.directory / name
        return path.read_bytes() if path.is_file() else None

    def save(self, files: dict[str, bytes]) -> None:
        """Remember newly verified metadata."""
        for name, data in files.items():
            atomic_write(self.directory / name, data)
