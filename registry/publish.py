"""The write side of a registry: init, publish, yank, refresh, policy update, key rotation.

Every change is one transaction under a file lock: new files get new names (versioned
metadata, a new version directory moved in by one rename, the next log entry), all fsync'd,
then ``metadata/timestamp.json`` is replaced by one ``os.replace``: that is the commit
point. A crash before it leaves only unreferenced leftovers, cleaned up by the next writer.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connector_spec.atomic import fsync_dir
from registry import layout
from registry import log as txlog
from registry import tuf_metadata as tm
from registry.errors import PublishRefused, RegistryInputError
from registry.keys import find_signer, load_or_create_default_key
from registry.signing import OfflineSigner, StatementSigner, canonical_statement
from registry.tuf_metadata import (
    Key,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)

Clock = Callable[[], datetime]
RESERVED = {layout.SPEC_FILE, layout.STATEMENT_FILE, *layout.SIGNATURE_FILES}
LOCK_TIMEOUT_S = 120.0


def _stderr_notice(message: str) -> None:
    sys.stderr.write(message + "\n")


def _json_or_none(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return None


def utcnow() -> datetime:
    """The current UTC time."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def content_digest(file_hashes: Mapping[str, str]) -> str:
    """Digest of a version: SHA-256 over its sorted (file name, file SHA-256) pairs."""
    text = "".join(f"{name}\0{digest}\n" for name, digest in sorted(file_hashes.items()))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def sigstore_production_root() -> bytes:
    """The production Sigstore trusted root shipped inside sigstore-python."""
    from importlib.resources import files

    store = files("sigstore") / "_store" / "https%3A%2F%2Ftuf-repo-cdn.sigstore.dev"
    return (store / "trusted_root.json").read_bytes()


@dataclass(frozen=True)
class Publication:
    """One connector version, already built: the bytes the registry stores."""

    name: str
    version: str
    spec_bytes: bytes
    wheel_filename: str
    wheel_bytes: bytes
    statement: dict[str, Any]
    extra_files: Mapping[str, bytes] = field(default_factory=dict)

    def files(self) -> dict[str, bytes]:
        """Every stored file except the signature, by file name."""
        layout.check_filename(self.wheel_filename)
        if not self.wheel_filename.endswith(".whl"):
            raise RegistryInputError(
                f"{self.wheel_filename!r} is not a wheel file name", hint="it must end in .whl"
            )
        out = {
            layout.SPEC_FILE: self.spec_bytes,
            self.wheel_filename: self.wheel_bytes,
            layout.STATEMENT_FILE: canonical_statement(self.statement),
        }
        for name, data in self.extra_files.items():
            layout.check_filename(name)
            if name in out or name in RESERVED:
                raise RegistryInputError(
                    f"extra file {name!r} collides with a file the registry stores",
                    hint=f"rename it; reserved names are {', '.join(sorted(RESERVED))}",
                )
            out[name] = data
        return out


@dataclass(frozen=True)
class PublishResult:
    """What a publish did: ``published`` or ``unchanged`` (identical republish)."""

    status: str
    name: str
    version: str
    digest: str
    files: tuple[str, ...]
    log_seq: int

    def to_json(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "status": self.status,
            "name": self.name,
            "version": self.version,
            "digest": self.digest,
            "files": list(self.files),
            "log_seq": self.log_seq,
        }


@dataclass(frozen=True)
class StoredVersion:
    """A published version as committed: its content digest and each file's SHA-256."""

    digest: str
    file_hashes: dict[str, str]


@dataclass
class _State:
    root: Metadata[Root]
    timestamp: Metadata[Timestamp]
    snapshot: Metadata[Snapshot]
    targets: Metadata[Targets]


