"""A client-side sliding-window rate limiter driven by the injected clock."""

from __future__ import annotations

import threading
from collections import deque


class RateLimiter:
    """At most ``requests`` sends in any ``window`` seconds."""

    def __init__(self, requests: int, window: float) -> None:
        self.requests = requests
        self.window = window
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()

    def wait_time(self, now: float) -> float:
        """Seconds to wait before the next send may go out."""
        while self._sent and now - self._sent[0] >= self.window:
            self._sent.popleft()
        if len(self._sent) < self.requests:
            return 0.0
        return self._sent[0] + self.window - now

    def record(self, now: float) -> None:
        """Note that a request went out at ``now``."""
        self._sent.append(now)

    def reserve(self, now: float) -> float:
        """Claim the earliest send slot at or after ``now``; return the seconds until it.

        Each caller gets its own slot, so concurrent callers (threads, asyncio tasks) that
        wait are spread over later windows instead of all waking up at once.
        """
        with self._lock:
            while self._sent and now - self._sent[0] >= self.window:
                self._sent.popleft()
            slot = now
            if len(self._sent) >= self.requests:
                slot = max(now, self._sent[-self.requests] + self.window)
            self._sent.append(slot)
            return slot - now
