"""OAuth 2.0 in the runtime: client-credentials and refresh-token grants, caching, expiry,
errors from the token endpoint, and secrets kept out of errors and logs."""

from __future__ import annotations

import asyncio
import base64
import logging
import random
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from connector_spec.runtime.auth import OAuth2Auth
from connector_spec.runtime.clock import VirtualClock
from connector_spec.runtime.engine import AsyncEngine, Engine, EngineConfig, OperationInfo
from connector_spec.runtime.errors import AuthError, ClientError, TransportError
from connector_spec.runtime.pagination import Call
from connector_spec.runtime.retry import RetrySettings
from connector_spec.runtime.secrets import Secret

TOKEN_URL = "https://auth.example.com/oauth/token"
BASE = "https://api.example.com"
CLIENT_ID = "client-id-4711"
CLIENT_SECRET = "client-secret-s3cr3t-value"
REFRESH = "refresh-token-r1-value"
READ = OperationInfo(id="get_thing", method="GET", path="/things", retry_safe=True)


@dataclass
class Provider:
    """A fake provider: a token endpoint handing out numbered tokens, and an API."""

    token_responses: list[httpx.Response] = field(default_factory=list)
    api_responses: list[httpx.Response] = field(default_factory=list)
    expires_in: Any = 3600
    rotate_refresh: bool = False
    token_requests: list[httpx.Request] = field(default_factory=list)
    api_requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            self.token_requests.append(request)
            if self.token_responses:
                return self.token_responses.pop(0)
            number = len(self.token_requests)
            body: dict[str, Any] = {"access_token": f"access-token-{number}-value"}
            body["token_type"] = "bearer"
            if self.expires_in is not None:
                body["expires_in"] = self.expires_in
            if self.rotate_refresh:
                body["refresh_token"] = f"refresh-token-r{number + 1}-value"
            return httpx.Response(200, json=body)
        self.api_requests.append(request)
        if self.api_responses:
            return self.api_responses.pop(0)
        return httpx.Response(200, json={"ok": True})

    def form(self, index: int) -> dict[str, list[str]]:
        """The form body of token request ``index``."""
        return parse_qs(self.token_requests[index].content.decode())

    def bearers(self) -> list[str]:
        """The Authorization header of every API request."""
        return [r.headers.get("Authorization", "") for r in self.api_requests]


def _auth(**kwargs: Any) -> OAuth2Auth:
    kwargs.setdefault("client_id", Secret(CLIENT_ID))
    kwargs.setdefault("client_secret", Secret(CLIENT_SECRET))
    return OAuth2Auth(token_url=TOKEN_URL, **kwargs)


def _engine(provider: Provider, auth: OAuth2Auth, **retry: Any) -> tuple[Engine, VirtualClock]:
    clock = VirtualClock()
    config = EngineConfig(
        provider="acme",
        base_url=BASE,
        retry=RetrySettings(**retry),
        timeout=httpx.Timeout(5.0),
    )
    http = httpx.Client(transport=httpx.MockTransport(provider))
    return Engine(config, auth, http=http, clock=clock, rng=random.Random(0)), clock


# ---------------------------------------------------------------- client credentials


def test_client_credentials_token_is_fetched_once_and_sent_as_bearer() -> None:
    provider = Provider()
    engine, _ = _engine(provider, _auth(scopes=["things:read", "things:write"]))
    for _ in range(3):
        engine.send(READ, Call())
    assert len(provider.token_requests) == 1
    token_request = provider.token_requests[0]
    assert token_request.method == "POST"
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert provider.form(0) == {
        "grant_type": ["client_credentials"],
        "scope": ["things:read things:write"],
    }
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert token_request.headers["Authorization"] == f"Basic {basic}"
    assert provider.bearers() == ["Bearer access-token-1-value"] * 3


def test_client_credentials_in_the_body() -> None:
    provider = Provider()
    engine, _ = _engine(provider, _auth(client_auth="body"))
    engine.send(READ, Call())
    assert "Authorization" not in provider.token_requests[0].headers
    assert provider.form(0) == {
        "grant_type": ["client_credentials"],
        "client_id": [CLIENT_ID],
        "client_secret": [CLIENT_SECRET],
    }
    assert provider.bearers() == ["Bearer access-token-1-value"]


def test_the_token_is_fetched_before_the_first_request_not_at_construction() -> None:
    provider = Provider()
    _engine(provider, _auth())
    assert provider.token_requests == []


