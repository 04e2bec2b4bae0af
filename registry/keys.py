"""Offline Ed25519 keys, kept outside the registry with 0600 permissions.

Keys are PKCS#8 PEM files in a key directory (default ``.flows/keys`` under the working
directory, or ``FLOWS_KEY_DIR``). ``default.pem`` is the key a new registry is created
with; rotation adds ``<keyid>.pem`` files. Key generation and signing are securesystemslib's
``CryptoSigner``; nothing here does cryptography by hand.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from securesystemslib.signer import CryptoSigner  # type: ignore[attr-defined]

from connector_spec.atomic import fsync_dir
from connector_spec.errors import argument
from registry.errors import RegistryInputError

DEFAULT_KEY = "default.pem"


def default_key_dir() -> Path:
    """``$FLOWS_KEY_DIR`` or ``.flows/keys`` under the working directory."""
    env = os.environ.get("FLOWS_KEY_DIR")
    return Path(env) if env else Path.cwd() / ".flows" / "keys"


def _notice(message: str) -> None:
    sys.stderr.write(message + "\n")


def _create_new_file(path: Path, data: bytes) -> None:
    """Create ``path`` holding ``data`` (mode 0600) all at once, never replacing a file.

    The bytes go to a temporary file in the same directory, are fsync'd, then linked to
    ``path`` (which fails when ``path`` exists): a crash leaves no file or the whole file,
    never an empty one. Raises ``FileExistsError`` when ``path`` already exists.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    fsync_dir(path.parent)


def generate_key(key_dir: Path, filename: str | None = None) -> tuple[CryptoSigner, Path]:
    """Create a new Ed25519 key file (mode 0600, atomically) and return its signer and path.

    Raises ``FileExistsError`` when the file exists already.
    """
    signer = CryptoSigner.generate_ed25519()
    key_dir.mkdir(parents=True, exist_ok=True)
    path = key_dir / (filename or f"{signer.public_key.keyid}.pem")
    _create_new_file(path, signer.private_bytes)
    return signer, path


def load_key(path: Path) -> CryptoSigner:
    """Load a PEM private key file as a ``CryptoSigner``; say what to do when it is unusable."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    data = path.read_bytes()
    if not data.strip():
        raise RegistryInputError(
            f"{path}: empty (0 bytes), not a key: an earlier key creation was interrupted "
            "before the key was written",
            hint=f"delete {path} and run again to create a new key, unless a registry was "
            "already signed with the key this file should hold: then restore it from your "
            "backup",
        )
    try:
        private = load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise RegistryInputError(
            f"{path}: not a PEM private key ({str(exc).split('. ')[0]})",
            hint=f"restore {path} from your backup of the registry's key (or set "
            "FLOWS_KEY_DIR to the directory holding it); only if no registry was ever "
            "signed with it, delete it and a new key is created on the next publish",
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
    try:
        signer, created = generate_key(directory, DEFAULT_KEY)
    except FileExistsError:  # another process created it first: use that one
        return load_key(path)
    notice(
        f"created signing key {created} (Ed25519, keyid {signer.public_key.keyid[:16]}); "
        "keep it private and back it up"
    )
    return signer


def find_signer(key_dir: Path, keyids: Iterable[str]) -> CryptoSigner:
    """The first key in ``key_dir`` whose keyid is one of ``keyids``.

    Unusable ``*.pem`` files are skipped; when no key fits, the error names them and says
    what to do about the first one.
    """
    wanted = set(keyids)
    unusable: list[RegistryInputError] = []
    if key_dir.is_dir():
        for path in sorted(key_dir.glob("*.pem")):
            try:
                signer = load_key(path)
            except RegistryInputError as exc:
                unusable.append(exc)
                continue
            if signer.public_key.keyid in wanted:
                return signer
    keys = ", ".join(sorted(k[:16] for k in wanted))
    if unusable:
        first = unusable[0]
        others = "; ".join(str(e).split(":")[0] for e in unusable[1:])
        raise RegistryInputError(
            f"no usable key in {key_dir} can sign for this registry (keyid {keys}); "
            f"{first}" + (f"; also unusable: {others}" if others else ""),
            hint=first.hint,
        )
    raise RegistryInputError(
        f"no key in {key_dir} can sign for this registry",
        hint=f"set FLOWS_KEY_DIR (or {argument('key_dir')}) to the directory with the "
        "registry's key "
        f"(keyid {keys})",
    )
