"""OAuth2 recovery: rejected tokens are dropped, old secrets stay redacted, outages are 5xx."""

from __future__ import annotations

import httpx
import pytest

from connector_spec.runtime.errors import AuthError, ServerError
from connector_spec.runtime.pagination import Call
from connector_spec.runtime.secrets import Secret
from tests.runtime.test_oauth2 import READ, REFRESH, Provider, _auth, _engine, _raise_echo


def test_after_a_401_the_next_call_fetches_a_new_token() -> None:
    # a revoked or rotated access token must not stay cached until expires_in runs out
    provider = Provider(api_responses=[httpx.Response(401, json={"error": "invalid_token"})])
    engine, _ = _engine(provider, _auth())
    with pytest.raises(AuthError):
        engine.send(READ, Call())
    engine.send(READ, Call())
    assert len(provider.token_requests) == 2
    assert provider.bearers()[-1] == "Bearer access-token-2-value"


def test_the_configured_refresh_token_stays_redacted_after_rotation() -> None:
    # the user's configured refresh token is still a secret after the provider rotates it
    provider = Provider(rotate_refresh=True)
    engine, _ = _engine(provider, _auth(refresh_token=Secret(REFRESH)))
    error = _raise_echo(provider, engine, f"old refresh {REFRESH}")
    assert REFRESH not in str(error)


def test_a_503_from_the_token_endpoint_is_not_an_auth_error() -> None:
    # a transient token-endpoint outage is not a credentials problem
    provider = Provider(token_responses=[httpx.Response(503, text="upstream unavailable")])
    engine, _ = _engine(provider, _auth())
    with pytest.raises(ServerError):
        engine.send(READ, Call())
