"""Connector-wide settings as shipped: environments, server variables, the timeout, the
client-side rate limit and redirects.

Each runs the happy path of one operation (a retry-safe read when there is one) and looks at
what reached the mock transport: the host and base path, the timeout extension of every
request, the waits on the virtual clock.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from certify.harness import Served
from certify.matrix.core import (
    ELSEWHERE,
    MatrixBase,
    OpContext,
    Skip,
    expect_success,
    followed_elsewhere,
)


class SettingsChecks(MatrixBase):
    """Environments, server variables, timeout, rate limit and redirects."""

    def expected_base(self, environment: str | None, overrides: dict[str, str]) -> str:
        """The base URL the spec gives ``environment`` with ``overrides`` (computed here, not
        by the client's runtime)."""
        spec = self.spec
        values = {n: v.default for n, v in spec.variables.items() if v.default is not None}
        url = spec.base_url
        if environment is not None:
            env = spec.environments[environment]
            url = env.base_url or url
            values.update(env.variables)
        values.update(self.harness.variables_for(environment))
        values.update(overrides)
        for name, value in values.items():
            url = url.replace("{" + name + "}", value)
        return url.rstrip("/")

    def _targets(self) -> list[tuple[str | None, dict[str, str], str]]:
        targets: list[tuple[str | None, dict[str, str], str]] = [(None, {}, "the default")]
        targets += [(name, {}, f"environment {name!r}") for name in self.spec.environments]
        for name, variable in self.spec.variables.items():
            if "{" + name + "}" not in self.spec.base_url:
                continue
            for value in variable.enum or []:
                targets.append((None, {name: value}, f"server variable {name}={value!r}"))
        return targets

    def environments(self, ctx: OpContext) -> str | None:
        """Every environment and every enum value of a server variable reaches its own host."""
        targets = self._targets()
        if len(targets) == 1:
            raise Skip("the spec declares no environment and no server variable with an enum")
        for environment, overrides, label in targets:
            expected = self.expected_base(environment, overrides)
            outcome = self.run(
                replace(ctx, environment=environment), [ctx.happy], variables=overrides or None
            )
            problem = expect_success(outcome, 1, f"with {label}")
            if problem:
                return problem
            url = outcome.requests[0].url
            if not url.startswith(expected + "/"):
                return (
                    f"with {label} the client sent {outcome.requests[0].method} {url}; "
                    f"requests must go to {expected}/..."
                )
        return None

    def timeout(self, ctx: OpContext) -> str | None:
        """Every request carries the spec's connect/read/write/pool timeouts, whether the client
        built its own ``httpx`` client or was handed one (with other default timeouts)."""
        t = self.spec.transport.timeouts
        want = {"connect": t.connect, "read": t.read, "write": t.write, "pool": t.pool}
        for own_http, how in ((True, "its own HTTP client"), (False, "a caller's HTTP client")):
            outcome = self.run(ctx, [ctx.happy], own_http=own_http)
            problem = expect_success(outcome, 1, f"the happy path with {how}")
            if problem:
                return problem
            got = outcome.requests[0].timeout
            if got != want:
                return (
                    f"with {how} the request went out with timeout {got}; "
                    f"the spec configures {want}"
                )
        return None

    def rate_limit(self, ctx: OpContext) -> str | None:
        """requests+1 calls at once: the last waits one window on the virtual clock."""
        limit = self.spec.transport.rate_limit
        if limit is None:
            raise Skip("the spec sets no client-side rate limit")
        if limit.requests > 1000:
            raise Skip("the rate limit allows more than 1000 requests per window")
        calls = limit.requests + 1
        outcome = self.run(ctx, [ctx.happy], repeat_last=True, calls=calls)
        problem = expect_success(outcome, calls, f"{calls} calls in a row")
        if problem:
            return problem
        want = [float(limit.window_seconds)]
        if [round(s, 9) for s in outcome.sleeps] != want:
            return (
                f"{calls} calls in a row with a rate limit of {limit.requests} per "
                f"{limit.window_seconds:g} s: the client waited {outcome.sleeps} s on the "
                f"virtual clock; call {calls} must wait {want[0]:g} s"
            )
        return None

    def redirect(self, ctx: OpContext) -> str | None:
        """A redirect to another host is not followed (it would carry the credentials)."""
        target = ELSEWHERE + urlsplit(self.expected_base(ctx.environment, {})).path + "/moved"
        moved = Served.json_body(302, {}, {"Location": target})
        outcome = self.run(ctx, [moved, ctx.happy], own_http=True)
        return followed_elsewhere(outcome, self.harness.canaries, "a redirect to another host")
