"""Concurrent async calls share the client-side rate limit: each waits for its own slot."""

from __future__ import annotations

import asyncio
import random

import httpx

from connector_spec.runtime.auth import Auth
from connector_spec.runtime.engine import AsyncEngine, EngineConfig, OperationInfo
from connector_spec.runtime.pagination import Call
from connector_spec.runtime.retry import RetrySettings

READ = OperationInfo(id="get_thing", method="GET", path="/things", retry_safe=True)


class CooperativeVirtualClock:
    """Virtual time whose asleep() really yields to the event loop (like asyncio.sleep)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return 1_767_225_600.0 + self.now

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        target = self.now + seconds
        await asyncio.sleep(0)  # other tasks run while this one waits
        self.now = max(self.now, target)


def test_concurrent_async_calls_respect_the_rate_limit() -> None:
    clock = CooperativeVirtualClock()
    times: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        times.append(clock.monotonic())
        return httpx.Response(200, json={})

    async def run() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            config = EngineConfig(
                provider="acme",
                base_url="https://api.example.com",
                retry=RetrySettings(),
                timeout=httpx.Timeout(5.0),
                rate_limit=(2, 10.0),
            )
            engine = AsyncEngine(config, Auth(), http=http, clock=clock, rng=random.Random(0))
            await asyncio.gather(*(engine.send(READ, Call()) for _ in range(6)))

    asyncio.run(run())
    for sent in times:
        in_window = [t for t in times if sent <= t < sent + 10.0]
        assert len(in_window) <= 2, f"sends at {times}: more than 2 in the window from t={sent}"
