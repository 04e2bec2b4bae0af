"""The checks: fixture replay, the synthesized contract matrix, determinism, idempotency.

One module per scenario family; :class:`Matrix` combines them and runs them in a stable order.
"""

from __future__ import annotations

from certify.matrix.arguments import ArgumentChecks
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
from certify.matrix.sequence import RetrySequenceChecks
from certify.matrix.settings import SettingsChecks
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


CLIENT_STATUSES = (400, 404, 409, 422)


class Matrix(
    FixtureChecks,
    ErrorChecks,
    RetryChecks,
    RetrySequenceChecks,
    ArgumentChecks,
    PaginationChecks,
    ReplayChecks,
    SettingsChecks,
):
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
        self.connector_checks()
        return self.results

    def connector_checks(self) -> None:
        """Connector-wide settings, run through one operation (a retry-safe read if any)."""
        ops = self.spec.operations
        chosen = next(
            (o for o in ops if o.effects == "read" and o.is_retry_safe() and not o.pagination),
            next((o for o in ops if o.is_retry_safe()), ops[0]),
        )
        ctx = self.context(chosen)
        op = chosen.id
        self.record("contract.environments", op, lambda: self.environments(ctx))
        self.record("contract.transport_timeout", op, lambda: self.timeout(ctx))
        self.record("contract.rate_limit_client", op, lambda: self.rate_limit(ctx))
        self.record("contract.redirect_cross_host", op, lambda: self.redirect(ctx))

    def operation_checks(self, ctx: OpContext) -> None:
        """The synthesized matrix, determinism and idempotency checks of one operation."""
        op = ctx.op.id
        rec = self.record
        rec("contract.auth_401", op, lambda: self.auth(ctx, 401))
        rec("contract.auth_403", op, lambda: self.auth(ctx, 403))
        if self.spec.body_errors is not None and self.spec.body_errors.auth_codes:
            rec("contract.body_error_auth", op, lambda: self.body_error_auth(ctx))
        if self.spec.body_errors is not None:
            rec("contract.body_error_codes", op, lambda: self.body_error_codes(ctx))
        for status in CLIENT_STATUSES:
            rec(f"contract.client_{status}", op, lambda s=status: self.client_error(ctx, s))  # type: ignore[misc]
        rec("contract.retry_after_seconds", op, lambda: self.retry_after(ctx, date=False))
        rec("contract.retry_after_date", op, lambda: self.retry_after(ctx, date=True))
        rec("contract.rate_limit_exhausted", op, lambda: self.rate_limit_exhausted(ctx))
        rec("contract.retry_after_too_long", op, lambda: self.retry_after_too_long(ctx))
        for status in SERVER_STATUSES:
            rec(f"contract.server_{status}", op, lambda s=status: self.server_error(ctx, s))  # type: ignore[misc]
        rec("contract.timeout", op, lambda: self.transport_failure(ctx, "timeout"))
        rec("contract.connection_reset", op, lambda: self.transport_failure(ctx, "connect_reset"))
        rec("contract.retry_after_503", op, lambda: self.retry_after_503(ctx))
        rec("contract.server_exhausted", op, lambda: self.server_exhausted(ctx))
        rec("contract.timeout_exhausted", op, lambda: self.timeout_exhausted(ctx))
        rec("contract.arguments_falsy", op, lambda: self.falsy_arguments(ctx))
        rec("contract.arguments_reserved", op, lambda: self.reserved_arguments(ctx))
        if any(p.location == "path" for p in ctx.op.params):
            rec("contract.path_escaping", op, lambda: self.path_escaping(ctx))
        if ctx.op.response.schema_ is not None:
            rec("contract.malformed_json", op, lambda: self.malformed_json(ctx))
            rec("schema.response", op, lambda: self.schema_response(ctx))
        if ctx.op.pagination is not None:
            rec("contract.pagination", op, lambda: self.pagination(ctx, repeat=False))
            rec(
                "contract.pagination_items_validated",
                op,
                lambda: self.pagination(ctx, repeat=False, broken_item=True),
            )
            if self.spec.pagination[ctx.op.pagination].type == "link_header":
                rec(
                    "contract.pagination_cross_host",
                    op,
                    lambda: self.pagination(ctx, repeat=False, foreign_link=True),
                )
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
