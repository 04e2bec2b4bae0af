"""Fixture replay: a written or recorded exchange, compared field by field."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

from certify.canonical import canonical_bytes
from certify.fixtures import ANY, REDACTED, Fixture
from certify.harness import SentRequest, Served, query_of
from certify.matrix.core import (
    MatrixBase,
    OpContext,
    dump_result,
    expect_error,
    expect_success,
    json_diff,
    served_from_fixture,
)


class FixtureChecks(MatrixBase):
    """Replays fixtures."""

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
                difference = json_diff(got, expect.result)
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
                return f"the JSON request body differs: {json_diff(body, want.json_)}"
        elif want.body is not None:
            text = sent.content.decode("utf-8", "replace")
            if (
                sorted(parse_qsl(text, keep_blank_values=True))
                != sorted(parse_qsl(want.body, keep_blank_values=True))
                and text != want.body
            ):
                return f"the request body {text!r} differs from the fixture's {want.body!r}"
        return None
