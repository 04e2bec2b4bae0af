"""JSON pointers (RFC 6901) into an OpenAPI document, and its local ``$ref`` strings."""

from __future__ import annotations

from urllib.parse import unquote


def escape(token: str) -> str:
    """One reference token escaped for a JSON pointer (``~`` → ``~0``, ``/`` → ``~1``)."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """The inverse of :func:`escape`."""
    return token.replace("~1", "/").replace("~0", "~")


def join(pointer: str, *tokens: str | int) -> str:
    """``pointer`` extended by ``tokens``: ``join("/paths", "/pets")`` → ``/paths/~1pets``."""
    out = pointer
    for token in tokens:
        text = str(token)
        out += "/" + (escape(text) if "~" in text or "/" in text else text)
    return out


def split(pointer: str) -> list[str]:
    """The unescaped tokens of ``pointer`` (``""`` → ``[]``)."""
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"a JSON pointer starts with '/': {pointer!r}")
    return [unescape(token) for token in pointer[1:].split("/")]


def ref_pointer(ref: str) -> str | None:
    """The JSON pointer of a local ``$ref`` (``#/components/schemas/Pet``), else ``None``."""
    if not ref.startswith("#"):
        return None
    fragment = unquote(ref[1:])
    if fragment and not fragment.startswith("/"):
        return None
    return fragment


def component_name(pointer: str) -> tuple[str, str] | None:
    """``/components/<kind>/<name>`` → ``(kind, name)``; any other pointer → ``None``."""
    tokens = split(pointer) if pointer.startswith("/") else []
    if len(tokens) == 3 and tokens[0] == "components":
        return tokens[1], tokens[2]
    return None
