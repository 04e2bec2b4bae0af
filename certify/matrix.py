"""The checks: fixture replay, the synthesized contract matrix, determinism, idempotency."""

from __future__ import annotations

import base64
import copy
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel

from certify.canonical import canonical_bytes
from certify.examples import (
    accepts_anything,
    call_arguments,
    example,
    resolve,
    set_pointer,
    success_body,
    violating_body,
)
from certify.fixtures import ANY, REDACTED, Fixture, FixtureResponse
from certify.harness import Harness, Outcome, SentRequest, Served, http_date, query_of
from certify.results import CheckResult
from connector_spec.jsonschema_subset import SchemaNode
from connector_spec.model import (
    ConnectorSpec,
    CursorPagination,
    LinkHeaderPagination,
    OffsetPagination,
    Operation,
    PageNumberPagination,
)
from connector_spec.runtime.pointer import MISSING, mask_pointers, resolve_pointer

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


def _count(n: int) -> str:
    return f"{n} request{'s' if n != 1 else ''}"


def expect_success(outcome: Outcome, attempts: int, what: str) -> str | None:
    """``None`` if the call succeeded after exactly ``attempts`` requests."""
    if outcome.harness_problem:
        return f"{what}: {outcome.harness_problem}"
    if outcome.error is not None:
        return (
            f"{what}: the client raised {outcome.describe_error()} after "
            f"{_count(len(outcome.requests))}; it must succeed after {_count(attempts)}"
        )
    if len(outcome.requests) != attempts:
        return (
            f"{what}: the client sent {_count(len(outcome.requests))}; expected {_count(attempts)}"
        )
    return None


def expect_error(outcome: Outcome, name: str, what: str, attempts: int | None = None) -> str | None:
    """``None`` if the call raised ``name`` (after ``attempts`` requests when given)."""
    if outcome.harness_problem:
        return f"{what}: {outcome.harness_problem}"
    if outcome.error is None:
        return (
            f"{what}: the client returned a result after {_count(len(outcome.requests))}; "
            f"it must raise {name}"
        )
    if outcome.error_name != name:
        return f"{what}: the client raised {outcome.describe_error()}; it must raise {name}"
    if attempts is not None and len(outcome.requests) != attempts:
        extra = " (it must not retry)" if attempts == 1 else ""
        return (
            f"{what}: the client sent {_count(len(outcome.requests))}{extra}; "
            f"expected {_count(attempts)}"
        )
    return None


def _first_difference(a: SentRequest, b: SentRequest, skip_header: str | None) -> str | None:
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


