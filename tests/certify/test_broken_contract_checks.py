"""Each contract check fails on its own: a client broken in exactly that way fails exactly it.

Every test patches the package's own runtime copy (which also makes ``codegen.reproducible``
fail, as in ``test_broken_clients.py``) and asserts that the check protecting the broken
behaviour fails with a message a person can act on, while every other check still passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from certify import certify_connector
from certify.matrix import SERVER_STATUSES
from tests.certify.helpers import copy_connector, failed_ids, messages, patch_file, runtime_file

STALE = "codegen.reproducible"
STRIPE_OPERATIONS = {"create_charge", "retrieve_charge", "list_charges", "create_refund"}


def _statuses(result: object, check_id: str) -> dict[str | None, str]:
    """Status of ``check_id`` per operation."""
    return {
        c.operation: c.status
        for c in result.checks  # type: ignore[attr-defined]
        if c.id == check_id
    }


def _failed_operations(result: object, check_id: str) -> set[str | None]:
    return {op for op, status in _statuses(result, check_id).items() if status == "failed"}


def test_client_that_treats_403_as_a_client_error(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "sendgrid")
    patch_file(
        runtime_file(spec, "sendgrid", "engine.py"),
        "        if status in (401, 403):",
        "        if status == 401:",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE, "contract.auth_403"}
    assert _statuses(result, "contract.auth_401") == {"send_mail": "passed"}
    assert messages(result, "contract.auth_403") == [
        "after HTTP 403: the client raised ClientError: sendgrid send_mail: HTTP 403: "
        "Invalid API key provided; it must raise AuthError"
    ]


def test_client_that_retries_a_403(tmp_path: Path) -> None:
    # a 403 that is retried like a server error is still AuthError in the end; the check
    # must notice the extra requests
    spec = copy_connector(tmp_path, "stripe")
    patch_file(
        runtime_file(spec, "stripe", "engine.py"),
        "        if status in (401, 403):\n            return STOP, ",
        "        if status == 403:\n            return decide_status(\n"
        "                self.config.retry, status=503, attempt=attempt, retry_safe=True,\n"
        "                retry_after=None, rng=self.rng,\n"
        "            ), self._error(AuthError, op, response, attempt, detail)\n"
        "        if status == 401:\n            return STOP, ",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE, "contract.auth_403"}
    assert _failed_operations(result, "contract.auth_403") == STRIPE_OPERATIONS
    assert set(messages(result, "contract.auth_403")) == {
        "after HTTP 403: the client sent 4 requests (it must not retry); expected 1 request"
    }


def test_client_that_ignores_auth_codes_in_the_body(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "slack")
    patch_file(
        runtime_file(spec, "slack", "engine.py"),
        "        if code in rule.auth_codes:",
        "        if False:",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE, "contract.body_error_auth"}
    assert _failed_operations(result, "contract.body_error_auth") == {
        "post_message",
        "list_conversations",
    }
    assert messages(result, "contract.body_error_auth")[0] == (
        "after a 200 body with error code 'not_authed': the client raised ClientError: "
        "slack post_message: the provider reported error 'not_authed'; it must raise AuthError"
    )


def test_client_that_retries_429_once_too_often(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    patch_file(
        runtime_file(spec, "stripe", "retry.py"),
        "    if attempt >= settings.max_attempts or status not in settings.retry_statuses:",
        "    if attempt > settings.max_attempts - (status != 429) "
        "or status not in settings.retry_statuses:",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE, "contract.rate_limit_exhausted"}
    assert _failed_operations(result, "contract.rate_limit_exhausted") == STRIPE_OPERATIONS
    assert set(messages(result, "contract.rate_limit_exhausted")) == {
        "after HTTP 429 on every attempt: the client sent 5 requests; expected 4 requests"
    }


def test_client_that_gives_up_on_429_with_the_wrong_error(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "slack")
    patch_file(
        runtime_file(spec, "slack", "engine.py"),
        "        if status == 429:\n"
        "            error = self._error(RateLimited, op, response, attempt, detail, "
        "retry_after=retry_after)",
        "        if status == 429 and attempt >= self.config.retry.max_attempts:\n"
        "            error = self._error(ServerError, op, response, attempt, detail)\n"
        "        elif status == 429:\n"
        "            error = self._error(RateLimited, op, response, attempt, detail, "
        "retry_after=retry_after)",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE, "contract.rate_limit_exhausted"}
    (message, *_) = messages(result, "contract.rate_limit_exhausted")
    assert message.startswith(
        "after HTTP 429 on every attempt: the client raised ServerError: slack post_message: "
        "HTTP 429"
    )
    assert message.endswith("; it must raise RateLimited")


def test_client_that_honours_retry_after_only_on_the_first_429(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    patch_file(
        runtime_file(spec, "stripe", "retry.py"),
        "    if settings.honour_retry_after and retry_after is not None:",
        "    if settings.honour_retry_after and retry_after is not None and attempt == 1:",
    )
    result = certify_connector(spec)
    # one 429 is waited out correctly; only the exhaustion check sees the later backoffs
    assert failed_ids(result) == {STALE, "contract.rate_limit_exhausted"}
    (message, *_) = messages(result, "contract.rate_limit_exhausted")
    assert message.startswith("after HTTP 429 with Retry-After: 1 the client waited [1.0, ")
    assert message.endswith("] s; expected [1.0, 1.0, 1.0]")


def test_client_that_waits_for_any_retry_after(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    patch_file(
        runtime_file(spec, "stripe", "retry.py"),
        "        if retry_after > settings.max_retry_after:\n            return STOP\n",
        "",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE, "contract.retry_after_too_long"}
    assert _failed_operations(result, "contract.retry_after_too_long") == STRIPE_OPERATIONS
    assert set(messages(result, "contract.retry_after_too_long")) == {
        "after HTTP 429 with Retry-After: 120 (max_retry_after 60): the client returned a "
        "result after 2 requests; it must raise RateLimited"
    }


def test_client_that_caps_a_long_retry_after_instead_of_giving_up(tmp_path: Path) -> None:
    # waiting max_retry_after and then giving up is still a wait the caller did not want
    spec = copy_connector(tmp_path, "stripe")
    patch_file(
        runtime_file(spec, "stripe", "engine.py"),
        "            if not decision.retry:\n                raise error\n"
        "            self.log_retry(op, attempt, error, decision.delay)\n"
        "            self.clock.sleep(decision.delay)",
        "            if not decision.retry:\n"
        "                limit = self.config.retry.max_retry_after\n"
        "                if isinstance(error, RateLimited) and (error.retry_after or 0) > limit:\n"
        "                    self.clock.sleep(limit)\n"
        "                raise error\n"
        "            self.log_retry(op, attempt, error, decision.delay)\n"
        "            self.clock.sleep(decision.delay)",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE, "contract.retry_after_too_long"}
    assert set(messages(result, "contract.retry_after_too_long")) == {
        "after HTTP 429 with Retry-After: 120 (max_retry_after 60) the client waited [60.0] s; "
        "it must give up without waiting"
    }


@pytest.mark.parametrize("status", SERVER_STATUSES)
def test_client_that_does_not_retry_one_server_status(tmp_path: Path, status: int) -> None:
    spec = copy_connector(tmp_path, "slack")
    patch_file(
        runtime_file(spec, "slack", "retry.py"),
        "status not in settings.retry_statuses:",
        f"status not in settings.retry_statuses or status == {status}:",
    )
    result = certify_connector(spec)
    also = {"contract.server_exhausted", "contract.retry_after_503", "contract.body_error_codes"}
    assert failed_ids(result) == {STALE, f"contract.server_{status}"} | (
        also if status == 503 else set()
    )
    # the read must be retried; the unsafe write only has to raise ServerError, which it does
    assert _statuses(result, f"contract.server_{status}") == {
        "post_message": "passed",
        "list_conversations": "failed",
    }
    assert messages(result, f"contract.server_{status}") == [
        f"after HTTP {status}: the client raised ServerError: slack list_conversations: "
        f"HTTP {status}: internal error after 1 request; it must succeed after 2 requests"
    ]
    for other in SERVER_STATUSES:
        if other != status:
            assert set(_statuses(result, f"contract.server_{other}").values()) == {"passed"}


@pytest.mark.parametrize("status", SERVER_STATUSES)
def test_client_that_maps_one_server_status_to_a_client_error(tmp_path: Path, status: int) -> None:
    spec = copy_connector(tmp_path, "sendgrid")
    patch_file(
        runtime_file(spec, "sendgrid", "engine.py"),
        "        elif status >= 500:",
        f"        elif status >= 500 and status != {status}:",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE, f"contract.server_{status}"}
    assert messages(result, f"contract.server_{status}") == [
        f"after HTTP {status}: the client raised ClientError: sendgrid send_mail: "
        f"HTTP {status}: internal error; it must raise ServerError"
    ]


def test_client_that_sleeps_twice_before_a_server_error_retry(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "slack")
    patch_file(
        runtime_file(spec, "slack", "engine.py"),
        "            self.log_retry(op, attempt, error, decision.delay)\n"
        "            self.clock.sleep(decision.delay)",
        "            self.log_retry(op, attempt, error, decision.delay)\n"
        "            if isinstance(error, ServerError):\n"
        "                self.clock.sleep(decision.delay)\n"
        "            self.clock.sleep(decision.delay)",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {
        STALE,
        *(f"contract.server_{s}" for s in SERVER_STATUSES),
        "contract.server_exhausted",
        "contract.retry_after_503",
        "contract.body_error_codes",
    }
    (message,) = messages(result, "contract.server_500")
    assert message.startswith("after HTTP 500 the client waited [")
    assert message.endswith(
        "s before retrying; the backoff after the first attempt must be one wait within [0, 1] s"
    )


def test_client_that_does_not_retry_connection_resets(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    patch_file(
        runtime_file(spec, "stripe", "engine.py"),
        "        reached = not isinstance(exc, _NOT_SENT)\n",
        "        reached = not isinstance(exc, _NOT_SENT)\n"
        "        if isinstance(exc, httpx.ReadError):\n"
        "            return STOP, TransportError(\n"
        '                f"{self.config.provider} {op.id}: connection reset", attempts=attempt\n'
        "            )\n",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE, "contract.connection_reset"}
    assert set(_statuses(result, "contract.timeout").values()) == {"passed"}
    assert _failed_operations(result, "contract.connection_reset") == STRIPE_OPERATIONS
    assert messages(result, "contract.connection_reset")[0] == (
        "after a connection reset: the client raised TransportError: stripe create_charge: "
        "connection reset after 1 request; it must succeed after 2 requests"
    )


def test_client_that_lets_a_connection_reset_escape(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    patch_file(
        runtime_file(spec, "stripe", "engine.py"),
        "                    return response\n"
        "                response.read()\n"
        "            except httpx.TransportError as exc:",
        "                    return response\n"
        "                response.read()\n"
        "            except httpx.TimeoutException as exc:",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE, "contract.connection_reset"}
    assert set(_statuses(result, "contract.timeout").values()) == {"passed"}
    assert messages(result, "contract.connection_reset")[0] == (
        "after a connection reset: the client raised ReadError (connection reset by peer "
        "(scripted)), which is not one of its ConnectorError classes"
    )


@pytest.mark.parametrize(
    ("provider", "operation"), [("stripe", "list_charges"), ("slack", "list_conversations")]
)
def test_paginator_that_stops_after_two_pages(
    tmp_path: Path, provider: str, operation: str
) -> None:
    spec = copy_connector(tmp_path, provider)
    patch_file(
        runtime_file(spec, provider, "pagination.py"),
        "        if self.pages >= s.max_pages:",
        "        if self.pages >= min(s.max_pages, 2):",
    )
    result = certify_connector(spec)
    # two pages are all the repeated-cursor check needs, so it still passes
    assert failed_ids(result) == {STALE, "contract.pagination"}
    assert _statuses(result, "contract.pagination_repeated_cursor") == {operation: "passed"}
    assert messages(result, "contract.pagination") == [
        "over three pages: the client sent 2 requests; expected 3 requests"
    ]


def test_paginator_that_drops_the_last_page_items(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "slack")
    engine = runtime_file(spec, "slack", "engine.py")
    patch_file(
        engine,
        "            items = paginator.items(page)\n            yield items\n"
        "            current = paginator.next(current, page, items, response)\n\n\n"
        "class AsyncEngine",
        "            items = paginator.items(page)\n"
        "            current = paginator.next(current, page, items, response)\n"
        "            if current is not None:\n                yield items\n\n\n"
        "class AsyncEngine",
    )
    result = certify_connector(spec)
    # only the sync engine is broken: the async client is caught differing from it
    assert failed_ids(result) == {
        STALE,
        "contract.pagination",
        "contract.pagination_repeated_cursor",
    }
    assert messages(result, "contract.pagination") == [
        "over three pages of 3 items the client yielded 2 items"
    ]
    assert messages(result, "contract.pagination_repeated_cursor") == [
        'the async client differs in results: \'[[{"id":"x"},{"id":"x"}]]\' vs the '
        'sync client\'s \'[[{"id":"x"}]]\''
    ]


def test_paginator_that_sends_the_wrong_cursor(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "slack")
    patch_file(
        runtime_file(spec, "slack", "pagination.py"),
        "        return call.with_query(**{s.cursor_param: token})",
        '        return call.with_query(**{s.cursor_param: token + "x"})',
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE, "contract.pagination"}
    (message,) = messages(result, "contract.pagination")
    assert message.startswith("request 2 must carry cursor=tok_1 for page 2; its query was ")
    assert "'cursor': ['tok_1x']" in message


def test_paginator_that_takes_the_cursor_from_the_first_item(tmp_path: Path) -> None:
    # Stripe pages by starting_after=<id of the last item>; sending the first item's id
    # re-fetches overlapping pages against the real API
    spec = copy_connector(tmp_path, "stripe")
    patch_file(
        runtime_file(spec, "stripe", "pagination.py"),
        "resolve_pointer(items[-1], s.cursor_from_last_item",
        "resolve_pointer(items[0], s.cursor_from_last_item",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE, "contract.pagination"}
    assert messages(result, "contract.pagination") == [
        "request 2 must carry starting_after=tok_1 for page 2; its query was "
        "{'customer': ['flt_customer'], 'limit': ['3'], 'ending_before': ['flt_ending_before'], "
        "'starting_after': ['tok_1_0']}"
    ]
