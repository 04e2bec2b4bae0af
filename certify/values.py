"""Synthesized values that honour the schema: ``pattern``, ``format``, and checked examples.

Certification builds call arguments and response bodies from a spec's schemas. A value the
schema itself forbids (a string that does not match its ``pattern``, an ``email`` without an
``@``, an ``example`` copied from a provider description that breaks its own schema) would
make a correct client look broken, so every value here is checked with ``jsonschema``
(formats included) before it is used; strings for a ``pattern`` come from ``rstr``.
"""

from __future__ import annotations

import functools
import random
import re
from typing import Any

import rstr
from jsonschema import Draft202012Validator, FormatChecker

from connector_spec.jsonschema_subset import SchemaNode
from connector_spec.model import ConnectorSpec

#: A known-good value for each common string ``format``.
FORMAT_EXAMPLES: dict[str, str] = {
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "date-time": "2026-01-01T00:00:00Z",
    "date": "2026-01-01",
    "time": "12:00:00Z",
    "duration": "P1D",
    "uuid": "123e4567-e89b-42d3-a456-426614174000",
    "uri": "https://example.com/x",
    "url": "https://example.com/x",
    "uri-reference": "https://example.com/x",
    "iri": "https://example.com/x",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "eA==",
    "binary": "x",
    "password": "x",
    "int64": "1",
    "int32": "1",
}
_CHECKER = FormatChecker()
_ATTEMPTS = 20


def json_schema(spec: ConnectorSpec, node: SchemaNode) -> dict[str, Any]:
    """``node`` as a JSON Schema document whose ``#/schemas/<Name>`` references resolve."""
    document = node.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
    document["schemas"] = {
        name: schema.model_dump(
            mode="json", by_alias=True, exclude_none=True, exclude_defaults=True
        )
        for name, schema in spec.schemas.items()
    }
    return document


def conforms(spec: ConnectorSpec, node: SchemaNode, value: Any) -> bool:
    """True when ``value`` is valid for ``node`` (``format`` checked where jsonschema can)."""
    if node.is_nullable() and value is None:
        return True
    try:
        validator = Draft202012Validator(json_schema(spec, node), format_checker=_CHECKER)
        return bool(validator.is_valid(value))
    except Exception:  # a schema jsonschema cannot read: do not trust the value either
        return False


@functools.lru_cache(maxsize=1024)
def _pattern_candidates(pattern: str) -> tuple[str, ...]:
    generator = rstr.Rstr(random.Random(0))
    found = []
    for _ in range(_ATTEMPTS):
        try:
            found.append(generator.xeger(pattern))
        except Exception:  # a construct rstr cannot generate from
            break
    return tuple(found)


def _length_ok(node: SchemaNode, text: str) -> bool:
    return (node.min_length is None or len(text) >= node.min_length) and (
        node.max_length is None or len(text) <= node.max_length
    )


def string_example(node: SchemaNode) -> str:
    """A string that satisfies ``node``'s ``format``, ``pattern`` and length limits."""
    candidates: list[str] = []
    if node.format in FORMAT_EXAMPLES:
        candidates.append(FORMAT_EXAMPLES[node.format or ""])
    if node.pattern is not None:
        candidates += _pattern_candidates(node.pattern)
    candidates.append("x" * max(1, node.min_length or 0))
    found = _first_valid(node, candidates, None)
    if found is None and node.pattern is not None:
        # rstr repeats '+' and '*' up to 100 times: under a maxLength, search within it
        from certify.provider.instances import matching

        bounded = matching(node.pattern, node.min_length or 0, node.max_length)
        found = _first_valid(node, [bounded], None) if bounded is not None else None
    return found or candidates[0]


def _first_valid(node: SchemaNode, candidates: list[str], other_than: str | None) -> str | None:
    """The first candidate (not ``other_than``) within the length, pattern and format."""
    for text in candidates:
        if text == other_than or not _length_ok(node, text):
            continue
        if node.pattern is not None and not _matches(node.pattern, text):
            continue
        if node.format is not None and not _CHECKER.conforms(text, node.format):
            continue
        return text
    return None


def changed_value(node: SchemaNode | None, value: str | int) -> str | int:
    """Another value than ``value`` that ``node`` still allows (a volatile field that changed).

    Numbers go up by one (within ``maximum``); strings get a suffix, or, when a ``pattern``
    or ``format`` constrains them, another string that satisfies it (``value`` itself when
    none can be found).
    """
    if isinstance(value, int):
        if node is not None and node.maximum is not None and value + 1 > node.maximum:
            return value - 1
        return value + 1
    if node is None or (node.pattern is None and node.format is None):
        return value + "_replayed"
    candidates = [value + "_replayed", *_pattern_candidates(node.pattern or "")]
    return _first_valid(node, candidates, value) or value


def _matches(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return True  # a pattern Python cannot read is not ours to enforce here