class Matrix:
    """Runs every selected check of one connector and collects :class:`CheckResult`."""

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
        try:
            message = fn()
            status = "failed" if message else "passed"
        except Skip as skip:
            message, status = str(skip), "skipped"
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
    ) -> Outcome:
        """One scenario against a fresh client."""
        self.scenarios += 1
        outcome = self.harness.run(
            ctx.op.id,
            ctx.op.resource,
            [call if call is not None else ctx.call] * calls,
            script,
            repeat_last=repeat_last,
            iterate=iterate,
            environment=environment if environment is not None else ctx.environment,
        )
        if outcome.error is not None:
            self.exception_texts.append(str(outcome.error))
            self.exception_texts.append(repr(outcome.error.args))
            diagnostics = getattr(outcome.error, "diagnostics", None)
            if callable(diagnostics):
                self.exception_texts.append(str(diagnostics()))
        return outcome

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
            Served.json_body(op.response.status, body),
            None,
        )

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

    # ---------------------------------------------------------------- fixtures

    def fixture_replay(self, fixture: Fixture) -> str | None:
        """Replay one recorded or written fixture and compare everything it states."""
        op = self.spec.operation(fixture.operation)
        ctx = OpContext(op, dict(fixture.call), None, Served(), fixture.environment)
        outcome = self.run(
            ctx,
            [served_from_fixture(r) for r in fixture.responses],
            environment=fixture.environment,
        )
        what = f"fixture {fixture.operation}/{fixture.scenario}"
        if outcome.harness_problem:
            return f"{what}: {outcome.harness_problem}"
        if outcome.requests:
            problem = self._request_matches(fixture, outcome.requests[0])
            if problem:
                return f"{what}: {problem}"
        expect = fixture.expect
        if expect.error is not None:
            problem = expect_error(outcome, expect.error, what, expect.attempts)
            if problem:
                return problem
        else:
            problem = expect_success(outcome, expect.attempts, what)
            if problem:
                return problem
            got = dump_result(outcome.result)
            if canonical_bytes(got) != canonical_bytes(expect.result):
                difference = _diff(got, expect.result)
                return f"{what}: the typed result differs from expect.result: {difference}"
        return None

    def _request_matches(self, fixture: Fixture, sent: SentRequest) -> str | None:
        want = fixture.request
        if sent.method != want.method.upper():
            return f"the client sent {sent.method}; the fixture expects {want.method}"
        got_url, want_url = urlsplit(sent.url), urlsplit(want.url)
        if (got_url.scheme, got_url.netloc, got_url.path) != (
            want_url.scheme,
            want_url.netloc,
            want_url.path,
        ):
            sent_to, expected = sent.url.split("?")[0], want.url.split("?")[0]
            return f"the client sent {sent_to}; the fixture expects {expected}"
        got_query, want_query = query_of(sent.url), query_of(want.url)
        for name, values in want_query.items():
            if values in ([REDACTED], [ANY]) and name in got_query:
                got_query[name] = values
        if got_query != want_query:
            return f"query {got_url.query!r} differs from the fixture's {want_url.query!r}"
        headers = {k.lower(): v for k, v in sent.headers.items()}
        for name, value in want.headers.items():
            have = headers.get(name.lower())
            if have is None:
                return f"the client sent no {name} header"
            if value not in (REDACTED, ANY) and have != value:
                return f"header {name} is {have!r}; the fixture expects {value!r}"
        if want.has_json:
            try:
                body = json.loads(sent.content) if sent.content else None
            except ValueError:
                return "the request body is not JSON; the fixture expects JSON"
            if canonical_bytes(body) != canonical_bytes(want.json_):
                return f"the JSON request body differs: {_diff(body, want.json_)}"
        elif want.body is not None:
            text = sent.content.decode("utf-8", "replace")
            if (
                sorted(parse_qsl(text, keep_blank_values=True))
                != sorted(parse_qsl(want.body, keep_blank_values=True))
                and text != want.body
            ):
                return f"the request body {text!r} differs from the fixture's {want.body!r}"
        return None

    # ---------------------------------------------------------------- contract

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
        problem = expect_success(outcome, 2, what)
        if problem:
            return problem
        if outcome.sleeps != [wait]:
            return (
                f"{what} the client waited {outcome.sleeps} s on the virtual clock; it must "
                f"wait exactly {wait:g} s, then retry"
            )
        return None

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

    def _page_item_schema(self, op: Operation, pointer: str) -> SchemaNode | None:
        node = self._schema_at(op, pointer)
        return node.items if node is not None else None

    def pagination(self, ctx: OpContext, *, repeat: bool) -> str | None:
        """Three pages are all fetched; a repeated cursor stops the iteration."""
        op = ctx.op
        settings = self.spec.pagination[op.pagination or ""]
        item_schema = self._page_item_schema(op, settings.items)
        base_item = example(self.spec, item_schema) if item_schema is not None else {}
        base_body = ctx.body if isinstance(ctx.body, dict) else (success_body(self.spec, op) or {})
        url = self.harness.new_client(ctx.environment)[0].base_url.rstrip("/") + op.path
        numbered = isinstance(settings, OffsetPagination | PageNumberPagination)
        totals = isinstance(settings, OffsetPagination) and settings.total is not None
        totals = totals or (
            isinstance(settings, PageNumberPagination) and bool(settings.total_pages)
        )
        # a full page keeps offset/page strategies going when they stop on a short page
        full = settings.page_size if numbered and settings.page_size and not totals else 1
        if isinstance(settings, CursorPagination) and settings.cursor_from_last_item:
            full = 2  # the cursor must come from the last item, so make it differ from the first

        def page(index: int, last: bool) -> Served:
            body = copy.deepcopy(base_body)
            token = f"tok_{1 if repeat else index}"
            count = 1 if last and full > 1 else full
            items = []
            for position in range(count):
                item = copy.deepcopy(base_item)
                if isinstance(settings, CursorPagination) and settings.cursor_from_last_item:
                    mark = token if position == count - 1 else f"{token}_{position}"
                    item = set_pointer(
                        item if isinstance(item, dict) else {}, settings.cursor_from_last_item, mark
                    )
                items.append(item)
            set_pointer(body, settings.items, items)
            headers: dict[str, str] = {}
            if isinstance(settings, CursorPagination):
                if settings.next_cursor:
                    set_pointer(body, settings.next_cursor, "" if last else token)
                if settings.has_more:
                    set_pointer(body, settings.has_more, not last)
            elif isinstance(settings, LinkHeaderPagination):
                if not last:
                    headers["Link"] = f'<{url}?page={token}>; rel="{settings.rel}"'
            elif isinstance(settings, OffsetPagination) and settings.total:
                set_pointer(body, settings.total, 3)
            elif isinstance(settings, PageNumberPagination) and settings.total_pages:
                set_pointer(body, settings.total_pages, 3)
            return Served.json_body(op.response.status, body, headers)

        if repeat:
            outcome = self.run(ctx, [page(1, False)], repeat_last=True, iterate=True)
            if outcome.harness_problem and "more than" in outcome.harness_problem:
                return (
                    "the client kept asking for the same next page (cursor 'tok_1') "
                    f"and sent {len(outcome.requests)} requests; it must stop when a "
                    "cursor repeats"
                )
            return expect_success(outcome, 2, "with a repeated cursor")

        if isinstance(settings, CursorPagination):
            stops_itself = not (settings.cursor_from_last_item and not settings.has_more)
        elif isinstance(settings, LinkHeaderPagination):
            stops_itself = True
        else:
            stops_itself = totals or full > 1
        script = [page(1, False), page(2, False), page(3, True)]
        if not stops_itself:
            if not settings.stop_on_empty_page:
                raise Skip("this pagination has no stop condition the harness can script")
            empty = copy.deepcopy(base_body)
            set_pointer(empty, settings.items, [])
            script.append(Served.json_body(op.response.status, empty))
        expected = 3 if stops_itself else 4
        outcome = self.run(ctx, script, iterate=True)
        problem = expect_success(outcome, expected, "over three pages")
        if problem:
            return problem
        items = outcome.result or []
        want_items = 2 * full + 1 if full > 1 else 3
        if len(items) != want_items:
            return f"over three pages of {want_items} items the client yielded {len(items)} items"
        for number in (2, 3):
            query = query_of(outcome.requests[number - 1].url)
            if isinstance(settings, CursorPagination):
                name, want = settings.cursor_param, f"tok_{number - 1}"
            elif isinstance(settings, OffsetPagination):
                name, want = settings.offset_param, str((number - 1) * full)
            elif isinstance(settings, PageNumberPagination):
                name, want = settings.page_param, str(settings.start_page + number - 1)
            else:
                name, want = "page", f"tok_{number - 1}"
            if query.get(name) != [want]:
                return (
                    f"request {number} must carry {name}={want} for page {number}; "
                    f"its query was {query}"
                )
        return None

    # ---------------------------------------------------------------- determinism

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
                    set_pointer(
                        changed,
                        pointer,
                        found + 1 if isinstance(found, int) else found + "_replayed",
                    )
            second = Served(ctx.happy.status, ctx.happy.headers, json.dumps(changed).encode())
        first_run = self.run(ctx, [ctx.happy])
        second_run = self.run(ctx, [second])
        for outcome in (first_run, second_run):
            problem = expect_success(outcome, 1, "replaying the happy path")
            if problem:
                return problem
        header = ctx.op.idempotency.header if ctx.op.idempotency else None
        difference = _first_difference(first_run.requests[0], second_run.requests[0], header)
        if difference:
            return f"two identical calls sent different requests: {difference}"
        a = mask_pointers(dump_result(first_run.result), volatile)
        b = mask_pointers(dump_result(second_run.result), volatile)
        if canonical_bytes(a) != canonical_bytes(b):
            masked = f" after masking {', '.join(volatile)}" if volatile else ""
            return (
                f"two identical calls gave different results{masked} "
                f"(RFC 8785 canonical JSON, mode {mode}): {_diff(a, b)}"
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
                    f"({_count(len(outcome.requests))}) although the operation has no "
                    "idempotency mechanism: the write may happen twice"
                )
        return None


def _diff(a: Any, b: Any, where: str = "") -> str:
    """Where two JSON values first differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted({*a, *b}):
            if key not in a:
                return f"{where}/{key} is missing"
            if key not in b:
                return f"{where}/{key} is unexpected"
            if canonical_bytes(a[key]) != canonical_bytes(b[key]):
                return _diff(a[key], b[key], f"{where}/{key}")
        return "no difference"
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            if canonical_bytes(x) != canonical_bytes(y):
                return _diff(x, y, f"{where}/{index}")
    return f"{where or '/'}: {json.dumps(a)[:80]} vs {json.dumps(b)[:80]}"
