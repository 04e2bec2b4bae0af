"""The request engine: builds requests, applies auth, retries, maps errors, decodes bodies.

:class:`Engine` (sync) and :class:`AsyncEngine` share every decision through
:class:`EngineCore`; they differ only in how they send and wait.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import logging
import random
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import httpx

from .auth import Auth
from .clock import Clock, SystemClock
from .decoding import Decoding
from .errors import (
    AuthError,
    ClientError,
    ConnectorError,
    DeclaredError,
    DecodeError,
    RateLimited,
    RequestValidationError,
    ServerError,
    TransportError,
)
from .pagination import Call, PaginationSettings, Paginator
from .pointer import resolve_pointer
from .ratelimit import RateLimiter
from .response import as_timeout, check_retries
from .retry import STOP, Decision, RetrySettings, decide_status, decide_transport, parse_retry_after
from .secrets import Redactor
from .stream import StreamFormatError, aevents, events

if TYPE_CHECKING:  # pydantic is imported on first use: importing a client stays fast
    from pydantic import TypeAdapter

T = TypeVar("T")
Pairs = list[tuple[str, str | int | float | bool | None]]

_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
_REQUEST_ID_HEADERS = ("request-id", "x-request-id", "x-slack-req-id", "x-amzn-requestid")
_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"}
)
MAX_ERROR_BODY = 1 << 20  # an error body kept on the exception: at most 1 MiB of it
_MESSAGE_POINTERS = (
    "/error/message",
    "/errors/0/message",
    "/message",
    "/error_description",
    "/error",
)


@dataclass(frozen=True)
class OperationInfo:
    """What the engine needs to know about one operation."""

    id: str
    method: str
    path: str
    retry_safe: bool
    idempotency_header: str | None = None
    success_status: int = 200
    pagination: PaginationSettings | None = None
    accept: str = "application/json"
    base_url: str | None = None  # the operation's own server, instead of the client's
    query_styles: tuple[tuple[str, tuple[str, bool]], ...] = ()  # name -> (style, explode)
    authenticated: bool = True  # False: a public endpoint, sent without credentials
    errors: tuple[tuple[int, type[ConnectorError]], ...] = ()  # declared error classes
    stream: str | None = None  # "sse" / "ndjson": a stream of events, decoded as they arrive


@dataclass(frozen=True)
class BodyErrorRule:
    """Errors reported inside a 2xx body (``{"ok": false, "error": "invalid_auth"}``)."""

    success_pointer: str
    success_value: object
    code_pointer: str
    auth_codes: frozenset[str] = frozenset()
    rate_limit_codes: frozenset[str] = frozenset()
    server_codes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class EngineConfig:
    """Provider-wide settings taken from the spec."""

    provider: str
    base_url: str
    retry: RetrySettings
    timeout: httpx.Timeout
    rate_limit: tuple[int, float] | None = None
    body_errors: BodyErrorRule | None = None
    user_agent: str = "flows-connector"

    def overridden(
        self, timeout: float | httpx.Timeout | None, max_retries: int | None
    ) -> EngineConfig:
        """These settings with a client's own ``timeout`` and ``max_retries`` (checked)."""
        checked_timeout = as_timeout(timeout, "timeout")
        retries = check_retries(max_retries, "max_retries")
        return replace(
            self,
            timeout=checked_timeout or self.timeout,
            retry=self.retry if retries is None else replace(self.retry, max_attempts=retries + 1),
        )


