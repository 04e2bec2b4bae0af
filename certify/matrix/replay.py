"""Determinism and idempotency: identical calls, idempotency keys, no unsafe re-sends."""

from __future__ import annotations

import copy
import json

from certify.canonical import canonical_bytes
from certify.examples import (
    set_pointer,
)
from certify.harness import Served
from certify.matrix.core import (
    SERVER_STATUSES,
    MatrixBase,
    OpContext,
    Skip,
    dump_result,
    expect_success,
    first_difference,
    json_diff,
    requests_text,
)
from certify.values import changed_value
from connector_spec.runtime.pointer import MISSING, mask_pointers, resolve_pointer


class ReplayChecks(MatrixBase):
    """Determinism and idempotency."""

    def determinism(self, ctx: OpContext) -> str | None:
        """Two identical calls: identical requests and canonical results (volatile masked)."""
        mode = ctx.op.determinism.mode
        if mode == "nondeterministic":
            raise Skip("the operation is declared nondeterministic")
        volatile = ctx.op.determinism.volatile if mode == "stable" else []
        second = ctx.happy
        if volatile and ctx.body is not None:
            changed = copy.deepcopy(ctx.body)
            for pointer in volatile:
                found = resolve_pointer(changed, pointer)
                node = self._schema_at(ctx.op, pointer)
                fixed = node is not None and (node.enum is not None or node.const is not None)
                if (
                    found is not MISSING
                    and isinstance(found, str | int)
                    and not isinstance(found, bool)
                    and not fixed
                ):
                    set_pointer(changed, pointer, changed_value(node, found))
            second = Served(ctx.happy.status, ctx.happy.headers, json.dumps(changed).encode())
        first_run = self.run(ctx, [ctx.happy])
        second_run = self.run(ctx, [second])
        for outcome in (first_run, second_run):
            problem = expect_success(outcome, 1, "replaying the happy path")
            if problem:
                return problem
        header = ctx.op.idempotency.header if ctx.op.idempotency else None
        difference = first_difference(first_run.requests[0], second_run.requests[0], header)
        if difference:
            return f"two identical calls sent different requests: {difference}"
        a = mask_pointers(dump_result(first_run.result), volatile)
        b = mask_pointers(dump_result(second_run.result), volatile)
        if canonical_bytes(a) != canonical_bytes(b):
            masked = f" after masking {', '.join(volatile)}" if volatile else ""
            return (
                f"two identical calls gave different results{masked} "
                f"(RFC 8785 canonical JSON, mode {mode}): {json_diff(a, b)}"
            )
        return None

    # ---------------------------------------------------------------- idempotency

    def key_reuse(self, ctx: OpContext) -> str | None:
        """One key for every attempt of a call, a new key for a new call."""
        header = ctx.op.idempotency.header if ctx.op.idempotency else None
        assert header is not None
        status = next(
            (s for s in (503, 500, 502, 504, 429) if s in self.retry.retry_statuses), None
        )
        if status is None or self.retry.max_attempts < 2:
            raise Skip("the retry policy never retries, so no key is ever reused")
        outcome = self.run(ctx, [Served.json_body(status, {}), ctx.happy, ctx.happy], calls=2)
        problem = expect_success(outcome, 3, f"two calls, the first failing once with {status}")
        if problem:
            return problem
        keys = [r.headers.get(header.lower()) for r in outcome.requests]
        if not keys[0]:
            return f"the client sent no {header} header on a write that declares one"
        if keys[0] != keys[1]:
            return (
                f"the retry after HTTP {status} carried a different {header} than the first "
                "attempt; every retry of one call must reuse its key"
            )
        if keys[2] == keys[0]:
            return f"a new call reused the previous call's {header}; each call needs a new key"
        return None

    def no_unsafe_retry(self, ctx: OpContext) -> str | None:
        """A write without an idempotency mechanism is never re-sent once it may have landed."""
        op = ctx.op
        failures: list[tuple[str, Served]] = [
            (f"HTTP {s}", Served.json_body(s, {"error": {"message": "oops"}}))
            for s in SERVER_STATUSES
        ]
        failures += [
            ("a read timeout", Served.failure("timeout")),
            ("a connection reset", Served.failure("connect_reset")),
        ]
        for label, served in failures:
            outcome = self.run(ctx, [served], repeat_last=True)
            if outcome.harness_problem:
                return f"after {label}: {outcome.harness_problem}"
            if len(outcome.requests) != 1:
                return (
                    f"the client re-sent {op.method} {op.path} after {label} "
                    f"({requests_text(len(outcome.requests))}) although the operation has no "
                    "idempotency mechanism: the write may happen twice"
                )
        return None
