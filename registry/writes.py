"""The write transaction: new files under new names, then one commit point.

Every change writes new versions of the roles it changes (versioned metadata files), a new
version directory moved in by one rename, the next log entry, all fsync'd; then
:meth:`RegistryWrites._commit` writes the next snapshot and replaces
``metadata/timestamp.json`` by one ``os.replace``: the commit point. :meth:`_commit` is the
one place that assembles what a commit makes current (changed connector roles, the
top-level targets and their target files, the log head).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Mapping
from typing import Any

from connector_spec.atomic import fsync_dir
from registry import layout
from registry import log as txlog
from registry import tuf_metadata as tm
from registry.gc import collect_garbage
from registry.records import iso
from registry.state import RegistryBase, State
from registry.tuf_metadata import Metadata, MetaFile, Root, TargetFile, Targets


class RegistryWrites(RegistryBase):
    """The building blocks of a write and its commit."""

    def _write_role(self, md: Metadata[Targets], role: str, signers: list[Any]) -> None:
        data = tm.sign(md, signers)
        layout.atomic_write(self.root / layout.metadata_file(role, md.signed.version), data)

    def _put_trust_file(self, targets: Targets, data: bytes) -> None:
        digest = tm.sha256_hex(data)
        path = f"{layout.TRUST_DIR}/{digest}.sigstore_trusted_root.json"
        full = self.root / layout.TARGETS / path
        if not full.exists():
            layout.atomic_write(full, data)
        for old in [p for p in targets.targets if p.startswith(layout.TRUST_DIR + "/")]:
            del targets.targets[old]
        targets.targets[path] = TargetFile.from_data(path, data, ["sha256"])

    def _append_log(self, state: State, **entry: Any) -> tuple[int, str]:
        field_ = state.snapshot.signed.unrecognized_fields[tm.LOG_FIELD]
        seq = int(field_["length"])
        data = txlog.make_entry(seq, field_["head"], time=iso(self.now()), **entry)
        layout.atomic_write(self.root / txlog.entry_path(seq), data)
        return seq, txlog.entry_hash(data)

    def _move_in(self, name: str, version: str, files: Mapping[str, bytes]) -> None:
        staging = self.root / layout.STAGING / uuid.uuid4().hex
        staging.mkdir(parents=True)
        for fname, data in files.items():
            layout.write_file_synced(staging / fname, data)
        fsync_dir(staging)
        final = self.root / layout.TARGETS / name / version
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():  # leftover of an interrupted publish of this version
            shutil.rmtree(final)
        os.rename(staging, final)
        fsync_dir(final.parent)

    def _commit(
        self,
        state: State,
        signer: Any,
        *,
        roles: Mapping[str, Metadata[Targets]] | None = None,
        targets: Metadata[Targets] | None = None,
        log_head: tuple[int, str] | None = None,
    ) -> None:
        """Write new versions of the changed roles, the snapshot, then commit the timestamp."""
        from registry import public

        show_views = public.update(self.root, state, roles or {})  # package index, site
        targets = state.targets
        now = self.now()
        snapshot = state.snapshot
        for role, md in (roles or {}).items():
            previous = snapshot.signed.meta.get(f"{role}.json")
            md.signed.version = previous.version + 1 if previous else 1
            md.signed.expires = tm.expires(now, "connector")
            self._write_role(md, role, [signer])
            snapshot.signed.meta[f"{role}.json"] = MetaFile(version=md.signed.version)
        if targets is not None:
            targets.signed.version = snapshot.signed.meta["targets.json"].version + 1
            targets.signed.expires = tm.expires(now, "targets")
            self._write_role(targets, "targets", [signer])
            snapshot.signed.meta["targets.json"] = MetaFile(version=targets.signed.version)
        if log_head is not None:
            seq, head = log_head
            snapshot.signed.unrecognized_fields[tm.LOG_FIELD] = {"length": seq + 1, "head": head}
        snapshot.signed.version += 1
        snapshot.signed.expires = tm.expires(now, "snapshot")
        snap_bytes = tm.sign(snapshot, [signer])
        layout.atomic_write(
            self.root / layout.metadata_file("snapshot", snapshot.signed.version), snap_bytes
        )
        timestamp = state.timestamp
        timestamp.signed.version += 1
        timestamp.signed.expires = tm.expires(now, "timestamp")
        timestamp.signed.snapshot_meta = tm.snapshot_meta(snap_bytes, snapshot.signed.version)
        layout.atomic_write(
            self.root / layout.METADATA / layout.TIMESTAMP_FILE, tm.sign(timestamp, [signer])
        )  # <- the commit point
        collect_garbage(self.root, state)
        show_views()

    def _write_root(self, root: Metadata[Root], signers: list[Any]) -> int:
        root.signed.version += 1
        root.signed.expires = tm.expires(self.now(), "root")
        data = tm.sign(root, signers)
        layout.atomic_write(self.root / layout.root_file(root.signed.version), data)
        return int(root.signed.version)
