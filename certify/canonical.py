"""Canonical JSON (RFC 8785) and the sha256 digests the evidence statement uses."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import rfc8785


def canonical_bytes(data: Any) -> bytes:
    """``data`` as RFC 8785 canonical JSON bytes."""
    result: bytes = rfc8785.dumps(data)
    return result


def sha256_hex(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def tree_digest(files: Mapping[str, bytes]) -> str:
    """Hex sha256 over a file tree: one ``<sha256>  <path>`` line per file, sorted by path."""
    lines = "".join(f"{sha256_hex(files[p])}  {p}\n" for p in sorted(files))
    return sha256_hex(lines.encode("utf-8"))