# ---------------------------------------------------------------- refresh-token grant


def test_refresh_token_grant_sends_the_refresh_token() -> None:
    provider = Provider()
    engine, _ = _engine(provider, _auth(refresh_token=Secret(REFRESH), client_auth="body"))
    engine.send(READ, Call())
    engine.send(READ, Call())
    assert len(provider.token_requests) == 1
    assert provider.form(0) == {
        "grant_type": ["refresh_token"],
        "refresh_token": [REFRESH],
        "client_id": [CLIENT_ID],
        "client_secret": [CLIENT_SECRET],
    }
    assert provider.bearers() == ["Bearer access-token-1-value"] * 2


def test_a_rotated_refresh_token_is_used_for_the_next_refresh() -> None:
    provider = Provider(expires_in=100, rotate_refresh=True)
    auth = _auth(refresh_token=Secret(REFRESH))
    engine, clock = _engine(provider, auth)
    engine.send(READ, Call())
    clock.advance(100)
    engine.send(READ, Call())
    clock.advance(100)
    engine.send(READ, Call())
    assert [provider.form(i)["refresh_token"] for i in range(3)] == [
        [REFRESH],
        ["refresh-token-r2-value"],
        ["refresh-token-r3-value"],
    ]
    assert provider.bearers() == [
        "Bearer access-token-1-value",
        "Bearer access-token-2-value",
        "Bearer access-token-3-value",
    ]


def test_a_refresh_token_is_not_added_to_a_client_credentials_grant() -> None:
    provider = Provider(expires_in=100, rotate_refresh=True)
    engine, clock = _engine(provider, _auth())
    engine.send(READ, Call())
    clock.advance(100)
    engine.send(READ, Call())
    assert [provider.form(i)["grant_type"] for i in range(2)] == [["client_credentials"]] * 2
    assert all("refresh_token" not in provider.form(i) for i in range(2))


# ---------------------------------------------------------------- expiry


def test_the_token_is_refreshed_when_it_is_about_to_expire() -> None:
    # expires_in 100 s with the default 30 s margin: good until t=70, refreshed from then on
    provider = Provider(expires_in=100)
    engine, clock = _engine(provider, _auth(refresh_token=Secret(REFRESH)))
    engine.send(READ, Call())
    clock.advance(69.9)
    engine.send(READ, Call())
    assert len(provider.token_requests) == 1
    clock.advance(0.1)
    engine.send(READ, Call())
    engine.send(READ, Call())
    assert len(provider.token_requests) == 2
    assert (
        provider.bearers()
        == ["Bearer access-token-1-value"] * 2 + ["Bearer access-token-2-value"] * 2
    )


@pytest.mark.parametrize("expires_in", [None, "3600", "soon"])
def test_without_a_usable_expires_in_the_token_lasts_an_hour(expires_in: Any) -> None:
    provider = Provider(expires_in=expires_in)
    engine, clock = _engine(provider, _auth())
    engine.send(READ, Call())
    clock.advance(3600 - 30 - 1)
    engine.send(READ, Call())
    assert len(provider.token_requests) == 1
    clock.advance(1)
    engine.send(READ, Call())
    assert len(provider.token_requests) == 2


def test_a_retry_after_expiry_fetches_a_new_token() -> None:
    # the token expires while the client waits out a Retry-After: the retry carries the new one
    provider = Provider(
        expires_in=60, api_responses=[httpx.Response(429, headers={"Retry-After": "45"})]
    )
    engine, clock = _engine(provider, _auth())
    engine.send(READ, Call())
    assert clock.sleeps == [45.0]
    assert provider.bearers() == ["Bearer access-token-1-value", "Bearer access-token-2-value"]


# ---------------------------------------------------------------- 401 and the token endpoint


def test_a_401_from_the_api_is_an_auth_error_without_retry() -> None:
    provider = Provider(api_responses=[httpx.Response(401, json={"error": "invalid_token"})])
    engine, clock = _engine(provider, _auth())
    with pytest.raises(AuthError) as info:
        engine.send(READ, Call())
    assert info.value.status == 401 and info.value.attempts == 1
    assert len(provider.api_requests) == 1 and len(provider.token_requests) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("status", [400, 401, 403])
