"""Streamed responses: Server-Sent Events and newline-delimited JSON, decoded as they arrive.

Lines are bounded (``MAX_LINE``) and so is an event (``MAX_EVENT``): a stream that never ends
a line or an event cannot grow memory without bound; it is reported as a ``DecodeError``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

MAX_LINE = 1 << 20  # 1 MiB per line
MAX_EVENT = 8 << 20  # 8 MiB per event
NOT_JSON = object()  # an SSE event whose data is not JSON


class StreamFormatError(ValueError):
    """A line or an event longer than the limits."""


class LineSplitter:
    """Bytes in, complete lines out (``\\n``, ``\\r\\n`` or ``\\r`` ended), bounded."""

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, chunk: bytes) -> list[str]:
        """The lines completed by ``chunk``."""
        self._buffer += chunk
        data = self._buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        *lines, rest = data.split(b"\n")
        if len(rest) > MAX_LINE:
            raise StreamFormatError(f"a line of the stream is longer than {MAX_LINE} bytes")
        self._buffer = rest
        return [line.decode("utf-8", "replace") for line in lines]

    def close(self) -> list[str]:
        """The last line, when the stream did not end with a newline."""
        rest, self._buffer = self._buffer, b""
        return [rest.decode("utf-8", "replace")] if rest else []


class SseDecoder:
    """Lines of ``text/event-stream`` in, the JSON data of each event out.

    Comments (``:``) and events without data are skipped; a ``[DONE]`` data line (OpenAI's end
    marker) ends the stream.
    """

    def __init__(self) -> None:
        self._data: list[str] = []
        self._size = 0
        self.done = False

    def line(self, text: str) -> list[Any]:
        """The events a line completes (empty or one)."""
        if text == "":
            return self._dispatch()
        if text.startswith(":"):
            return []
        name, _, value = text.partition(":")
        if name == "data":
            value = value.removeprefix(" ")
            self._size += len(value)
            if self._size > MAX_EVENT:
                raise StreamFormatError(f"an event of the stream is larger than {MAX_EVENT} bytes")
            self._data.append(value)
        return []

    def _dispatch(self) -> list[Any]:
        if not self._data:
            return []
        data = "\n".join(self._data)
        self._data, self._size = [], 0
        if data.strip() == "[DONE]":
            self.done = True
            return []
        try:
            return [json.loads(data)]
        except ValueError:
            return [NOT_JSON]

    def close(self) -> list[Any]:
        """An event the stream ended without a blank line after."""
        return self._dispatch()


def _ndjson(text: str) -> list[Any]:
    if not text.strip():
        return []
    try:
        return [json.loads(text)]
    except ValueError:
        return [NOT_JSON]


def events(kind: str, chunks: Iterable[bytes]) -> Iterator[Any]:
    """The JSON values of a ``kind`` (``sse``/``ndjson``) stream of byte chunks."""
    lines = LineSplitter()
    sse = SseDecoder()
    for chunk in chunks:
        for line in lines.feed(chunk):
            yield from sse.line(line) if kind == "sse" else _ndjson(line)
            if sse.done:
                return
    for line in lines.close():
        yield from sse.line(line) if kind == "sse" else _ndjson(line)
    if kind == "sse" and not sse.done:
        yield from sse.close()


async def aevents(kind: str, chunks: AsyncIterator[bytes]) -> AsyncIterator[Any]:
    """:func:`events` over an asynchronous stream of byte chunks."""
    lines = LineSplitter()
    sse = SseDecoder()
    async for chunk in chunks:
        for line in lines.feed(chunk):
            for event in sse.line(line) if kind == "sse" else _ndjson(line):
                yield event
            if sse.done:
                return
    for line in lines.close():
        for event in sse.line(line) if kind == "sse" else _ndjson(line):
            yield event
    if kind == "sse" and not sse.done:
        for event in sse.close():
            yield event
