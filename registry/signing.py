"""Signing the canonical in-toto statement: one interface, two signers, and verification.

Both signers sign the same bytes, ``rfc8785.dumps(statement)``:

* :class:`OfflineSigner`: a local Ed25519 key, a securesystemslib DSSE ``Envelope``;
* :class:`KeylessSigner`: sigstore-python ``Signer.sign_dsse`` (needs an OIDC identity).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from registry.layout import DSSE_FILE, SIGSTORE_FILE

PAYLOAD_TYPE = "application/vnd.in-toto+json"


def canonical_statement(statement: dict[str, Any]) -> bytes:
    """RFC 8785 canonical bytes of an in-toto statement."""
    import rfc8785

    return bytes(rfc8785.dumps(statement))


@dataclass(frozen=True)
class SignedStatement:
    """A signature over the statement: the file name it is stored under and its bytes."""

    filename: str
    data: bytes


class StatementSigner(Protocol):
    """Anything that signs canonical statement bytes."""

    def sign_statement(self, payload: bytes) -> SignedStatement:
        """Sign ``payload`` (canonical in-toto statement bytes)."""
        ...


class OfflineSigner:
    """Signs with a local key (securesystemslib ``CryptoSigner``) into a DSSE envelope."""

    def __init__(self, signer: Any) -> None:
        self.signer = signer

    @property
    def keyid(self) -> str:
        """The key's TUF keyid."""
        return str(self.signer.public_key.keyid)

    def sign_statement(self, payload: bytes) -> SignedStatement:
        """A DSSE envelope (JSON) over ``payload``."""
        from securesystemslib.dsse import Envelope

        envelope = Envelope(payload=payload, payload_type=PAYLOAD_TYPE, signatures={})
        envelope.sign(self.signer)
        data = json.dumps(envelope.to_dict(), sort_keys=True).encode()
        return SignedStatement(DSSE_FILE, data)


class KeylessSigner:
    """Signs with sigstore-python using an ambient or given OIDC identity token."""

    def __init__(self, identity_token: Any, *, staging: bool = False) -> None:
        self.identity_token = identity_token
        self.staging = staging

    @classmethod
    def from_environment(cls, *, staging: bool = False) -> KeylessSigner:
        """Use the ambient OIDC identity (GitHub Actions)."""
        from sigstore.oidc import IdentityToken, detect_credential

        raw = detect_credential()
        if raw is None:
            from registry.errors import RegistryInputError

            raise RegistryInputError(
                "no ambient OIDC identity for keyless signing",
                hint="run in GitHub Actions with `permissions: id-token: write`, "
                "or sign offline with the local key",
            )
        return cls(IdentityToken(raw), staging=staging)

    def sign_statement(self, payload: bytes) -> SignedStatement:
        """A Sigstore bundle (JSON) holding a DSSE envelope over ``payload``."""
        from sigstore.dsse import Statement
        from sigstore.models import ClientTrustConfig
        from sigstore.sign import SigningContext

        config = ClientTrustConfig.staging() if self.staging else ClientTrustConfig.production()
        context = SigningContext.from_trust_config(config)
        with context.signer(self.identity_token) as signer:
            bundle = signer.sign_dsse(Statement(payload))
        return SignedStatement(SIGSTORE_FILE, bundle.to_json().encode())


# --------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class VerifiedSignature:
    """What a verified signature says: the payload and who signed it."""

    payload: bytes
    signer: str


class SignatureError(Exception):
    """A signature did not verify; the message says why."""


def verify_dsse_envelope(data: bytes, trusted_keys: dict[str, Any]) -> VerifiedSignature:
    """Verify a DSSE envelope against trusted keys (keyid → securesystemslib ``Key``)."""
    from securesystemslib.dsse import Envelope
    from securesystemslib.exceptions import VerificationError

    try:
        envelope = Envelope.from_dict(json.loads(data))
    except (ValueError, KeyError, TypeError) as exc:
        raise SignatureError(f"not a DSSE envelope ({exc})") from None
    if envelope.payload_type != PAYLOAD_TYPE:
        raise SignatureError(f"payload type {envelope.payload_type!r} is not {PAYLOAD_TYPE}")
    try:
        accepted = envelope.verify(list(trusted_keys.values()), 1)
    except VerificationError as exc:
        raise SignatureError(f"no valid signature by a trusted key ({exc})") from None
    keyid = sorted(accepted)[0]
    return VerifiedSignature(envelope.payload, f"key:{keyid}")


def verify_sigstore_bundle(
    data: bytes, trusted_root_path: Path, identities: list[dict[str, str]]
) -> VerifiedSignature:
    """Verify a Sigstore DSSE bundle offline against a trusted-root file and identities."""
    if not identities:
        raise SignatureError("the registry policy trusts no keyless identity")
    from sigstore.errors import Error as SigstoreError
    from sigstore.models import Bundle, TrustedRoot
    from sigstore.verify import Verifier, policy

    try:
        bundle = Bundle.from_json(data)
    except Exception as exc:  # sigstore raises several types for malformed input
        raise SignatureError(f"not a Sigstore bundle ({exc})") from None
    try:
        verifier = Verifier(trusted_root=TrustedRoot.from_file(str(trusted_root_path)))
    except Exception as exc:
        raise SignatureError(f"unusable sigstore trusted root ({exc})") from None
    accepted: str | None = None
    payload = b""
    errors: list[str] = []
    for ident in identities:
        try:
            payload_type, payload = verifier.verify_dsse(
                bundle, policy.Identity(identity=ident["identity"], issuer=ident["issuer"])
            )
        except (SigstoreError, ValueError) as exc:
            errors.append(str(exc))
            continue
        if payload_type != PAYLOAD_TYPE:
            raise SignatureError(f"payload type {payload_type!r} is not {PAYLOAD_TYPE}")
        accepted = f"{ident['identity']} ({ident['issuer']})"
        break
    if accepted is None:
        raise SignatureError(
            "not signed by a trusted identity: " + "; ".join(dict.fromkeys(errors))
        )
    return VerifiedSignature(payload, accepted)
