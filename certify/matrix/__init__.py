"""The checks: fixture replay, the synthesized contract matrix, determinism, idempotency.

One module per scenario family; :class:`Matrix` combines them and runs them in a stable order.
"""

from __future__ import annotations

from certify.matrix.core import (
    SERVER_STATUSES,
    MatrixBase,
    OpContext,
    Skip,
    dump_result,
    expect_error,
    expect_success,
)
from certify.matrix.errors import ErrorChecks
from certify.matrix.fixtures import FixtureChecks
from certify.matrix.pagination import PaginationChecks
from certify.matrix.replay import ReplayChecks
from certify.matrix.retry import RetryChecks
from certify.results import CheckResult

__all__ = [
    "SERVER_STATUSES",
    "Matrix",
    "MatrixBase",
    "OpContext",
    "Skip",
    "dump_result",
    "expect_error",
    "expect_success",
]


class Matrix(FixtureChecks, ErrorChecks, RetryChecks, PaginationChecks, ReplayChecks):
    """Runs every selected check of one connector and collects :class:`CheckResult`."""

    # ---------------------------------------------------------------- all checks

    def run_all(self) -> list[CheckResult]:
        """Every check for every operation, in a stable order."""
        for fixture in self.fixtures:
            self.record(
                f"contract.fixture.{fixture.scenario}",
                fixture.operation,
                lambda f=fixture: self.fixture_replay(f),  # type: ignore[misc]
                fixture_backed=fixture.source == "recorded",
            )
        for op in self.spec.operations:
            self.operation_checks(self.context(op))
        return self.results

    def operation_checks(self, ctx: OpContext) -> None:
        """The synthesized matrix, determinism and idempotency checks of one operation."""
        op = ctx.op.id
        rec = self.record
        rec("contract.auth_401", op, lambda: self.auth(ctx, 401))
        rec("contract.auth_403", op, lambda: self.auth(ctx, 403))
        if self.spec.body_errors is not None and self.spec.body_errors.auth_codes:
            rec("contract.body_error_auth", op, lambda: self.body_error_auth(ctx))
        rec("contract.retry_after_seconds", op, lambda: self.retry_after(ctx, date=False))
        rec("contract.retry_after_date", op, lambda: self.retry_after(ctx, date=True))
        rec("contract.rate_limit_exhausted", op, lambda: self.rate_limit_exhausted(ctx))
        rec("contract.retry_after_too_long", op, lambda: self.retry_after_too_long(ctx))
        for status in SERVER_STATUSES:
            rec(f"contract.server_{status}", op, lambda s=status: self.server_error(ctx, s))  # type: ignore[misc]
        rec("contract.timeout", op, lambda: self.transport_failure(ctx, "timeout"))
        rec("contract.connection_reset", op, lambda: self.transport_failure(ctx, "connect_reset"))
        if ctx.op.response.schema_ is not None:
            rec("contract.malformed_json", op, lambda: self.malformed_json(ctx))
            rec("schema.response", op, lambda: self.schema_response(ctx))
        if ctx.op.pagination is not None:
            rec("contract.pagination", op, lambda: self.pagination(ctx, repeat=False))
        if ctx.op.pagination is not None and self.spec.pagination[ctx.op.pagination].type in (
            "cursor",
            "link_header",
        ):
            rec(
                "contract.pagination_repeated_cursor", op, lambda: self.pagination(ctx, repeat=True)
            )
        rec(
            "determinism.replay",
            op,
            lambda: self.determinism(ctx),
            fixture_backed=ctx.recorded,  # replaying what the live API answered
        )
        idem = ctx.op.idempotency
        if idem is not None and idem.kind == "key":
            rec("idempotency.key_reuse", op, lambda: self.key_reuse(ctx))
        if ctx.op.effects in ("write", "delete") and not ctx.op.is_retry_safe():
            rec("idempotency.no_unsafe_retry", op, lambda: self.no_unsafe_retry(ctx))
