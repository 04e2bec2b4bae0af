"""Golden bytes: a fixed key and clock give a byte-identical registry, whatever the code layout.

The recorded digests were taken before ``registry/publish.py`` was split into lifecycle,
writes and garbage collection; every later change that alters a written byte shows up here.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from registry import Registry
from tests.registry import helpers
from tests.registry.helpers import Clock, publication

GOLDEN = Path(__file__).parent / "golden" / "registry_tree.json"


def fixed_signer(seed: int) -> object:
    """A deterministic Ed25519 signer (Ed25519 signatures are deterministic too)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from securesystemslib.signer import CryptoSigner  # type: ignore[attr-defined]

    return CryptoSigner(Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32))


def build(root: Path, keys: Path) -> dict[str, str]:
    """Init, publish, republish, yank, refresh, update the policy and rotate the key."""
    from cryptography.hazmat.primitives import serialization

    clock = Clock()
    first, second = fixed_signer(1), fixed_signer(2)
    keys.mkdir()
    for signer in (first, second):
        pem = signer._private_key.private_bytes(  # type: ignore[attr-defined]
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        (keys / f"{signer.public_key.keyid}.pem").write_bytes(pem)  # type: ignore[attr-defined]
    reg = Registry.init(root, key_dir=keys, signer=first, now=clock, sigstore_trusted_root=b"{}\n")
    for name, version in (("stripe", "1.0.0"), ("stripe", "1.1.0"), ("acme", "0.1.0")):
        clock.advance(seconds=1)
        reg.publish(publication(name, version))
    reg.publish(publication("stripe", "1.1.0"))
    clock.advance(seconds=1)
    reg.yank("stripe", "1.0.0", "wrong base URL")
    clock.advance(seconds=1)
    reg.refresh()
    reg.update_policy(identities=[{"identity": "me", "issuer": "https://issuer.example"}])
    clock.advance(seconds=1)
    reg.rotate_key(second)
    clock.advance(seconds=1)
    reg.publish(publication("acme", "0.2.0"))
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def test_a_fixed_history_writes_the_recorded_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a frozen copy of the stripe seed spec, so edits to connectors/ do not move the bytes
    monkeypatch.setattr(helpers, "SPEC", (GOLDEN.parent / "stripe-connector.yaml").read_bytes())
    tree = build(tmp_path / "registry", tmp_path / "keys")
    if os.environ.get("FLOWS_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(tree, indent=1, sort_keys=True) + "\n")
    assert tree == json.loads(GOLDEN.read_text())
