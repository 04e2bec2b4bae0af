"""Known credential formats: the one list certification's leak check, the policy gate and
generated clients share (defined in :mod:`connector_spec.runtime.tokens`, which generated
packages carry).

Each entry names a kind of credential and a regular expression that finds it anywhere in a
string. :func:`find_token` returns the first kind found. ``tests/hardening/test_secret_patterns.py``
holds one real-format sample per kind.
"""

from __future__ import annotations

from connector_spec.runtime.tokens import ANY_TOKEN as _ANY_TOKEN
from connector_spec.runtime.tokens import SHORTEST_TOKEN, TOKEN_PATTERNS

__all__ = ["SHORTEST_TOKEN", "TOKEN_PATTERNS", "find_token"]


def find_token(text: str) -> tuple[str, str] | None:
    """The kind and the matched text of the first credential format in ``text``, or None."""
    if len(text) < SHORTEST_TOKEN or _ANY_TOKEN.search(text) is None:
        return None
    for name, pattern in TOKEN_PATTERNS:
        match = pattern.search(text)
        if match is not None:
            return name, match.group(0)
    return None  # pragma: no cover - _ANY_TOKEN matched, so one pattern does
