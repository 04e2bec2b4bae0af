"""Python names for spec names: identifiers, class names, keyword-safe fields."""

from __future__ import annotations

import re
from collections.abc import Iterable

from connector_spec.naming import python_identifier, snake

__all__ = ["camel", "import_order", "python_identifier", "snake"]


def camel(name: str) -> str:
    """``create_charge`` / ``email-address`` → ``CreateCharge`` / ``EmailAddress``."""
    parts = re.split(r"[^A-Za-z0-9]+", name)
    text = "".join(p[:1].upper() + p[1:] for p in parts if p)
    if not text or text[0].isdigit():
        text = f"M{text}"
    return text


def _natural_parts(text: str) -> list[tuple[int, int, str]]:
    """natord's key (what ruff sorts by): numbers by value, but a number with a leading zero
    first and compared digit by digit."""
    parts: list[tuple[int, int, str]] = []
    for index, part in enumerate(re.split(r"(\d+)", text)):
        if index % 2 == 0 or part.startswith("0"):
            parts.append((0, 0, part))
        else:
            parts.append((1, int(part), ""))
    return parts


def import_order(names: Iterable[str], *, case_sensitive: bool = False) -> list[str]:
    """``names`` in the order ruff writes the members of one ``from`` import (isort:
    CONSTANTS, then Classes, then others, each case-insensitively with numbers by value), or
    with ``case_sensitive`` the order of an ``__all__`` list (RUF022)."""

    def key(name: str) -> tuple[int, list[tuple[int, int, str]], str]:
        rank = 0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2
        text = name if case_sensitive else name.lower()
        return rank, _natural_parts(text), name

    return sorted(names, key=key)
