"""SHA-256 digests as flows writes them: bare hex, or ``sha256:<hex>``."""

from __future__ import annotations

import hashlib


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_digest(data: bytes) -> str:
    """``sha256:<hex>`` of ``data`` (the form in manifests, evidence and registry metadata)."""
    return "sha256:" + sha256_hex(data)
