"""Run scripted scenarios against an imported connector package over httpx.MockTransport."""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import inspect
import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from certify.package import ImportedPackage
from connector_spec.model import ConnectorSpec, Operation, SecretRef, auth_schemes
from connector_spec.naming import client_method

REQUEST_CAP = 25
VIRTUAL_START = 1_767_225_600.0


@dataclass(frozen=True)
class Served:
    """One scripted reply: a response, or a transport failure (``timeout``/``connect_reset``)."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    content: bytes = b""
    error: str | None = None

    @classmethod
    def json_body(cls, status: int, body: Any, headers: dict[str, str] | None = None) -> Served:
        """A JSON response."""
        merged = {"Content-Type": "application/json", **(headers or {})}
        content = b"" if body is None else json.dumps(body).encode()
        return cls(status, tuple(merged.items()), content)

    @classmethod
    def success(cls, op: Operation, body: Any, *, raw: str | None = None) -> Served:
        """The success response of ``op`` carrying ``body``: JSON, or for a streamed response
        (``sse``/``ndjson``) a stream of one event; ``raw`` is sent as the body text instead."""
        if not op.response.streamed:
            if raw is not None:
                return cls.text_body(op.response.status, raw)
            return cls.json_body(op.response.status, body)
        event = raw if raw is not None else json.dumps(body)
        if op.response.content == "sse":
            content, kind = f"data: {event}\n\n", "text/event-stream"
        else:
            content, kind = f"{event}\n", "application/x-ndjson"
        return cls(op.response.status, (("Content-Type", kind),), content.encode())

    @classmethod
    def text_body(cls, status: int, text: str, headers: dict[str, str] | None = None) -> Served:
        """A raw text response."""
        merged = {"Content-Type": "application/json", **(headers or {})}
        return cls(status, tuple(merged.items()), text.encode())

    @classmethod
    def failure(cls, kind: str) -> Served:
        """A timeout or a connection reset."""
        return cls(error=kind)


@dataclass
class SentRequest:
    """What the client sent, as the harness saw it."""

    method: str
    url: str
    headers: dict[str, str]
    content: bytes
    call_index: int
    timeout: dict[str, float | None] | None = None

    def text(self) -> str:
        """Everything of the request as one text (for leak scans)."""
        head = "\n".join(f"{k}: {v}" for k, v in self.headers.items())
        return f"{self.method} {self.url}\n{head}\n\n{self.content.decode('utf-8', 'replace')}"


@dataclass
class Outcome:
    """What one scenario produced."""

    results: list[Any] = field(default_factory=list)
    error: BaseException | None = None
    requests: list[SentRequest] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)
    harness_problem: str | None = None

    @property
    def result(self) -> Any:
        """The last call's result."""
        return self.results[-1] if self.results else None

    @property
    def error_name(self) -> str | None:
        """The error's runtime class name (errors are compared by name across package copies;
        a class the spec declares, e.g. ``CardError``, counts as the runtime class it extends)."""
        if self.error is None:
            return None
        for cls in type(self.error).__mro__:
            if cls.__module__.endswith("_runtime.errors") and cls.__name__ != "DeclaredError":
                return cls.__name__
        return type(self.error).__name__

    def describe_error(self) -> str:
        """``ClassName: message`` of the error, or ``no error``."""
        if self.error is None:
            return "no error"
        return f"{type(self.error).__name__}: {self.error}"


def canary_for(name: str) -> str:
    """A deterministic fake credential for the secret called ``name``."""
    return "flwcanary" + hashlib.sha256(name.encode()).hexdigest()[:20]


def secret_refs(spec: ConnectorSpec) -> list[SecretRef]:
    """Every secret reference of the spec's auth block."""
    refs: list[SecretRef] = []
    for auth in auth_schemes(spec.auth):
        for name in ("secret", "username", "password", "client_id", "client_secret"):
            value = getattr(auth, name, None)
            if isinstance(value, SecretRef):
                refs.append(value)
        refresh = getattr(auth, "refresh_token", None)
        if isinstance(refresh, SecretRef):
            refs.append(refresh)
    return refs


