"""Pagination strategies. Each stops on an empty page, on its stop condition, on
``max_pages`` and on a repeated cursor (never loops)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

import httpx

from .errors import DecodeError
from .pointer import MISSING, resolve_pointer
from .response import NO_OPTIONS, RequestOptions


@dataclass
class Call:
    """One logical request: its parameters before they become an HTTP request."""

    path_params: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None
    form: dict[str, Any] | None = None
    url: str | None = None
    multipart: dict[str, Any] | None = None  # bytes values are sent as files
    content: str | bytes | None = None  # a text or binary body, sent as is
    content_type: str | None = None  # overrides the encoding's usual Content-Type
    options: RequestOptions = NO_OPTIONS  # extra_headers / timeout / max_retries of the call

    def with_query(self, **updates: Any) -> Call:
        """A copy with query parameters updated."""
        return replace(self, query={**self.query, **updates})


@dataclass(frozen=True)
class PaginationSettings:
    """The spec's pagination block, as the runtime uses it."""

    type: str
    items: str
    page_size: int | None = None
    limit_param: str | None = None
    max_pages: int = 1000
    stop_on_empty_page: bool = True
    cursor_param: str | None = None
    next_cursor: str | None = None
    cursor_from_last_item: str | None = None
    has_more: str | None = None
    offset_param: str = "offset"
    total: str | None = None
    page_param: str = "page"
    start_page: int = 1
    total_pages: str | None = None
    rel: str = "next"


class Paginator:
    """Turns one page into the next call, or ``None`` when there are no more pages."""

    def __init__(self, settings: PaginationSettings, base_url: str) -> None:
        self.settings = settings
        self.base_host = urlsplit(base_url).netloc
        self.pages = 0
        self.offset = 0
        self.page = settings.start_page
        self.seen: set[str] = set()

    def first(self, call: Call) -> Call:
        """The first call, with the page size filled in when the caller gave none."""
        s = self.settings
        if s.limit_param and s.page_size and call.query.get(s.limit_param) is None:
            call = call.with_query(**{s.limit_param: s.page_size})
        if s.type == "page" and call.query.get(s.page_param) is None:
            call = call.with_query(**{s.page_param: s.start_page})
        if s.type == "offset":
            start = call.query.get(s.offset_param)
            self.offset = int(start) if isinstance(start, int) else 0
        return call

    def items(self, page: Any) -> list[Any]:
        """The items of a page."""
        found = resolve_pointer(page, self.settings.items)
        if found is MISSING or found is None:
            return []
        if not isinstance(found, list):
            raise DecodeError(f"page items at {self.settings.items!r} are not a list")
        return found

    def next(
        self, call: Call, page: Any, items: list[Any], response: httpx.Response
    ) -> Call | None:
        """The call for the next page, or ``None``."""
        s = self.settings
        self.pages += 1
        if self.pages >= s.max_pages:
            return None
        if s.stop_on_empty_page and not items:
            return None
        if s.type == "cursor":
            return self._next_cursor(call, page, items)
        if s.type == "offset":
            return self._next_offset(call, page, items)
        if s.type == "page":
            return self._next_page(call, page, items)
        return self._next_link(call, response)

    def _fresh(self, token: str) -> bool:
        if token in self.seen:
            return False
        self.seen.add(token)
        return True

    def _next_cursor(self, call: Call, page: Any, items: list[Any]) -> Call | None:
        s = self.settings
        if s.has_more is not None and not resolve_pointer(page, s.has_more):
            return None
        if s.next_cursor is not None:
            cursor = resolve_pointer(page, s.next_cursor)
        else:
            cursor = resolve_pointer(items[-1], s.cursor_from_last_item or "") if items else None
        if cursor is MISSING or cursor is None or cursor == "":
            return None
        token = str(cursor)
        if not self._fresh(token) or s.cursor_param is None:
            return None
        return call.with_query(**{s.cursor_param: token})

    def _next_offset(self, call: Call, page: Any, items: list[Any]) -> Call | None:
        s = self.settings
        self.offset += len(items)
        if s.total is not None:
            total = resolve_pointer(page, s.total)
            if isinstance(total, int) and self.offset >= total:
                return None
        if s.page_size and len(items) < s.page_size:
            return None
        return call.with_query(**{s.offset_param: self.offset})

    def _next_page(self, call: Call, page: Any, items: list[Any]) -> Call | None:
        s = self.settings
        if s.total_pages is not None:
            total = resolve_pointer(page, s.total_pages)
            # pages fetched so far, whether numbering starts at 0 or at 1
            fetched = self.page - s.start_page + 1
            if isinstance(total, int) and fetched >= total:
                return None
        if s.page_size and len(items) < s.page_size:
            return None
        self.page += 1
        return call.with_query(**{s.page_param: self.page})

    def _next_link(self, call: Call, response: httpx.Response) -> Call | None:
        link = response.links.get(self.settings.rel)
        url = link.get("url") if link else None
        if not url:
            return None
        absolute = str(response.url.join(url))
        if urlsplit(absolute).netloc != self.base_host:
            raise DecodeError(
                f"the next-page link points to another host ({urlsplit(absolute).netloc}); "
                "refusing to send credentials there"
            )
        if not self._fresh(absolute):
            return None
        return replace(call, url=absolute, query={})