class Registry:
    """A file-backed registry on the local file system (the writer's view)."""

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
        self.notice: Callable[[str], None] = notice or _stderr_notice

    # ------------------------------------------------------------------ opening

    @classmethod
    def exists_at(cls, root: str | Path) -> bool:
        """True when ``root`` holds a committed registry."""
        return (Path(root) / layout.METADATA / layout.TIMESTAMP_FILE).is_file()

    @classmethod
    def open(cls, root: str | Path, **kwargs: Any) -> Registry:
        """Open an existing registry; raise when there is none at ``root``."""
        if not cls.exists_at(root):
            raise RegistryInputError(
                f"{root}: no registry here (no {layout.METADATA}/{layout.TIMESTAMP_FILE})",
                hint="create one with `flows registry init`, or pass --registry PATH",
            )
        return cls(root, **kwargs)

    @classmethod
    def init(
        cls,
        root: str | Path,
        *,
        key_dir: Path | None = None,
        signer: Any | None = None,
        identities: list[dict[str, str]] | None = None,
        sigstore_trusted_root: bytes | None = None,
        now: Clock = utcnow,
        notice: Callable[[str], None] | None = None,
    ) -> Registry:
        """Create a registry at ``root`` signed by ``signer`` (default: the default key)."""
        registry = cls(root, key_dir=key_dir, now=now, notice=notice)
        if cls.exists_at(root):
            raise RegistryInputError(
                f"{root}: a registry already exists here", hint="use it, or pick another path"
            )
        if signer is None:
            signer = load_or_create_default_key(key_dir, notice=registry.notice)
        registry._create(signer, identities or [], sigstore_trusted_root)
        return registry

    @classmethod
    def open_or_init(cls, root: str | Path, **kwargs: Any) -> Registry:
        """Open the registry at ``root``, creating it (and a key) when missing."""
        if cls.exists_at(root):
            return cls(root, **{k: v for k, v in kwargs.items() if k in _OPEN_ARGS})
        return cls.init(root, **kwargs)

    def _create(
        self, signer: Any, identities: list[dict[str, str]], trusted_root: bytes | None
    ) -> None:
        now = self.now()
        key: Key = signer.public_key
        meta = self.root / layout.METADATA
        if meta.exists():  # leftovers of an interrupted init
            shutil.rmtree(meta)
        meta.mkdir(parents=True)
        policy = {"keys": {key.keyid: key.to_dict()}, "identities": identities}
        root_md = tm.new_root([key], now, policy=policy, name=self.root.name)
        root_bytes = tm.sign(root_md, [signer])
        layout.atomic_write(meta / "1.root.json", root_bytes)
        targets = tm.new_targets(now, [key.keyid])
        self._put_trust_file(targets.signed, trusted_root or sigstore_production_root())
        self._write_role(targets, "targets", [signer])
        snapshot = tm.new_snapshot(now)
        snapshot.signed.meta["targets.json"] = MetaFile(version=1)
        snap_bytes = tm.sign(snapshot, [signer])
        layout.atomic_write(meta / "1.snapshot.json", snap_bytes)
        timestamp = tm.new_timestamp(now)
        timestamp.signed.snapshot_meta = tm.snapshot_meta(snap_bytes, 1)
        layout.atomic_write(meta / layout.TIMESTAMP_FILE, tm.sign(timestamp, [signer]))

    # ------------------------------------------------------------------ state

    def _read(self, rel: str) -> bytes:
        return (self.root / rel).read_bytes()

    def _load_state(self) -> _State:
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
        version = 1
        while (meta / f"{version + 1}.root.json").exists():
            version += 1
        root = Metadata[Root].from_bytes((meta / f"{version}.root.json").read_bytes())
        return _State(root, timestamp, snapshot, targets)

    def _load_role(self, state: _State, name: str) -> Metadata[Targets] | None:
        role = layout.role_name(name)
        meta = state.snapshot.signed.meta.get(f"{role}.json")
        if meta is None:
            return None
        return Metadata[Targets].from_bytes(self._read(layout.metadata_file(role, meta.version)))

    def _metadata_signer(self, state: _State) -> Any:
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

    def _collect_garbage(self, state: _State) -> None:
        """Remove leftovers of interrupted writers (only ever unreferenced files)."""
        shutil.rmtree(self.root / layout.STAGING, ignore_errors=True)
        current = {"snapshot.json": state.timestamp.signed.snapshot_meta.version}
        current.update({name: m.version for name, m in state.snapshot.signed.meta.items()})
        for path in (self.root / layout.METADATA).iterdir():
            version, _, rest = path.name.partition(".")
            if not version.isdigit() or rest == "root.json":
                continue
            if current.get(rest) != int(version):
                path.unlink(missing_ok=True)
        length = int(state.snapshot.signed.unrecognized_fields[tm.LOG_FIELD]["length"])
        log_dir = self.root / layout.LOG
        if log_dir.is_dir():
            for path in log_dir.iterdir():
                stem = path.name.split(".")[0]
                if not stem.isdigit() or int(stem) >= length:
                    path.unlink(missing_ok=True)

    # ------------------------------------------------------------------ writing helpers

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

    def _append_log(self, state: _State, **entry: Any) -> tuple[int, str]:
        field_ = state.snapshot.signed.unrecognized_fields[tm.LOG_FIELD]
        seq = int(field_["length"])
        data = txlog.make_entry(seq, field_["head"], time=iso(self.now()), **entry)
        layout.atomic_write(self.root / txlog.entry_path(seq), data)
        return seq, txlog.entry_hash(data)

    def _commit(
        self,
        state: _State,
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
        self._collect_garbage(state)
        show_views()

    # ------------------------------------------------------------------ reading

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

    # ------------------------------------------------------------------ publish

    def publish(
        self, publication: Publication, signer: StatementSigner | None = None
    ) -> PublishResult:
        """Publish one version (one transaction); identical republish is a no-op."""
        name = layout.check_name(publication.name)
        version = publication.version
        layout.semver_key(version)
        files = publication.files()
        self._check_spec(publication)
        hashes = {fname: tm.sha256_hex(data) for fname, data in files.items()}
        digest = content_digest(hashes)
        (self.root / layout.STAGING).parent.mkdir(parents=True, exist_ok=True)
        with self._lock():
            state = self._load_state()
            self._collect_garbage(state)
            role_md = self._load_role(state, name)
            versions: dict[str, Any] = (
                role_md.signed.unrecognized_fields.get(tm.VERSIONS_FIELD, {}) if role_md else {}
            )
            if version in versions:
                known = versions[version]
                if known["digest"] == digest or self._same_artifacts(
                    role_md, name, version, hashes, publication.wheel_filename
                ):
                    return PublishResult(
                        "unchanged",
                        name,
                        version,
                        known["digest"],
                        tuple(known["files"]),
                        known["log_seq"],
                    )
                raise PublishRefused(
                    f"{name}@{version} is already published with different content "
                    f"({known['digest']}, this is {digest})",
                    hint="versions are immutable: bump the version in the spec and publish again",
                )
            self._check_new_version(versions, name, version, publication.spec_bytes)
            meta_signer = self._metadata_signer(state)
            statement_signer = signer or OfflineSigner(meta_signer)
            signature = statement_signer.sign_statement(files[layout.STATEMENT_FILE])
            self._check_signature(state, signature, files[layout.STATEMENT_FILE])
            files[signature.filename] = signature.data
            self._move_in(name, version, files)
            seq, head = self._append_log(
                state, action="publish", name=name, version=version, digest=digest
            )
            targets_md: Metadata[Targets] | None = None
            if role_md is None:
                role_md = tm.new_connector_role(self.now())
                targets_md = state.targets
                key = tm.keys_of(state.root.signed, "targets")
                tm.delegate(targets_md.signed, layout.role_name(name), name, key)
            for fname, data in files.items():
                path = f"{name}/{version}/{fname}"
                role_md.signed.targets[path] = TargetFile.from_data(path, data, ["sha256"])
            record = {
                "digest": digest,
                "files": sorted(files),
                "signature": signature.filename,
                "log_seq": seq,
                "log_hash": head,
                "published": iso(self.now()),
                "yanked": None,
            }
            role_md.signed.unrecognized_fields.setdefault(tm.VERSIONS_FIELD, {})[version] = record
            self._commit(
                state,
                meta_signer,
                roles={layout.role_name(name): role_md},
                targets=targets_md,
                log_head=(seq, head),
            )
            self._remove_orphan_versions(name, role_md)
        return PublishResult("published", name, version, digest, tuple(sorted(files)), seq)

    @staticmethod
    def _same_artifacts(
        role_md: Metadata[Targets] | None,
        name: str,
        version: str,
        hashes: Mapping[str, str],
        wheel_filename: str,
    ) -> bool:
        """True when the stored spec and wheel of ``name@version`` equal the offered ones.

        A version is its spec and its package: evidence of a second certification run
        differs in timings and environment, yet certifies the same bytes, so republishing
        it is the identical, no-op case and not a conflict.
        """
        if role_md is None:
            return False
        for fname in (layout.SPEC_FILE, wheel_filename):
            stored = role_md.signed.targets.get(f"{name}/{version}/{fname}")
            if stored is None or stored.hashes.get("sha256") != hashes[fname]:
                return False
        return True

    def _check_signature(self, state: _State, signature: Any, statement: bytes) -> None:
        """Refuse, before anything is written, a signature the registry's policy rejects."""
        from registry.signing import SignatureError, verify_dsse_envelope, verify_sigstore_bundle

        policy = tm.policy_of(state.root.signed)
        try:
            if signature.filename == layout.DSSE_FILE:
                keys = {k: Key.from_dict(k, dict(v)) for k, v in policy["keys"].items()}
                verified = verify_dsse_envelope(signature.data, keys)
            else:
                trust = [
                    path
                    for path in state.targets.signed.targets
                    if path.startswith(layout.TRUST_DIR + "/")
                ]
                if not trust:
                    raise SignatureError("the registry has no sigstore trusted root")
                verified = verify_sigstore_bundle(
                    signature.data, self.root / layout.TARGETS / trust[0], policy["identities"]
                )
        except SignatureError as exc:
            raise PublishRefused(
                f"{signature.filename}: the signature does not satisfy the registry's "
                f"verification policy: {exc}",
                hint="sign with a key or identity listed in the registry's root metadata "
                "(`flows registry init --identity ...` or key rotation)",
            ) from None
        if verified.payload != statement and _json_or_none(verified.payload) != _json_or_none(
            statement
        ):
            raise PublishRefused(
                f"{signature.filename}: the signature covers a different statement",
                hint="the signer must sign the canonical statement bytes it is given",
            )

    def _check_spec(self, publication: Publication) -> None:
        from connector_spec.loader import parse_spec_bytes

        predicate = publication.statement.get("predicate")
        connector = predicate.get("connector") if isinstance(predicate, dict) else None
        if isinstance(connector, dict) and "provider" in connector:
            said = (connector.get("provider"), connector.get("version"))
            if said != (publication.name, publication.version):
                raise PublishRefused(
                    f"{layout.STATEMENT_FILE}: predicate.connector is {said[0]}@{said[1]}, "
                    f"the publication is {publication.name}@{publication.version}",
                    hint="certify the version you publish; the evidence must be about it",
                )

        spec = parse_spec_bytes(publication.spec_bytes, layout.SPEC_FILE)
        if (spec.provider.name, spec.provider.version) != (publication.name, publication.version):
            raise PublishRefused(
                f"{layout.SPEC_FILE}: provider.name/version say "
                f"{spec.provider.name}@{spec.provider.version}, the publication says "
                f"{publication.name}@{publication.version}",
                hint="publish the spec under the name and version it declares",
            )

    def check_new_version(self, name: str, version: str, spec_bytes: bytes) -> None:
        """Raise :class:`PublishRefused` when ``name@version`` may not be published next.

        The same rules :meth:`publish` applies under its lock (above every version ever
        published; a bump at least as large as ``flows spec diff`` requires), for callers
        that want to refuse before doing expensive work. An already published version
        passes here: :meth:`publish` decides between no-op and conflict.
        """
        if not self.exists_at(self.root):
            return
        state = self._load_state()
        role_md = self._load_role(state, layout.check_name(name))
        versions = role_md.signed.unrecognized_fields.get(tm.VERSIONS_FIELD, {}) if role_md else {}
        if version not in versions:
            self._check_new_version(versions, name, version, spec_bytes)

    def _check_new_version(
        self, versions: Mapping[str, Any], name: str, version: str, spec_bytes: bytes
    ) -> None:
        if not versions:
            return
        highest = max(versions, key=layout.semver_key)
        if layout.semver_key(version) <= layout.semver_key(highest):
            raise PublishRefused(
                f"{name}@{version} is not above {highest}, the highest version ever "
                "published (yanked versions count)",
                hint=f"publish a version above {highest}",
            )
        self._check_bump(name, highest, version, spec_bytes)

    def _check_bump(self, name: str, highest: str, version: str, spec_bytes: bytes) -> None:
        from connector_spec.diff import diff_specs
        from connector_spec.loader import parse_spec_bytes

        old_bytes = self._read(f"{layout.TARGETS}/{name}/{highest}/{layout.SPEC_FILE}")
        old = parse_spec_bytes(old_bytes, f"{name}@{highest}/{layout.SPEC_FILE}")
        new = parse_spec_bytes(spec_bytes, layout.SPEC_FILE)
        result = diff_specs(old, new)
        if result.required_bump == "none" or not result.minimum_next_version:
            return
        minimum = str(result.minimum_next_version)
        if layout.semver_key(version) >= layout.semver_key(minimum):
            return
        changes = "; ".join(f"{c.where}: {c.message}" for c in result.breaking) or "none listed"
        raise PublishRefused(
            f"{name}@{version}: the changes since {highest} need a "
            f"{result.required_bump} bump (at least {minimum}). Breaking changes: {changes}",
            hint=f"set provider.version to {minimum} or later",
        )

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

    def _remove_orphan_versions(self, name: str, role_md: Metadata[Targets]) -> None:
        known = set(role_md.signed.unrecognized_fields.get(tm.VERSIONS_FIELD, {}))
        base = self.root / layout.TARGETS / name
        for path in base.iterdir():
            if path.name not in known:
                shutil.rmtree(path, ignore_errors=True)

    # ------------------------------------------------------------------ yank, refresh, trust

    def yank(self, name: str, version: str, reason: str) -> str:
        """Mark ``name@version`` as yanked (never deleted); return ``yanked`` or ``unchanged``."""
        layout.check_name(name)
        if not reason.strip():
            raise RegistryInputError("a yank needs a reason", hint="pass --reason TEXT")
        with self._lock():
            state = self._load_state()
            self._collect_garbage(state)
            role_md = self._load_role(state, name)
            versions = role_md.signed.unrecognized_fields[tm.VERSIONS_FIELD] if role_md else {}
            if role_md is None or version not in versions:
                known = ", ".join(sorted(versions, key=layout.semver_key)) or "none"
                raise RegistryInputError(
                    f"{name}@{version} is not in the registry", hint=f"published versions: {known}"
                )
            if versions[version]["yanked"]:
                return "unchanged"
            signer = self._metadata_signer(state)
            seq, head = self._append_log(
                state, action="yank", name=name, version=version, reason=reason
            )
            versions[version]["yanked"] = {
                "reason": reason,
                "time": iso(self.now()),
                "log_seq": seq,
                "log_hash": head,
            }
            self._commit(
                state, signer, roles={layout.role_name(name): role_md}, log_head=(seq, head)
            )
        return "yanked"

    def refresh(self) -> None:
        """Re-sign snapshot and timestamp with fresh expiry dates (run it regularly)."""
        with self._lock():
            state = self._load_state()
            self._commit(state, self._metadata_signer(state))

    def update_policy(
        self,
        *,
        identities: list[dict[str, str]] | None = None,
        sigstore_trusted_root: bytes | None = None,
    ) -> int:
        """Change the trusted keyless identities and/or trusted root; return the root version."""
        with self._lock():
            state = self._load_state()
            signer = self._metadata_signer(state)
            root = state.root
            if identities is not None:
                policy = tm.policy_of(root.signed)
                policy["identities"] = identities
                root.signed.unrecognized_fields[tm.POLICY_FIELD] = policy
            version = self._write_root(root, [signer])
            targets = None
            if sigstore_trusted_root is not None:
                targets = state.targets
                self._put_trust_file(targets.signed, sigstore_trusted_root)
            self._commit(state, signer, targets=targets)
        return version

    def rotate_key(self, new_signer: Any) -> int:
        """Replace the registry key by ``new_signer``'s; return the final root version.

        Crash-safe in two root versions: N+1 trusts the old and the new key (signed by
        both), then every other role is re-signed by the new key and committed, then N+2
        trusts only the new key. Whatever point a crash hits, the committed metadata is
        signed by a key the newest root trusts. Statements signed by the old key stay
        valid (its public key stays in the verification policy).
        """
        with self._lock():
            state = self._load_state()
            old_signer = self._metadata_signer(state)
            root = state.root
            new_key: Key = new_signer.public_key
            for role in tm.TOP_ROLES:
                root.signed.add_key(new_key, role)
            policy = tm.policy_of(root.signed)
            policy["keys"][new_key.keyid] = new_key.to_dict()
            root.signed.unrecognized_fields[tm.POLICY_FIELD] = policy
            self._write_root(root, [old_signer, new_signer])
            targets = state.targets
            delegations = targets.signed.delegations
            roles: dict[str, Metadata[Targets]] = {}
            if delegations is not None and delegations.roles is not None:
                delegations.keys = {new_key.keyid: new_key}
                for role_name, delegated in delegations.roles.items():
                    delegated.keyids = [new_key.keyid]
                    meta = state.snapshot.signed.meta[f"{role_name}.json"]
                    roles[role_name] = Metadata[Targets].from_bytes(
                        self._read(layout.metadata_file(role_name, meta.version))
                    )
            self._commit(state, new_signer, roles=roles, targets=targets)
            for role in tm.TOP_ROLES:
                for keyid in list(root.signed.roles[role].keyids):
                    if keyid != new_key.keyid:
                        root.signed.revoke_key(keyid, role)
            return self._write_root(root, [new_signer])

    def _write_root(self, root: Metadata[Root], signers: list[Any]) -> int:
        root.signed.version += 1
        root.signed.expires = tm.expires(self.now(), "root")
        data = tm.sign(root, signers)
        meta = self.root / layout.METADATA
        layout.atomic_write(meta / f"{root.signed.version}.root.json", data)
        return int(root.signed.version)


_OPEN_ARGS = {"key_dir", "now", "notice"}