class LogCapture(logging.Handler):
    """Keeps the text of every log record it sees."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a broken format string must not stop certification
            text = f"{record.msg!r} {record.args!r}"
        if record.exc_info and record.exc_info[1] is not None:
            text += f" {record.exc_info[1]}"
        self.texts.append(text)


class Harness:
    """One imported package, one mock transport; a fresh client per scenario."""

    def __init__(
        self,
        package: ImportedPackage,
        spec: ConnectorSpec,
        variables: Callable[[str | None], dict[str, str]] | None = None,
    ) -> None:
        self.package = package
        self.spec = spec
        self._variables = variables
        self.credentials = {
            (r.env or r.store or ""): canary_for(r.env or r.store or "") for r in secret_refs(spec)
        }
        self.access_token = canary_for("oauth-access-token")
        self.canaries = [*self.credentials.values(), self.access_token]
        self.token_url: str | None = getattr(spec.auth, "token_url", None)
        self._script: list[Served] = []
        self._repeat_last = False
        self._cap = REQUEST_CAP
        self._outcome = Outcome()
        self._call_index = 0
        self.all_requests: list[SentRequest] = []
        self.token_requests: list[SentRequest] = []
        self.http = DirectClient(self._handle)
        self._client_class = package.client_class()
        try:
            self._async_client_class: Any = package.async_client_class()
        except LookupError:
            self._async_client_class = None  # every async scenario then reports it missing
        self._loop: asyncio.AbstractEventLoop | None = None
        self.async_http = AsyncDirectClient(self._handle)
        clock_module = package.module("_runtime.clock")
        self._clock_class = clock_module.VirtualClock
        self._connector_error = package.errors.ConnectorError

    def variables_for(self, environment: str | None) -> dict[str, str]:
        """The server-variable values certification gives a client in ``environment``."""
        return self._variables(environment) if self._variables is not None else {}

    def close(self) -> None:
        """Close the event loop of the async scenarios."""
        if self._loop is not None:
            self._loop.close()
            self._loop = None

    # ---------------------------------------------------------------- transport

    def _handle(self, request: httpx.Request) -> httpx.Response:
        content = request.read()
        timeout = request.extensions.get("timeout")
        sent = SentRequest(
            request.method,
            str(request.url),
            dict(request.headers.items()),
            content,
            self._call_index,
            dict(timeout) if isinstance(timeout, dict) else None,
        )
        self.all_requests.append(sent)
        if self._is_token_grant(request, content):
            self.token_requests.append(sent)
            return httpx.Response(
                200,
                json={
                    "access_token": self.access_token,
                    "token_type": "bearer",
                    "expires_in": 3600,
                },
            )
        self._outcome.requests.append(sent)
        if len(self._outcome.requests) > self._cap:
            self._outcome.harness_problem = (
                f"the client sent more than {self._cap} requests for one scenario (a loop?)"
            )
            raise _Runaway()
        if self._script:
            served = (
                self._script.pop(0)
                if (len(self._script) > 1 or not self._repeat_last)
                else self._script[0]
            )
        else:
            self._outcome.harness_problem = (
                f"the client sent request {len(self._outcome.requests)} but the scenario "
                "scripts fewer responses"
            )
            raise _Runaway()
        if served.error == "timeout":
            raise httpx.ReadTimeout("timed out (scripted)", request=request)
        if served.error == "connect_reset":
            raise httpx.ReadError("connection reset by peer (scripted)", request=request)
        return httpx.Response(served.status, headers=list(served.headers), content=served.content)

    def _is_token_grant(self, request: httpx.Request, content: bytes) -> bool:
        """The runtime's own token request: a form POST to the token URL with a grant_type.

        The token URL may also be an operation of the API (Slack's ``oauth.access``); a call
        of that operation is served by the scenario like any other.
        """
        if self.token_url is None or str(request.url).split("?")[0] != self.token_url:
            return False
        if request.method != "POST":
            return False
        form = parse_qs(content.decode("utf-8", "replace"))
        return form.get("grant_type", [""])[0] in ("refresh_token", "client_credentials")

    # ---------------------------------------------------------------- running

    def new_client(
        self,
        environment: str | None = None,
        *,
        asynchronous: bool = False,
        rng: random.Random | None = None,
        own_http: bool = False,
        variables: dict[str, str] | None = None,
    ) -> tuple[Any, Any]:
        """A fresh client on a fresh virtual clock (and the clock).

        ``own_http`` lets the client build its own ``httpx`` client around the mock transport
        (its timeout and redirect settings as shipped) instead of sharing the harness's.
        """
        clock = self._clock_class(VIRTUAL_START)
        kwargs: dict[str, Any] = {
            "credentials": self.credentials,
            "clock": clock,
            "rng": rng if rng is not None else random.Random(0),
            "environment": environment,
            "variables": {
                **(self._variables(environment) if self._variables is not None else {}),
                **(variables or {}),
            }
            or None,
        }
        if own_http:
            kwargs["transport"] = httpx.MockTransport(self._handle)
        else:
            kwargs["http_client"] = self.async_http if asynchronous else self.http
        factory = self._async_client_class if asynchronous else self._client_class
        if factory is None:
            raise LookupError(f"{self.package.package} exports no async client class")
        return factory(**kwargs), clock

    def run(
        self,
        operation: str,
        resource: str,
        calls: list[dict[str, Any]],
        script: list[Served],
        *,
        repeat_last: bool = False,
        iterate: bool = False,
        environment: str | None = None,
        asynchronous: bool = False,
        rng: random.Random | None = None,
        own_http: bool = False,
        variables: dict[str, str] | None = None,
    ) -> Outcome:
        """Make ``calls`` (one client) against ``script``; collect what happened.

        The scenario stops once the client sent more than ``REQUEST_CAP`` requests per call.
        """
        self._cap = REQUEST_CAP * max(1, len(calls))
        self._script = list(script)
        self._repeat_last = repeat_last
        outcome = self._outcome = Outcome()
        client, clock = self.new_client(
            environment, asynchronous=asynchronous, rng=rng, own_http=own_http, variables=variables
        )
        attribute, name = client_method(self.spec.operations, operation, iterate=iterate)
        method: Callable[..., Any] = getattr(getattr(client, attribute), name)
        try:
            for index, call in enumerate(calls):
                self._call_index = index
                if asynchronous:
                    value = self._event_loop().run_until_complete(_await(method(**call), iterate))
                else:
                    value = method(**call)
                    if iterate or inspect.isgenerator(value):  # a pager or a stream
                        value = list(value)
                outcome.results.append(value)
        except _Runaway:
            pass
        except self._connector_error as exc:
            outcome.error = exc
        except Exception as exc:  # the client raised something it should not
            outcome.error = exc
            if outcome.harness_problem is None:
                outcome.harness_problem = (
                    f"the client raised {type(exc).__name__} ({exc}), which is not one of "
                    "its ConnectorError classes"
                )
        finally:
            if own_http:
                closing = client.aclose() if asynchronous else None
                if closing is not None:
                    self._event_loop().run_until_complete(closing)
                else:
                    client.close()
        outcome.sleeps = list(clock.sleeps)
        return outcome

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        return self._loop


async def _await(value: Any, iterate: bool) -> Any:
    """The result of an async call, or every item of an async iterator (a pager or a
    stream)."""
    if iterate or inspect.isasyncgen(value):
        return [item async for item in value]
    return await value


class DirectClient:
    """What a generated client needs of an ``httpx.Client`` (``send``), answered by the
    harness directly: the requests exactly as the client built them, without the cookie,
    redirect and default-timeout handling of a real ``httpx.Client`` (the ``own_http``
    scenarios certify those as shipped)."""

    def __init__(self, handle: Callable[[httpx.Request], httpx.Response]) -> None:
        self._handle = handle

    def send(self, request: httpx.Request, **_: Any) -> httpx.Response:
        """The scripted response to ``request`` (or the scripted transport failure)."""
        response = self._handle(request)
        response.request = request
        return response

    def close(self) -> None:
        """Nothing to close."""


class AsyncDirectClient(DirectClient):
    """:class:`DirectClient` for the async client."""

    async def send(self, request: httpx.Request, **_: Any) -> httpx.Response:  # type: ignore[override]
        """The scripted response to ``request``."""
        return DirectClient.send(self, request)

    async def aclose(self) -> None:
        """Nothing to close."""


class _Runaway(Exception):
    """Raised inside the transport to stop a client that will not stop."""


def http_date(offset: float) -> str:
    """An HTTP-date ``offset`` seconds after the virtual start time."""
    return email.utils.formatdate(VIRTUAL_START + offset, usegmt=True)


def query_of(url: str) -> dict[str, list[str]]:
    """The query parameters of ``url``."""
    params = httpx.QueryParams(urlsplit(url).query)
    found: dict[str, list[str]] = {}
    for key, value in params.multi_items():
        found.setdefault(key, []).append(value)
    return found
