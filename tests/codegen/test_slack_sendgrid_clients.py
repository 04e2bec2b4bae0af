"""Generated Slack and SendGrid clients: body-level errors, 202 responses, unsafe writes."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import CONNECTORS

TOKEN = "xoxb-canary-token-0000"


def _example(operation: str) -> Any:
    """Slack's own example response for ``operation``, as the seed's fixture serves it."""
    path = CONNECTORS / "slack" / "fixtures" / operation / "happy_path.yaml"
    return yaml.safe_load(path.read_text())["responses"][0]["json"]


# a conversation as Slack's conversations.list example gives it (the seed's schema is Slack's)
CONVERSATION = _example("list_conversations")["channels"][0]


def _page(ids: list[str], cursor: str) -> dict[str, Any]:
    channels = [{**CONVERSATION, "id": i} for i in ids]
    return {"ok": True, "channels": channels, "response_metadata": {"next_cursor": cursor}}


@pytest.fixture
def slack(generated: Callable[..., ModuleType]) -> ModuleType:
    return generated(CONNECTORS / "slack", "flows_slack")


@pytest.fixture
def sendgrid(generated: Callable[..., ModuleType]) -> ModuleType:
    return generated(CONNECTORS / "sendgrid", "flows_sendgrid")


def _mock(responses: list[httpx.Response], seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return responses.pop(0)

    return httpx.MockTransport(handler)


def _slack(slack: ModuleType, responses: list[httpx.Response], seen: list[httpx.Request]) -> Any:
    return slack.SlackClient(
        credentials={"SLACK_BOT_TOKEN": TOKEN},
        transport=_mock(responses, seen),
        clock=slack.VirtualClock(),
    )


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("invalid_auth", "AuthError"),
        ("channel_not_found", "ClientError"),
        ("missing_scope", "AuthError"),
    ],
)
def test_ok_false_bodies_map_to_error_types(slack: ModuleType, code: str, error: str) -> None:
    seen: list[httpx.Request] = []
    client = _slack(slack, [httpx.Response(200, json={"ok": False, "error": code})], seen)
    with pytest.raises(getattr(slack, error)) as info:
        client.chat.post_message(channel="C1", text="hello")
    assert info.value.code == code
    assert TOKEN not in info.value.diagnostics()
    assert len(seen) == 1


def test_post_message_is_not_resent_after_a_server_error_code(slack: ModuleType) -> None:
    seen: list[httpx.Request] = []
    client = _slack(
        slack, [httpx.Response(200, json={"ok": False, "error": "internal_error"})], seen
    )
    with pytest.raises(slack.ServerError):
        client.chat.post_message(channel="C1", text="hello")
    assert len(seen) == 1


def test_list_is_retried_after_a_server_error_code(slack: ModuleType) -> None:
    seen: list[httpx.Request] = []
    ok = _page(["C1"], "")
    client = _slack(
        slack,
        [
            httpx.Response(200, json={"ok": False, "error": "internal_error"}),
            httpx.Response(200, json=ok),
        ],
        seen,
    )
    assert [c.id for c in client.conversations.iter()] == ["C1"]
    assert len(seen) == 2


def test_post_message_sends_a_form_as_slack_describes(slack: ModuleType) -> None:
    seen: list[httpx.Request] = []
    result = {**_example("post_message"), "channel": "C1", "ts": "1503435956.000247"}
    client = _slack(slack, [httpx.Response(200, json=result)], seen)
    answer = client.chat.post_message(channel="C1", text="hi", blocks='[{"type":"divider"}]')
    assert answer.ts == "1503435956.000247"
    assert seen[0].headers["Content-Type"] == "application/x-www-form-urlencoded"
    # fields in the order of the spec's body schema (Slack's description lists them a to z)
    assert seen[0].content == (b"blocks=%5B%7B%22type%22%3A%22divider%22%7D%5D&channel=C1&text=hi")


def test_three_pages_then_stop(slack: ModuleType) -> None:
    seen: list[httpx.Request] = []
    pages = [_page(["C1"], "p2"), _page(["C2"], "p3"), _page(["C3"], "")]
    client = _slack(slack, [httpx.Response(200, json=p) for p in pages], seen)
    assert [c.id for c in client.conversations.iter(types="public_channel")] == [
        "C1",
        "C2",
        "C3",
    ]
    assert [r.url.params.get("cursor") for r in seen] == [None, "p2", "p3"]


def _mail(sendgrid: ModuleType, client: Any) -> None:
    client.mail.send(
        personalizations=[{"to": [{"email": "to@example.com"}]}],
        from_={"email": "from@example.com"},
        subject="Hello",
        content=[{"type": "text/plain", "value": "Hi"}],
    )


def test_mail_send_202_returns_none_and_uses_the_eu_host(sendgrid: ModuleType) -> None:
    seen: list[httpx.Request] = []
    client = sendgrid.SendgridClient(
        credentials={"SENDGRID_API_KEY": "SG.canary"},
        environment="eu",
        transport=_mock([httpx.Response(202)], seen),
    )
    _mail(sendgrid, client)
    assert str(seen[0].url) == "https://api.eu.sendgrid.com/v3/mail/send"
    assert b'"from":{"email":"from@example.com"}' in seen[0].content
    assert "Idempotency-Key" not in seen[0].headers


def test_mail_send_is_never_resent_after_503(sendgrid: ModuleType) -> None:
    seen: list[httpx.Request] = []
    client = sendgrid.SendgridClient(
        credentials={"SENDGRID_API_KEY": "SG.canary"},
        transport=_mock([httpx.Response(503), httpx.Response(202)], seen),
        clock=sendgrid.VirtualClock(),
    )
    with pytest.raises(sendgrid.ServerError):
        _mail(sendgrid, client)
    assert len(seen) == 1


def test_mail_send_is_retried_after_a_connect_error(sendgrid: ModuleType) -> None:
    seen: list[httpx.Request] = []
    answers: list[Any] = [httpx.ConnectError("refused"), httpx.Response(202)]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    client = sendgrid.SendgridClient(
        credentials={"SENDGRID_API_KEY": "SG.canary"},
        transport=httpx.MockTransport(handler),
        clock=sendgrid.VirtualClock(),
    )
    _mail(sendgrid, client)
    assert len(seen) == 2
