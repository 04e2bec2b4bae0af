"""Clocks: the real one, and a virtual one that never sleeps (for tests and certification)."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """What the runtime needs to know about time."""

    def time(self) -> float:
        """Wall-clock seconds since the epoch (for HTTP-date ``Retry-After``)."""
        ...

    def monotonic(self) -> float:
        """Monotonic seconds (for backoff and rate limiting)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds``."""
        ...

    async def asleep(self, seconds: float) -> None:
        """Wait ``seconds`` without blocking the event loop."""
        ...


class SystemClock:
    """The real clock."""

    def time(self) -> float:
        """Wall-clock seconds since the epoch."""
        return time.time()

    def monotonic(self) -> float:
        """Monotonic seconds."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Really sleep."""
        if seconds > 0:
            time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        """Really wait."""
        if seconds > 0:
            import asyncio  # only async clients need it (keeps importing a client fast)

            await asyncio.sleep(seconds)


class VirtualClock:
    """A clock that advances only when something sleeps on it; it records every sleep."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:
        self._now = start
        self._start = start
        self.sleeps: list[float] = []

    def time(self) -> float:
        """Virtual wall-clock time."""
        return self._now

    def monotonic(self) -> float:
        """Virtual seconds since the clock was created."""
        return self._now - self._start

    def sleep(self, seconds: float) -> None:
        """Advance virtual time by ``seconds`` at once."""
        self.sleeps.append(seconds)
        self._now += max(0.0, seconds)

    async def asleep(self, seconds: float) -> None:
        """Advance virtual time by ``seconds`` at once."""
        self.sleep(seconds)

    def advance(self, seconds: float) -> None:
        """Move time forward without recording a sleep."""
        self._now += seconds

    @property
    def elapsed(self) -> float:
        """Total virtual seconds since creation."""
        return self._now - self._start
