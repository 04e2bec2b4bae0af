"""The write side of a registry: publish, yank, refresh, policy update, key rotation.

Every change is one transaction under a file lock (see :mod:`registry.writes`): new files
get new names, all fsync'd, then ``metadata/timestamp.json`` is replaced by one
``os.replace``: that is the commit point. A crash before it leaves only unreferenced
leftovers, cleaned up by the next writer (:mod:`registry.gc`). Opening and creating a
registry is :mod:`registry.lifecycle`; the rules a publication must pass, :mod:`registry.rules`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connector_spec.errors import FlowsError, argument
from registry import layout
from registry import tuf_metadata as tm
from registry.errors import PublishRefused, RegistryInputError
from registry.gc import collect_garbage, remove_orphan_versions
from registry.lifecycle import RegistryLifecycle, sigstore_production_root
from registry.records import (
    Publication,
    PublishResult,
    StoredVersion,
    content_digest,
    iso,
    utcnow,
)
from registry.rules import check_new_version, check_signature, check_spec, same_artifacts
from registry.signing import OfflineSigner, StatementSigner
from registry.tuf_metadata import Key, Metadata, TargetFile, Targets

__all__ = [
    "Publication",
    "PublishResult",
    "Registry",
    "StoredVersion",
    "content_digest",
    "iso",
    "sigstore_production_root",
    "utcnow",
]


class Registry(RegistryLifecycle):
    """A file-backed registry on the local file system (the writer's view)."""

    # ------------------------------------------------------------------ publish

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
            check_new_version(self.root, versions, name, version, spec_bytes)

    def publish(
        self, publication: Publication, signer: StatementSigner | None = None
    ) -> PublishResult:
        """Publish one version (one transaction); identical republish is a no-op."""
        (outcome,) = self.publish_many([publication], signer=signer)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def publish_many(
        self, publications: Sequence[Publication], signer: StatementSigner | None = None
    ) -> list[PublishResult | Exception]:
        """Publish several versions in one transaction: one lock, one commit point.

        Each publication is checked and signed as :meth:`publish` does; one that is refused
        (or whose signing fails) is answered by the exception and left out, the
        others are committed together by one new snapshot and timestamp, so the cost of the
        commit (re-signing metadata, rewriting the index pages) is paid once per batch, not
        once per version. A crash before the commit point leaves none of them published.
        Answers are in the order of ``publications``.
        """
        answers: list[PublishResult | Exception | None] = [None] * len(publications)
        ready: list[tuple[int, Publication, dict[str, bytes], dict[str, str], str]] = []
        for index, publication in enumerate(publications):
            try:
                layout.check_name(publication.name)
                layout.semver_key(publication.version)
                files = publication.files()
                check_spec(publication)
            except FlowsError as error:
                answers[index] = error
                continue
            hashes = {fname: tm.sha256_hex(data) for fname, data in files.items()}
            ready.append((index, publication, files, hashes, content_digest(hashes)))
        if ready:
            (self.root / layout.STAGING).parent.mkdir(parents=True, exist_ok=True)
            with self._lock():
                self._publish_locked(ready, answers, signer)
        return [a if a is not None else RegistryInputError("not published") for a in answers]

    def _publish_locked(
        self,
        ready: list[tuple[int, Publication, dict[str, bytes], dict[str, str], str]],
        answers: list[PublishResult | Exception | None],
        signer: StatementSigner | None,
    ) -> None:
        state = self._load_state()
        collect_garbage(self.root, state)
        meta_signer: Any = None
        roles: dict[str, Metadata[Targets]] = {}
        targets_md: Metadata[Targets] | None = None
        log_head: tuple[int, str] | None = None
        published: list[tuple[int, PublishResult]] = []
        for index, publication, files, hashes, digest in ready:
            name, version = publication.name, publication.version
            role = layout.role_name(name)
            role_md = roles[role] if role in roles else self._load_role(state, name)
            versions: dict[str, Any] = (
                role_md.signed.unrecognized_fields.get(tm.VERSIONS_FIELD, {}) if role_md else {}
            )
            if version not in versions and meta_signer is None:
                meta_signer = self._metadata_signer(state)  # no key: the whole batch stops
            try:
                if version in versions:
                    answers[index] = _republished(role_md, publication, hashes, digest, versions)
                    continue
                check_new_version(self.root, versions, name, version, publication.spec_bytes)
                statement_signer = signer or OfflineSigner(meta_signer)
                signature = statement_signer.sign_statement(files[layout.STATEMENT_FILE])
                check_signature(self.root, state, signature, files[layout.STATEMENT_FILE])
            except Exception as error:  # refused, or e.g. the keyless signer's network failed
                answers[index] = error
                continue
            files[signature.filename] = signature.data
            self._move_in(name, version, files)
            seq, head = self._append_log(
                state, action="publish", name=name, version=version, digest=digest
            )
            log_head = (seq, head)
            state.snapshot.signed.unrecognized_fields[tm.LOG_FIELD] = {
                "length": seq + 1,
                "head": head,
            }  # the next entry of this batch chains to this one
            if role_md is None:
                role_md = tm.new_connector_role(self.now())
                targets_md = state.targets
                key = tm.keys_of(state.root.signed, "targets")
                tm.delegate(targets_md.signed, role, name, key)
            for fname, data in files.items():
                path = f"{name}/{version}/{fname}"
                role_md.signed.targets[path] = TargetFile.from_data(path, data, ["sha256"])
            role_md.signed.unrecognized_fields.setdefault(tm.VERSIONS_FIELD, {})[version] = {
                "digest": digest,
                "files": sorted(files),
                "signature": signature.filename,
                "log_seq": seq,
                "log_hash": head,
                "published": iso(self.now()),
                "yanked": None,
            }
            roles[role] = role_md
            result = PublishResult("published", name, version, digest, tuple(sorted(files)), seq)
            published.append((index, result))
        if not published:
            return
        self._commit(state, meta_signer, roles=roles, targets=targets_md, log_head=log_head)
        for index, result in published:
            answers[index] = result
        for name in sorted({result.name for _, result in published}):
            remove_orphan_versions(self.root, name, roles[layout.role_name(name)])

    # ------------------------------------------------------------------ yank, refresh, trust

    def yank(self, name: str, version: str, reason: str) -> str:
        """Mark ``name@version`` as yanked (never deleted); return ``yanked`` or ``unchanged``."""
        layout.check_name(name)
        if not reason.strip():
            raise RegistryInputError("a yank needs a reason", hint=f"give {argument('reason')}")
        with self._lock():
            state = self._load_state()
            collect_garbage(self.root, state)
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


def _republished(
    role_md: Metadata[Targets] | None,
    publication: Publication,
    hashes: dict[str, str],
    digest: str,
    versions: dict[str, Any],
) -> PublishResult:
    """An identical republish of a published version (a no-op), else :class:`PublishRefused`."""
    name, version = publication.name, publication.version
    known = versions[version]
    if known["digest"] == digest or same_artifacts(
        role_md, name, version, hashes, publication.wheel_filename
    ):
        return PublishResult(
            "unchanged", name, version, known["digest"], tuple(known["files"]), known["log_seq"]
        )
    raise PublishRefused(
        f"{name}@{version} is already published with different content "
        f"({known['digest']}, this is {digest})",
        hint="versions are immutable: bump the version in the spec and publish again",
    )