def _text(value: Any) -> str:
    """A scalar as query, form, header or path text (``true``/``false``; ``0`` not ``0.0``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))  # a `number` argument of 0 or 25 is sent as the caller wrote it
    return str(value)


def flatten_form(data: dict[str, Any], prefix: str = "") -> Pairs:
    """Form-encode nested data with bracket keys (``metadata[order]=6735``)."""
    pairs: Pairs = []
    for key, value in data.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if value is None:
            continue
        if isinstance(value, dict):
            pairs += flatten_form(value, name)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    pairs += flatten_form(item, f"{name}[{index}]")
                else:
                    pairs.append((f"{name}[{index}]", _text(item)))
        else:
            pairs.append((name, _text(value)))
    return pairs


def encode_multipart(data: dict[str, Any]) -> tuple[bytes, str]:
    """``multipart/form-data`` bytes and Content-Type: bytes values are files, the rest fields.

    The boundary is derived from the content, so the same call always sends the same bytes.
    """
    fields: dict[str, Any] = {}
    files: dict[str, tuple[str, bytes, str]] = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, bytes):
            files[key] = (key, value, "application/octet-stream")
        elif isinstance(value, dict | list):
            fields[key] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        else:
            fields[key] = _text(value)
    digest = hashlib.sha256(repr((sorted(fields.items()), sorted(files.items()))).encode())
    content_type = f"multipart/form-data; boundary=flows-{digest.hexdigest()[:32]}"
    staged = httpx.Request(
        "POST",
        "https://multipart.invalid/",
        data=fields,
        files=files or None,
        headers={"Content-Type": content_type},
    )
    return staged.read(), content_type


def path_segment(name: str, value: Any) -> str:
    """``value`` as one escaped path segment: ``/``, ``?``, ``#`` and ``%`` are escaped and a
    value of ``.`` or ``..`` is escaped too, so no value can move the request to another path.
    """
    text = _text(value)
    if not text:
        raise RequestValidationError(
            f"invalid arguments: path parameter {name!r} is empty (it would address another path)"
        )
    segment = quote(text, safe="")
    return segment.replace(".", "%2E") if segment in (".", "..") else segment


def secondary_rate_limit(
    response: httpx.Response, retry_after: float | None, now: float
) -> float | None:
    """How long to wait when a 403 is a rate limit (``None`` when it is a refusal).

    GitHub's secondary rate limits answer 403 with ``Retry-After``, or with
    ``x-ratelimit-remaining: 0`` and the reset time (epoch seconds) in ``x-ratelimit-reset``.
    """
    if retry_after is not None:
        return retry_after
    if response.headers.get("x-ratelimit-remaining") != "0":
        return None
    reset = response.headers.get("x-ratelimit-reset", "")
    if not reset.isdigit() or len(reset) > 12:
        return None
    return max(0.0, float(reset) - now)


_DELIMITERS = {"form": ",", "spaceDelimited": " ", "pipeDelimited": "|"}


def _query_pairs(query: dict[str, Any], styles: dict[str, tuple[str, bool]] | None = None) -> Pairs:
    """Query pairs in OpenAPI's styles: form (exploded by default), delimited, deepObject."""
    pairs: Pairs = []
    for key, value in query.items():
        if value is None:
            continue
        style, explode = (styles or {}).get(key, ("form", True))
        if isinstance(value, dict):
            items = [(str(k), v) for k, v in value.items() if v is not None]
            if style == "deepObject":
                pairs += [(f"{key}[{k}]", _text(v)) for k, v in items]
            elif explode:
                pairs += [(k, _text(v)) for k, v in items]
            else:
                flat = [part for k, v in items for part in (k, _text(v))]
                pairs.append((key, _DELIMITERS.get(style, ",").join(flat)))
        elif isinstance(value, list):
            if style == "deepObject":  # Stripe's arrays: expand[0]=customer&expand[1]=invoice
                pairs += [(f"{key}[{i}]", _text(v)) for i, v in enumerate(value)]
            elif explode:
                pairs += [(key, _text(v)) for v in value]
            else:
                pairs.append((key, _DELIMITERS.get(style, ",").join(_text(v) for v in value)))
        else:
            pairs.append((key, _text(value)))
    return pairs


