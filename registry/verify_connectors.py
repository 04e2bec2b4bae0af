"""Verifying connectors: each delegated role, its versions' files, digests and signatures."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from registry import layout
from registry import tuf_metadata as tm
from registry.errors import RegistryInputError
from registry.records import content_digest
from registry.report import VersionInfo
from registry.signing import (
    SignatureError,
    VerifiedSignature,
    verify_dsse_envelope,
    verify_sigstore_bundle,
)
from registry.tuf_metadata import Key, Metadata, Targets
from registry.verify_base import Stop
from registry.verify_log import LogChecks


class ConnectorChecks(LogChecks):
    """The connector part of a verification pass (records each version's log entries too)."""

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
        except Stop:
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
