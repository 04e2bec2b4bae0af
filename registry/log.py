"""The append-only transparency log: one JSON file per entry, each chained to the last.

Entry ``n`` lives at ``log/<n:08d>.json`` and records ``prev``, the SHA-256 of entry
``n-1``'s bytes (``null`` for the first). The signed snapshot records the committed length
and the head hash, so an entry cannot be changed, dropped or reordered unnoticed; entries
beyond the committed length are leftovers of an interrupted publish and are ignored.
"""

from __future__ import annotations

import json
from typing import Any

from connector_spec.digests import sha256_hex
from registry.layout import LOG


def entry_path(seq: int) -> str:
    """Relative path of log entry ``seq``."""
    return f"{LOG}/{seq:08d}.json"


def entry_hash(data: bytes) -> str:
    """The hash that chains entries (hex SHA-256 of the entry's bytes)."""
    return sha256_hex(data)


def make_entry(
    seq: int, prev: str | None, *, action: str, name: str, version: str, time: str, **extra: Any
) -> bytes:
    """Serialized bytes of a new entry."""
    entry: dict[str, Any] = {
        "seq": seq,
        "prev": prev,
        "action": action,
        "name": name,
        "version": version,
        "time": time,
    }
    entry.update(extra)
    return (json.dumps(entry, sort_keys=True, indent=1) + "\n").encode()


def parse_entry(data: bytes) -> dict[str, Any]:
    """Parse an entry; raise ``ValueError`` when it is not one."""
    entry = json.loads(data)
    if not isinstance(entry, dict) or not isinstance(entry.get("seq"), int):
        raise ValueError("not a log entry")
    for field in ("action", "name", "version"):
        if not isinstance(entry.get(field), str):
            raise ValueError(f"log entry has no {field}")
    return entry
