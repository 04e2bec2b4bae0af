"""Credentials real APIs use: several at once, a key in a cookie or in the URL path (Telegram),
a bearer token issued by a flow flows does not run (OAuth2 implicit, OpenID Connect), and
operations with their own server or without credentials."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from certify import certify_connector
from connector_spec.errors import SpecError
from connector_spec.loader import load_spec
from tests.codegen.specs import generate_and_import, minimal_spec, read_op, write_spec

ME = {"type": "object", "properties": {"id": {"type": "integer"}}}


def _spec(name: str, auth: dict[str, Any], base_url: str = "https://api.example.com") -> Any:
    spec = minimal_spec(name, {}, [read_op("get_me", "/getMe", ME)])
    spec["auth"] = auth
    spec["base_url"] = base_url
    return spec


def _send(tmp_path: Path, generated: Any, spec: dict[str, Any], **credentials: str) -> Any:
    generate_and_import(tmp_path, spec)
    pkg = generated(tmp_path, f"flows_{spec['provider']['name']}")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": 1})

    client_class = next(v for k, v in vars(pkg).items() if k.endswith("Client") and k[0] != "A")
    client = client_class(credentials=credentials, transport=httpx.MockTransport(handler))
    client.things.get_me()
    result = certify_connector(write_spec(tmp_path, spec), connector_dir=tmp_path)
    failed = [f"{c.id} {c.operation}: {c.message}" for c in result.checks if c.failed]
    assert failed == []
    return seen[0]


def test_api_key_in_a_cookie(tmp_path: Path, generated: Any) -> None:
    auth = {"type": "api_key", "in": "cookie", "name": "session", "secret": {"env": "SESSION"}}
    sent = _send(tmp_path, generated, _spec("cookie", auth), SESSION="s3cr3t=;x")
    assert sent.headers["Cookie"] == "session=s3cr3t%3D%3Bx"


def test_telegram_bot_token_in_the_url_path(tmp_path: Path, generated: Any) -> None:
    auth = {"type": "api_key", "in": "path", "name": "token", "secret": {"env": "BOT_TOKEN"}}
    spec = _spec("telegram", auth, "https://api.telegram.org/bot{token}")
    sent = _send(tmp_path, generated, spec, BOT_TOKEN="123456:ABC-DEF")
    assert str(sent.url) == "https://api.telegram.org/bot123456:ABC-DEF/getMe"


def test_several_credentials_together(tmp_path: Path, generated: Any) -> None:
    auth = {
        "type": "multiple",
        "schemes": [
            {"type": "api_key", "in": "header", "name": "DD-API-KEY", "secret": {"env": "K1"}},
            {"type": "api_key", "in": "query", "name": "application_key", "secret": {"env": "K2"}},
        ],
    }
    sent = _send(tmp_path, generated, _spec("multi", auth), K1="one", K2="two")
    assert sent.headers["DD-API-KEY"] == "one" and sent.url.params["application_key"] == "two"


def test_bearer_token_obtained_by_an_implicit_flow(tmp_path: Path, generated: Any) -> None:
    auth = {
        "type": "bearer",
        "secret": {"env": "AZURE_TOKEN"},
        "obtained_from": {
            "flow": "oauth2_implicit",
            "authorization_url": "https://login.microsoftonline.com/common/oauth2/authorize",
            "scopes": ["user_impersonation"],
        },
    }
    sent = _send(tmp_path, generated, _spec("implicit", auth), AZURE_TOKEN="eyJ0")
    assert sent.headers["Authorization"] == "Bearer eyJ0"


def test_operation_with_its_own_server_and_no_credentials(tmp_path: Path, generated: Any) -> None:
    spec = _spec("perop", {"type": "bearer", "secret": {"env": "T"}})
    spec["operations"].append(
        read_op("status", "/status", ME, base_url="https://status.example.com/v2", auth="none")
    )
    spec["operations"][-1]["capabilities"] = ["perop.things:read"]
    generate_and_import(tmp_path, spec)
    pkg = generated(tmp_path, "flows_perop")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": 1})

    client = pkg.PeropClient(credentials={"T": "tok"}, transport=httpx.MockTransport(handler))
    client.things.status()
    client.things.get_me()
    assert str(seen[0].url) == "https://status.example.com/v2/status"
    assert pkg.manifest()["hosts"] == ["api.example.com", "status.example.com"]
    assert "Authorization" not in seen[0].headers
    assert seen[1].headers["Authorization"] == "Bearer tok"


@pytest.mark.parametrize(
    ("auth", "base_url", "message"),
    [
        (
            {
                "type": "multiple",
                "schemes": [
                    {"type": "bearer", "secret": {"env": "A"}},
                    {"type": "basic", "username": {"env": "U"}, "password": {"env": "P"}},
                ],
            },
            "https://api.example.com",
            "both set header 'authorization'",
        ),
        (
            {"type": "api_key", "in": "path", "name": "token", "secret": {"env": "T"}},
            "https://{token}.example.com",
            "may only be in the path",
        ),
        (
            {"type": "api_key", "in": "path", "name": "token", "secret": {"env": "T"}},
            "https://api.example.com",
            "which no URL contains",
        ),
    ],
)
def test_credentials_that_cannot_work_are_refused(
    tmp_path: Path, auth: dict[str, Any], base_url: str, message: str
) -> None:
    with pytest.raises(SpecError) as caught:
        load_spec(write_spec(tmp_path, _spec("bad", auth, base_url)))
    assert message in caught.value.diagnostics()
