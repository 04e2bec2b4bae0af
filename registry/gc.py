"""Garbage collection: removing what interrupted writers left behind (never a referenced file).

A crash before the commit point (``metadata/timestamp.json``) leaves only files nothing
refers to: a staging directory, metadata versions the snapshot does not name, log entries
beyond the committed length, version directories no connector role lists. The next writer
removes them under the lock.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from registry import layout
from registry import tuf_metadata as tm
from registry.state import State
from registry.tuf_metadata import Metadata, Targets


def collect_garbage(root: Path, state: State) -> None:
    """Remove leftovers of interrupted writers (only ever unreferenced files)."""
    shutil.rmtree(root / layout.STAGING, ignore_errors=True)
    current = {"snapshot.json": state.timestamp.signed.snapshot_meta.version}
    current.update({name: m.version for name, m in state.snapshot.signed.meta.items()})
    for path in (root / layout.METADATA).iterdir():
        version, _, rest = path.name.partition(".")
        if not version.isdigit() or rest == "root.json":
            continue
        if current.get(rest) != int(version):
            path.unlink(missing_ok=True)
    length = int(state.snapshot.signed.unrecognized_fields[tm.LOG_FIELD]["length"])
    log_dir = root / layout.LOG
    if log_dir.is_dir():
        for path in log_dir.iterdir():
            stem = path.name.split(".")[0]
            if not stem.isdigit() or int(stem) >= length:
                path.unlink(missing_ok=True)


def remove_orphan_versions(root: Path, name: str, role_md: Metadata[Targets]) -> None:
    """Remove version directories of ``name`` that its committed role does not list."""
    known = set(role_md.signed.unrecognized_fields.get(tm.VERSIONS_FIELD, {}))
    base = root / layout.TARGETS / name
    for path in base.iterdir():
        if path.name not in known:
            shutil.rmtree(path, ignore_errors=True)
