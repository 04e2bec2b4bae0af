"""Decoding success responses: JSON bodies, text, bytes and stream events, each validated by
its pydantic adapter (a raw engine wraps them in :class:`RawResponse` instead)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

import httpx

from .errors import ConnectorError, DecodeError, TransportError
from .response import RawResponse
from .stream import NOT_JSON, StreamFormatError

if TYPE_CHECKING:  # pydantic is imported on first use: importing a client stays fast
    from pydantic import TypeAdapter
    from pydantic import ValidationError as PydanticValidationError

    from .engine import EngineConfig, OperationInfo

T = TypeVar("T")


class Decoding:
    """Mixed into the engine: everything that turns a success response into a result."""

    config: EngineConfig
    raw: bool

    def redact(self, text: str) -> str:  # pragma: no cover - the engine's own
        """``text`` with every credential this client knows replaced."""
        raise NotImplementedError

    def _result(self, response: httpx.Response, parse: Callable[[], T]) -> T:
        if self.raw:  # the with_raw_response twin: the typed wrapper stands for the result
            return cast(T, RawResponse(response, parse))
        return parse()

    def decode(self, op: OperationInfo, response: httpx.Response, adapter: TypeAdapter[T]) -> T:
        """Parse and validate a success body (no body at all, e.g. a 204, is JSON ``null``)."""
        return self._result(response, lambda: self._decode(op, response, adapter))

    def _decode(self, op: OperationInfo, response: httpx.Response, adapter: TypeAdapter[T]) -> T:
        from pydantic import ValidationError as PydanticValidationError

        try:
            if not response.content.strip():
                return adapter.validate_python(None)
            return adapter.validate_json(response.content)
        except PydanticValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '<body>'}: {e['msg']}"
                for e in exc.errors()[:5]
            )
            kind = "is not valid JSON" if _is_json_error(exc) else "does not match the schema"
            raise DecodeError(
                self.redact(
                    f"{self.config.provider} {op.id}: the response body {kind}: {problems}"
                ),
                operation=op.id,
                status=response.status_code,
            ) from None

    def decode_text(self, op: OperationInfo, response: httpx.Response) -> str:
        """A text success body (charset from the response, UTF-8 otherwise)."""
        return self._result(response, lambda: response.text)

    def decode_binary(self, op: OperationInfo, response: httpx.Response) -> bytes:
        """A binary success body, as received."""
        return self._result(response, lambda: response.content)

    def decode_none(self, op: OperationInfo, response: httpx.Response) -> None:
        """The result of an operation without a response body."""
        return self._result(response, lambda: None)

    def decode_event(self, op: OperationInfo, event: Any, adapter: TypeAdapter[T]) -> T:
        """Validate one event of a streamed response."""
        from pydantic import ValidationError as PydanticValidationError

        if event is NOT_JSON:
            raise DecodeError(
                f"{self.config.provider} {op.id}: an event of the stream is not valid JSON",
                operation=op.id,
            )
        try:
            return adapter.validate_python(event)
        except PydanticValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "<event>"
            raise DecodeError(
                self.redact(
                    f"{self.config.provider} {op.id}: an event of the stream does not match "
                    f"the schema: {where}: {first['msg']}"
                ),
                operation=op.id,
            ) from None

    def stream_failure(self, op: OperationInfo, exc: Exception) -> ConnectorError:
        """The error for a stream that broke off or was malformed after it started."""
        if isinstance(exc, StreamFormatError):
            return DecodeError(f"{self.config.provider} {op.id}: {exc}", operation=op.id)
        kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "broke off"
        return TransportError(
            f"{self.config.provider} {op.id}: the stream {kind} ({type(exc).__name__}); "
            "it is not resumed",
            operation=op.id,
        )

    def page_json(self, op: OperationInfo, response: httpx.Response) -> Any:
        """A page body as plain JSON data."""
        try:
            return json.loads(response.content)
        except ValueError:
            raise DecodeError(
                f"{self.config.provider} {op.id}: the response body is not valid JSON",
                operation=op.id,
                status=response.status_code,
            ) from None


def _is_json_error(exc: PydanticValidationError) -> bool:
    return any(e["type"] == "json_invalid" for e in exc.errors())
