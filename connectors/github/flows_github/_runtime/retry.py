"""Retry policy: backoff with jitter, ``Retry-After`` parsing, and the retry decision."""

from __future__ import annotations

import email.utils
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetrySettings:
    """The spec's retry policy, as the runtime uses it."""

    max_attempts: int = 3
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    jitter: str = "full"
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})
    honour_retry_after: bool = True
    max_retry_after: float = 120.0


def backoff_delay(settings: RetrySettings, attempt: int, rng: random.Random) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
    ceiling = min(settings.backoff_cap, settings.backoff_base * (2.0 ** (attempt - 1)))
    if settings.jitter == "full":
        return float(rng.uniform(0.0, ceiling))
    if settings.jitter == "equal":
        return ceiling / 2 + float(rng.uniform(0.0, ceiling / 2))
    return ceiling


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date).

    Returns ``None`` when the header is absent or unreadable; never a negative number.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now)


@dataclass(frozen=True)
class Decision:
    """What to do after an attempt: retry after ``delay`` seconds, or stop."""

    retry: bool
    delay: float = 0.0
    reason: str = ""


STOP = Decision(retry=False)


def decide_status(
    settings: RetrySettings,
    *,
    status: int,
    attempt: int,
    retry_safe: bool,
    retry_after: float | None,
    rng: random.Random,
) -> Decision:
    """Whether to retry after an HTTP error ``status``.

    A 429 was refused before it was processed, so it is retried for every operation. Any
    other retryable status is retried only when re-sending is safe (reads, or writes with an
    idempotency mechanism): a write without one may already have taken effect.
    """
    if attempt >= settings.max_attempts or status not in settings.retry_statuses:
        return STOP
    if status != 429 and not retry_safe:
        return STOP
    if settings.honour_retry_after and retry_after is not None:
        if retry_after > settings.max_retry_after:
            return STOP
        return Decision(True, retry_after, f"Retry-After {retry_after:g} s")
    return Decision(True, backoff_delay(settings, attempt, rng), "backoff")


def decide_transport(
    settings: RetrySettings,
    *,
    attempt: int,
    retry_safe: bool,
    may_have_reached_server: bool,
    rng: random.Random,
) -> Decision:
    """Whether to retry after a timeout or connection failure."""
    if attempt >= settings.max_attempts:
        return STOP
    if may_have_reached_server and not retry_safe:
        return STOP
    return Decision(True, backoff_delay(settings, attempt, rng), "backoff")
