"""Secrets that never show themselves: not in repr, str, logs or error messages."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping

from .errors import ConfigurationError
from .tokens import redact_tokens

REDACTED = "<redacted>"


class Secret:
    """A credential value; use :meth:`reveal` only where it is sent."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret value itself."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('<redacted>')"

    def __str__(self) -> str:
        return REDACTED

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


SecretLookup = Callable[[str], "str | None"]


class SecretResolver:
    """Finds secret values by the names a spec uses (env variables or store keys)."""

    def __init__(
        self,
        credentials: Mapping[str, str] | None = None,
        *,
        store: SecretLookup | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._credentials = dict(credentials or {})
        self._store = store
        self._environ = os.environ if environ is None else environ

    def env(self, name: str) -> Secret:
        """The secret named ``name``: from ``credentials``, else the environment."""
        value = self._credentials.get(name)
        if value is None:
            value = self._environ.get(name)
        if not value:
            raise ConfigurationError(
                f"credential {name} is not set: pass credentials={{'{name}': ...}} "
                f"or set the environment variable {name}"
            )
        return Secret(value)

    def store(self, key: str) -> Secret:
        """The secret stored under ``key``: from ``credentials``, else the secret store."""
        value = self._credentials.get(key)
        if value is None and self._store is not None:
            value = self._store(key)
        if not value:
            raise ConfigurationError(
                f"secret {key!r} was not found: pass credentials={{'{key}': ...}} "
                "or a secret_store callable that knows it"
            )
        return Secret(value)


class Redactor:
    """Replaces every known secret value, and anything in a known credential format
    (:mod:`.tokens`), in a text with a marker."""

    def __init__(self, secrets: Iterable[Secret] = ()) -> None:
        self._values = sorted({s.reveal() for s in secrets if len(s.reveal()) >= 4}, key=len)
        self._values.reverse()

    def add(self, secret: Secret) -> None:
        """Also redact ``secret`` from now on."""
        value = secret.reveal()
        if len(value) >= 4 and value not in self._values:
            self._values.append(value)
            self._values.sort(key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for value in self._values:
            if value in text:
                text = text.replace(value, REDACTED)
        return redact_tokens(text, REDACTED)
