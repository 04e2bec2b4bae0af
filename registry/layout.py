"""Where things live in a registry tree, safe names, semantic versions and atomic writes.

A registry root holds::

    metadata/<N>.root.json          root metadata chain (policy and keys)
    metadata/timestamp.json         the commit point: replaced atomically by every change
    metadata/<N>.snapshot.json      versions of every targets role and the log head
    metadata/<N>.targets.json       delegates one role per connector, lists trust files
    metadata/<N>.c.<name>.json      one connector: its versions and their files
    targets/<name>/<version>/...    spec, wheel, statement, its signature, extra files
    targets/_trust/...              files the verification policy needs (sigstore trusted root)
    log/<seq>.json                  the hash-chained transparency log
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from connector_spec.atomic import replace_file
from connector_spec.versions import Version, version_key
from registry.errors import RegistryInputError

METADATA = "metadata"
TARGETS = "targets"
LOG = "log"
STAGING = ".staging"
LOCK = ".lock"
TIMESTAMP_FILE = "timestamp.json"
TRUST_DIR = "_trust"
SIGSTORE_TRUSTED_ROOT = f"{TRUST_DIR}/sigstore_trusted_root.json"

SPEC_FILE = "connector.yaml"
STATEMENT_FILE = "statement.json"
DSSE_FILE = "statement.dsse.json"
SIGSTORE_FILE = "statement.sigstore.json"
SIGNATURE_FILES = (DSSE_FILE, SIGSTORE_FILE)

NAME_RE = re.compile(r"^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$")
FILE_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._+-]{0,199}$")


def role_name(connector: str) -> str:
    """The delegated targets role holding one connector."""
    return f"c.{connector}"


def metadata_file(role: str, version: int) -> str:
    """Relative path of a version of a role's metadata (consistent snapshots)."""
    return f"{METADATA}/{version}.{role}.json"


def root_file(version: int) -> str:
    """Relative path of version ``version`` of the root metadata."""
    return f"{METADATA}/{version}.root.json"


def later_roots(read: Callable[[str], bytes], after: int) -> Iterator[tuple[str, bytes]]:
    """Root files ``after + 1``, ``after + 2``, ... (path and bytes) up to the first missing one.

    ``read`` raises ``FileNotFoundError`` for an absent file. Nothing is verified here: the
    one place that finds the newest root, for writers (:func:`newest_root`) and for the
    verifying reader, which checks each link of the chain as it goes.
    """
    version = after + 1
    while True:
        rel = root_file(version)
        try:
            data = read(rel)
        except FileNotFoundError:
            return
        yield rel, data
        version += 1


def newest_root(root: Path) -> tuple[str, bytes]:
    """The newest root file of the registry directory ``root`` (unverified): path and bytes."""

    def read(rel: str) -> bytes:
        return (root / rel).read_bytes()

    newest = (root_file(1), read(root_file(1)))
    for found in later_roots(read, 1):
        newest = found
    return newest


def check_name(name: str) -> str:
    """Return ``name`` if it is a safe connector slug, else raise."""
    if not NAME_RE.match(name) or len(name) > 64:
        raise RegistryInputError(
            f"{name!r} is not a connector name",
            hint="use a lower-case slug such as stripe or acme-crm",
        )
    return name


def check_filename(name: str) -> str:
    """Return ``name`` if it is a plain file name (no directories, no traversal), else raise."""
    if not FILE_RE.match(name) or name in {".", ".."} or ".." in name:
        raise RegistryInputError(
            f"{name!r} is not an allowed file name",
            hint="file names are plain names: letters, digits, '.', '_', '+', '-'; no '/'",
        )
    return name


def is_safe_filename(name: str) -> bool:
    """True when ``name`` is a plain file name that cannot escape a directory."""
    return bool(FILE_RE.match(name)) and ".." not in name


def semver_key(version: str) -> Version:
    """Sort key of a semantic version (SemVer 2.0 precedence; build metadata ignored)."""
    try:
        return version_key(version)
    except ValueError:
        raise RegistryInputError(
            f"{version!r} is not a semantic version", hint="write MAJOR.MINOR.PATCH, e.g. 1.2.0"
        ) from None


def parse_ref(ref: str) -> tuple[str, str | None]:
    """Split ``NAME[@VERSION]``."""
    name, _, version = ref.partition("@")
    check_name(name)
    if version:
        semver_key(version)
    return name, version or None


def write_file_synced(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (a new file) and fsync it."""
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` durably: readers see old or new, never half."""
    replace_file(path, data, durable=True)
