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
        outcome = self.run(ctx, [Served.text_body(ctx.op.response.status, '{"truncated": ')])
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
        outcome = self.run(ctx, [Served.json_body(ctx.op.response.status, body)])
        value = json.dumps(resolve_pointer(body, where) if where else body)
        return expect_error(
            outcome,
            "DecodeError",
            f"for a body whose {where or 'root'} is {value} (the response schema forbids it)",
            1,
        )
