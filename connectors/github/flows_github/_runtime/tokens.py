"""Known credential formats, and redaction of them from text a generated client shows.

This is the one list of formats: :mod:`connector_spec.secrets` (certification's leak check,
the policy gate) re-exports it, and a generated client uses it to redact error bodies and
headers. ``tests/hardening/test_secret_patterns.py`` holds one real-format sample per kind.
"""

from __future__ import annotations

import re

TOKEN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("Stripe secret key", r"\b[sr]k_(?:live|test)_[0-9A-Za-z]{10,}"),
        ("Stripe webhook secret", r"\bwhsec_[0-9A-Za-z]{24,}"),
        ("Slack token", r"\bxox[abposre]-[0-9A-Za-z-]{10,}"),
        ("Slack app token", r"\bxapp-\d-[0-9A-Za-z-]{10,}"),
        ("GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})"),
        ("GitLab token", r"\bglpat-[A-Za-z0-9_-]{20,}"),
        ("npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
        ("AWS access key id", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
        ("SendGrid API key", r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"),
        ("Google API key", r"\bAIza[0-9A-Za-z_-]{35}"),
        ("private key", r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----"),
        ("JSON web token", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
        (
            "credential in an Authorization value",
            r"\b(?i:bearer|basic)\s+[A-Za-z0-9._~+/=-]{16,}",
        ),
        ("password in a URL", r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@"),
    )
)
"""(kind, pattern) of every credential format flows recognises."""

SHORTEST_TOKEN = 16
"""No pattern matches a string shorter than this (a cheap pre-filter)."""

ANY_TOKEN = re.compile("|".join(f"(?:{p.pattern})" for _, p in TOKEN_PATTERNS))


def redact_tokens(text: str, marker: str = "<redacted>") -> str:
    """``text`` with every substring in a known credential format replaced by ``marker``."""
    if len(text) < SHORTEST_TOKEN or ANY_TOKEN.search(text) is None:
        return text
    return ANY_TOKEN.sub(marker, text)
