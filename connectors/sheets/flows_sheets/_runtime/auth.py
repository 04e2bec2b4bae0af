"""Credentials applied to requests: API key, bearer, basic, OAuth2."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx

from .errors import AuthError, ServerError
from .secrets import Secret

#: How many superseded tokens an OAuth2 auth keeps redacting.
MAX_RETIRED_SECRETS = 16


class Auth:
    """No credentials. Subclasses add them to each request."""

    def secrets(self) -> list[Secret]:
        """Every secret this auth sends (for redaction)."""
        return []

    def needs_token(self, now: float) -> bool:
        """True when an access token must be fetched before the next request."""
        return False

    def token_request(self) -> httpx.Request:
        """The request that fetches an access token (OAuth2 only)."""
        raise NotImplementedError

    def accept_token(self, response: httpx.Response, now: float) -> None:
        """Store the token from a token-endpoint response (OAuth2 only)."""
        raise NotImplementedError

    def apply(self, request: httpx.Request) -> None:
        """Add credentials to ``request`` in place."""

    def invalidate(self) -> None:
        """Forget any cached access token (after the provider rejected it)."""


@dataclass
class ApiKeyAuth(Auth):
    """A static key in a header or a query parameter."""

    location: str
    name: str
    key: Secret
    prefix: str | None = None

    def secrets(self) -> list[Secret]:
        return [self.key]

    def apply(self, request: httpx.Request) -> None:
        value = f"{self.prefix} {self.key.reveal()}" if self.prefix else self.key.reveal()
        if self.location == "header":
            request.headers[self.name] = value
        elif self.location == "cookie":
            cookie = f"{self.name}={quote(value, safe='')}"
            existing = request.headers.get("Cookie")
            request.headers["Cookie"] = f"{existing}; {cookie}" if existing else cookie
        elif self.location == "path":
            placeholder = f"%7B{self.name}%7D".encode()
            filled = quote(value, safe=":").encode()
            request.url = request.url.copy_with(
                raw_path=request.url.raw_path.replace(placeholder, filled)
            )
        else:
            request.url = request.url.copy_merge_params({self.name: value})


@dataclass
class BearerAuth(Auth):
    """``Authorization: Bearer <token>`` (header and scheme configurable)."""

    token: Secret
    header: str = "Authorization"
    scheme: str = "Bearer"

    def secrets(self) -> list[Secret]:
        return [self.token]

    def apply(self, request: httpx.Request) -> None:
        request.headers[self.header] = f"{self.scheme} {self.token.reveal()}".strip()


@dataclass
class BasicAuth(Auth):
    """HTTP Basic authentication."""

    username: Secret
    password: Secret

    def secrets(self) -> list[Secret]:
        raw = f"{self.username.reveal()}:{self.password.reveal()}"
        return [self.username, self.password, Secret(_b64(raw))]

    def apply(self, request: httpx.Request) -> None:
        raw = f"{self.username.reveal()}:{self.password.reveal()}"
        request.headers["Authorization"] = f"Basic {_b64(raw)}"


@dataclass
class AllAuth(Auth):
    """Several static credentials sent together (every part applied to every request)."""

    parts: list[Auth]

    def secrets(self) -> list[Secret]:
        return [secret for part in self.parts for secret in part.secrets()]

    def apply(self, request: httpx.Request) -> None:
        for part in self.parts:
            part.apply(request)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@dataclass
class OAuth2Auth(Auth):
    """OAuth 2.0 client credentials or refresh-token grant, with a cached access token."""

    token_url: str
    client_id: Secret
    client_secret: Secret
    refresh_token: Secret | None = None
    scopes: list[str] = field(default_factory=list)
    client_auth: str = "basic"
    expiry_margin: float = 30.0
    _access: Secret | None = None
    _expires_at: float = 0.0
    # superseded access and refresh tokens stay redacted, the configured refresh token always
    _retired: list[Secret] = field(default_factory=list)
    _configured_refresh: Secret | None = None

    def __post_init__(self) -> None:
        self._configured_refresh = self.refresh_token

    def secrets(self) -> list[Secret]:
        found = [self.client_id, self.client_secret, *self._retired]
        if self._configured_refresh is not None:
            found.append(self._configured_refresh)
        if self.refresh_token is not None:
            found.append(self.refresh_token)
        if self._access is not None:
            found.append(self._access)
        return found

    def _retire(self, secret: Secret | None) -> None:
        if secret is None:
            return
        self._retired.append(secret)
        if len(self._retired) > MAX_RETIRED_SECRETS:
            del self._retired[0]

    def needs_token(self, now: float) -> bool:
        return self._access is None or now >= self._expires_at - self.expiry_margin

    def invalidate(self) -> None:
        """Forget the cached access token: the next call fetches a new one."""
        self._retire(self._access)
        self._access = None

    def token_request(self) -> httpx.Request:
        data: dict[str, str] = {}
        if self.refresh_token is not None:
            data["grant_type"] = "refresh_token"
            data["refresh_token"] = self.refresh_token.reveal()
        else:
            data["grant_type"] = "client_credentials"
        if self.scopes:
            data["scope"] = " ".join(self.scopes)
        headers = {"Accept": "application/json"}
        if self.client_auth == "basic":
            raw = f"{self.client_id.reveal()}:{self.client_secret.reveal()}"
            headers["Authorization"] = f"Basic {_b64(raw)}"
        else:
            data["client_id"] = self.client_id.reveal()
            data["client_secret"] = self.client_secret.reveal()
        return httpx.Request("POST", self.token_url, data=data, headers=headers)

    def accept_token(self, response: httpx.Response, now: float) -> None:
        if response.status_code >= 500:
            raise ServerError(
                f"the token endpoint failed (HTTP {response.status_code})",
                status=response.status_code,
            )
        if response.status_code in (400, 401, 403):
            raise AuthError(
                f"the token endpoint refused the credentials (HTTP {response.status_code})",
                status=response.status_code,
            )
        try:
            payload = json.loads(response.content)
            token = payload["access_token"]
        except (ValueError, KeyError, TypeError):
            raise AuthError(
                "the token endpoint returned no access_token", status=response.status_code
            ) from None
        if not isinstance(token, str) or not token:
            raise AuthError("the token endpoint returned an empty access_token")
        self._retire(self._access)
        self._access = Secret(token)
        expires_in = payload.get("expires_in")
        self._expires_at = (
            now + float(expires_in) if isinstance(expires_in, int | float) else (now + 3600.0)
        )
        new_refresh = payload.get("refresh_token")
        if isinstance(new_refresh, str) and new_refresh and self.refresh_token is not None:
            self._retire(self.refresh_token)
            self.refresh_token = Secret(new_refresh)

    def apply(self, request: httpx.Request) -> None:
        if self._access is not None:
            request.headers["Authorization"] = f"Bearer {self._access.reveal()}"
