"""Whole retry sequences: attempts and every wait counted until the client gives up.

The random draw of the jitter is fixed (a :class:`FixedDraw` generator), so the exact wait
the spec's schedule gives after each attempt is known: ``min(cap, base * 2**(n-1))`` scaled
by the jitter. A client that retries without bound, forgets the jitter after the first wait,
or leaves the schedule fails here.
"""

from __future__ import annotations

import random

from certify.harness import Outcome, Served
from certify.matrix.core import (
    MatrixBase,
    OpContext,
    Skip,
    expect_error,
    expect_success,
    waited_exactly,
)

#: The value every random draw of the jitter returns during these scenarios.
DRAW = 0.75


class FixedDraw(random.Random):
    """A random generator whose every draw in [0, 1) is :data:`DRAW`."""

    def random(self) -> float:
        """Always :data:`DRAW`."""
        return DRAW


class RetrySequenceChecks(MatrixBase):
    """Bounded attempts, Retry-After beyond 429 and the backoff schedule on every attempt."""

    def expected_waits(self, attempts: int) -> list[float]:
        """The waits after attempts 1 .. ``attempts - 1`` with the draw fixed at DRAW."""
        r = self.retry
        waits = []
        for attempt in range(1, attempts):
            ceiling = min(r.backoff_cap, r.backoff_base * (2.0 ** (attempt - 1)))
            if r.jitter == "full":
                waits.append(ceiling * DRAW)
            elif r.jitter == "equal":
                waits.append(ceiling / 2 + ceiling / 2 * DRAW)
            else:
                waits.append(ceiling)
        return waits

    def schedule_problem(self, outcome: Outcome, attempts: int, what: str) -> str | None:
        """Why the waits of ``outcome`` are not the spec's backoff schedule (``None``: they are)."""
        want = self.expected_waits(attempts)
        got = outcome.sleeps
        if len(got) == len(want) and all(
            abs(a - b) <= 1e-9 * max(1.0, b) for a, b in zip(got, want, strict=True)
        ):
            return None
        r = self.retry
        return (
            f"{what} the client waited {[round(s, 6) for s in got]} s; with every random draw "
            f"at {DRAW} the backoff (base {r.backoff_base:g} s, cap {r.backoff_cap:g} s, "
            f"{r.jitter} jitter) gives {[round(s, 6) for s in want]} s: one wait per retry, "
            "jitter on every wait, doubling from the base"
        )

    def _retried_5xx(self, ctx: OpContext) -> int:
        if not ctx.op.is_retry_safe():
            raise Skip("the operation is not retry-safe: a 5xx is never retried")
        if self.retry.max_attempts < 2:
            raise Skip("the retry policy makes a single attempt")
        status = next((s for s in (503, 500, 502, 504) if s in self.retry.retry_statuses), None)
        if status is None:
            raise Skip("the retry policy retries no 5xx status")
        return status

    def server_exhausted(self, ctx: OpContext) -> str | None:
        """A 5xx on every attempt: ServerError after exactly max_attempts, backoff each time."""
        status = self._retried_5xx(ctx)
        attempts = self.retry.max_attempts
        failure = Served.json_body(status, {"error": {"message": "unavailable"}})
        outcome = self.run(ctx, [failure], repeat_last=True, rng=FixedDraw)
        what = f"after HTTP {status} (no Retry-After) on every attempt"
        return expect_error(outcome, "ServerError", what, attempts) or self.schedule_problem(
            outcome, attempts, what
        )

    def timeout_exhausted(self, ctx: OpContext) -> str | None:
        """A timeout on every attempt: TransportError after exactly max_attempts."""
        if not ctx.op.is_retry_safe():
            raise Skip("the operation is not retry-safe: a timeout is never retried")
        if self.retry.max_attempts < 2:
            raise Skip("the retry policy makes a single attempt")
        attempts = self.retry.max_attempts
        outcome = self.run(ctx, [Served.failure("timeout")], repeat_last=True, rng=FixedDraw)
        what = "after a read timeout on every attempt"
        return expect_error(outcome, "TransportError", what, attempts) or self.schedule_problem(
            outcome, attempts, what
        )

    def retry_after_503(self, ctx: OpContext) -> str | None:
        """503 with Retry-After: the header is honoured like on a 429."""
        r = self.retry
        if 503 not in r.retry_statuses or r.max_attempts < 2 or not r.honour_retry_after:
            raise Skip("the spec's retry policy does not retry HTTP 503 with Retry-After")
        if not ctx.op.is_retry_safe():
            raise Skip("the operation is not retry-safe: a 503 is never retried")
        wait = float(min(5, int(r.max_retry_after)))
        if wait < 1:
            raise Skip("max_retry_after is below one second")
        busy = Served.json_body(503, {"error": {"message": "busy"}}, {"Retry-After": f"{wait:g}"})
        outcome = self.run(ctx, [busy, ctx.happy], rng=FixedDraw)
        what = f"after HTTP 503 with Retry-After: {wait:g}"
        return expect_success(outcome, 2, what) or waited_exactly(
            outcome, wait, what, " (Retry-After counts on 503 as on 429)"
        )
