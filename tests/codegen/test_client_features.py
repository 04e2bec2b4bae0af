"""What a developer sees in a generated client: names, docs, raw access, typed errors, options.

Every test generates the Stripe-shaped ``payco`` spec, imports it and runs it against
``httpx.MockTransport``.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import pydoc
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from connector_spec.runtime.clock import VirtualClock
from tests.codegen.client_spec import payco_spec
from tests.codegen.specs import generate_and_import

KEY = "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc"
CHARGE = {"id": "ch_1", "amount": 500}
Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture(scope="module")
def payco(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return generate_and_import(tmp_path_factory.mktemp("payco"), payco_spec())


def _client(payco: ModuleType, handler: Handler, **extra: Any) -> Any:
    return payco.PaycoClient(
        credentials={"TEST_TOKEN": KEY},
        transport=httpx.MockTransport(handler),
        clock=VirtualClock(0),
        **extra,
    )


def _async_client(payco: ModuleType, handler: Handler, **extra: Any) -> Any:
    return payco.AsyncPaycoClient(
        credentials={"TEST_TOKEN": KEY},
        transport=httpx.MockTransport(handler),
        clock=VirtualClock(0),
        **extra,
    )


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Handler:
    return lambda request: httpx.Response(status, json=body, headers=headers)


# ---------------------------------------------------------------- names


def test_methods_are_named_without_the_resource(payco: ModuleType) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        if request.url.path == "/v1/charges" and request.method == "GET":
            return httpx.Response(200, json={"data": [CHARGE], "has_more": False})
        if request.url.path == "/v1/import":
            return httpx.Response(204)
        return httpx.Response(200, json=CHARGE)

    client = _client(payco, handler)
    assert client.charges.create(amount=500).id == "ch_1"
    assert client.charges.retrieve(charge="ch_1").amount == 500
    assert client.charges.list(limit=1).data[0].id == "ch_1"
    assert [c.id for c in client.charges.iter()] == ["ch_1"]
    assert client.global_.import_() is None
    assert seen == [
        "POST /v1/charges",
        "GET /v1/charges/ch_1",
        "GET /v1/charges",
        "GET /v1/charges",
        "POST /v1/import",
    ]
    for old in ("create_charge", "retrieve_charge", "list_charges", "iter_list_charges"):
        assert not hasattr(client.charges, old)


# ---------------------------------------------------------------- docs in the code


def test_help_shows_the_spec_descriptions_args_returns_and_raises(payco: ModuleType) -> None:
    text = pydoc.render_doc(payco.PaycoClient.__init__, renderer=pydoc.TextDoc())
    assert "transport" in text
    doc = inspect.getdoc(payco.client.ChargesResource.create) or ""
    assert doc.startswith("Create charge.\n\nCharges a card. The card is declined with HTTP 402.")
    assert "amount (int): How much to charge." in doc
    assert "list_ (str): A field named list. Optional." in doc
    assert "Returns:\n    Charge: The charge." in doc
    assert "CardError: HTTP 402: The card was declined." in doc
    assert "BadRequestError: HTTP 400: Invalid parameters." in doc
    assert "Idempotency-Key" in doc
    pager = inspect.getdoc(payco.client.ChargesResource.iter) or ""
    assert "Yields:\n    Charge: One item of a page." in pager
    models = payco.models
    assert inspect.getdoc(models.Charge) == "A charge moves money from a card to your account."
    field = models.Charge.model_fields["amount"]
    assert field.description == "Amount in the smallest currency unit."
    assert "``retrieve_charge``" in (inspect.getdoc(models.RetrieveChargeParams) or "")
    raw_doc = inspect.getdoc(payco.client.ChargesResourceWithRawResponse) or ""
    assert "RawResponse" in raw_doc


# ---------------------------------------------------------------- raw access


def test_with_raw_response_gives_status_headers_body_and_parse(payco: ModuleType) -> None:
    attempts: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        if len(attempts) == 1:
            return httpx.Response(503)
        return httpx.Response(201, json=CHARGE, headers={"Request-Id": "req_9"})

    client = _client(payco, handler)
    raw = client.charges.with_raw_response.create(amount=500)
    assert len(attempts) == 2  # retried like the plain method
    assert raw.status_code == 201
    assert raw.headers["request-id"] == "req_9"
    assert json.loads(raw.content) == CHARGE
    charge = raw.parse()
    assert isinstance(charge, payco.models.Charge) and charge.id == "ch_1"
    assert inspect.getdoc(client.charges.with_raw_response.create) == inspect.getdoc(
        client.charges.create
    )


def test_raw_parse_still_validates(payco: ModuleType) -> None:
    client = _client(payco, _json(200, {"id": 5}))
    raw = client.charges.with_raw_response.retrieve(charge="ch_1")
    assert raw.status_code == 200
    with pytest.raises(payco.DecodeError):
        raw.parse()
    with pytest.raises(payco.RequestValidationError):
        client.charges.with_raw_response.create(amount="lots")


def test_raw_binary_and_empty_results(payco: ModuleType) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/receipt"):
            return httpx.Response(200, content=b"%PDF-1.7")
        return httpx.Response(204)

    client = _client(payco, handler)
    assert client.charges.with_raw_response.download_receipt(id="ch_1").parse() == b"%PDF-1.7"
    raw = client.global_.with_raw_response.import_()
    assert raw.status_code == 204 and raw.parse() is None


def test_async_with_raw_response(payco: ModuleType) -> None:
    async def run() -> Any:
        async with _async_client(payco, _json(200, CHARGE, {"X-Thing": "1"})) as client:
            raw = await client.charges.with_raw_response.retrieve(charge="ch_1")
            return raw.status_code, raw.headers["x-thing"], raw.parse().id

    assert asyncio.run(run()) == (200, "1", "ch_1")


# ---------------------------------------------------------------- typed errors


DECLINE = {
    "error": {
        "type": "card_error",
        "code": "card_declined",
        "decline_code": "insufficient_funds",
        "message": "Your card has insufficient funds.",
        "param": "source",
    }
}


def test_a_declared_error_is_its_own_class_with_the_parsed_body(payco: ModuleType) -> None:
    client = _client(payco, _json(402, DECLINE, {"Request-Id": "req_1"}))
    with pytest.raises(payco.CardError) as caught:
        client.charges.create(amount=500)
    error = caught.value
    assert isinstance(error, payco.ClientError)  # `except ClientError` still catches it
    assert error.status == 402
    assert error.code == "card_declined"
    assert error.decline_code == "insufficient_funds"
    assert error.param == "source"
    assert error.type == "card_error"
    assert error.parsed is not None and error.parsed.error.message.startswith("Your card")
    assert error.headers["request-id"] == "req_1"
    assert error.request_id == "req_1"
    assert "Your card has insufficient funds" in str(error)


def test_a_declared_error_without_a_schema_keeps_the_raw_body(payco: ModuleType) -> None:
    client = _client(payco, _json(404, {"error": {"message": "No such charge"}}))
    with pytest.raises(payco.NotFoundError) as caught:
        client.charges.retrieve(charge="ch_x")
    assert caught.value.body == {"error": {"message": "No such charge"}}
    assert caught.value.code is None


def test_an_error_body_that_does_not_match_its_schema_still_raises_the_class(
    payco: ModuleType,
) -> None:
    client = _client(payco, lambda r: httpx.Response(402, text="<html>declined</html>"))
    with pytest.raises(payco.CardError) as caught:
        client.charges.create(amount=500)
    assert caught.value.body == "<html>declined</html>"
    assert caught.value.parsed is None and caught.value.decline_code is None


def test_an_undeclared_error_keeps_the_generic_class_with_redacted_details(
    payco: ModuleType,
) -> None:
    body = {"error": {"message": f"bad key {KEY}", "other": "sk_live_" + "a" * 24}}
    headers = {"Set-Cookie": "session=abc", "X-Echo": f"Bearer {KEY}"}
    client = _client(payco, _json(409, body, headers), max_retries=0)
    with pytest.raises(payco.ClientError) as caught:
        client.charges.list()
    error = caught.value
    assert type(error).__name__ == "ClientError"
    assert error.status == 409
    assert KEY not in json.dumps(error.body) and "sk_live_" not in json.dumps(error.body)
    assert error.body["error"]["message"] == "bad key <redacted>"
    assert error.headers["set-cookie"] == "<redacted>"
    assert KEY not in error.headers["x-echo"]
    assert KEY not in str(error)


# ---------------------------------------------------------------- configuration


def test_transport_and_http_client_together_are_refused(payco: ModuleType) -> None:
    with httpx.Client() as http, pytest.raises(payco.ConfigurationError, match="not both"):
        payco.PaycoClient(
            credentials={"TEST_TOKEN": KEY},
            transport=httpx.MockTransport(_json(200, CHARGE)),
            http_client=http,
        )


def test_a_supplied_http_client_gets_the_configured_timeouts(payco: ModuleType) -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json=CHARGE)

    with httpx.Client(transport=httpx.MockTransport(handler), timeout=999) as http:
        client = payco.PaycoClient(credentials={"TEST_TOKEN": KEY}, http_client=http, timeout=7)
        client.charges.retrieve(charge="ch_1")
        client.charges.retrieve(charge="ch_1", timeout=2.5)
    assert seen[0] == {"connect": 7.0, "read": 7.0, "write": 7.0, "pool": 7.0}
    assert seen[1]["read"] == 2.5


def test_per_call_headers_timeout_and_retries(payco: ModuleType) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503)

    client = _client(payco, handler)
    with pytest.raises(payco.ServerError):
        client.charges.retrieve(charge="ch_1", max_retries=0, extra_headers={"X-Trace": "t1"})
    assert len(seen) == 1 and seen[0].headers["x-trace"] == "t1"
    seen.clear()
    with pytest.raises(payco.ServerError):
        client.charges.retrieve(charge="ch_1")
    assert len(seen) == 3  # the spec's max_attempts
    assert "x-trace" not in seen[0].headers
    seen.clear()
    with pytest.raises(payco.ServerError):
        _client(payco, handler, max_retries=1).charges.retrieve(charge="ch_1")
    assert len(seen) == 2


@pytest.mark.parametrize(
    ("option", "value"),
    [("timeout", -1), ("timeout", "soon"), ("max_retries", -1), ("max_retries", 1.5)],
)
def test_bad_options_are_configuration_errors(payco: ModuleType, option: str, value: Any) -> None:
    client = _client(payco, _json(200, CHARGE))
    with pytest.raises(payco.ConfigurationError, match=option):
        client.charges.retrieve(charge="ch_1", **{option: value})
    with pytest.raises(payco.ConfigurationError, match=option):
        _client(payco, _json(200, CHARGE), **{option: value})


def test_async_per_call_options(payco: ModuleType) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": [CHARGE], "has_more": False})

    async def run() -> list[str]:
        async with _async_client(payco, handler) as client:
            return [c.id async for c in client.charges.iter(extra_headers={"X-A": "1"}, timeout=3)]

    assert asyncio.run(run()) == ["ch_1"]
    assert seen[0].headers["x-a"] == "1" and seen[0].extensions["timeout"]["read"] == 3.0


def test_generated_names_are_recorded_by_the_naming_rule(payco: ModuleType, tmp_path: Path) -> None:
    from connector_spec.naming import method_names

    names = method_names(
        [
            ("create_charge", "charges", False),
            ("list_charges", "charges", True),
            ("list", "charges", False),  # collides with list_charges → both keep their ids
            ("get_payment_intent", "payment_intents", False),
            ("search_payment_intents", "payment_intents", True),
            ("list_entries", "entry", True),
            ("import", "global", False),
            ("with_raw_response_x", "x", False),
        ]
    )
    assert names["create_charge"] == ("charges", "create", "iter_create")
    assert names["list_charges"][1:] == ("list_charges", "iter_list_charges")
    assert names["list"][1:] == ("list", "iter")
    assert names["get_payment_intent"][1] == "get"
    assert names["search_payment_intents"][1:] == ("search", "iter_search")
    assert names["list_entries"][1:] == ("list", "iter")
    assert names["import"][:2] == ("global_", "import_")
    assert names["with_raw_response_x"][1] == "with_raw_response_"


# ---------------------------------------------------------------- streaming


def _sse(*events: str) -> bytes:
    return "".join(f"data: {e}\n\n" for e in events).encode()


def test_an_sse_stream_yields_validated_events_as_they_arrive(payco: ModuleType) -> None:
    body = (
        b": keep-alive\n\n"
        + _sse(
            json.dumps({"type": "charge.created", "charge": CHARGE}), '{"type": "ping"}', "[DONE]"
        )
        + _sse('{"type": "after done"}')
    )
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            return httpx.Response(503)  # retried: the stream had not started
        return httpx.Response(200, content=body, headers={"Content-Type": "text/event-stream"})

    events = list(_client(payco, handler).charges.stream_events())
    assert [e.type for e in events] == ["charge.created", "ping"]
    assert events[0].charge is not None and events[0].charge.amount == 500
    assert seen[1].headers["accept"] == "text/event-stream"
    doc = inspect.getdoc(payco.client.ChargesResource.stream_events) or ""
    assert "Yields:" in doc and "One change to a charge." in doc


def test_a_malformed_event_is_a_decode_error_after_the_good_ones(payco: ModuleType) -> None:
    body = _sse('{"type": "ok"}', "{not json", '{"type": "never"}')
    client = _client(payco, lambda r: httpx.Response(200, content=body))
    got: list[str] = []
    with pytest.raises(payco.DecodeError, match="not valid JSON"):
        for event in client.charges.stream_events():
            got.append(event.type)
    assert got == ["ok"]
    with pytest.raises(payco.DecodeError, match="does not match the schema"):
        list(
            _client(
                payco, lambda r: httpx.Response(200, content=_sse("{}"))
            ).charges.stream_events()
        )


def test_an_endless_line_is_refused_not_buffered(payco: ModuleType) -> None:
    from connector_spec.runtime.stream import MAX_LINE

    def chunks() -> Any:
        for _ in range(MAX_LINE // 65536 + 2):
            yield b"x" * 65536

    client = _client(payco, lambda r: httpx.Response(200, content=chunks()))
    with pytest.raises(payco.DecodeError, match="longer than"):
        list(client.charges.export())


def test_ndjson_stream_and_errors_before_it_starts(payco: ModuleType) -> None:
    lines = b'{"id": "ch_1", "amount": 1}\n\n{"id": "ch_2", "amount": 2}'  # no final newline
    client = _client(payco, lambda r: httpx.Response(200, content=lines))
    assert [c.id for c in client.charges.export()] == ["ch_1", "ch_2"]
    failing = _client(payco, _json(401, {"error": {"message": "bad key"}}))
    with pytest.raises(payco.AuthError):
        list(failing.charges.export())


def test_async_stream(payco: ModuleType) -> None:
    body = _sse('{"type": "a"}', '{"type": "b"}')

    async def run() -> list[str]:
        async with _async_client(payco, lambda r: httpx.Response(200, content=body)) as client:
            return [e.type async for e in client.charges.stream_events()]

    assert asyncio.run(run()) == ["a", "b"]


def test_extra_headers_replace_the_clients_own_but_not_the_credentials(payco: ModuleType) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503 if len(seen) == 1 else 200, json=CHARGE)

    client = _client(payco, handler)
    client.charges.create(
        amount=1,
        extra_headers={"idempotency-key": "my-key-1", "Authorization": "Bearer nope"},
    )
    assert [r.headers.get_list("idempotency-key") for r in seen] == [["my-key-1"], ["my-key-1"]]
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"
