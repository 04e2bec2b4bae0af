"""The generated Stripe client, called through httpx.MockTransport on a virtual clock."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
from collections.abc import Callable
from types import ModuleType
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import CONNECTORS

KEY = "sk_test_51CanarySecretValue"
# the charge of Stripe's API reference (docs.stripe.com/api/charges/object), as the seed's
# fixture serves it: the seed's Charge schema is Stripe's own, so a charge carries every field
# Stripe marks required
CHARGE = yaml.safe_load(
    (CONNECTORS / "stripe" / "fixtures" / "create_charge" / "happy_path.yaml").read_text()
)["responses"][0]["json"]


@pytest.fixture
def stripe(generated: Callable[..., ModuleType]) -> ModuleType:
    return generated(CONNECTORS / "stripe", "flows_stripe")


def _client(stripe: ModuleType, responses: list[Any], seen: list[httpx.Request], **kw: Any) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        nxt = responses.pop(0)
        if isinstance(nxt, Exception):
            raise nxt
        return nxt

    kw.setdefault("clock", stripe.VirtualClock())
    return stripe.StripeClient(
        credentials={"STRIPE_API_KEY": KEY},
        transport=httpx.MockTransport(handler),
        rng=random.Random(0),
        **kw,
    )


def test_429_waits_exactly_retry_after_and_reuses_the_idempotency_key(stripe: ModuleType) -> None:
    seen: list[httpx.Request] = []
    clock = stripe.VirtualClock()
    client = _client(
        stripe,
        [httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json=CHARGE)],
        seen,
        clock=clock,
    )
    charge = client.charges.create(amount=1099, currency="usd")
    assert charge.id == CHARGE["id"]
    assert clock.sleeps == [7.0]
    keys = [r.headers["Idempotency-Key"] for r in seen]
    assert len(keys) == 2 and keys[0] == keys[1]


def test_retry_after_as_http_date_is_honoured(stripe: ModuleType) -> None:
    seen: list[httpx.Request] = []
    clock = stripe.VirtualClock()
    date = email.utils.formatdate(clock.time() + 12, usegmt=True)
    client = _client(
        stripe,
        [httpx.Response(429, headers={"Retry-After": date}), httpx.Response(200, json=CHARGE)],
        seen,
        clock=clock,
    )
    client.charges.retrieve(charge="ch_1")
    assert clock.sleeps == [12.0]


def test_a_new_call_gets_a_new_idempotency_key(stripe: ModuleType) -> None:
    seen: list[httpx.Request] = []
    client = _client(
        stripe, [httpx.Response(200, json=CHARGE), httpx.Response(200, json=CHARGE)], seen
    )
    client.charges.create(amount=1, currency="usd")
    client.charges.create(amount=1, currency="usd")
    assert seen[0].headers["Idempotency-Key"] != seen[1].headers["Idempotency-Key"]


def test_keyed_write_is_retried_after_503_with_the_same_key(stripe: ModuleType) -> None:
    seen: list[httpx.Request] = []
    client = _client(stripe, [httpx.Response(503), httpx.Response(200, json=CHARGE)], seen)
    client.charges.create(amount=1, currency="usd")
    assert len(seen) == 2
    assert seen[0].headers["Idempotency-Key"] == seen[1].headers["Idempotency-Key"]


def test_401_raises_auth_error_without_the_key(stripe: ModuleType, caplog: Any) -> None:
    seen: list[httpx.Request] = []
    body = {
        "error": {"message": f"Invalid API Key provided: {KEY}", "type": "invalid_request_error"}
    }
    client = _client(stripe, [httpx.Response(401, json=body)], seen)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(stripe.AuthError) as info:
        client.charges.retrieve(charge="ch_1")
    assert len(seen) == 1
    assert KEY not in str(info.value) and KEY not in info.value.diagnostics()
    assert KEY not in repr(info.value)
    assert "HTTP 401" in info.value.diagnostics()
    assert KEY not in caplog.text


def test_form_body_and_path_parameters_are_encoded(stripe: ModuleType) -> None:
    seen: list[httpx.Request] = []
    client = _client(
        stripe, [httpx.Response(200, json=CHARGE), httpx.Response(200, json=CHARGE)], seen
    )
    client.charges.create(amount=2000, currency="usd", metadata={"order": "6735"})
    assert seen[0].headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert seen[0].content == b"amount=2000&currency=usd&metadata%5Border%5D=6735"
    assert seen[0].headers["Authorization"] == f"Bearer {KEY}"
    client.charges.retrieve(charge="ch/../1")
    assert seen[1].url.raw_path == b"/v1/charges/ch%2F..%2F1"


def test_invalid_arguments_are_refused_before_sending(stripe: ModuleType) -> None:
    seen: list[httpx.Request] = []
    client = _client(stripe, [], seen)
    # Stripe's description caps a statement descriptor at 22 characters
    with pytest.raises(stripe.RequestValidationError, match="statement_descriptor"):
        client.charges.create(amount=100, currency="usd", statement_descriptor="x" * 23)
    assert seen == []


def test_schema_violation_is_a_decode_error(stripe: ModuleType) -> None:
    seen: list[httpx.Request] = []
    bad = dict(CHARGE, amount="lots")
    client = _client(stripe, [httpx.Response(200, json=bad)], seen)
    with pytest.raises(stripe.DecodeError, match="amount"):
        client.charges.retrieve(charge="ch_1")


def test_malformed_json_is_a_decode_error(stripe: ModuleType) -> None:
    client = _client(stripe, [httpx.Response(200, content=b"{not json")], [])
    with pytest.raises(stripe.DecodeError, match="not valid JSON"):
        client.charges.retrieve(charge="ch_1")


def test_read_timeout_retried_for_reads(stripe: ModuleType) -> None:
    seen: list[httpx.Request] = []
    client = _client(stripe, [httpx.ReadTimeout("slow"), httpx.Response(200, json=CHARGE)], seen)
    assert client.charges.retrieve(charge="ch_1").id == CHARGE["id"]
    assert len(seen) == 2


def test_retries_exhausted_raise_rate_limited(stripe: ModuleType) -> None:
    responses = [httpx.Response(429, headers={"Retry-After": "1"}) for _ in range(4)]
    client = _client(stripe, responses, [])
    with pytest.raises(stripe.RateLimited) as info:
        client.charges.retrieve(charge="ch_1")
    assert info.value.retry_after == 1.0 and info.value.attempts == 4


def test_card_declined_is_a_client_error_with_the_provider_message(stripe: ModuleType) -> None:
    body = {"error": {"code": "card_declined", "message": "Your card was declined."}}
    client = _client(stripe, [httpx.Response(402, json=body, headers={"Request-Id": "req_1"})], [])
    with pytest.raises(stripe.ClientError) as info:
        client.charges.create(amount=1, currency="usd")
    text = info.value.diagnostics()
    assert "Your card was declined." in text and "req_1" in text


def test_cursor_pagination_iterates_every_charge(stripe: ModuleType) -> None:
    seen: list[httpx.Request] = []
    pages = [
        {
            "object": "list",
            "data": [dict(CHARGE, id="ch_a"), dict(CHARGE, id="ch_b")],
            "has_more": True,
        },
        {"object": "list", "data": [dict(CHARGE, id="ch_c")], "has_more": False},
    ]
    client = _client(stripe, [httpx.Response(200, json=p) for p in pages], seen)
    ids = [c.id for c in client.charges.iter(customer="cus_1")]
    assert ids == ["ch_a", "ch_b", "ch_c"]
    assert seen[1].url.params["starting_after"] == "ch_b"
    assert seen[0].url.params["limit"] == "100"


def test_async_client_behaves_the_same(stripe: ModuleType) -> None:
    seen: list[httpx.Request] = []
    responses = [
        httpx.Response(429, headers={"Retry-After": "3"}),
        httpx.Response(200, json=CHARGE),
    ]

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return responses.pop(0)

    clock = stripe.VirtualClock()

    async def run() -> Any:
        async with stripe.AsyncStripeClient(
            credentials={"STRIPE_API_KEY": KEY}, transport=httpx.MockTransport(handler), clock=clock
        ) as client:
            return await client.charges.create(amount=5, currency="eur")

    charge = asyncio.run(run())
    assert charge.amount == 1099
    assert clock.sleeps == [3.0]
    assert seen[0].headers["Idempotency-Key"] == seen[1].headers["Idempotency-Key"]


def test_missing_credentials_fail_at_construction(
    stripe: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    with pytest.raises(stripe.ConfigurationError, match="STRIPE_API_KEY"):
        stripe.StripeClient()


def test_manifest_is_shipped(stripe: ModuleType) -> None:
    manifest = stripe.manifest()
    assert manifest["provider"] == "stripe"
    ops = {o["id"]: o for o in manifest["operations"]}
    assert ops["create_charge"]["idempotency"]["header"] == "Idempotency-Key"
    assert ops["list_charges"]["effects"] == "read"
