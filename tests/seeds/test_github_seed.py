"""The GitHub seed's client against GitHub's conventions: Link pages, conditional requests and
secondary rate limits (403 with Retry-After, or x-ratelimit-remaining: 0)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import CONNECTORS

# GitHub's own example issue, as the seed's fixture serves it
ISSUE = yaml.safe_load(
    (CONNECTORS / "github" / "fixtures" / "get_issue" / "happy_path.yaml").read_text()
)["responses"][0]["json"]
RESET = 1_767_225_700  # x-ratelimit-reset: epoch seconds


def _client(generated: Any, handler: Any) -> tuple[Any, Any, Any]:
    """The package, a client answered by ``handler``, and its virtual clock."""
    pkg = generated(CONNECTORS / "github", "flows_github")
    clock = pkg.VirtualClock(start=1_767_225_600.0)
    client = pkg.GithubClient(
        credentials={"GITHUB_TOKEN": "ghp_test"},
        transport=httpx.MockTransport(handler),
        clock=clock,
    )
    return pkg, client, clock


def _issue(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=ISSUE)


@pytest.mark.parametrize(
    ("headers", "waited"),
    [
        ({"Retry-After": "30"}, 30.0),
        ({"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(RESET)}, 100.0),
    ],
)
def test_a_secondary_rate_limit_is_waited_out(
    generated: Any, headers: dict[str, str], waited: float
) -> None:
    answers = [httpx.Response(403, headers=headers, json={"message": "secondary rate limit"})]

    def handler(request: httpx.Request) -> httpx.Response:
        return answers.pop(0) if answers else _issue(request)

    _, client, clock = _client(generated, handler)
    issue = client.issues.get(owner="octocat", repo="Hello-World", issue_number=1347)
    assert issue.title == "Found a bug"
    assert clock.sleeps == [waited]


def test_a_plain_403_is_a_refusal_and_is_not_retried(generated: Any) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(403, json={"message": "Resource not accessible by integration"})

    pkg, client, _ = _client(generated, handler)
    with pytest.raises(pkg.AuthError) as raised:
        client.issues.get(owner="octocat", repo="Hello-World", issue_number=1)
    assert raised.value.status == 403
    assert len(sent) == 1


def test_lists_follow_the_link_header_and_conditional_gets_send_the_etag(generated: Any) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.url.path.endswith("/issues") and "page" not in request.url.params:
            link = '<https://api.github.com/repositories/1/issues?page=2>; rel="next"'
            return httpx.Response(200, json=[ISSUE], headers={"Link": link})
        if request.url.path.endswith("/issues"):
            return httpx.Response(200, json=[{**ISSUE, "number": 1348}])
        return httpx.Response(304)

    pkg, client, _ = _client(generated, handler)
    issues = list(client.issues.iter(owner="octocat", repo="Hello-World"))
    assert [i.number for i in issues] == [1347, 1348]
    assert str(sent[1].url) == "https://api.github.com/repositories/1/issues?page=2"
    with pytest.raises(pkg.ConnectorError) as raised:  # 304: keep using the cached copy
        client.issues.get(
            owner="octocat", repo="Hello-World", issue_number=1347, if_none_match='"abc"'
        )
    assert sent[-1].headers["If-None-Match"] == '"abc"'
    assert raised.value.status == 304
