"""Canonical JSON (RFC 8785) and the sha256 digests the evidence statement uses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import rfc8785

from connector_spec.digests import sha256_hex as sha256_hex  # re-exported


def canonical_bytes(data: Any) -> bytes:
    """``data`` as RFC 8785 canonical JSON bytes."""
    result: bytes = rfc8785.dumps(data)
    return result


def tree_digest(files: Mapping[str, bytes]) -> str:
    """Hex sha256 over a file tree: one ``<sha256>  <path>`` line per file, sorted by path."""
    lines = "".join(f"{sha256_hex(files[p])}  {p}\n" for p in sorted(files))
    return sha256_hex(lines.encode("utf-8"))
