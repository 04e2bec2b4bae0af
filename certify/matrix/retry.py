"""Retries: Retry-After, rate-limit exhaustion, 5xx and transport failures with backoff."""

from __future__ import annotations

from certify.harness import Outcome, Served, http_date
from certify.matrix.core import (
    MatrixBase,
    OpContext,
    Skip,
    expect_error,
    expect_success,
    waited_exactly,
)


class RetryChecks(MatrixBase):
    """How the client retries and waits."""

    def _retries_429(self) -> float:
        r = self.retry
        if 429 not in r.retry_statuses or r.max_attempts < 2 or not r.honour_retry_after:
            raise Skip("the spec's retry policy does not retry HTTP 429 with Retry-After")
        wait = float(min(7, int(r.max_retry_after)))
        if wait < 1:
            raise Skip("max_retry_after is below one second")
        return wait

    def retry_after(self, ctx: OpContext, *, date: bool) -> str | None:
        """429 with Retry-After (seconds or HTTP-date): wait exactly that long, then succeed."""
        wait = self._retries_429()
        header = http_date(wait) if date else str(int(wait))
        outcome = self.run(
            ctx,
            [
                Served.json_body(429, {"error": {"message": "slow down"}}, {"Retry-After": header}),
                ctx.happy,
            ],
        )
        what = f"after HTTP 429 with Retry-After: {header}"
        return expect_success(outcome, 2, what) or waited_exactly(outcome, wait, what)

    def rate_limit_exhausted(self, ctx: OpContext) -> str | None:
        """429 on every attempt → RateLimited after max_attempts requests."""
        self._retries_429()
        attempts = self.retry.max_attempts
        outcome = self.run(ctx, [Served.json_body(429, {}, {"Retry-After": "1"})], repeat_last=True)
        problem = expect_error(outcome, "RateLimited", "after HTTP 429 on every attempt", attempts)
        if problem:
            return problem
        if outcome.sleeps != [1.0] * (attempts - 1):
            return (
                f"after HTTP 429 with Retry-After: 1 the client waited {outcome.sleeps} s; "
                f"expected {[1.0] * (attempts - 1)}"
            )
        return None

    def retry_after_too_long(self, ctx: OpContext) -> str | None:
        """A Retry-After above max_retry_after → RateLimited at once, no waiting."""
        self._retries_429()
        too_long = int(self.retry.max_retry_after) + 60
        outcome = self.run(
            ctx, [Served.json_body(429, {}, {"Retry-After": str(too_long)}), ctx.happy]
        )
        limit = self.retry.max_retry_after
        what = f"after HTTP 429 with Retry-After: {too_long} (max_retry_after {limit:g})"
        problem = expect_error(outcome, "RateLimited", what, 1)
        if problem:
            return problem
        if outcome.sleeps:
            return f"{what} the client waited {outcome.sleeps} s; it must give up without waiting"
        return None

    def _backoff_problem(self, outcome: Outcome, what: str) -> str | None:
        ceiling = min(self.retry.backoff_cap, self.retry.backoff_base)
        if len(outcome.sleeps) != 1 or not (0.0 <= outcome.sleeps[0] <= ceiling + 1e-9):
            return (
                f"{what} the client waited {outcome.sleeps} s before retrying; the backoff "
                f"after the first attempt must be one wait within [0, {ceiling:g}] s"
            )
        return None

    def server_error(self, ctx: OpContext, status: int) -> str | None:
        """5xx: retried with backoff when safe; otherwise ServerError."""
        what = f"after HTTP {status}"
        failure = Served.json_body(status, {"error": {"message": "internal error"}})
        retried = status in self.retry.retry_statuses and self.retry.max_attempts >= 2
        if retried and ctx.op.is_retry_safe():
            outcome = self.run(ctx, [failure, ctx.happy])
            return expect_success(outcome, 2, what) or self._backoff_problem(outcome, what)
        outcome = self.run(ctx, [failure], repeat_last=True)
        return expect_error(outcome, "ServerError", what, None if retried else 1)

    def transport_failure(self, ctx: OpContext, kind: str) -> str | None:
        """A timeout or a connection reset: retried when safe; otherwise TransportError."""
        what = "after a read timeout" if kind == "timeout" else "after a connection reset"
        if self.retry.max_attempts >= 2 and ctx.op.is_retry_safe():
            outcome = self.run(ctx, [Served.failure(kind), ctx.happy])
            return expect_success(outcome, 2, what) or self._backoff_problem(outcome, what)
        outcome = self.run(ctx, [Served.failure(kind)], repeat_last=True)
        return expect_error(outcome, "TransportError", what)
