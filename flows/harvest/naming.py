"""Names: n8n camelCase identifiers to spec slugs, identifiers and environment variables."""

from __future__ import annotations

import re

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def words(name: str) -> list[str]:
    """``'activeCampaignAPI2'`` → ``['active', 'campaign', 'api2']``."""
    spaced = _CAMEL.sub(" ", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def slug(name: str) -> str:
    """A provider slug (``^[a-z][a-z0-9]*(-[a-z0-9]+)*$``, 2..64 chars)."""
    parts = words(name) or ["node"]
    text = "-".join(parts)
    if not text[0].isalpha():
        text = "n-" + text
    text = text[:64].rstrip("-")
    return text if len(text) >= 2 else text + "-api"


def identifier(name: str, *, fallback: str = "default") -> str:
    """A snake_case identifier (``^[a-z][a-z0-9_]*$``, at most 64 chars)."""
    parts = words(name)
    text = "_".join(parts) if parts else fallback
    if not text[0].isalpha():
        text = "n_" + text
    return text[:64].rstrip("_")


def env_name(provider: str, field: str) -> str:
    """``('active-campaign', 'apiKey')`` → ``ACTIVE_CAMPAIGN_API_KEY``."""
    return "_".join(words(provider) + words(field)).upper()[:128] or "SECRET"
