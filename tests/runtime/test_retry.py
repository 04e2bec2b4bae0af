"""Retry decisions, backoff and Retry-After parsing of the client runtime."""

from __future__ import annotations

import email.utils
import random

from connector_spec.runtime.retry import (
    RetrySettings,
    backoff_delay,
    decide_status,
    decide_transport,
    parse_retry_after,
)

NOW = 1_767_225_600.0


def test_retry_after_in_seconds() -> None:
    assert parse_retry_after("7", NOW) == 7.0
    assert parse_retry_after(" 0 ", NOW) == 0.0


def test_retry_after_as_http_date() -> None:
    header = email.utils.formatdate(NOW + 42, usegmt=True)
    assert parse_retry_after(header, NOW) == 42.0


def test_retry_after_in_the_past_waits_zero() -> None:
    header = email.utils.formatdate(NOW - 100, usegmt=True)
    assert parse_retry_after(header, NOW) == 0.0


def test_unreadable_retry_after_is_ignored() -> None:
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after("-5", NOW) is None
    assert parse_retry_after(None, NOW) is None


def test_backoff_grows_and_is_capped_without_jitter() -> None:
    settings = RetrySettings(backoff_base=0.5, backoff_cap=3.0, jitter="none")
    rng = random.Random(0)
    assert [backoff_delay(settings, n, rng) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_full_jitter_stays_below_the_ceiling() -> None:
    settings = RetrySettings(backoff_base=1.0, backoff_cap=8.0, jitter="full")
    rng = random.Random(1)
    delays = [backoff_delay(settings, 3, rng) for _ in range(200)]
    assert all(0.0 <= d <= 4.0 for d in delays)
    assert len(set(delays)) > 100


def test_equal_jitter_keeps_half_the_ceiling() -> None:
    settings = RetrySettings(backoff_base=1.0, backoff_cap=8.0, jitter="equal")
    rng = random.Random(2)
    assert all(2.0 <= backoff_delay(settings, 3, rng) <= 4.0 for _ in range(100))


def test_429_is_retried_even_for_unsafe_writes_using_retry_after() -> None:
    decision = decide_status(
        RetrySettings(),
        status=429,
        attempt=1,
        retry_safe=False,
        retry_after=7.0,
        rng=random.Random(0),
    )
    assert decision.retry and decision.delay == 7.0


def test_503_is_never_resent_for_unsafe_writes() -> None:
    decision = decide_status(
        RetrySettings(),
        status=503,
        attempt=1,
        retry_safe=False,
        retry_after=None,
        rng=random.Random(0),
    )
    assert not decision.retry


def test_503_is_retried_for_safe_operations() -> None:
    decision = decide_status(
        RetrySettings(),
        status=503,
        attempt=1,
        retry_safe=True,
        retry_after=None,
        rng=random.Random(0),
    )
    assert decision.retry


def test_attempts_are_bounded() -> None:
    settings = RetrySettings(max_attempts=3)
    args = {"status": 500, "retry_safe": True, "retry_after": None, "rng": random.Random(0)}
    assert decide_status(settings, attempt=2, **args).retry  # type: ignore[arg-type]
    assert not decide_status(settings, attempt=3, **args).retry  # type: ignore[arg-type]


def test_too_long_retry_after_is_not_waited_for() -> None:
    settings = RetrySettings(max_retry_after=60)
    decision = decide_status(
        settings, status=429, attempt=1, retry_safe=True, retry_after=3600.0, rng=random.Random(0)
    )
    assert not decision.retry


def test_unlisted_status_is_not_retried() -> None:
    decision = decide_status(
        RetrySettings(),
        status=400,
        attempt=1,
        retry_safe=True,
        retry_after=None,
        rng=random.Random(0),
    )
    assert not decision.retry


def test_transport_failures_before_sending_are_always_retryable() -> None:
    rng = random.Random(0)
    settings = RetrySettings()
    assert decide_transport(
        settings, attempt=1, retry_safe=False, may_have_reached_server=False, rng=rng
    ).retry
    assert not decide_transport(
        settings, attempt=1, retry_safe=False, may_have_reached_server=True, rng=rng
    ).retry
    assert decide_transport(
        settings, attempt=1, retry_safe=True, may_have_reached_server=True, rng=rng
    ).retry
