"""Verifying a registry: every signature, digest, metadata version and expiry, and the log.

:class:`RegistryReader` reads any :class:`~registry.client.Source` and collects *every*
problem (file + what is wrong) instead of stopping at the first. It follows the TUF client
workflow: the root chain from the trusted (or first) root, then timestamp → snapshot →
targets → one delegated role per connector, refusing rollback against the metadata it
trusted last time (see :class:`~registry.client.TrustStore`).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from registry import client, layout
from registry import log as txlog
from registry import tuf_metadata as tm
from registry.client import Source, TrustStore
from registry.errors import Problem, RegistryInputError, TooLarge, VerificationFailed
from registry.records import content_digest, utcnow
from registry.signing import (
    SignatureError,
    VerifiedSignature,
    verify_dsse_envelope,
    verify_sigstore_bundle,
)
from registry.tuf_metadata import Key, Metadata, Root, Snapshot, Targets, Timestamp


@dataclass
class VersionInfo:
    """One verified connector version."""

    name: str
    version: str
    digest: str
    files: list[str]
    signature_file: str
    signer: str | None
    published: str | None
    yanked: dict[str, Any] | None
    statement: dict[str, Any] | None
    contents: dict[str, bytes] = field(default_factory=dict, repr=False)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready mapping (without file contents)."""
        return {
            "name": self.name,
            "version": self.version,
            "digest": self.digest,
            "files": self.files,
            "signature": self.signature_file,
            "signer": self.signer,
            "published": self.published,
            "yanked": self.yanked,
        }


@dataclass
class Stats:
    """Work done by a verification (for benchmarks)."""

    #: signatures on the metadata in force (newest root, timestamp, snapshot, targets,
    #: connector roles) plus one per statement signature; older roots are checked, not counted
    signatures: int = 0
    files: int = 0
    bytes_hashed: int = 0


@dataclass
class VerifyReport:
    """The outcome of :meth:`RegistryReader.verify`."""

    location: str
    problems: list[Problem] = field(default_factory=list)
    connectors: dict[str, dict[str, VersionInfo]] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    stats: Stats = field(default_factory=Stats)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def raise_for_problems(self, what: str | None = None) -> None:
        """Raise :class:`VerificationFailed` when there are problems."""
        if self.problems:
            raise VerificationFailed(self.problems, what=what or self.location)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "ok": self.ok,
            "registry": self.location,
            "problems": [p.to_json() for p in self.problems],
            "metadata_versions": self.versions,
            "connectors": {
                name: sorted(versions, key=layout.semver_key)
                for name, versions in sorted(self.connectors.items())
            },
            "checked": {
                "signatures": self.stats.signatures,
                "files": self.stats.files,
                "bytes": self.stats.bytes_hashed,
            },
        }


#: How often a read is retried when a writer commits while it runs.
CONSISTENT_READ_ATTEMPTS = 3


class _Stop(Exception):
    """Verification cannot go further (a problem was recorded)."""


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

    def _verify_once(
        self, name: str | None, version: str | None, keep_contents: bool
    ) -> tuple[VerifyReport, _Run]:
        report = VerifyReport(self.source.describe())
        run = _Run(self, report, keep_contents)
        try:
            run.top_level()
            run.connectors(name, version)
            run.log(full=name is None)
        except _Stop:
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


