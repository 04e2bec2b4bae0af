"""Per-call options and raw access: ``extra_headers``/``timeout``/``max_retries`` of one call,
and :class:`RawResponse`, what ``client.<resource>.with_raw_response.<method>(...)`` returns.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, ParamSpec, TypeVar, cast

import httpx

from .errors import ConfigurationError

T = TypeVar("T")
P = ParamSpec("P")


def as_timeout(value: float | httpx.Timeout | None, what: str) -> httpx.Timeout | None:
    """``value`` (seconds, or an ``httpx.Timeout``) as an ``httpx.Timeout``; refuse nonsense."""
    if value is None or isinstance(value, httpx.Timeout):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigurationError(
            f"{what} must be a positive number of seconds or an httpx.Timeout, not {value!r}"
        )
    return httpx.Timeout(float(value))


def check_retries(value: int | None, what: str) -> int | None:
    """``value`` if it is a usable retry count (0 = no retries)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ConfigurationError(f"{what} must be a whole number from 0 to 100, not {value!r}")
    return value


@dataclass(frozen=True)
class RequestOptions:
    """Overrides for one call: headers added last, its own timeout and retry budget."""

    extra_headers: Mapping[str, str] | None = None
    timeout: httpx.Timeout | None = None
    max_retries: int | None = None

    @classmethod
    def of(
        cls,
        extra_headers: Mapping[str, str] | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int | None,
    ) -> RequestOptions:
        """Checked options from a generated method's keyword arguments."""
        if extra_headers is not None and not all(
            isinstance(k, str) and isinstance(v, str) for k, v in extra_headers.items()
        ):
            raise ConfigurationError("extra_headers must map header names to string values")
        return cls(
            extra_headers=extra_headers,
            timeout=as_timeout(timeout, "timeout"),
            max_retries=check_retries(max_retries, "max_retries"),
        )


NO_OPTIONS = RequestOptions()


def check_http_setup(
    transport: object, http_client: object, *, asynchronous: bool, client: str
) -> None:
    """Refuse ``transport=`` together with ``http_client=``, and a client of the other kind."""
    if http_client is None:
        return
    if transport is not None:
        raise ConfigurationError(
            "pass transport= or http_client=, not both: a client you supply keeps its own "
            "transport (create it with transport=...)"
        )
    send = getattr(http_client, "send", None)
    if send is None or inspect.iscoroutinefunction(send) != asynchronous:
        wanted = "httpx.AsyncClient" if asynchronous else "httpx.Client"
        other = client[5:] if asynchronous else f"Async{client}"
        raise ConfigurationError(
            f"http_client must be an {wanted} for {client} (or use {other} with the other kind)"
        )


class RawResponse(Generic[T]):
    """A successful response as it came: status, headers and body, with :meth:`parse` for the
    typed result (validated exactly as the plain method would)."""

    def __init__(self, response: httpx.Response, parse: Callable[[], T]) -> None:
        self.http_response = response
        self._parse = parse

    @property
    def status_code(self) -> int:
        """The HTTP status code."""
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The response headers."""
        return self.http_response.headers

    @property
    def content(self) -> bytes:
        """The raw body."""
        return self.http_response.content

    @property
    def text(self) -> str:
        """The body as text."""
        return self.http_response.text

    def json(self) -> Any:
        """The body as plain JSON data."""
        return json.loads(self.http_response.content)

    def parse(self) -> T:
        """The typed result (raises ``DecodeError`` when the body does not match the schema)."""
        return self._parse()

    def __repr__(self) -> str:
        return f"<RawResponse [{self.status_code}]>"


def to_raw(method: Callable[P, T]) -> Callable[P, RawResponse[T]]:
    """``method`` of a resource bound to a raw engine, typed as returning :class:`RawResponse`."""

    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        return cast(RawResponse[T], method(*args, **kwargs))

    return wrapped


def to_async_raw(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[RawResponse[T]]]:
    """:func:`to_raw` for an async method."""

    @functools.wraps(method)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        return cast(RawResponse[T], await method(*args, **kwargs))

    return wrapped
