"""Errors raised by generated clients, all under :class:`ConnectorError`."""

from __future__ import annotations


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
    ) -> None:
        super().__init__(message)
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