class _Run:
    """One verification pass; collects problems in its report."""

    def __init__(self, reader: RegistryReader, report: VerifyReport, keep: bool) -> None:
        self.reader = reader
        self.report = report
        self.keep = keep
        self.now = reader.now()
        self.trust: TrustStore | None = None
        self.trusted_files: dict[str, bytes] = {}
        self.root: Metadata[Root]
        self.snapshot: Metadata[Snapshot]
        self.targets: Metadata[Targets]
        self.versions_seen: dict[tuple[str, str], dict[str, Any]] = {}
        self._trust_root_file: Path | None = None
        self._policy_keys: dict[str, Key] | None = None

    # ------------------------------------------------------------------ basics

    def problem(self, file: str, message: str) -> None:
        found = Problem(file, message)
        if found not in self.report.problems:  # two checks may trip over the same file
            self.report.problems.append(found)

    def read_raw(self, rel: str, limit: int, what: str) -> bytes:
        """Read at most ``limit`` bytes of ``rel``; only ``FileNotFoundError`` escapes."""
        try:
            return self.reader.read(rel, limit)
        except FileNotFoundError:
            raise
        except TooLarge:
            self.problem(rel, f"{what} is larger than {limit} bytes, the most a client reads")
            raise _Stop from None
        except OSError as exc:
            self.problem(rel, f"cannot read {what}: {exc.strerror or exc}")
            raise _Stop from None

    def read(
        self, rel: str, *, what: str = "file", limit: int | None = client.MAX_METADATA_BYTES
    ) -> bytes:
        try:
            data = self.read_raw(rel, client.MAX_METADATA_BYTES if limit is None else limit, what)
        except FileNotFoundError:
            self.problem(rel, f"{what} is missing")
            raise _Stop from None
        self.report.stats.files += 1
        self.report.stats.bytes_hashed += len(data)
        return data

    def parse(self, rel: str, data: bytes, kind: type[Any]) -> Metadata[Any]:
        try:
            md: Metadata[Any] = Metadata.from_bytes(data)
        except Exception as exc:  # python-tuf raises several types for malformed input
            self.problem(rel, f"not valid TUF metadata ({exc})")
            raise _Stop from None
        if not isinstance(md.signed, kind):
            self.problem(rel, f"holds {md.signed.type} metadata, expected {kind.__name__.lower()}")
            raise _Stop
        return md

    def check_signed(
        self,
        rel: str,
        delegator: Metadata[Any],
        role: str,
        md: Metadata[Any],
        *,
        count: bool = True,
    ) -> bool:
        if count:  # roots are counted once, the newest only (see top_level)
            self.report.stats.signatures += len(md.signatures)
        try:
            delegator.verify_delegate(role, md)
        except Exception as exc:
            self.problem(rel, f"signature check failed for role {role}: {exc}")
            return False
        return True

    def check_expiry(self, rel: str, md: Metadata[Any]) -> None:
        if md.signed.is_expired(self.now):
            self.problem(
                rel,
                f"expired at {md.signed.expires.isoformat()} (frozen metadata); the publisher "
                "must re-sign it (Registry.refresh / a new publish)",
            )

    # ------------------------------------------------------------------ top level

    def top_level(self) -> None:
        first_rel = layout.root_file(1)
        try:
            first = self.read_raw(first_rel, client.MAX_ROOT_BYTES, "root metadata")
        except FileNotFoundError:
            raise RegistryInputError(
                f"{self.reader.source.describe()}: no registry here (no {first_rel})",
                hint="pass --registry PATH|URL or set FLOWS_REGISTRY; create one with "
                "`flows registry init`",
            ) from None
        if self.reader.trust_dir is not None:
            self.trust = TrustStore.for_location(
                self.reader.trust_dir, self.reader.source.describe()
            )
        trusted = self.trust.load("root.json") if self.trust else None
        start = trusted if trusted is not None else first
        root: Metadata[Root] = self.parse("trusted root" if trusted else first_rel, start, Root)
        if trusted is None and not self.check_signed(first_rel, root, "root", root, count=False):
            raise _Stop
        if trusted is not None:
            self.check_pinned_root(root, first)
        latest_bytes = start
        for rel, data in layout.later_roots(self.read_root, root.signed.version):
            new: Metadata[Root] = self.parse(rel, data, Root)
            if new.signed.version != root.signed.version + 1:
                self.problem(rel, f"says version {new.signed.version}")
                raise _Stop
            if not (
                self.check_signed(rel, root, "root", new, count=False)
                and self.check_signed(rel, new, "root", new, count=False)
            ):
                raise _Stop
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
            raise _Stop
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
            raise _Stop from None
        snapshot: Metadata[Snapshot] = self.parse(snap_rel, snap_bytes, Snapshot)
        if not self.check_signed(snap_rel, root, "snapshot", snapshot):
            raise _Stop
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
            old_len = _log_length(old_snap)
            if _log_length(snapshot) < old_len:
                self.problem(snap_rel, f"rollback: the log shrank below {old_len} entries")
        self.snapshot = snapshot
        self.report.versions["snapshot"] = snapshot.signed.version
        self.trusted_files["snapshot.json"] = snap_bytes

        targets_meta = snapshot.signed.meta.get("targets.json")
        if targets_meta is None:
            self.problem(snap_rel, "lists no targets.json")
            raise _Stop
        targets_rel = layout.metadata_file("targets", targets_meta.version)
        targets_bytes = self.read(targets_rel, what="targets metadata", limit=targets_meta.length)
        targets: Metadata[Targets] = self.parse(targets_rel, targets_bytes, Targets)
        if not self.check_signed(targets_rel, root, "targets", targets):
            raise _Stop
        if targets.signed.version != targets_meta.version:
            self.problem(
                targets_rel,
                f"says version {targets.signed.version}; the snapshot says {targets_meta.version}",
            )
        self.check_expiry(targets_rel, targets)
        self.targets = targets
        self.report.versions["targets"] = targets.signed.version
        for path, target in targets.signed.targets.items():
            self.check_target(path, target)

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
        raise _Stop

    def _trusted(self, name: str, kind: type[Any]) -> Metadata[Any] | None:
        data = self.trust.load(name) if self.trust else None
        if data is None:
            return None
        try:
            md: Metadata[Any] = Metadata.from_bytes(data)
        except Exception:
            return None
        return md if isinstance(md.signed, kind) else None

    def check_target(self, path: str, target: Any) -> bytes | None:
        rel = f"{layout.TARGETS}/{path}"
        if not all(layout.is_safe_filename(part) for part in path.split("/")):
            self.problem(rel, "unsafe target path (could escape the directory)")
            return None
        try:
            data = self.read(rel, limit=target.length)
        except _Stop:
            return None
        try:
            target.verify_length_and_hashes(data)
        except Exception:
            self.problem(rel, "content does not match its length/sha256 in the signed metadata")
            return None
        return data

    # ------------------------------------------------------------------ connectors

    def connectors(self, name: str | None, version: str | None) -> None:
        delegations = self.targets.signed.delegations
        roles = dict(delegations.roles or {}) if delegations else {}
        if name is not None:
            role = layout.role_name(name)
            if role not in roles:
                raise RegistryInputError(
                    f"{name} is not in the registry",
                    hint="list connectors with `flows registry search ''`",
                )
            roles = {role: roles[role]}
        for role in roles:
            self.connector(role, version)

    def connector(self, role: str, only_version: str | None) -> None:
        name = role[2:]
        meta = self.snapshot.signed.meta.get(f"{role}.json")
        snap_rel = layout.metadata_file("snapshot", self.snapshot.signed.version)
        if meta is None:
            self.problem(snap_rel, f"lists no version of role {role}")
            return
        rel = layout.metadata_file(role, meta.version)
        try:
            data = self.read(rel, what="connector metadata", limit=meta.length)
            md: Metadata[Targets] = self.parse(rel, data, Targets)
        except _Stop:
            return
        if not self.check_signed(rel, self.targets, role, md):
            return
        if md.signed.version != meta.version:
            self.problem(rel, f"says version {md.signed.version}; the snapshot says {meta.version}")
        self.check_expiry(rel, md)
        versions: dict[str, Any] = md.signed.unrecognized_fields.get(tm.VERSIONS_FIELD) or {}
        if only_version is not None:
            if only_version not in versions:
                known = ", ".join(sorted(versions, key=layout.semver_key)) or "none"
                raise RegistryInputError(
                    f"{name}@{only_version} is not in the registry",
                    hint=f"published versions: {known}",
                )
            versions = {only_version: versions[only_version]}
        found = self.report.connectors.setdefault(name, {})
        for version, record in versions.items():
            info = self.connector_version(rel, md, name, version, record)
            if info is not None:
                found[version] = info

    def connector_version(
        self, rel: str, md: Metadata[Targets], name: str, version: str, record: dict[str, Any]
    ) -> VersionInfo | None:
        ok = True
        hashes: dict[str, str] = {}
        contents: dict[str, bytes] = {}
        for fname in record.get("files", []):
            path = f"{name}/{version}/{fname}"
            target = md.signed.targets.get(path)
            if target is None or not layout.is_safe_filename(fname):
                self.problem(rel, f"{path} is listed for {name}@{version} without a safe record")
                ok = False
                continue
            data = self.check_target(path, target)
            if data is None:
                ok = False
                continue
            contents[fname] = data
            if fname not in layout.SIGNATURE_FILES:
                hashes[fname] = target.hashes["sha256"]
        if ok and content_digest(hashes) != record.get("digest"):
            self.problem(rel, f"{name}@{version}: the content digest does not match its files")
            ok = False
        signer: str | None = None
        statement: dict[str, Any] | None = None
        sig_name = str(record.get("signature"))
        if ok:
            signer, statement = self.check_signature(name, version, sig_name, contents)
            ok = signer is not None
        ok = self.check_log_record(name, version, record) and ok
        self.versions_seen[(name, version)] = record
        if not ok:
            return None
        return VersionInfo(
            name=name,
            version=version,
            digest=str(record["digest"]),
            files=list(record["files"]),
            signature_file=sig_name,
            signer=signer,
            published=record.get("published"),
            yanked=record.get("yanked"),
            statement=statement,
            contents=contents if self.keep else {},
        )

    def check_signature(
        self, name: str, version: str, sig_name: str, contents: dict[str, bytes]
    ) -> tuple[str | None, dict[str, Any] | None]:
        sig_rel = f"{layout.TARGETS}/{name}/{version}/{sig_name}"
        statement_bytes = contents.get(layout.STATEMENT_FILE)
        signature = contents.get(sig_name)
        if statement_bytes is None or signature is None:
            self.problem(sig_rel, "statement or signature missing")
            return None, None
        self.report.stats.signatures += 1
        try:
            verified = self._verify_signature(sig_name, signature)
        except SignatureError as exc:
            self.problem(sig_rel, str(exc))
            return None, None
        try:
            statement = json.loads(statement_bytes)
            signed_statement = json.loads(verified.payload)
        except ValueError:
            self.problem(sig_rel, "the signed payload or the statement is not JSON")
            return None, None
        if verified.payload != statement_bytes and signed_statement != statement:
            self.problem(sig_rel, f"signs a different statement than {layout.STATEMENT_FILE}")
            return None, None
        return verified.signer, statement if isinstance(statement, dict) else None

    def _verify_signature(self, sig_name: str, data: bytes) -> VerifiedSignature:
        policy = tm.policy_of(self.root.signed)
        if sig_name == layout.DSSE_FILE:
            if self._policy_keys is None:
                self._policy_keys = {
                    keyid: Key.from_dict(keyid, dict(value))
                    for keyid, value in policy["keys"].items()
                }
            return verify_dsse_envelope(data, self._policy_keys)
        if sig_name == layout.SIGSTORE_FILE:
            return verify_sigstore_bundle(data, self._sigstore_root(), policy["identities"])
        raise SignatureError(f"unknown signature kind {sig_name!r}")

    def _sigstore_root(self) -> Path:
        if self._trust_root_file is None:
            entries = [
                (p, t)
                for p, t in self.targets.signed.targets.items()
                if p.startswith(layout.TRUST_DIR + "/")
            ]
            if not entries:
                raise SignatureError("the registry has no sigstore trusted root")
            path, target = entries[0]
            data = self.check_target(path, target)
            if data is None:
                raise SignatureError("the registry's sigstore trusted root did not verify")
            handle = tempfile.NamedTemporaryFile(suffix=".json", delete=False)  # noqa: SIM115
            with handle:
                handle.write(data)
            self._trust_root_file = Path(handle.name)
        return self._trust_root_file

    # ------------------------------------------------------------------ log

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
        except _Stop:
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
            except _Stop:
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
            except _Stop:
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


def _log_length(snapshot: Metadata[Snapshot]) -> int:
    info = snapshot.signed.unrecognized_fields.get(tm.LOG_FIELD) or {}
    return int(info.get("length", 0))


def verify_or_raise(
    reader: RegistryReader, name: str | None = None, version: str | None = None
) -> VerifyReport:
    """Verify and raise :class:`VerificationFailed` on any problem."""
    report = reader.verify(name, version)
    report.raise_for_problems()
    return report