class EngineCore(Decoding):
    """Everything the sync and async engines decide the same way."""

    def __init__(
        self,
        config: EngineConfig,
        auth: Auth,
        *,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        idempotency_key_factory: Callable[[], str] | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        self.config = config
        self.auth = auth
        self.clock: Clock = clock or SystemClock()
        self.rng = rng or random.Random()
        self.new_idempotency_key = idempotency_key_factory or (lambda: str(uuid.uuid4()))
        self.log = logger or logging.getLogger(f"flows.connector.{config.provider}")
        self.limiter = RateLimiter(*config.rate_limit) if config.rate_limit else None
        self.raw = False  # True: results are RawResponse wrappers (``with_raw_response``)

    def as_raw(self) -> Any:
        """This engine (same HTTP client, auth, clock and rate limit) returning raw responses."""
        twin = copy.copy(self)
        twin.raw = True
        return twin

    # ---------------------------------------------------------------- requests

    def redact(self, text: str) -> str:
        """``text`` with every credential this client knows replaced."""
        return Redactor(self.auth.secrets())(text)

    def build_request(self, op: OperationInfo, call: Call, key: str | None) -> httpx.Request:
        """The HTTP request for one attempt of ``call``."""
        if call.url is not None:
            url = call.url
        else:
            path = op.path
            for name, value in call.path_params.items():
                path = path.replace("{" + name + "}", path_segment(name, value))
            url = self.config.base_url.rstrip("/") + path
            if op.base_url is not None:  # the operation's own server
                url = op.base_url.rstrip("/") + path
        headers = {"User-Agent": self.config.user_agent, "Accept": "application/json"}
        headers["Accept"] = op.accept
        headers.update({k: v for k, v in call.headers.items() if v is not None})
        if key is not None and op.idempotency_header:
            headers[op.idempotency_header] = key
        for name, value in (call.options.extra_headers or {}).items():  # the caller's win
            for same in [k for k in headers if k.lower() == name.lower()]:
                del headers[same]
            headers[name] = value
        content: bytes | None = None
        if call.form is not None:
            content = str(httpx.QueryParams(flatten_form(call.form))).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif call.json is not None:
            content = json.dumps(call.json, separators=(",", ":"), ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        elif call.multipart is not None:
            content, headers["Content-Type"] = encode_multipart(call.multipart)
        elif call.content is not None:
            raw = call.content
            content = raw.encode("utf-8") if isinstance(raw, str) else raw
            default = "text/plain; charset=utf-8" if isinstance(raw, str) else None
            headers["Content-Type"] = default or "application/octet-stream"
        if call.content_type is not None and content is not None:
            headers["Content-Type"] = call.content_type
        request = httpx.Request(
            op.method,
            url,
            params=_query_pairs(call.query, dict(op.query_styles)) if call.url is None else None,
            headers=headers,
            content=content,
            extensions={"timeout": (call.options.timeout or self.config.timeout).as_dict()},
        )
        if op.authenticated:
            self.auth.apply(request)
        return request

    def throttle_delay(self) -> float:
        """Reserve the next send slot of the client-side rate limit; seconds to wait for it."""
        if self.limiter is None:
            return 0.0
        return self.limiter.reserve(self.clock.monotonic())

    # ---------------------------------------------------------------- outcomes

    def _provider_message(self, response: httpx.Response) -> str:
        try:
            body = json.loads(response.content)
        except ValueError:
            text = response.text.strip().replace("\n", " ")
            return text[:200]
        for pointer in _MESSAGE_POINTERS:
            found = resolve_pointer(body, pointer)
            if isinstance(found, str) and found:
                return found[:200]
        return ""

    def _error(
        self,
        kind: type[ConnectorError],
        op: OperationInfo,
        response: httpx.Response,
        attempt: int,
        detail: str,
        code: str | None = None,
        **extra: Any,
    ) -> ConnectorError:
        request_id = next(
            (response.headers[h] for h in _REQUEST_ID_HEADERS if h in response.headers), None
        )
        message = f"{self.config.provider} {op.id}: {detail}"
        redactor = Redactor(self.auth.secrets())
        headers = {
            k: "<redacted>" if k.lower() in _SECRET_HEADERS else redactor(v)
            for k, v in response.headers.items()
        }
        text = redactor(response.content[:MAX_ERROR_BODY].decode("utf-8", "replace"))
        body: Any = text
        with contextlib.suppress(ValueError):
            body = json.loads(text)
        declared = dict(op.errors).get(response.status_code)
        if declared is not None and issubclass(declared, kind):
            kind = declared
            pointer = getattr(kind, "code_pointer", None)
            if code is None and issubclass(kind, DeclaredError) and pointer:
                found = resolve_pointer(body, pointer)
                code = found if isinstance(found, str) else None
        return kind(
            self.redact(message),
            operation=op.id,
            status=response.status_code,
            code=code,
            request_id=request_id,
            attempts=attempt,
            headers=headers,
            body=body,
            **extra,
        )

    def retry_settings(self, call: Call) -> RetrySettings:
        """The retry policy of ``call``: the client's, or its own ``max_retries``."""
        retries = call.options.max_retries
        if retries is None:
            return self.config.retry
        return replace(self.config.retry, max_attempts=retries + 1)

    def response_outcome(
        self, op: OperationInfo, response: httpx.Response, attempt: int, call: Call | None = None
    ) -> tuple[Decision, ConnectorError | None]:
        """(what to do next, the error if the response is not a success)."""
        status = response.status_code
        now = self.clock.time()
        retry_after = parse_retry_after(response.headers.get("Retry-After"), now)
        settings = self.config.retry if call is None else self.retry_settings(call)
        if 200 <= status < 300:
            return self._body_outcome(op, response, attempt, retry_after, settings)
        said = self._provider_message(response)
        detail = f"HTTP {status}" + (f": {said}" if said else "")
        error: ConnectorError
        if status == 403:
            retry_after = secondary_rate_limit(response, retry_after, now)
            if retry_after is not None:
                status = 429  # a rate limit, not a refusal: waited out like a 429
        if status == 401:
            self.auth.invalidate()  # a revoked or rotated token: fetch a new one next call
        if status in (401, 403):
            return STOP, self._error(AuthError, op, response, attempt, detail)
        if status == 429:
            error = self._error(RateLimited, op, response, attempt, detail, retry_after=retry_after)
        elif status >= 500:
            error = self._error(ServerError, op, response, attempt, detail)
        else:
            error = self._error(ClientError, op, response, attempt, detail)
        decision = decide_status(
            settings,
            status=status,
            attempt=attempt,
            retry_safe=op.retry_safe,
            retry_after=retry_after,
            rng=self.rng,
        )
        return decision, error

    def _body_outcome(
        self,
        op: OperationInfo,
        response: httpx.Response,
        attempt: int,
        retry_after: float | None,
        settings: RetrySettings,
    ) -> tuple[Decision, ConnectorError | None]:
        rule = self.config.body_errors
        if rule is None or not response.content:
            return STOP, None
        try:
            body = json.loads(response.content)
        except ValueError:
            return STOP, None  # decoding reports it with the schema in hand
        if resolve_pointer(body, rule.success_pointer) == rule.success_value:
            return STOP, None
        found = resolve_pointer(body, rule.code_pointer)
        code = found if isinstance(found, str) else "unknown_error"
        detail = f"the provider reported error {code!r}"
        if code in rule.auth_codes:
            self.auth.invalidate()
            return STOP, self._error(AuthError, op, response, attempt, detail, code)
        if code in rule.rate_limit_codes:
            error = self._error(
                RateLimited, op, response, attempt, detail, code, retry_after=retry_after
            )
            status = 429
        elif code in rule.server_codes:
            error = self._error(ServerError, op, response, attempt, detail, code)
            status = 503
        else:
            return STOP, self._error(ClientError, op, response, attempt, detail, code)
        decision = decide_status(
            settings,
            status=status,
            attempt=attempt,
            retry_safe=op.retry_safe,
            retry_after=retry_after,
            rng=self.rng,
        )
        return decision, error

    def exception_outcome(
        self, op: OperationInfo, exc: httpx.TransportError, attempt: int, call: Call | None = None
    ) -> tuple[Decision, ConnectorError]:
        """(what to do next, the error) after a timeout or a connection failure."""
        reached = not isinstance(exc, _NOT_SENT)
        kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
        error = TransportError(
            self.redact(
                f"{self.config.provider} {op.id}: the request {kind} ({type(exc).__name__})"
            ),
            operation=op.id,
            attempts=attempt,
        )
        decision = decide_transport(
            self.config.retry if call is None else self.retry_settings(call),
            attempt=attempt,
            retry_safe=op.retry_safe,
            may_have_reached_server=reached,
            rng=self.rng,
        )
        return decision, error

    def log_retry(
        self, op: OperationInfo, attempt: int, error: ConnectorError, delay: float
    ) -> None:
        """One log line per retry; never headers, bodies or query strings."""
        self.log.info(
            "%s %s attempt %d failed (%s); retrying in %.3f s",
            op.method,
            op.path,
            attempt,
            type(error).__name__,
            delay,
        )

    # ---------------------------------------------------------------- decoding

    def decode_items(self, op: OperationInfo, items: list[Any], adapter: TypeAdapter[T]) -> T:
        """Validate the items of one page."""
        from pydantic import ValidationError as PydanticValidationError

        try:
            return adapter.validate_python(items)
        except PydanticValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise DecodeError(
                f"{self.config.provider} {op.id}: a page item does not match the schema: "
                f"{where}: {first['msg']}",
                operation=op.id,
            ) from None

    def paginator(self, op: OperationInfo) -> Paginator:
        """A fresh paginator for one iteration over ``op``."""
        if op.pagination is None:
            raise TypeError(f"operation {op.id} is not paginated")
        return Paginator(op.pagination, self.config.base_url)


class Engine(EngineCore):
    """Synchronous engine over an ``httpx.Client``."""

    def __init__(self, config: EngineConfig, auth: Auth, *, http: httpx.Client, **kwargs: Any):
        super().__init__(config, auth, **kwargs)
        self.http = http

    def _ensure_token(self, op: OperationInfo) -> None:
        if op.authenticated and self.auth.needs_token(self.clock.time()):
            try:
                response = self.http.send(self.auth.token_request())
                response.read()
            except httpx.TransportError as exc:
                raise self.exception_outcome(op, exc, 1)[1] from None
            self.auth.accept_token(response, self.clock.time())

    def send(self, op: OperationInfo, call: Call, *, stream: bool = False) -> httpx.Response:
        """Send ``call`` with retries; return the success response or raise.

        ``stream``: a success response is returned unread (the caller closes it).
        """
        key = self.new_idempotency_key() if op.idempotency_header else None
        attempt = 0
        while True:
            attempt += 1
            wait = self.throttle_delay()
            if wait > 0:
                self.clock.sleep(wait)
            self._ensure_token(op)
            request = self.build_request(op, call, key)
            try:
                response = self.http.send(request, stream=stream)
                if stream and 200 <= response.status_code < 300:
                    return response
                response.read()
            except httpx.TransportError as exc:
                decision, error = self.exception_outcome(op, exc, attempt, call)
            else:
                decision, maybe_error = self.response_outcome(op, response, attempt, call)
                if maybe_error is None:
                    return response
                error = maybe_error
            if not decision.retry:
                raise error
            self.log_retry(op, attempt, error, decision.delay)
            self.clock.sleep(decision.delay)

    def stream(self, op: OperationInfo, call: Call, adapter: TypeAdapter[T]) -> Iterator[T]:
        """The events of a streamed response, validated as they arrive (retries happen only
        before the stream starts)."""
        response = self.send(op, call, stream=True)
        try:
            for event in events(op.stream or "ndjson", response.iter_bytes()):
                yield self.decode_event(op, event, adapter)
        except (StreamFormatError, httpx.TransportError) as exc:
            raise self.stream_failure(op, exc) from None
        finally:
            response.close()

    def pages(self, op: OperationInfo, call: Call) -> Iterator[list[Any]]:
        """Yield the items of each page until the strategy says stop."""
        paginator = self.paginator(op)
        current: Call | None = paginator.first(call)
        while current is not None:
            response = self.send(op, current)
            page = self.page_json(op, response)
            items = paginator.items(page)
            yield items
            current = paginator.next(current, page, items, response)


class AsyncEngine(EngineCore):
    """Asynchronous engine over an ``httpx.AsyncClient``."""

    def __init__(self, config: EngineConfig, auth: Auth, *, http: httpx.AsyncClient, **kwargs: Any):
        super().__init__(config, auth, **kwargs)
        self.http = http

    async def _ensure_token(self, op: OperationInfo) -> None:
        if op.authenticated and self.auth.needs_token(self.clock.time()):
            try:
                response = await self.http.send(self.auth.token_request())
                await response.aread()
            except httpx.TransportError as exc:
                raise self.exception_outcome(op, exc, 1)[1] from None
            self.auth.accept_token(response, self.clock.time())

    async def send(self, op: OperationInfo, call: Call, *, stream: bool = False) -> httpx.Response:
        """Send ``call`` with retries; return the success response or raise.

        ``stream``: a success response is returned unread (the caller closes it).
        """
        key = self.new_idempotency_key() if op.idempotency_header else None
        attempt = 0
        while True:
            attempt += 1
            wait = self.throttle_delay()
            if wait > 0:
                await self.clock.asleep(wait)
            await self._ensure_token(op)
            request = self.build_request(op, call, key)
            try:
                response = await self.http.send(request, stream=stream)
                if stream and 200 <= response.status_code < 300:
                    return response
                await response.aread()
            except httpx.TransportError as exc:
                decision, error = self.exception_outcome(op, exc, attempt, call)
            else:
                decision, maybe_error = self.response_outcome(op, response, attempt, call)
                if maybe_error is None:
                    return response
                error = maybe_error
            if not decision.retry:
                raise error
            self.log_retry(op, attempt, error, decision.delay)
            await self.clock.asleep(decision.delay)

    async def stream(
        self, op: OperationInfo, call: Call, adapter: TypeAdapter[T]
    ) -> AsyncIterator[T]:
        """The events of a streamed response, validated as they arrive (retries happen only
        before the stream starts)."""
        response = await self.send(op, call, stream=True)
        try:
            async for event in aevents(op.stream or "ndjson", response.aiter_bytes()):
                yield self.decode_event(op, event, adapter)
        except (StreamFormatError, httpx.TransportError) as exc:
            raise self.stream_failure(op, exc) from None
        finally:
            await response.aclose()

    async def pages(self, op: OperationInfo, call: Call) -> AsyncIterator[list[Any]]:
        """Yield the items of each page until the strategy says stop."""
        paginator = self.paginator(op)
        current: Call | None = paginator.first(call)
        while current is not None:
            response = await self.send(op, current)
            page = self.page_json(op, response)
            items = paginator.items(page)
            yield items
            current = paginator.next(current, page, items, response)
