"""Keyless (Sigstore) signatures: offline verification against the registry's trusted root."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

import pytest

from registry import PublishRefused, Registry, RegistryReader
from registry.signing import SignatureError, SignedStatement, verify_sigstore_bundle
from tests.registry.helpers import SHARED, Clock, publication

BUNDLE = SHARED / "sigstore" / "staging-dsse-bundle.sigstore.json"
IDENTITY = (
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
    ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
)
ISSUER = "https://token.actions.githubusercontent.com"
needs_bundle = pytest.mark.skipif(not BUNDLE.exists(), reason="../shared/sigstore is absent")


def staging_trusted_root() -> bytes:
    store = files("sigstore") / "_store" / "https%3A%2F%2Ftuf-repo-cdn.sigstage.dev"
    return (store / "trusted_root.json").read_bytes()


class Presigned:
    """A signer that hands back an existing Sigstore bundle (no network, no OIDC)."""

    def __init__(self, bundle: bytes) -> None:
        self.bundle = bundle

    def sign_statement(self, payload: bytes) -> SignedStatement:
        return SignedStatement("statement.sigstore.json", self.bundle)


def bundle_statement() -> dict[str, object]:
    envelope = json.loads(BUNDLE.read_bytes())["dsseEnvelope"]
    import base64

    statement = json.loads(base64.b64decode(envelope["payload"]))
    assert isinstance(statement, dict)
    return statement


@needs_bundle
def test_the_real_staging_bundle_verifies_offline_and_a_wrong_identity_is_rejected(
    tmp_path: Path,
) -> None:
    root = tmp_path / "trusted_root.json"
    root.write_bytes(staging_trusted_root())
    verified = verify_sigstore_bundle(
        BUNDLE.read_bytes(), root, [{"identity": IDENTITY, "issuer": ISSUER}]
    )
    assert verified.signer == f"{IDENTITY} ({ISSUER})"
    assert json.loads(verified.payload)["subject"][0]["name"] == "a.txt"
    with pytest.raises(SignatureError, match="not signed by a trusted identity"):
        verify_sigstore_bundle(
            BUNDLE.read_bytes(),
            root,
            [{"identity": IDENTITY.replace("main", "evil"), "issuer": ISSUER}],
        )
    with pytest.raises(SignatureError, match="trusted identity"):
        verify_sigstore_bundle(
            BUNDLE.read_bytes(), root, [{"identity": IDENTITY, "issuer": "https://evil"}]
        )


@needs_bundle
def test_a_registry_with_a_keyless_version_enforces_its_identity_policy(
    tmp_path: Path, clock: Clock, reader: Callable[..., RegistryReader]
) -> None:
    reg = Registry.init(
        tmp_path / "registry",
        key_dir=tmp_path / "keys",
        identities=[{"identity": IDENTITY, "issuer": ISSUER}],
        sigstore_trusted_root=staging_trusted_root(),
        now=clock,
        notice=lambda _m: None,
    )
    pub = publication(stmt=bundle_statement())
    reg.publish(pub, signer=Presigned(BUNDLE.read_bytes()))
    report = reader().verify()
    assert report.ok, report.problems
    assert report.connectors["stripe"]["1.0.0"].signer == f"{IDENTITY} ({ISSUER})"

    reg.update_policy(identities=[{"identity": IDENTITY + "-fork", "issuer": ISSUER}])
    report = reader().verify()
    assert [p.file for p in report.problems] == ["targets/stripe/1.0.0/statement.sigstore.json"]
    assert "not signed by a trusted identity" in report.problems[0].message


@needs_bundle
def test_a_bundle_over_another_statement_is_rejected(
    tmp_path: Path, clock: Clock, reader: Callable[..., RegistryReader]
) -> None:
    reg = Registry.init(
        tmp_path / "registry",
        key_dir=tmp_path / "keys",
        identities=[{"identity": IDENTITY, "issuer": ISSUER}],
        sigstore_trusted_root=staging_trusted_root(),
        now=clock,
        notice=lambda _m: None,
    )

    def files() -> list[Path]:  # the lock file is the lock's, not content
        return sorted(
            p.relative_to(tmp_path) for p in (tmp_path / "registry").rglob("*") if p.name != ".lock"
        )

    before = files()
    with pytest.raises(PublishRefused, match="covers a different statement"):
        reg.publish(publication(), signer=Presigned(BUNDLE.read_bytes()))  # our own statement
    assert files() == before
    assert reader().verify().ok


@pytest.mark.oidc
@pytest.mark.skipif(
    "ACTIONS_ID_TOKEN_REQUEST_URL" not in os.environ, reason="needs a GitHub Actions OIDC identity"
)
def test_keyless_signing_with_the_ambient_identity(
    tmp_path: Path, clock: Clock, reader: Callable[..., RegistryReader]
) -> None:  # pragma: no cover - only runs in GitHub Actions
    from registry import KeylessSigner

    identity = os.environ.get("FLOWS_KEYLESS_IDENTITY", "")
    reg = Registry.init(
        tmp_path / "registry",
        key_dir=tmp_path / "keys",
        identities=[{"identity": identity, "issuer": ISSUER}],
        sigstore_trusted_root=staging_trusted_root(),
        now=clock,
        notice=lambda _m: None,
    )
    reg.publish(publication(), signer=KeylessSigner.from_environment(staging=True))
    assert reader().verify().ok
