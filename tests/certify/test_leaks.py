"""The leak scanner on its own: evidence files, wrong-place credentials, API-key query auth."""

from __future__ import annotations

from types import SimpleNamespace

from certify.harness import SentRequest
from certify.leaks import misplaced_in_request, scan
from connector_spec.loader import load_spec
from tests.certify.helpers import CONNECTORS

CANARY = "flwcanary0123456789abcdef0123"
SPEC = load_spec(CONNECTORS / "stripe" / "connector.yaml").spec


def _sent(url: str, headers: dict[str, str], body: bytes = b"") -> SentRequest:
    return SentRequest("POST", url, headers, body, 0)


def test_credential_in_its_own_header_is_fine_elsewhere_is_not() -> None:
    ok = _sent("https://api.stripe.com/v1/charges", {"authorization": f"Bearer {CANARY}"})
    assert misplaced_in_request(SPEC, ok, [CANARY], token_request=False) is None
    in_header = _sent("https://api.stripe.com/v1/charges", {"x-debug": CANARY})
    assert misplaced_in_request(SPEC, in_header, [CANARY], token_request=False) == (
        "in the x-debug header of POST https://api.stripe.com/v1/charges"
    )
    in_body = _sent("https://api.stripe.com/v1/charges", {}, f"key={CANARY}".encode())
    assert misplaced_in_request(SPEC, in_body, [CANARY], token_request=False) == (
        "in the body of POST https://api.stripe.com/v1/charges"
    )


def test_evidence_files_are_scanned() -> None:
    harness = SimpleNamespace(canaries=[CANARY], all_requests=[], token_requests=[])
    problems = scan(
        SPEC,
        harness,  # type: ignore[arg-type]
        logs=["retrying"],
        exception_texts=["stripe create_charge: HTTP 500"],
        fixtures=[],
        files={"summary.md": f"note {CANARY}".encode(), "statement.json": b"{}"},
    )
    assert problems == ["a credential appeared in the evidence file summary.md"]
