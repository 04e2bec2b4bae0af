"""Verifying a registry: every signature, digest, metadata version and expiry, and the log.

:class:`RegistryReader` reads any :class:`~registry.client.Source` and collects *every*
problem (file + what is wrong) instead of stopping at the first. It follows the TUF client
workflow: the root chain from the pinned (or first) root, then timestamp → snapshot →
targets → one delegated role per connector (:mod:`registry.verify_connectors`) and the log
(:mod:`registry.verify_log`), refusing rollback against the metadata it trusted last time
(see :class:`~registry.client.TrustStore`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from connector_spec.errors import argument
from registry import client, layout
from registry.client import Source, TrustStore
from registry.errors import RegistryInputError
from registry.records import utcnow
from registry.report import Stats, VerifyReport, VersionInfo
from registry.tuf_metadata import Metadata, Root, Snapshot, Targets, Timestamp
from registry.verify_base import Stop
from registry.verify_connectors import ConnectorChecks
from registry.verify_log import log_length
from registry.views import VIEWS_DIR, committed_groups
from registry.views import split as split_view
from registry.views import target_path as view_target_path

__all__ = ["RegistryReader", "Stats", "VerifyReport", "VersionInfo", "verify_or_raise"]

#: How often a read is retried when a writer commits while it runs.
CONSISTENT_READ_ATTEMPTS = 3
_VIEWS_PREFIX = f"{VIEWS_DIR}/"


class RegistryReader:
    """Verifies and reads a registry from any source."""

    def __init__(
        self,
        source: Source,
        *,
        trust_dir: Path | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.source = source
        self.trust_dir = trust_dir
        self.now = now

    # ------------------------------------------------------------------ public

    def verify(
        self, name: str | None = None, version: str | None = None, *, keep_contents: bool = False
    ) -> VerifyReport:
        """Verify the whole registry, one connector, or one version of it."""
        for attempt in range(1, CONSISTENT_READ_ATTEMPTS + 1):
            committed = self._commit_point()
            report, run = self._verify_once(name, version, keep_contents)
            if report.ok or attempt == CONSISTENT_READ_ATTEMPTS:
                break
            if self._commit_point() == committed:
                break  # nothing was published meanwhile: the problems are real
            # a writer committed while we read (and cleaned up files we were about to read):
            # read the new, consistent state again
        if report.ok and run.trust is not None:
            run.trust.save(run.trusted_files)
        return report

    def read_view(self, rel: str) -> bytes | None:
        """The committed bytes of the public view file ``rel`` (``site/index.json``), after
        verifying the top-level metadata (not the connectors) and the file's hash: reading
        the catalog index costs the same whatever the registry holds besides it. ``None``
        when the signed metadata lists no such view (a registry made before views)."""
        for attempt in range(1, CONSISTENT_READ_ATTEMPTS + 1):
            committed = self._commit_point()
            report = VerifyReport(self.source.describe())
            run = _Run(self, report, False)
            data: bytes | None = None
            try:
                run.top_level(full=False)
                data = run.view(rel)
            except Stop:
                pass
            if report.ok:
                if run.trust is not None:
                    run.trust.save(run.trusted_files)
                return data
            if attempt == CONSISTENT_READ_ATTEMPTS or self._commit_point() == committed:
                report.raise_for_problems()
        return None  # pragma: no cover - the last attempt raises

    def _verify_once(
        self, name: str | None, version: str | None, keep_contents: bool
    ) -> tuple[VerifyReport, _Run]:
        report = VerifyReport(self.source.describe())
        run = _Run(self, report, keep_contents)
        try:
            run.top_level(full=name is None)
            run.connectors(name, version)
            run.log(full=name is None)
        except Stop:
            pass
        return report, run

    def _commit_point(self) -> bytes | None:
        """The current timestamp metadata bytes (the writers' commit point), if readable."""
        try:
            return self.source.read(
                f"{layout.METADATA}/{layout.TIMESTAMP_FILE}", client.MAX_TIMESTAMP_BYTES
            )
        except Exception:  # a missing or unreadable timestamp is reported by the run itself
            return None

    # ------------------------------------------------------------------ helpers

    def read(self, rel: str, limit: int = client.MAX_METADATA_BYTES) -> bytes:
        """Raw bytes of a registry file (unverified, at most ``limit`` bytes)."""
        return self.source.read(rel, limit)


class _Run(ConnectorChecks):
    """One verification pass: the top-level metadata, then connectors and the log."""

    def top_level(self, *, full: bool = True) -> None:
        """Verify root, timestamp, snapshot and targets.

        With ``full`` false (one connector is asked for) the derived views (the package
        index and the catalog site) are not hashed: a whole-registry verify covers them, and
        reading one connector stays independent of the registry's size.
        """
        first_rel = layout.root_file(1)
        try:
            first = self.read_raw(first_rel, client.MAX_ROOT_BYTES, "root metadata")
        except FileNotFoundError:
            raise RegistryInputError(
                f"{self.reader.source.describe()}: no registry here (no {first_rel})",
                hint=f"give {argument('registry')} (a path or URL) or set FLOWS_REGISTRY; "
                "create one with "
                "`flows registry init`",
            ) from None
        if self.reader.trust_dir is not None:
            self.trust = TrustStore.for_location(
                self.reader.trust_dir, self.reader.source.describe()
            )
        trusted = self.trust.load("root.json") if self.trust else None
        start = trusted if trusted is not None else first
        if trusted is not None and self.trust is not None:
            root = self.pinned_root(trusted, self.trust)
        else:
            root = self.parse(first_rel, first, Root)
        if trusted is None and not self.check_signed(first_rel, root, "root", root, count=False):
            raise Stop
        if trusted is not None:
            self.check_pinned_root(root, first)
        latest_bytes = start
        for rel, data in layout.later_roots(self.read_root, root.signed.version):
            new: Metadata[Root] = self.parse(rel, data, Root)
            if new.signed.version != root.signed.version + 1:
                self.problem(rel, f"says version {new.signed.version}")
                raise Stop
            if not (
                self.check_signed(rel, root, "root", new, count=False)
                and self.check_signed(rel, new, "root", new, count=False)
            ):
                raise Stop
            root, latest_bytes = new, data
        self.root = root
        # the count means the signatures on the metadata in force (newest root, timestamp,
        # snapshot, targets, connector roles) plus one per statement, whatever was trusted
        # before: the same number on every run over the same registry
        self.report.stats.signatures += len(root.signatures)
        self.report.versions["root"] = root.signed.version
        self.trusted_files["root.json"] = latest_bytes
        self.check_expiry(layout.root_file(root.signed.version), root)

        ts_rel = f"{layout.METADATA}/{layout.TIMESTAMP_FILE}"
        ts_bytes = self.read(ts_rel, what="timestamp metadata", limit=client.MAX_TIMESTAMP_BYTES)
        timestamp: Metadata[Timestamp] = self.parse(ts_rel, ts_bytes, Timestamp)
        if not self.check_signed(ts_rel, root, "timestamp", timestamp):
            raise Stop
        self.check_expiry(ts_rel, timestamp)
        old_ts = self._trusted("timestamp.json", Timestamp)
        if old_ts is not None and timestamp.signed.version < old_ts.signed.version:
            self.problem(
                ts_rel,
                f"rollback: version {timestamp.signed.version} is older than version "
                f"{old_ts.signed.version} seen before",
            )
        self.report.versions["timestamp"] = timestamp.signed.version
        self.trusted_files["timestamp.json"] = ts_bytes

        meta = timestamp.signed.snapshot_meta
        snap_rel = layout.metadata_file("snapshot", meta.version)
        snap_bytes = self.read(snap_rel, what="snapshot metadata", limit=meta.length)
        try:
            meta.verify_length_and_hashes(snap_bytes)
        except Exception as exc:
            self.problem(snap_rel, f"does not match the timestamp's record ({exc})")
            raise Stop from None
        snapshot: Metadata[Snapshot] = self.parse(snap_rel, snap_bytes, Snapshot)
        if not self.check_signed(snap_rel, root, "snapshot", snapshot):
            raise Stop
        if snapshot.signed.version != meta.version:
            self.problem(snap_rel, f"says version {snapshot.signed.version}, not {meta.version}")
        self.check_expiry(snap_rel, snapshot)
        old_snap = self._trusted("snapshot.json", Snapshot)
        if old_snap is not None:
            if snapshot.signed.version < old_snap.signed.version:
                self.problem(
                    snap_rel,
                    f"rollback: snapshot version {snapshot.signed.version} is older than "
                    f"version {old_snap.signed.version} seen before",
                )
            for role_file, old_meta in old_snap.signed.meta.items():
                new_meta = snapshot.signed.meta.get(role_file)
                if new_meta is None or new_meta.version < old_meta.version:
                    self.problem(snap_rel, f"rollback: {role_file} went back or disappeared")
            old_len = log_length(old_snap)
            if log_length(snapshot) < old_len:
                self.problem(snap_rel, f"rollback: the log shrank below {old_len} entries")
        self.snapshot = snapshot
        self.report.versions["snapshot"] = snapshot.signed.version
        self.trusted_files["snapshot.json"] = snap_bytes

        targets_meta = snapshot.signed.meta.get("targets.json")
        if targets_meta is None:
            self.problem(snap_rel, "lists no targets.json")
            raise Stop
        targets_rel = layout.metadata_file("targets", targets_meta.version)
        targets_bytes = self.read(targets_rel, what="targets metadata", limit=targets_meta.length)
        targets: Metadata[Targets] = self.parse(targets_rel, targets_bytes, Targets)
        if not self.check_signed(targets_rel, root, "targets", targets):
            raise Stop
        if targets.signed.version != targets_meta.version:
            self.problem(
                targets_rel,
                f"says version {targets.signed.version}; the snapshot says {targets_meta.version}",
            )
        self.check_expiry(targets_rel, targets)
        self.targets = targets
        self.report.versions["targets"] = targets.signed.version
        for path, target in targets.signed.targets.items():
            if not full and path.startswith(_VIEWS_PREFIX):
                continue
            self.check_target(path, target)

    def view(self, rel: str) -> bytes | None:
        """The verified bytes of the committed view file ``rel`` (after :meth:`top_level`)."""
        group, file = split_view(rel)
        listed = self.targets.signed.targets
        version = committed_groups(listed).get(group)
        path = view_target_path(group, version, file) if version is not None else None
        if path is None or path not in listed:
            return None
        return self.check_target(path, listed[path])

    def pinned_root(self, data: bytes, trust: TrustStore) -> Metadata[Root]:
        """The root pinned for this location, or a problem saying how to pin again."""
        try:
            md: Metadata[Any] = Metadata.from_bytes(data)
            if isinstance(md.signed, Root):
                return md
            reason = f"holds {md.signed.type} metadata"
        except Exception as exc:  # python-tuf raises several types for malformed input
            reason = f"not valid TUF metadata: {exc}"
        self.problem(
            str(trust.directory / "root.json"),
            f"the root pinned for {trust.location} is damaged ({reason}); this client's trust "
            f"store was changed outside flows. Forget it with `flows registry trust --reset "
            f"{trust.location}` and read again (the next read trusts what is served then)",
        )
        raise Stop

    def read_root(self, rel: str) -> bytes:
        return self.read_raw(rel, client.MAX_ROOT_BYTES, "root metadata")

    def check_pinned_root(self, pinned: Metadata[Root], first: bytes) -> None:
        """The registry must still serve the pinned root (same signed content, any bytes)."""
        version = pinned.signed.version
        rel = layout.root_file(version)
        try:
            served = first if version == 1 else self.read_root(rel)
        except FileNotFoundError:
            served = None
        location = self.trust.location if self.trust else self.reader.source.describe()
        if served is None:
            what = f"is missing, though root version {version} was trusted here before"
        else:
            try:
                same = Metadata.from_bytes(served).signed_bytes == pinned.signed_bytes
            except Exception:  # malformed: certainly not the pinned root
                same = False
            if same:
                return
            what = "differs from the root trusted here before"
        keyids = ", ".join(k[:16] for k in sorted(pinned.signed.roles["root"].keyids))
        self.problem(
            rel,
            f"{what}: the registry at {location} does not chain from the root trusted on "
            f"first use (version {version}, keys {keyids}). It was rolled back, replaced, or "
            "re-keyed outside a key rotation. Only if its publisher confirms the change, "
            f"forget the pin with `flows registry trust --reset {location}` and read again",
        )
        raise Stop

    def _trusted(self, name: str, kind: type[Any]) -> Metadata[Any] | None:
        data = self.trust.load(name) if self.trust else None
        if data is None:
            return None
        try:
            md: Metadata[Any] = Metadata.from_bytes(data)
        except Exception:
            return None
        return md if isinstance(md.signed, kind) else None


def verify_or_raise(
    reader: RegistryReader, name: str | None = None, version: str | None = None
) -> VerifyReport:
    """Verify and raise :class:`VerificationFailed` on any problem."""
    report = reader.verify(name, version)
    report.raise_for_problems()
    return report
