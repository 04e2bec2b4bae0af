"""Offline Ed25519 keys, kept outside the registry with 0600 permissions.

Keys are PKCS#8 PEM files in a key directory (default ``.flows/keys`` under the working
directory, or ``FLOWS_KEY_DIR``). ``default.pem`` is the key a new registry is created
with; rotation adds ``<keyid>.pem`` files. Key generation and signing are securesystemslib's
``CryptoSigner``; nothing here does cryptography by hand.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from securesystemslib.signer import CryptoSigner  # type: ignore[attr-defined]

from registry.errors import RegistryInputError

DEFAULT_KEY = "default.pem"


def default_key_dir() -> Path:
    """``$FLOWS_KEY_DIR`` or ``.flows/keys`` under the working directory."""
    env = os.environ.get("FLOWS_KEY_DIR")
    return Path(env) if env else Path.cwd() / ".flows" / "keys"


def _notice(message: str) -> None:
    sys.stderr.write(message + "\n")


def generate_key(key_dir: Path, filename: str | None = None) -> tuple[CryptoSigner, Path]:
    """Create a new Ed25519 key file (mode 0600) and return its signer and path."""
    signer = CryptoSigner.generate_ed25519()
    key_dir.mkdir(parents=True, exist_ok=True)
    path = key_dir / (filename or f"{signer.public_key.keyid}.pem")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(signer.private_bytes)
        handle.flush()
        os.fsync(handle.fileno())
    return signer, path


def load_key(path: Path) -> CryptoSigner:
    """Load a PEM private key file as a ``CryptoSigner``."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        private = load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise RegistryInputError(
            f"{path}: not a usable private key ({exc})",
            hint="point FLOWS_KEY_DIR at the directory holding the registry's key",
        ) from None
    return CryptoSigner(private)


def load_or_create_default_key(
    key_dir: Path | None = None, notice: Callable[[str], None] = _notice
) -> CryptoSigner:
    """The default key of ``key_dir``; created (with a one-line notice) when missing."""
    directory = key_dir or default_key_dir()
    path = directory / DEFAULT_KEY
    if path.exists():
        return load_key(path)
    signer, created = generate_key(directory, DEFAULT_KEY)
    notice(
        f"created signing key {created} (Ed25519, keyid {signer.public_key.keyid[:16]}); "
        "keep it private and back it up"
    )
    return signer


def find_signer(key_dir: Path, keyids: Iterable[str]) -> CryptoSigner:
    """The first key in ``key_dir`` whose keyid is one of ``keyids``."""
    wanted = set(keyids)
    if key_dir.is_dir():
        for path in sorted(key_dir.glob("*.pem")):
            signer = load_key(path)
            if signer.public_key.keyid in wanted:
                return signer
    raise RegistryInputError(
        f"no key in {key_dir} can sign for this registry",
        hint="set FLOWS_KEY_DIR (or --key-dir) to the directory with the registry's key "
        f"(keyid {', '.join(sorted(k[:16] for k in wanted))})",
    )
