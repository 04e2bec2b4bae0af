"""Secret-looking values: known token formats, secret-named keys and high-entropy strings.

These are the helpers behind the CEL functions ``looks_secret``, ``entropy`` and
``secrets_in`` (see :mod:`policies.celenv`).
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from typing import Any

from connector_spec.secrets import SHORTEST_TOKEN, TOKEN_PATTERNS, find_token

__all__ = ["TOKEN_PATTERNS", "entropy", "looks_secret", "secret_reason", "secrets_in"]

# Mapping keys whose string value is a secret unless it is redacted.
SECRET_KEY = re.compile(
    r"(?i)^(?:password|passwd|pwd|secret|client[_-]?secret|api[_-]?key|x-api-key|"
    r"access[_-]?token|refresh[_-]?token|auth[_-]?token|token|private[_-]?key|"
    r"authorization|proxy-authorization|cookie|set-cookie)$"
)
REDACTED = re.compile(r"(?i)^\s*(?:<redacted>|\[redacted\]|redacted|\*+|x+|<[a-z_ -]+>)?\s*$")

ENTROPY_MIN_LENGTH = 24
ENTROPY_THRESHOLD = 4.0
_TOKEN_SPLIT = re.compile(r"[\s\"'`,;:=&?/\\()<>{}\[\]|]+")
_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9+_.~-]+$")
# ``ch_3MmlLrLkdIwHu7ix0snN`` style object ids are random by design, not credentials.
_OBJECT_ID = re.compile(r"^[a-z]{1,6}_[A-Za-z0-9]+$")
# ``n8n-nodes-base.facebookGraphApi``: an n8n node type (``sources.n8n.node``), not a secret.
_N8N_NODE_TYPE = re.compile(r"^n8n-nodes-[a-z]+\.[A-Za-z][A-Za-z0-9]*$")


def entropy(text: str) -> float:
    """Shannon entropy of ``text`` in bits per character (0.0 for the empty string)."""
    if not text:
        return 0.0
    length = len(text)
    return -sum(n / length * math.log2(n / length) for n in Counter(text).values())


def _high_entropy_token(text: str) -> str | None:
    for token in _TOKEN_SPLIT.split(text):
        if len(token) < ENTROPY_MIN_LENGTH or not _TOKEN_CHARS.match(token):
            continue
        if _OBJECT_ID.match(token) or _N8N_NODE_TYPE.match(token):
            continue
        has_digit = any(c.isdigit() for c in token)
        has_upper = any(c.isupper() for c in token)
        has_lower = any(c.islower() for c in token)
        if has_digit and has_upper and has_lower and entropy(token) >= ENTROPY_THRESHOLD:
            return token
    return None


_SHORTEST_TOKEN = SHORTEST_TOKEN


@functools.lru_cache(maxsize=65536)
def secret_reason(value: str, key: str | None = None) -> str | None:
    """Why ``value`` (found under mapping key ``key``) looks like a secret, or None."""
    token = find_token(value)
    if token is not None:
        return token[0]
    if key is not None and SECRET_KEY.match(key) and not REDACTED.match(value):
        return f"value of {key!r} is not redacted"
    if len(value) >= ENTROPY_MIN_LENGTH and _high_entropy_token(value) is not None:
        return f"high-entropy string (>= {ENTROPY_THRESHOLD} bits/char)"
    return None


def looks_secret(value: str) -> bool:
    """True when ``value`` matches a credential format or is a high-entropy token."""
    return secret_reason(value) is not None


SCHEMA_ANNOTATIONS = frozenset(
    {"enum", "const", "pattern", "examples", "example", "default", "$ref", "required"}
)
"""Keys whose values describe data rather than hold it: only known token formats count there."""
SCHEMA_KEYS = frozenset(
    {"schemas", "schema", "properties", "items", "additionalProperties", "oneOf", "anyOf", "allOf"}
)
"""Keys below which a spec holds JSON Schemas, whose ``description`` and ``title`` describe too."""
_SCHEMA_PROSE = frozenset({"description", "title"})
PROSE_KEYS = frozenset({"description", "summary", "title", "display_name", "docs_url"})
"""Documentation a spec copies from the provider's public description: the paths of the links
in it are public addresses (a CamelCase file name, a public invite link), so the entropy rule
reads it with every ``http(s)://host/path`` left out (queries stay: ``?key=...`` counts)."""
_URL_PATH = re.compile(r"https?://[^\s?#\"'<>()\[\]]+")


def secrets_in(data: Any, path: str = "", *, schema_aware: bool = False) -> list[str]:
    """``"path: reason"`` for every secret-looking string inside ``data`` (maps, lists).

    With ``schema_aware`` (a connector spec), values under a JSON Schema annotation key
    (:data:`SCHEMA_ANNOTATIONS`: enum values, patterns, examples, defaults, ``$ref`` and
    ``required`` names; inside a schema also ``description`` and ``title``) are checked against the
    known credential formats only: such strings are random-looking by nature (ids, regular
    expressions, long schema names, sample hashes), so the entropy and key-name rules would
    report them falsely. In documentation (:data:`PROSE_KEYS`) the paths of links are left
    out of the entropy rule.
    """
    found: list[str] = []
    _walk(data, path, None, found, schema_aware)
    return found


def _walk(data: Any, path: str, key: str | None, found: list[str], schema_aware: bool) -> None:
    stack: list[tuple[Any, str, str | None, bool, bool]] = [(data, path, key, False, False)]
    while stack:
        value, where, name, described, in_schema = stack.pop()
        if isinstance(value, str):
            if described:
                token = find_token(value)
                if token is not None:
                    found.append(f"{where or '<root>'}: {token[0]}")
                continue
            if len(value) < _SHORTEST_TOKEN and (name is None or not _secret_key(name)):
                continue
            if schema_aware and name in PROSE_KEYS:
                token = find_token(value)
                reason = token[0] if token else secret_reason(_URL_PATH.sub(" ", value), name)
            else:
                reason = secret_reason(value, name)
            if reason is not None:
                found.append(f"{where or '<root>'}: {reason}")
        elif isinstance(value, dict):
            for child_key, child in reversed(value.items()):
                text = str(child_key)
                inner = described or (
                    schema_aware
                    and (text in SCHEMA_ANNOTATIONS or (in_schema and text in _SCHEMA_PROSE))
                )
                schema = in_schema or (schema_aware and text in SCHEMA_KEYS)
                stack.append((child, f"{where}.{text}" if where else text, text, inner, schema))
        elif isinstance(value, list):
            for index in range(len(value) - 1, -1, -1):
                stack.append((value[index], f"{where}[{index}]", None, described, in_schema))


@functools.lru_cache(maxsize=4096)
def _secret_key(name: str) -> bool:
    return SECRET_KEY.match(name) is not None
