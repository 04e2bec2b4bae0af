"""Errors raised by generated clients, all under :class:`ConnectorError`.

An error from an HTTP response carries its ``status``, ``headers`` and ``body`` (JSON data,
or text when the body is not JSON), with credentials redacted. Error responses a spec
declares become subclasses (in the generated ``errors`` module) with typed accessors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:  # pydantic is imported on first use: importing a client stays fast
    from pydantic import BaseModel

M = TypeVar("M", bound="BaseModel")
T = TypeVar("T")


class ConnectorError(Exception):
    """Base class of every error a generated client raises."""

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        attempts: int | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.headers: dict[str, str] = dict(headers or {})
        self.body: Any = body
        self.message = message
        self.operation = operation
        self.status = status
        self.code = code
        self.request_id = request_id
        self.attempts = attempts

    def diagnostics(self) -> str:
        """A human explanation: what failed, the provider's words, and what to try."""
        parts = [self.message]
        facts = []
        if self.operation:
            facts.append(f"operation {self.operation}")
        if self.status is not None:
            facts.append(f"HTTP {self.status}")
        if self.code:
            facts.append(f"code {self.code}")
        if self.attempts:
            facts.append(f"after {self.attempts} attempt(s)")
        if self.request_id:
            facts.append(f"request id {self.request_id}")
        if facts:
            parts.append("(" + ", ".join(facts) + ")")
        hint = self.hint()
        if hint:
            parts.append(f"hint: {hint}")
        return " ".join(parts)

    def hint(self) -> str | None:
        """What the caller can do about it."""
        return None

    def body_field(self, pointer: str, kind: type[T]) -> T | None:
        """The value at JSON pointer ``pointer`` in :attr:`body` if it is a ``kind``, else None."""
        node: Any = self.body
        for token in pointer.split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                return None
        if kind is float and isinstance(node, int) and not isinstance(node, bool):
            node = float(node)
        if isinstance(node, kind) and not (kind is int and isinstance(node, bool)):
            return node
        return None

    def parse_body(self, model: type[M]) -> M | None:
        """:attr:`body` as ``model``, or None when it does not match."""
        if not isinstance(self.body, dict):
            return None
        from pydantic import ValidationError

        try:
            return model.model_validate(self.body)
        except ValidationError:
            return None


class DeclaredError:
    """Mixed into the error classes a spec declares (``errors:`` of an operation).

    ``code_pointer`` says where the provider's error code is in the body (``/error/code``):
    the engine copies it to ``code``.
    """

    code_pointer: ClassVar[str | None] = None


class ConfigurationError(ConnectorError):
    """The client was set up wrongly: a missing credential, an unknown environment."""


class RequestValidationError(ConnectorError):
    """The arguments of a call do not match the operation's request schema."""


class AuthError(ConnectorError):
    """The provider refused the credentials (HTTP 401/403 or an auth error code)."""

    def hint(self) -> str:
        return "check that the credential is valid and has the needed scopes"


class RateLimited(ConnectorError):
    """Too many requests (HTTP 429) and retries were exhausted or the wait was too long."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after

    def hint(self) -> str:
        if self.retry_after is not None:
            return f"the provider asked to wait {self.retry_after:g} s before retrying"
        return "slow down or raise the rate limit with the provider"


class ServerError(ConnectorError):
    """The provider failed (HTTP 5xx) and the call was not, or could not be, retried."""

    def hint(self) -> str:
        return "the provider had a problem; a later retry may succeed"


class ClientError(ConnectorError):
    """The provider rejected the request (another HTTP 4xx)."""


class TransportError(ConnectorError):
    """The request did not complete: timeout, refused or reset connection."""

    def hint(self) -> str:
        return "check network access to the provider and the configured timeouts"


class DecodeError(ConnectorError):
    """The response body was not valid JSON or did not match the response schema."""
