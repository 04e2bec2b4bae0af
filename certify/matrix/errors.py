"""Error responses: auth failures, body-level errors, malformed and schema-violating bodies."""

from __future__ import annotations

import json
from typing import Any

from certify.examples import (
    accepts_anything,
    resolve,
    set_pointer,
    success_body,
    violating_body,
)
from certify.harness import Served
from certify.matrix.core import (
    MatrixBase,
    OpContext,
    Skip,
    expect_error,
    expect_success,
)
from connector_spec.runtime.pointer import resolve_pointer


class ErrorChecks(MatrixBase):
    """How the client maps error responses."""

    def auth(self, ctx: OpContext, status: int) -> str | None:
        """401/403 → AuthError, no retry."""
        outcome = self.run(
            ctx,
            [Served.json_body(status, {"error": {"message": "Invalid API key provided"}})],
            repeat_last=True,
        )
        return expect_error(outcome, "AuthError", f"after HTTP {status}", attempts=1)

    def client_error(self, ctx: OpContext, status: int) -> str | None:
        """A generic 4xx (400/404/409/422) → ClientError, never a result.

        Retried (then ClientError after max_attempts) only when the spec's retry policy lists
        the status and the operation is retry-safe.
        """
        r = self.retry
        retried = status in r.retry_statuses and r.max_attempts >= 2 and ctx.op.is_retry_safe()
        outcome = self.run(
            ctx,
            [Served.json_body(status, {"error": {"message": "invalid request"}})],
            repeat_last=True,
        )
        what = f"after HTTP {status}"
        problem = expect_error(outcome, "ClientError", what, r.max_attempts if retried else 1)
        if problem:
            return problem
        got = getattr(outcome.error, "status", None)
        if got != status:
            return f"{what}: the ClientError carries status {got!r}; it must carry {status}"
        return None

    def _body_error(self, code: str) -> Served:
        rule = self.spec.body_errors
        assert rule is not None
        body: Any = set_pointer(
            {},
            rule.success_pointer,
            not rule.success_value if isinstance(rule.success_value, bool) else None,
        )
        set_pointer(body, rule.code_pointer, code)
        return Served.json_body(200, body, {"Retry-After": "1"})

    def body_error_codes(self, ctx: OpContext) -> str | None:
        """Rate-limit, server and unknown codes inside a 2xx body: retried or raised as declared."""
        rule = self.spec.body_errors
        assert rule is not None
        r = self.retry
        if rule.rate_limit_codes:
            code = rule.rate_limit_codes[0]
            what = f"after a 200 body with error code {code!r} and Retry-After: 1"
            served = self._body_error(code)
            if 429 in r.retry_statuses and r.max_attempts >= 2 and r.honour_retry_after:
                outcome = self.run(ctx, [served, ctx.happy])
                problem = expect_success(outcome, 2, what)
                if not problem and outcome.sleeps != [1.0]:
                    problem = f"{what} the client waited {outcome.sleeps} s; it must wait 1 s"
            else:
                problem = expect_error(self.run(ctx, [served]), "RateLimited", what, 1)
            if problem:
                return problem
        if rule.server_codes:
            code = rule.server_codes[0]
            what = f"after a 200 body with error code {code!r}"
            served = self._body_error(code)
            retried = 503 in r.retry_statuses and r.max_attempts >= 2 and ctx.op.is_retry_safe()
            outcome = self.run(ctx, [served], repeat_last=True)
            problem = expect_error(outcome, "ServerError", what, r.max_attempts if retried else 1)
            if problem:
                return problem
        what = "after a 200 body with the undeclared error code 'flows_unknown_error'"
        outcome = self.run(ctx, [self._body_error("flows_unknown_error")], repeat_last=True)
        return expect_error(outcome, "ClientError", what, 1)

    def body_error_auth(self, ctx: OpContext) -> str | None:
        """An auth error code inside a 2xx body → AuthError, no retry."""
        rule = self.spec.body_errors
        assert rule is not None
        body: Any = set_pointer(
            {},
            rule.success_pointer,
            not rule.success_value if isinstance(rule.success_value, bool) else None,
        )
        set_pointer(body, rule.code_pointer, rule.auth_codes[0])
        outcome = self.run(ctx, [Served.json_body(200, body)], repeat_last=True)
        return expect_error(
            outcome, "AuthError", f"after a 200 body with error code {rule.auth_codes[0]!r}", 1
        )

    def malformed_json(self, ctx: OpContext) -> str | None:
        """A success status with a body that is not JSON → DecodeError."""
        outcome = self.run(ctx, [Served.success(ctx.op, None, raw='{"truncated": ')])
        return expect_error(outcome, "DecodeError", "after a malformed JSON body", 1)

    def schema_response(self, ctx: OpContext) -> str | None:
        """A body that violates the response schema → DecodeError, never a result."""
        schema = ctx.op.response.schema_
        if schema is not None and accepts_anything(resolve(self.spec, schema)):
            raise Skip("the response schema accepts any JSON: no body can violate it")
        base = ctx.body if ctx.body is not None else success_body(self.spec, ctx.op)
        broken = violating_body(self.spec, ctx.op, base)
        if broken is None:
            raise Skip("no schema violation can be built for this response schema")
        body, where = broken
        outcome = self.run(ctx, [Served.success(ctx.op, body)])
        value = json.dumps(resolve_pointer(body, where) if where else body)
        return expect_error(
            outcome,
            "DecodeError",
            f"for a body whose {where or 'root'} is {value} (the response schema forbids it)",
            1,
        )
