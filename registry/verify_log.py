"""Verifying the transparency log: every entry chained, and agreeing with the metadata."""

from __future__ import annotations

from typing import Any

from registry import client, layout
from registry import log as txlog
from registry import tuf_metadata as tm
from registry.tuf_metadata import Metadata, Snapshot
from registry.verify_base import RunBase, Stop


def log_length(snapshot: Metadata[Snapshot]) -> int:
    """The committed length of the log the snapshot records."""
    info = snapshot.signed.unrecognized_fields.get(tm.LOG_FIELD) or {}
    return int(info.get("length", 0))


class LogChecks(RunBase):
    """The log part of a verification pass."""

    def check_log_record(self, name: str, version: str, record: dict[str, Any]) -> bool:
        ok = self._check_entry(
            record.get("log_seq"),
            record.get("log_hash"),
            "publish",
            name,
            version,
            digest=record.get("digest"),
        )
        yanked = record.get("yanked")
        if yanked:
            ok = (
                self._check_entry(
                    yanked.get("log_seq"), yanked.get("log_hash"), "yank", name, version
                )
                and ok
            )
        return ok

    def _check_entry(
        self,
        seq: Any,
        expected_hash: Any,
        action: str,
        name: str,
        version: str,
        digest: Any = None,
    ) -> bool:
        if not isinstance(seq, int):
            self.problem(f"{name}@{version}", f"metadata gives no log position for its {action}")
            return False
        rel = txlog.entry_path(seq)
        try:
            data = self.read(rel, what="log entry", limit=client.MAX_LOG_ENTRY_BYTES)
        except Stop:
            return False
        if txlog.entry_hash(data) != expected_hash:
            self.problem(rel, f"does not match the hash the metadata records for {name}@{version}")
            return False
        entry = txlog.parse_entry(data)
        if (entry["action"], entry["name"], entry["version"]) != (action, name, version) or (
            digest is not None and entry.get("digest") != digest
        ):
            self.problem(rel, f"disagrees with the metadata about the {action} of {name}@{version}")
            return False
        return True

    def log(self, *, full: bool) -> None:
        info = self.snapshot.signed.unrecognized_fields.get(tm.LOG_FIELD) or {}
        length = int(info.get("length", 0))
        head = info.get("head")
        if length == 0:
            return
        if not full:
            rel = txlog.entry_path(length - 1)
            try:
                data = self.read(rel, what="log entry", limit=client.MAX_LOG_ENTRY_BYTES)
            except Stop:
                return
            if txlog.entry_hash(data) != head:
                self.problem(rel, "the log head does not match the snapshot's record")
            return
        prev: str | None = None
        published: dict[tuple[str, str], str] = {}
        yanked: set[tuple[str, str]] = set()
        for seq in range(length):
            rel = txlog.entry_path(seq)
            try:
                data = self.read(rel, what="log entry", limit=client.MAX_LOG_ENTRY_BYTES)
            except Stop:
                return
            try:
                entry = txlog.parse_entry(data)
            except ValueError as exc:
                self.problem(rel, f"not a log entry ({exc})")
                return
            if entry["seq"] != seq or entry.get("prev") != prev:
                self.problem(rel, "breaks the hash chain (wrong position or previous hash)")
                return
            key = (entry["name"], entry["version"])
            if entry["action"] == "publish":
                published[key] = str(entry.get("digest"))
            elif entry["action"] == "yank":
                yanked.add(key)
            prev = txlog.entry_hash(data)
        if prev != head:
            self.problem(txlog.entry_path(length - 1), "the log head does not match the snapshot")
        snap_rel = layout.metadata_file("snapshot", self.snapshot.signed.version)
        for key, record in self.versions_seen.items():
            if published.get(key) != record.get("digest"):
                self.problem(snap_rel, f"{key[0]}@{key[1]} has no matching publish in the log")
            if bool(record.get("yanked")) != (key in yanked):
                self.problem(snap_rel, f"{key[0]}@{key[1]}: yank state disagrees with the log")
        for key in published.keys() - self.versions_seen.keys():
            self.problem(snap_rel, f"the log publishes {key[0]}@{key[1]}; the metadata lacks it")
