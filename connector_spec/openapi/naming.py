"""Names a ConnectorSpec needs, derived stably from an OpenAPI description.

Provider slugs (``api.github.com`` → ``api-github-com``), operation ids and resources
(snake_case identifiers of at most 64 characters; a long name keeps a stable hash suffix),
schema names and secret environment variables.
"""

from __future__ import annotations

import hashlib
import re

from connector_spec.naming import snake

MAX_NAME = 64


def _shorten(text: str, limit: int, separator: str) -> str:
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return text[: limit - 9].rstrip("_-") + separator + digest


def slug(text: str, *, fallback: str = "api") -> str:
    """A provider slug: lowercase letters/digits joined by single ``-``, starting with a letter."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    value = "-".join(words) or fallback
    if not value[0].isalpha():
        value = f"api-{value}"
    value = _shorten(value, MAX_NAME, "-")
    return value if len(value) >= 2 else f"{value}-api"


def identifier(text: str, *, fallback: str = "op") -> str:
    """A spec identifier (``^[a-z][a-z0-9_]*$``, ≤ 64 characters) for ``text``."""
    value = re.sub(r"_+", "_", snake(text) if text else "").strip("_")
    value = re.sub(r"[^a-z0-9_]", "", value)
    if not value:
        value = fallback
    if not value[0].isalpha():
        value = f"n{value}" if value[0].isdigit() else f"{fallback}_{value}".strip("_")
    return _shorten(value, MAX_NAME, "_")


def operation_name(operation_id: str | None, method: str, path: str) -> str:
    """The base id of an operation: its ``operationId`` or ``<method>_<path words>``."""
    if operation_id:
        return identifier(operation_id)
    words = re.sub(r"\{([^}]*)\}", r"by \1", path)
    return identifier(f"{method} {words}")


def unique(base: str, used: set[str]) -> str:
    """``base``, or ``base_2``, ``base_3``... the first not in ``used`` (which is updated)."""
    name, counter = base, 2
    while name in used:
        suffix = f"_{counter}"
        name = base[: MAX_NAME - len(suffix)] + suffix
        counter += 1
    used.add(name)
    return name


def schema_name(component: str) -> str:
    """A spec schema name for a component name (letters, digits and ``_`` only)."""
    value = re.sub(r"[^A-Za-z0-9_]+", "_", component).strip("_") or "Schema"
    if value[0].isdigit():
        value = f"S{value}"
    return value[:100]


def env_name(provider: str, what: str) -> str:
    """An environment variable for a secret: ``STRIPE_COM_API_KEY``."""
    text = re.sub(r"[^A-Za-z0-9]+", "_", f"{provider}_{what}").strip("_").upper()
    return text if text and not text[0].isdigit() else f"X_{text}"
