"""Every check can fail: a deliberately broken client, spec or fixture fails exactly it."""

from __future__ import annotations

from pathlib import Path

import pytest

from certify import certify_connector
from certify.fixtures import rehash
from tests.certify.helpers import copy_connector, failed_ids, messages, patch_file, runtime_file

STALE = "codegen.reproducible"


def test_untouched_copy_passes(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    result = certify_connector(spec)
    assert result.passed, [c.message for c in result.failed]
    assert result.level == "certified"


def test_client_that_ignores_retry_after(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    patch_file(
        runtime_file(spec, "stripe", "retry.py"),
        "if settings.honour_retry_after and retry_after is not None:",
        "if False:",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {
        STALE,
        "contract.retry_after_seconds",
        "contract.retry_after_date",
        "contract.rate_limit_exhausted",
        "contract.retry_after_too_long",
        "contract.retry_after_503",
    }
    (message, *_) = messages(result, "contract.retry_after_seconds")
    assert "after HTTP 429 with Retry-After: 7 the client waited" in message
    assert "it must wait exactly 7 s, then retry" in message
    assert "GMT" in messages(result, "contract.retry_after_date")[0]
    assert result.level == "none"  # the stale package alone rules out any level


def test_client_that_resends_a_post_after_503(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "slack")
    patch_file(
        runtime_file(spec, "slack", "retry.py"),
        "    if status != 429 and not retry_safe:\n        return STOP\n",
        "",
    )
    result = certify_connector(spec)
    # the body-level server code of list_conversations is re-sent too (rightly: it is a read),
    # but post_message must raise at once
    assert failed_ids(result) == {STALE, "idempotency.no_unsafe_retry", "contract.body_error_codes"}
    assert messages(result, "idempotency.no_unsafe_retry") == [
        "the client re-sent POST /chat.postMessage after HTTP 500 (3 requests) although the "
        "operation has no idempotency mechanism: the write may happen twice"
    ]


def test_client_that_puts_the_token_in_exception_messages(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "sendgrid")
    patch_file(
        runtime_file(spec, "sendgrid", "engine.py"),
        "        return kind(\n            self.redact(message),",
        "        return kind(\n            message + ' key=' + self.auth.secrets()[0].reveal(),",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE, "secrets.no_leak"}
    (message,) = messages(result, "secrets.no_leak")
    assert message.startswith("a credential appeared in an exception message: sendgrid send_mail")
    assert "key=<canary>" in message
    assert "flwcanary" not in message and "flwcanary" not in result.statement_bytes.decode()


def test_client_that_logs_the_token(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    patch_file(
        runtime_file(spec, "stripe", "engine.py"),
        '            "%s %s attempt %d failed (%s); retrying in %.3f s",',
        '            "%s %s attempt %d failed (%s); retrying in %.3f s "'
        " + self.auth.secrets()[0].reveal(),",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE, "secrets.no_leak"}
    (message,) = messages(result, "secrets.no_leak")
    assert message.startswith("a credential appeared in a log record: POST /v1/charges attempt 1")


def test_client_that_sends_the_token_in_the_url(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "sendgrid", fixtures=False)
    patch_file(
        runtime_file(spec, "sendgrid", "auth.py"),
        '        request.headers[self.header] = f"{self.scheme} {self.token.reveal()}".strip()',
        '        request.headers[self.header] = f"{self.scheme} {self.token.reveal()}".strip()\n'
        '        request.url = request.url.copy_add_param("key", self.token.reveal())',
    )
    result = certify_connector(spec)
    # the provider's description does not take the key in the query either
    assert failed_ids(result) == {STALE, "secrets.no_leak", "contract.provider.requests"}
    (message,) = messages(result, "secrets.no_leak")
    assert message == (
        "a credential was sent in the URL of POST "
        "https://api.sendgrid.com/v3/mail/send?key=<canary>"
    )


def test_client_that_makes_a_new_idempotency_key_per_attempt(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    patch_file(
        runtime_file(spec, "stripe", "engine.py"),
        "            attempt += 1\n            wait = self.throttle_delay()\n"
        "            if wait > 0:\n                self.clock.sleep(wait)",
        "            attempt += 1\n            key = self.new_idempotency_key() "
        "if op.idempotency_header else None\n            wait = self.throttle_delay()\n"
        "            if wait > 0:\n                self.clock.sleep(wait)",
    )
    patch_file(  # the async engine has the same bug, so both clients fail alike
        runtime_file(spec, "stripe", "engine.py"),
        "            attempt += 1\n            wait = self.throttle_delay()\n"
        "            if wait > 0:\n                await self.clock.asleep(wait)",
        "            attempt += 1\n            key = self.new_idempotency_key() "
        "if op.idempotency_header else None\n            wait = self.throttle_delay()\n"
        "            if wait > 0:\n                await self.clock.asleep(wait)",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE, "idempotency.key_reuse"}
    assert (
        messages(result, "idempotency.key_reuse")
        == [
            "the retry after HTTP 503 carried a different Idempotency-Key than the first attempt; "
            "every retry of one call must reuse its key"
        ]
        * 2
    )


def test_client_that_adds_a_random_header(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "sendgrid")
    patch_file(
        runtime_file(spec, "sendgrid", "engine.py"),
        '        headers = {"User-Agent": self.config.user_agent, "Accept": "application/json"}',
        '        headers = {"User-Agent": self.config.user_agent, "Accept": "application/json",'
        ' "X-Nonce": str(uuid.uuid4())}',
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE, "determinism.replay"}
    assert messages(result, "determinism.replay") == [
        "two identical calls sent different requests: header x-nonce differs"
    ]


def test_client_that_accepts_bodies_violating_the_schema(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    models = spec.parent / "flows_stripe" / "models.py"
    patch_file(models, "    id: str\n", "    id: Any\n")
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE, "schema.response", "contract.pagination_items_validated"}
    failures = [c for c in result.checks if c.id == "schema.response" and c.failed]
    assert {c.operation for c in failures} == {"create_charge", "retrieve_charge", "create_refund"}
    assert failures[0].message.startswith(
        'for a body whose /id is {"unexpected": 1} (the response schema forbids it): the client '
        "returned a result after 1 request; it must raise DecodeError"
    )
    assert result.level == "none"


def test_client_that_treats_401_as_a_client_error(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "sendgrid")
    patch_file(
        runtime_file(spec, "sendgrid", "engine.py"),
        "        if status in (401, 403):",
        "        if status == 403:",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE, "contract.auth_401"}
    (message,) = messages(result, "contract.auth_401")
    assert message.startswith("after HTTP 401: the client raised ClientError: sendgrid send_mail")
    assert message.endswith("it must raise AuthError")


def test_client_that_loops_on_a_repeated_cursor(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "slack")
    patch_file(
        runtime_file(spec, "slack", "pagination.py"),
        "        if token in self.seen:\n            return False",
        "        if False:\n            return False",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE, "contract.pagination_repeated_cursor"}
    (message,) = messages(result, "contract.pagination_repeated_cursor")
    assert message == (
        "the client kept asking for the same next page (cursor 'tok_1') and sent "
        "26 requests; it must stop when a cursor repeats"
    )


def test_client_that_never_retries_timeouts(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "slack")
    patch_file(
        runtime_file(spec, "slack", "retry.py"),
        "    if may_have_reached_server and not retry_safe:",
        "    if True:",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {
        STALE,
        "contract.timeout",
        "contract.connection_reset",
        "contract.timeout_exhausted",
    }
    assert messages(result, "contract.timeout") == [
        "after a read timeout: the client raised TransportError: slack list_conversations: the "
        "request timed out (ReadTimeout) after 1 request; it must succeed after 2 requests"
    ]


def test_stale_generated_file(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    client = spec.parent / "flows_stripe" / "client.py"
    client.write_text(client.read_text() + "# hand edit\n")
    (spec.parent / "flows_stripe" / "extra.py").write_text("")
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE}
    (message,) = messages(result, STALE)
    assert f"1 generated file(s) differ from what the spec generates ({client})" in message
    assert "1 file(s) are not generated by the spec" in message
    assert f"regenerate with 'flows generate connector {spec}'" in message


def test_spec_whose_write_needs_only_a_read_capability(tmp_path: Path) -> None:
    spec = copy_connector(
        tmp_path,
        "stripe",
        spec_edit=(
            "    capabilities: [stripe.refunds:write]",
            "    capabilities: [stripe.refunds:read]",
        ),
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {"manifest.capabilities"}
    assert messages(result, "manifest.capabilities") == [
        "operation create_refund has effects 'write' but only read capabilities "
        "(stripe.refunds:read); it needs a write capability"
    ]
    assert result.level == "none"


def _edit_fixture(spec: Path, relative: str, old: str, new: str) -> None:
    patch_file(spec.parent / "fixtures" / relative, old, new)
    rehash(spec.parent / "fixtures")


def test_fixture_with_a_leaked_key(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    _edit_fixture(
        spec,
        "create_charge/happy_path.yaml",
        "description: A card charge",
        "description: Tried with sk_live_51HqLyjWDarjtT1zdp7dc. A card charge",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {"secrets.no_leak"}
    assert messages(result, "secrets.no_leak") == [
        "fixture create_charge/happy_path: holds what looks like a live credential "
        "(Stripe secret key: sk_live...)"
    ]
    assert result.level == "basic"


def test_fixture_with_an_unredacted_authorization_header(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "slack")
    _edit_fixture(
        spec,
        "post_message/happy_path.yaml",
        "authorization: <redacted>",
        "authorization: Bearer xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
    )
    result = certify_connector(spec)
    leak = messages(result, "secrets.no_leak")[0]
    assert "fixture post_message/happy_path: request header authorization is not redacted" in leak
    assert "holds what looks like a live credential (Slack token: xoxb-17...)" in leak
    # the replay compares the header too: the client sends its own token, not this one
    assert failed_ids(result) == {"secrets.no_leak", "contract.fixture.happy_path"}


def test_fixture_whose_expected_result_is_wrong(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    _edit_fixture(
        spec,
        "retrieve_charge/happy_path.yaml",
        "  result:\n    id: ch_3MmlLrLkdIwHu7ix0snN0B15\n    object: charge\n    amount: 1099",
        "  result:\n    id: ch_3MmlLrLkdIwHu7ix0snN0B15\n    object: charge\n    amount: 1100",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {"contract.fixture.happy_path"}
    assert messages(result, "contract.fixture.happy_path") == [
        "fixture retrieve_charge/happy_path: the typed result differs from expect.result: "
        "/amount: 1099 vs 1100"
    ]


@pytest.mark.parametrize("provider", ["stripe", "slack", "sendgrid"])
def test_only_selects_checks(tmp_path: Path, provider: str) -> None:
    spec = copy_connector(tmp_path, provider)
    result = certify_connector(spec, only=["idempotency", "codegen.*"])
    ids = {c.id for c in result.checks}
    assert "codegen.reproducible" in ids
    assert ids <= {"codegen.reproducible", "idempotency.key_reuse", "idempotency.no_unsafe_retry"}


def test_client_that_maps_malformed_json_to_the_wrong_error(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "slack")
    patch_file(
        runtime_file(spec, "slack", "decoding.py"),
        "            return adapter.validate_json(response.content)\n",
        "            try:\n                data = json.loads(response.content)\n"
        "            except ValueError:\n"
        "                from .errors import ClientError\n\n"
        "                raise ClientError('unreadable body') from None\n"
        "            return adapter.validate_python(data)\n",
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE, "contract.malformed_json"}
    assert (
        messages(result, "contract.malformed_json")
        == [
            "after a malformed JSON body: the client raised ClientError: unreadable body; "
            "it must raise DecodeError"
        ]
        * 2
    )


def test_client_that_reuses_one_idempotency_key_for_every_call(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    patch_file(
        runtime_file(spec, "stripe", "engine.py"),
        "idempotency_key_factory or (lambda: str(uuid.uuid4()))",
        'idempotency_key_factory or (lambda: "one-key-for-all")',
    )
    result = certify_connector(spec)
    assert failed_ids(result) == {STALE, "idempotency.key_reuse"}
    assert (
        messages(result, "idempotency.key_reuse")
        == ["a new call reused the previous call's Idempotency-Key; each call needs a new key"] * 2
    )
