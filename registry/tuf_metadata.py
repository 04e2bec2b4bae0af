"""TUF metadata for the registry, built with python-tuf's ``tuf.api.metadata``.

Roles: ``root`` (keys, thresholds and the flows verification policy), ``timestamp``,
``snapshot`` (every targets role's version plus the log head), ``targets`` (delegates one
role per connector and lists the trust files), and one delegated role ``c.<name>`` per
connector listing its files and, per version, the content digest and log position.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

# python-tuf's documented public API; mypy sees these as private re-exports.
from tuf.api.metadata import (  # type: ignore[attr-defined]
    DelegatedRole,
    Delegations,
    Key,
    Metadata,
    MetaFile,
    Root,
    Signed,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization import SignedSerializer
from tuf.api.serialization.json import CanonicalJSONSerializer, JSONSerializer

from connector_spec.digests import sha256_hex as sha256_hex  # re-exported for publish

POLICY_FIELD = "x-flows-policy"
LOG_FIELD = "x-flows-log"
VERSIONS_FIELD = "x-flows-versions"
REGISTRY_FIELD = "x-flows-registry"

EXPIRY = {
    "root": timedelta(days=365),
    "targets": timedelta(days=365),
    "connector": timedelta(days=365),
    "snapshot": timedelta(days=30),
    "timestamp": timedelta(days=7),
}
__all__ = [
    "DelegatedRole",
    "Delegations",
    "Key",
    "MetaFile",
    "Metadata",
    "Root",
    "Snapshot",
    "TargetFile",
    "Targets",
    "Timestamp",
]
TOP_ROLES = ("root", "timestamp", "snapshot", "targets")

_SERIALIZER = JSONSerializer(compact=False)


def to_bytes(md: Metadata[Any]) -> bytes:
    """Serialized metadata (stable, indented JSON)."""
    return bytes(md.to_bytes(_SERIALIZER))


def expires(now: datetime, kind: str) -> datetime:
    """Expiry of a role of ``kind`` signed at ``now`` (whole seconds, UTC)."""
    return (now + EXPIRY[kind]).replace(microsecond=0)


def new_root(
    keys: list[Key], now: datetime, *, policy: dict[str, Any], name: str
) -> Metadata[Root]:
    """Version 1 of the root: ``keys`` hold every top-level role (threshold 1)."""
    root = Root(expires=expires(now, "root"), consistent_snapshot=True)
    for key in keys:
        for role in TOP_ROLES:
            root.add_key(key, role)
    root.unrecognized_fields[POLICY_FIELD] = policy
    root.unrecognized_fields[REGISTRY_FIELD] = {"name": name}
    return Metadata(root)


def new_targets(now: datetime, keyids: list[str]) -> Metadata[Targets]:
    """Version 1 of the top-level targets, with an (empty) delegations block."""
    targets = Targets(expires=expires(now, "targets"))
    targets.delegations = Delegations(keys={}, roles={})
    return Metadata(targets)


def delegate(targets: Targets, role: str, connector: str, keys: list[Key]) -> None:
    """Delegate ``connector/*`` to ``role``, signed by ``keys``."""
    assert targets.delegations is not None and targets.delegations.roles is not None
    for key in keys:
        targets.delegations.keys[key.keyid] = key
    targets.delegations.roles[role] = DelegatedRole(
        name=role,
        keyids=[k.keyid for k in keys],
        threshold=1,
        terminating=True,
        paths=[f"{connector}/*"],
    )


def new_connector_role(now: datetime) -> Metadata[Targets]:
    """Version 0 of a connector role (bumped to 1 before its first commit)."""
    role = Targets(version=1, expires=expires(now, "connector"))
    role.unrecognized_fields[VERSIONS_FIELD] = {}
    return Metadata(role)


def new_snapshot(now: datetime) -> Metadata[Snapshot]:
    """Version 1 of the snapshot (empty log)."""
    snapshot = Snapshot(expires=expires(now, "snapshot"))
    snapshot.unrecognized_fields[LOG_FIELD] = {"length": 0, "head": None}
    return Metadata(snapshot)


def new_timestamp(now: datetime) -> Metadata[Timestamp]:
    """Version 1 of the timestamp."""
    return Metadata(Timestamp(expires=expires(now, "timestamp")))


def snapshot_meta(data: bytes, version: int) -> MetaFile:
    """The timestamp's record of a snapshot file: version, length and sha256."""
    return MetaFile(version=version, length=len(data), hashes={"sha256": sha256_hex(data)})


def sign(md: Metadata[Any], signers: list[Any]) -> bytes:
    """Replace the signatures of ``md`` with ``signers``' and return its bytes."""
    md.signatures.clear()
    for signer in signers:
        md.sign(signer, append=True)
    return to_bytes(md)


def keys_of(root: Root, role: str) -> list[Key]:
    """The keys of a top-level role."""
    return [root.keys[keyid] for keyid in root.roles[role].keyids]


def policy_of(root: Root) -> dict[str, Any]:
    """The flows verification policy held in the root (trusted keys and identities)."""
    policy = root.unrecognized_fields.get(POLICY_FIELD) or {}
    return {
        "keys": dict(policy.get("keys") or {}),
        "identities": list(policy.get("identities") or []),
    }


class FastCanonicalSerializer(SignedSerializer):
    """The OLPC canonical JSON the signatures cover, made by ``json.dumps`` where that gives
    the very same bytes (no floats, no string that ``json`` would escape beyond ``\\`` and
    ``"``), else by securesystemslib's encoder. Checking the signature of a targets file of
    thousands of connectors spent most of a ``show`` in the pure-Python encoder."""

    def serialize(self, signed_obj: Signed) -> bytes:
        """The canonical bytes of ``signed_obj`` (what its signatures sign)."""
        data = signed_obj.to_dict()
        if not _has_float(data):
            text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            if _OTHER_ESCAPE.search(text) is None:
                try:
                    return text.encode("utf-8")
                except UnicodeEncodeError:
                    pass  # the canonical encoder says what is wrong
        return CanonicalJSONSerializer().serialize(signed_obj)


_OTHER_ESCAPE = re.compile(r'\\[^\\"]')


def _has_float(data: Any) -> bool:
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, float):
            return True
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


CANONICAL = FastCanonicalSerializer()
