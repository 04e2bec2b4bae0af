"""What a publication must satisfy before anything is written.

The spec and the evidence name the published version, a new version is above every version
ever published and bumped at least as much as ``flows spec diff`` requires, and the
statement's signature satisfies the registry's verification policy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from registry import layout
from registry import tuf_metadata as tm
from registry.errors import PublishRefused
from registry.records import Publication
from registry.state import State
from registry.tuf_metadata import Key, Metadata, Targets


def _json_or_none(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return None


def same_artifacts(
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


def check_signature(root: Path, state: State, signature: Any, statement: bytes) -> None:
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
                signature.data, root / layout.TARGETS / trust[0], policy["identities"]
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


def check_spec(publication: Publication) -> None:
    """The spec and the evidence must both be about the published name and version."""
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


def check_new_version(
    root: Path, versions: Mapping[str, Any], name: str, version: str, spec_bytes: bytes
) -> None:
    """``version`` must be above every version ever published, bumped as the diff requires."""
    if not versions:
        return
    highest = max(versions, key=layout.semver_key)
    if layout.semver_key(version) <= layout.semver_key(highest):
        raise PublishRefused(
            f"{name}@{version} is not above {highest}, the highest version ever "
            "published (yanked versions count)",
            hint=f"publish a version above {highest}",
        )
    check_bump(root, name, highest, version, spec_bytes)


def check_bump(root: Path, name: str, highest: str, version: str, spec_bytes: bytes) -> None:
    """Refuse a bump smaller than ``flows spec diff`` requires since ``highest``."""
    from connector_spec.diff import diff_specs
    from connector_spec.loader import parse_spec_bytes

    old_bytes = (root / layout.TARGETS / name / highest / layout.SPEC_FILE).read_bytes()
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
