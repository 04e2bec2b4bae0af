"""The client-side rate limit: a sliding window on the injected clock, waited out exactly."""

from __future__ import annotations

import asyncio
import random

import httpx
import pytest

from connector_spec.runtime.auth import Auth
from connector_spec.runtime.clock import VirtualClock
from connector_spec.runtime.engine import AsyncEngine, Engine, EngineConfig, OperationInfo
from connector_spec.runtime.pagination import Call
from connector_spec.runtime.ratelimit import RateLimiter
from connector_spec.runtime.retry import RetrySettings

BASE = "https://api.example.com"
READ = OperationInfo(id="get_thing", method="GET", path="/things", retry_safe=True)


def _config(rate_limit: tuple[int, float] | None, **retry: object) -> EngineConfig:
    return EngineConfig(
        provider="acme",
        base_url=BASE,
        retry=RetrySettings(**retry),  # type: ignore[arg-type]
        timeout=httpx.Timeout(5.0),
        rate_limit=rate_limit,
    )


class Recorder:
    """A mock transport that notes the virtual time of every request it receives."""

    def __init__(self, clock: VirtualClock, statuses: list[int] | None = None) -> None:
        self.clock = clock
        self.statuses = list(statuses or [])
        self.times: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.times.append(self.clock.monotonic())
        status = self.statuses.pop(0) if self.statuses else 200
        return httpx.Response(status, json={"ok": True})


def _engine(
    rate_limit: tuple[int, float] | None, statuses: list[int] | None = None, **retry: object
) -> tuple[Engine, VirtualClock, Recorder]:
    clock = VirtualClock()
    recorder = Recorder(clock, statuses)
    engine = Engine(
        _config(rate_limit, **retry),
        Auth(),
        http=httpx.Client(transport=httpx.MockTransport(recorder)),
        clock=clock,
        rng=random.Random(0),
    )
    return engine, clock, recorder


# ---------------------------------------------------------------- the limiter itself


def test_limiter_allows_requests_until_the_window_is_full() -> None:
    limiter = RateLimiter(3, 10.0)
    for now in (0.0, 1.0, 2.0):
        assert limiter.wait_time(now) == 0.0
        limiter.record(now)
    # the oldest send (t=0) leaves the window at t=10
    assert limiter.wait_time(2.0) == 8.0
    assert limiter.wait_time(9.5) == 0.5
    assert limiter.wait_time(10.0) == 0.0


def test_limiter_window_slides_one_send_at_a_time() -> None:
    limiter = RateLimiter(2, 5.0)
    limiter.record(0.0)
    limiter.record(3.0)
    assert limiter.wait_time(4.0) == 1.0  # until t=5, when the send at t=0 expires
    limiter.record(5.0)
    assert limiter.wait_time(5.0) == 3.0  # now the send at t=3 is the oldest: until t=8
    assert limiter.wait_time(8.0) == 0.0


# ---------------------------------------------------------------- through the engine


def test_n_plus_one_calls_in_a_window_wait_exactly_for_the_window() -> None:
    engine, clock, recorder = _engine((3, 10.0))
    for _ in range(4):
        engine.send(READ, Call())
    assert clock.sleeps == [10.0]
    assert recorder.times == [0.0, 0.0, 0.0, 10.0]


def test_calls_within_the_limit_never_wait() -> None:
    engine, clock, recorder = _engine((3, 10.0))
    for _ in range(3):
        engine.send(READ, Call())
    clock.advance(10.0)
    for _ in range(3):
        engine.send(READ, Call())
    assert clock.sleeps == []
    assert recorder.times == [0.0, 0.0, 0.0, 10.0, 10.0, 10.0]


def test_only_the_remaining_part_of_the_window_is_waited() -> None:
    engine, clock, recorder = _engine((2, 10.0))
    engine.send(READ, Call())
    clock.advance(4.0)
    engine.send(READ, Call())
    clock.advance(1.0)
    engine.send(READ, Call())  # t=5: the send at t=0 expires at t=10
    engine.send(READ, Call())  # t=10: the send at t=4 expires at t=14
    assert clock.sleeps == [5.0, 4.0]
    assert recorder.times == [0.0, 4.0, 10.0, 14.0]


def test_many_calls_never_exceed_the_limit_in_any_window() -> None:
    engine, clock, recorder = _engine((5, 2.0))
    for _ in range(23):
        engine.send(READ, Call())
    assert clock.sleeps == [2.0] * 4
    for index, sent in enumerate(recorder.times):
        in_window = [t for t in recorder.times[: index + 1] if sent - t < 2.0]
        assert len(in_window) <= 5


def test_retries_count_against_the_limit() -> None:
    # one call fails with 503 and is retried after the backoff (1 s, no jitter); both
    # attempts use up the window, so the next call waits for the first attempt to expire
    engine, clock, recorder = _engine((2, 10.0), statuses=[503], backoff_base=1.0, jitter="none")
    engine.send(READ, Call())
    engine.send(READ, Call())
    assert clock.sleeps == [1.0, 9.0]
    assert recorder.times == [0.0, 1.0, 10.0]


def test_a_retry_waits_for_the_window_as_well_as_the_backoff() -> None:
    engine, clock, recorder = _engine((1, 10.0), statuses=[503], backoff_base=1.0, jitter="none")
    engine.send(READ, Call())
    assert clock.sleeps == [1.0, 9.0]  # the backoff, then the rest of the window
    assert recorder.times == [0.0, 10.0]


def test_without_a_rate_limit_nothing_waits() -> None:
    engine, clock, recorder = _engine(None)
    for _ in range(50):
        engine.send(READ, Call())
    assert clock.sleeps == []
    assert len(recorder.times) == 50


def test_async_engine_waits_on_the_clock_too() -> None:
    clock = VirtualClock()
    recorder = Recorder(clock)

    async def run() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(recorder)) as http:
            engine = AsyncEngine(
                _config((2, 3.0)), Auth(), http=http, clock=clock, rng=random.Random(0)
            )
            for _ in range(5):
                await engine.send(READ, Call())

    asyncio.run(run())
    assert clock.sleeps == [3.0, 3.0]
    assert recorder.times == [0.0, 0.0, 3.0, 3.0, 6.0]


@pytest.mark.parametrize("requests", [1, 4])
def test_the_wait_is_the_window_whatever_the_request_count(requests: int) -> None:
    engine, clock, _ = _engine((requests, 0.5))
    for _ in range(requests + 1):
        engine.send(READ, Call())
    assert clock.sleeps == [0.5]
