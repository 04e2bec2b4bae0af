"""The committed state of a registry as its writer sees it, and the writers' lock.

:class:`RegistryBase` holds where the registry is, its key directory, clock and notice
channel, and reads the state every write starts from: the timestamp (the commit point),
the snapshot it names, the top-level targets, the newest root, and connector roles.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry import layout
from registry import tuf_metadata as tm
from registry.keys import find_signer
from registry.records import Clock, StoredVersion, utcnow
from registry.tuf_metadata import Metadata, Root, Snapshot, Targets, Timestamp

LOCK_TIMEOUT_S = 120.0


def stderr_notice(message: str) -> None:
    """The default notice channel: one line on stderr."""
    sys.stderr.write(message + "\n")


@dataclass
class State:
    """The committed metadata a write starts from."""

    root: Metadata[Root]
    timestamp: Metadata[Timestamp]
    snapshot: Metadata[Snapshot]
    targets: Metadata[Targets]


class RegistryBase:
    """A file-backed registry on the local file system: location, clock and committed state."""

    def __init__(
        self,
        root: str | Path,
        *,
        key_dir: Path | None = None,
        now: Clock = utcnow,
        notice: Callable[[str], None] | None = None,
    ) -> None:
        self.root = Path(root)
        self.key_dir = key_dir
        self.now = now
        self.notice: Callable[[str], None] = notice or stderr_notice

    def _read(self, rel: str) -> bytes:
        return (self.root / rel).read_bytes()

    def _load_state(self) -> State:
        meta = self.root / layout.METADATA
        timestamp = Metadata[Timestamp].from_bytes((meta / layout.TIMESTAMP_FILE).read_bytes())
        snap_version = timestamp.signed.snapshot_meta.version
        snapshot = Metadata[Snapshot].from_bytes(
            self._read(layout.metadata_file("snapshot", snap_version))
        )
        targets_version = snapshot.signed.meta["targets.json"].version
        targets = Metadata[Targets].from_bytes(
            self._read(layout.metadata_file("targets", targets_version))
        )
        _, root_bytes = layout.newest_root(self.root)
        root = Metadata[Root].from_bytes(root_bytes)
        return State(root, timestamp, snapshot, targets)

    def _load_role(self, state: State, name: str) -> Metadata[Targets] | None:
        role = layout.role_name(name)
        meta = state.snapshot.signed.meta.get(f"{role}.json")
        if meta is None:
            return None
        return Metadata[Targets].from_bytes(self._read(layout.metadata_file(role, meta.version)))

    def _metadata_signer(self, state: State) -> Any:
        from registry.keys import default_key_dir

        # a key every role currently trusts (during a key rotation, root N+1 trusts two keys
        # while the connector roles are still delegated to the old one)
        roles = state.root.signed.roles
        keyids = set(roles["timestamp"].keyids) & set(roles["snapshot"].keyids)
        keyids &= set(roles["targets"].keyids)
        delegations = state.targets.signed.delegations
        if delegations is not None and delegations.keys:
            keyids &= set(delegations.keys)
        return find_signer(self.key_dir or default_key_dir(), sorted(keyids))

    def _lock(self) -> Any:
        from filelock import FileLock

        return FileLock(str(self.root / layout.LOCK), timeout=LOCK_TIMEOUT_S)

    def stored_version(self, name: str, version: str) -> StoredVersion | None:
        """The committed digest and file hashes of ``name@version``; ``None`` if unpublished.

        Lets a publisher tell an identical republish (a no-op) from a conflicting one before
        doing expensive work; :meth:`publish` still decides under the lock.
        """
        state = self._load_state()
        role_md = self._load_role(state, layout.check_name(name))
        if role_md is None:
            return None
        versions = role_md.signed.unrecognized_fields.get(tm.VERSIONS_FIELD, {})
        if version not in versions:
            return None
        prefix = f"{name}/{version}/"
        hashes = {
            path[len(prefix) :]: target.hashes["sha256"]
            for path, target in role_md.signed.targets.items()
            if path.startswith(prefix)
        }
        return StoredVersion(str(versions[version]["digest"]), hashes)

    def newest_versions(self) -> dict[str, tuple[str, StoredVersion]]:
        """Every connector's highest published version (yanked ones count) and its digests.

        Reads the committed metadata once (one file per connector), so a caller asking about
        thousands of connectors does not load the whole registry state for each.
        """
        state = self._load_state()
        prefix = layout.role_name("")
        found: dict[str, tuple[str, StoredVersion]] = {}
        for key, meta in state.snapshot.signed.meta.items():
            role = key.removesuffix(".json")
            if not role.startswith(prefix):
                continue
            signed = json.loads(self._read(layout.metadata_file(role, meta.version)))["signed"]
            versions = signed.get(tm.VERSIONS_FIELD) or {}
            if not versions:
                continue
            name = role[len(prefix) :]
            highest = max(versions, key=layout.semver_key)
            base = f"{name}/{highest}/"
            hashes = {
                path[len(base) :]: str(target["hashes"]["sha256"])
                for path, target in signed["targets"].items()
                if path.startswith(base)
            }
            found[name] = (highest, StoredVersion(str(versions[highest]["digest"]), hashes))
        return found
