"""RFC 6901 JSON pointers (read-only lookups and masking)."""

from __future__ import annotations

import copy
from typing import Any

MISSING: Any = object()


def _tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def _step(current: Any, token: str) -> Any:
    if isinstance(current, dict):
        return current.get(token, MISSING)
    if isinstance(current, list) and token.isdigit() and int(token) < len(current):
        return current[int(token)]
    return MISSING


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The value at ``pointer`` in ``document``, or :data:`MISSING`."""
    current = document
    for token in _tokens(pointer):
        current = _step(current, token)
        if current is MISSING:
            return MISSING
    return current


def mask_pointers(document: Any, pointers: list[str], marker: str = "<volatile>") -> Any:
    """A copy of ``document`` with each pointed-at value (where present) replaced by ``marker``."""
    result = copy.deepcopy(document)
    for pointer in pointers:
        tokens = _tokens(pointer)
        if not tokens:
            return marker
        parent = result
        for token in tokens[:-1]:
            parent = _step(parent, token)
        last = tokens[-1]
        if isinstance(parent, dict) and last in parent:
            parent[last] = marker
        elif isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
            parent[int(last)] = marker
    return result