def test_a_token_endpoint_refusal_is_an_auth_error_and_nothing_is_sent(status: int) -> None:
    refusal = httpx.Response(status, json={"error": "invalid_client", "secret": CLIENT_SECRET})
    provider = Provider(token_responses=[refusal])
    engine, _ = _engine(provider, _auth(refresh_token=Secret(REFRESH)))
    with pytest.raises(AuthError) as info:
        engine.send(READ, Call())
    assert str(info.value) == f"the token endpoint refused the credentials (HTTP {status})"
    assert info.value.status == status
    assert provider.api_requests == []
    assert CLIENT_SECRET not in info.value.diagnostics()


@pytest.mark.parametrize(
    "body",
    [b"not json", b'{"token_type": "bearer"}', b'["access_token"]', b'{"access_token": ""}'],
)
def test_a_token_response_without_a_token_is_an_auth_error(body: bytes) -> None:
    provider = Provider(token_responses=[httpx.Response(200, content=body)])
    engine, _ = _engine(provider, _auth())
    with pytest.raises(AuthError, match="access_token"):
        engine.send(READ, Call())
    assert provider.api_requests == []


def test_a_failed_token_fetch_is_retried_on_the_next_call() -> None:
    provider = Provider(token_responses=[httpx.Response(401)])
    engine, _ = _engine(provider, _auth())
    with pytest.raises(AuthError):
        engine.send(READ, Call())
    engine.send(READ, Call())
    assert len(provider.token_requests) == 2
    assert provider.bearers() == ["Bearer access-token-2-value"]


def test_a_token_endpoint_timeout_is_a_transport_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    clock = VirtualClock()
    config = EngineConfig("acme", BASE, RetrySettings(), httpx.Timeout(5.0))
    http = httpx.Client(transport=httpx.MockTransport(handler))
    engine = Engine(config, _auth(), http=http, clock=clock, rng=random.Random(0))
    with pytest.raises(TransportError, match="the request timed out"):
        engine.send(READ, Call())


# ---------------------------------------------------------------- secrets


def _raise_echo(provider: Provider, engine: Engine, echo: str) -> ClientError:
    provider.api_responses = [
        httpx.Response(503, json={"error": {"message": echo}}),
        httpx.Response(400, json={"error": {"message": echo}}),
    ]
    with pytest.raises(ClientError) as info:
        engine.send(READ, Call())
    return info.value


def test_every_oauth_secret_is_redacted_from_error_messages(caplog: Any) -> None:
    echo = (
        f"bad request from {CLIENT_ID} with {CLIENT_SECRET}, refresh {REFRESH}, "
        "token access-token-1-value"
    )
    provider = Provider()
    auth = _auth(refresh_token=Secret(REFRESH))
    engine, _ = _engine(provider, auth)
    caplog.set_level(logging.DEBUG)
    error = _raise_echo(provider, engine, echo)
    texts = [str(error), repr(error), error.diagnostics(), repr(auth), caplog.text]
    for secret in (CLIENT_ID, CLIENT_SECRET, REFRESH, "access-token-1-value"):
        for text in texts:
            assert secret not in text
    assert str(error) == (
        "acme get_thing: HTTP 400: bad request from <redacted> with <redacted>, refresh "
        "<redacted>, token <redacted>"
    )
    assert "attempt 1 failed (ServerError)" in caplog.text  # the retry was logged


def test_a_rotated_refresh_token_is_redacted() -> None:
    provider = Provider(rotate_refresh=True)
    engine, _ = _engine(provider, _auth(refresh_token=Secret(REFRESH)))
    error = _raise_echo(provider, engine, "refresh-token-r2-value and access-token-1-value")
    assert str(error) == "acme get_thing: HTTP 400: <redacted> and <redacted>"


def test_async_engine_fetches_and_caches_the_token() -> None:
    provider = Provider(expires_in=100)
    clock = VirtualClock()
    config = EngineConfig("acme", BASE, RetrySettings(), httpx.Timeout(5.0))

    async def run() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(provider)) as http:
            engine = AsyncEngine(
                config,
                _auth(refresh_token=Secret(REFRESH)),
                http=http,
                clock=clock,
                rng=random.Random(0),
            )
            await engine.send(READ, Call())
            await engine.send(READ, Call())
            clock.advance(70)
            await engine.send(READ, Call())

    asyncio.run(run())
    assert [provider.form(i)["grant_type"] for i in range(2)] == [["refresh_token"]] * 2
    assert provider.bearers() == ["Bearer access-token-1-value"] * 2 + [
        "Bearer access-token-2-value"
    ]
