"""The async client is certified with the same matrix: every scenario runs on both clients.

The sync client's outcome is judged by the check; the async client's must then be the same
in everything a caller or the provider can observe: the requests (idempotency keys compared
by their pattern of reuse, not their random values), the waits on the virtual clock, the
error class and message, and the typed results.
"""

from __future__ import annotations

import json
from typing import Any

from certify.harness import Outcome, SentRequest

Observed = list[tuple[str, Any]]


#: Headers whose values are compared; any other header is compared by name only (a value
#: that changes from call to call is the business of ``determinism.replay``).
COMPARED_HEADERS = frozenset(
    {"accept", "authorization", "content-type", "content-length", "user-agent"}
)


def _requests(
    requests: list[SentRequest], key_header: str | None, compared: frozenset[str]
) -> list[Any]:
    keys: dict[str, str] = {}
    seen = []
    header = (key_header or "").lower()
    for sent in requests:
        headers = {}
        for name, value in sent.headers.items():
            name = name.lower()
            if name == header:
                value = keys.setdefault(value, f"<key {len(keys) + 1}>")
            elif name not in compared:
                value = "<not compared>"
            headers[name] = value
        seen.append((sent.method, sent.url, sorted(headers.items()), sent.content, sent.timeout))
    return seen


def observed(
    outcome: Outcome, key_header: str | None, dump: Any, compared: frozenset[str] = COMPARED_HEADERS
) -> Observed:
    """What a caller and the provider can see of one scenario, in a comparable form."""
    error = None if outcome.error is None else f"{outcome.error_name}: {outcome.error}"
    try:
        results = json.dumps(
            dump(outcome.results), sort_keys=True, separators=(",", ":"), default=repr
        ).encode()
    except (TypeError, ValueError):
        results = repr(outcome.results).encode()
    return [
        ("requests", _requests(outcome.requests, key_header, compared)),
        ("waits on the virtual clock", outcome.sleeps),
        ("error", error),
        ("results", results),
        ("harness problem", outcome.harness_problem),
    ]


def async_difference(sync: Observed, asynchronous: Observed) -> str | None:
    """How the async client's scenario differs from the sync client's (``None``: it does not)."""
    for (what, mine), (_, theirs) in zip(sync, asynchronous, strict=True):
        if what == "requests" and mine != theirs:
            if len(mine) != len(theirs):
                return (
                    f"the async client sent {len(theirs)} request(s) where the sync client "
                    f"sent {len(mine)}"
                )
            for index, (a, b) in enumerate(zip(mine, theirs, strict=True), start=1):
                if a != b:
                    return (
                        f"request {index} of the async client differs from the sync client's: "
                        f"{b[0]} {b[1]} vs {a[0]} {a[1]}"
                        + ("" if a[:2] != b[:2] else " (headers, body or timeout differ)")
                    )
        if mine != theirs:
            if isinstance(mine, bytes):
                mine, theirs = (
                    mine.decode(errors="replace")[:120],
                    theirs.decode(errors="replace")[:120],
                )
            return f"the async client differs in {what}: {theirs!r} vs the sync client's {mine!r}"
    return None
