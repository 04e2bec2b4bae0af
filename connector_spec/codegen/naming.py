"""Python names for spec names: identifiers, class names, keyword-safe fields."""

from __future__ import annotations

import keyword
import re

from pydantic import BaseModel

_RESERVED = set(dir(BaseModel)) | {"self", "cls", "Any", "Literal", "Field", "BaseModel"}


def snake(name: str) -> str:
    """``conversations.list`` / ``dataSet`` → ``conversations_list`` / ``data_set``."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    text = re.sub(r"\W+", "_", text).strip("_").lower()
    if not text:
        text = "field"
    if text[0].isdigit():
        text = f"n_{text}"
    return text


def python_identifier(name: str) -> str:
    """A safe snake_case Python identifier for a field or argument called ``name``."""
    text = snake(name)
    if keyword.iskeyword(text) or text in _RESERVED or text.startswith("model_"):
        text = f"{text}_"
    return text


def camel(name: str) -> str:
    """``create_charge`` / ``email-address`` → ``CreateCharge`` / ``EmailAddress``."""
    parts = re.split(r"[^A-Za-z0-9]+", name)
    text = "".join(p[:1].upper() + p[1:] for p in parts if p)
    if not text or text[0].isdigit():
        text = f"M{text}"
    return text
