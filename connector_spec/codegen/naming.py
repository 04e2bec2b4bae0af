"""Python names for spec names: identifiers, class names, keyword-safe fields."""

from __future__ import annotations

import re

from connector_spec.naming import python_identifier, snake

__all__ = ["camel", "python_identifier", "snake"]


def camel(name: str) -> str:
    """``create_charge`` / ``email-address`` → ``CreateCharge`` / ``EmailAddress``."""
    parts = re.split(r"[^A-Za-z0-9]+", name)
    text = "".join(p[:1].upper() + p[1:] for p in parts if p)
    if not text or text[0].isdigit():
        text = f"M{text}"
    return text
