"""The matrix plumbing: contexts, scenario runs, result recording and shared helpers."""

from __future__ import annotations

import base64
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from certify.canonical import canonical_bytes
from certify.examples import (
    call_arguments,
    resolve,
    success_body,
)
from certify.fixtures import Fixture, FixtureResponse
from certify.harness import Harness, Outcome, SentRequest, Served
from certify.matrix.twin import COMPARED_HEADERS, async_difference, observed
from certify.results import CheckResult
from connector_spec.jsonschema_subset import SchemaNode
from connector_spec.model import (
    ConnectorSpec,
    Operation,
)

SERVER_STATUSES = (500, 502, 503, 504)


class Skip(Exception):
    """The check does not apply; the message says why."""


def dump_result(value: Any) -> Any:
    """A typed result as plain JSON data (``mode="json"``, by alias, set fields only)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, list):
        return [dump_result(v) for v in value]
    if isinstance(value, bytes):  # a binary response: base64, as JSON carries bytes
        return base64.b64encode(value).decode("ascii")
    return value


def served_from_fixture(response: FixtureResponse) -> Served:
    """A fixture response as a scripted reply."""
    if response.error is not None:
        return Served.failure(response.error)
    headers = tuple(response.headers.items())
    if response.has_json:
        content = b"" if response.json_ is None else json.dumps(response.json_).encode()
        return Served(response.status, headers, content)
    return Served(response.status, headers, (response.text or "").encode())


@dataclass
class OpContext:
    """What the matrix needs about one operation."""

    op: Operation
    call: dict[str, Any]
    body: Any
    happy: Served
    environment: str | None
    recorded: bool = False  # the happy path comes from a fixture recorded from the live API


def requests_text(n: int) -> str:
    return f"{n} request{'s' if n != 1 else ''}"


def expect_success(outcome: Outcome, attempts: int, what: str) -> str | None:
    """``None`` if the call succeeded after exactly ``attempts`` requests."""
    if outcome.harness_problem:
        return f"{what}: {outcome.harness_problem}"
    if outcome.error is not None:
        return (
            f"{what}: the client raised {outcome.describe_error()} after "
            f"{requests_text(len(outcome.requests))}; it must succeed after "
            f"{requests_text(attempts)}"
        )
    if len(outcome.requests) != attempts:
        return (
            f"{what}: the client sent {requests_text(len(outcome.requests))}; "
            f"expected {requests_text(attempts)}"
        )
    return None


def expect_error(outcome: Outcome, name: str, what: str, attempts: int | None = None) -> str | None:
    """``None`` if the call raised ``name`` (after ``attempts`` requests when given)."""
    if outcome.harness_problem:
        return f"{what}: {outcome.harness_problem}"
    if outcome.error is None:
        return (
            f"{what}: the client returned a result after {requests_text(len(outcome.requests))}; "
            f"it must raise {name}"
        )
    if outcome.error_name != name:
        return f"{what}: the client raised {outcome.describe_error()}; it must raise {name}"
    if attempts is not None and len(outcome.requests) != attempts:
        extra = " (it must not retry)" if attempts == 1 else ""
        return (
            f"{what}: the client sent {requests_text(len(outcome.requests))}{extra}; "
            f"expected {requests_text(attempts)}"
        )
    return None


def first_difference(a: SentRequest, b: SentRequest, skip_header: str | None) -> str | None:
    if a.method != b.method or a.url != b.url:
        return f"request line differs ({a.method} {a.url} vs {b.method} {b.url})"
    skip = (skip_header or "").lower()
    names = sorted({*a.headers, *b.headers} - {skip})
    for name in names:
        if a.headers.get(name) != b.headers.get(name):
            return f"header {name} differs"
    if a.content != b.content:
        return "request body differs"
    return None


class MatrixBase:
    """Runs scenarios against a fresh client and records :class:`CheckResult`s."""

    def __init__(
        self,
        harness: Harness,
        spec: ConnectorSpec,
        fixtures: list[Fixture],
        selected: Callable[[str], bool],
        progress: Callable[[CheckResult], None] | None = None,
    ) -> None:
        self.harness = harness
        self.spec = spec
        self.fixtures = fixtures
        self.selected = selected
        self.progress = progress
        self.results: list[CheckResult] = []
        self.exception_texts: list[str] = []
        self.scenarios = 0
        self.retry = spec.transport.retry
        self.async_problem: str | None = None

    # ---------------------------------------------------------------- plumbing

    def record(
        self,
        check_id: str,
        operation: str | None,
        fn: Callable[[], str | None],
        *,
        fixture_backed: bool = False,
    ) -> None:
        """Run one check if selected and store its result."""
        if not self.selected(check_id):
            return
        start = time.perf_counter()
        self.async_problem = None
        try:
            message = fn() or self.async_problem
            status = "failed" if message else "passed"
        except Skip as skip:
            message, status = str(skip), "skipped"
        except Exception as fault:  # a fault of the client's runtime (or of flows): a failure
            message, status = runtime_fault(fault), "failed"
        for canary in self.harness.canaries:  # messages quote requests; never a secret
            message = (message or "").replace(canary, "<canary>")
        result = CheckResult(
            check_id,
            operation,
            status,  # type: ignore[arg-type]
            message or "",
            (time.perf_counter() - start) * 1000,
            fixture_backed,
        )
        self.results.append(result)
        if self.progress is not None:
            self.progress(result)

    def run(
        self,
        ctx: OpContext,
        script: list[Served],
        *,
        calls: int = 1,
        repeat_last: bool = False,
        iterate: bool = False,
        call: dict[str, Any] | None = None,
        environment: str | None = None,
        rng: Callable[[], random.Random] | None = None,
        own_http: bool = False,
        variables: dict[str, str] | None = None,
    ) -> Outcome:
        """One scenario against a fresh sync client, then the same against the async client.

        The sync outcome is returned for the check to judge; when the async client behaves
        differently, :attr:`async_problem` says how (and fails the check).
        """
        self.scenarios += 1
        outcomes = []
        for asynchronous in (False, True):
            outcome = self.harness.run(
                ctx.op.id,
                ctx.op.resource,
                [call if call is not None else ctx.call] * calls,
                script,
                repeat_last=repeat_last,
                iterate=iterate,
                environment=environment if environment is not None else ctx.environment,
                asynchronous=asynchronous,
                rng=rng() if rng is not None else None,
                own_http=own_http,
                variables=variables,
            )
            if outcome.error is not None:
                self.exception_texts.append(str(outcome.error))
                self.exception_texts.append(repr(outcome.error.args))
                diagnostics = getattr(outcome.error, "diagnostics", None)
                if callable(diagnostics):
                    self.exception_texts.append(str(diagnostics()))
            outcomes.append(outcome)
        header = ctx.op.idempotency.header if ctx.op.idempotency else None
        compared = self.compared_headers(ctx.op)
        difference = async_difference(
            observed(outcomes[0], header, dump_result, compared),
            observed(outcomes[1], header, dump_result, compared),
        )
        if difference is not None and self.async_problem is None:
            self.async_problem = difference
        return outcomes[0]

    def compared_headers(self, op: Operation) -> frozenset[str]:
        """Headers whose values the async client must send exactly like the sync client."""
        names = {p.name.lower() for p in op.params if p.location == "header"}
        auth_header = getattr(self.spec.auth, "name", None) or getattr(
            self.spec.auth, "header", None
        )
        if isinstance(auth_header, str):
            names.add(auth_header.lower())
        return COMPARED_HEADERS | names

    # ---------------------------------------------------------------- contexts

    def context(self, op: Operation) -> OpContext:
        """The happy-path call and body of ``op``: from its fixture, else from the spec."""
        for fixture in self.fixtures:
            if fixture.operation == op.id and fixture.expect.error is None:
                last = fixture.responses[-1]
                body = last.json_ if last.has_json else None
                return OpContext(
                    op,
                    dict(fixture.call),
                    body,
                    served_from_fixture(last),
                    fixture.environment,
                    recorded=fixture.source == "recorded",
                )
        body = success_body(self.spec, op)
        return OpContext(
            op,
            call_arguments(self.spec, op),
            body,
            Served.success(op, body),
            None,
        )

    # ---------------------------------------------------------------- pagination

    def _schema_at(self, op: Operation, pointer: str) -> SchemaNode | None:
        """The response schema node at ``pointer`` (object properties only)."""
        if op.response.schema_ is None:
            return None
        node = resolve(self.spec, op.response.schema_)
        for token in pointer.split("/")[1:]:
            node = resolve(self.spec, node)
            if node.properties is None or token not in node.properties:
                return None
            node = node.properties[token]
        return resolve(self.spec, node)


def waited_exactly(outcome: Outcome, wait: float, what: str, why: str = "") -> str | None:
    """``None`` if the one retry of ``outcome`` waited exactly ``wait`` seconds first."""
    if outcome.sleeps == [wait]:
        return None
    return (
        f"{what} the client waited {outcome.sleeps} s on the virtual clock; it must "
        f"wait exactly {wait:g} s{why}, then retry"
    )


#: The host of cross-host links and redirects; nothing may follow the client there.
ELSEWHERE = "https://elsewhere.example.net"


def followed_elsewhere(outcome: Outcome, canaries: list[str], what: str) -> str | None:
    """Why ``outcome`` shows a request sent to :data:`ELSEWHERE` (``None``: none was)."""
    for sent in outcome.requests[1:]:
        if sent.url.startswith(ELSEWHERE):
            carried = any(c in sent.text() for c in canaries)
            return (
                f"the client followed {what} ({sent.url})"
                + (" and sent the credentials there" if carried else "")
                + f"; {what} must not be followed"
            )
    if outcome.harness_problem:
        return f"with {what}: {outcome.harness_problem}"
    return None


def runtime_fault(fault: Exception) -> str:
    """A check that crashed: the client's runtime (or flows) raised where it must not."""
    return (
        f"runtime fault: the check stopped with {type(fault).__name__}: {fault} "
        "(a bug in the client's runtime or in flows, not in the spec)"
    )


def json_diff(a: Any, b: Any, where: str = "") -> str:
    """Where two JSON values first differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted({*a, *b}):
            if key not in a:
                return f"{where}/{key} is missing"
            if key not in b:
                return f"{where}/{key} is unexpected"
            if canonical_bytes(a[key]) != canonical_bytes(b[key]):
                return json_diff(a[key], b[key], f"{where}/{key}")
        return "no difference"
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            if canonical_bytes(x) != canonical_bytes(y):
                return json_diff(x, y, f"{where}/{index}")
    return f"{where or '/'}: {json.dumps(a)[:80]} vs {json.dumps(b)[:80]}"
