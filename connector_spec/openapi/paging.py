"""Pagination inferred from conventions, with the evidence for each inference.

Only a GET whose success response holds a list (the body itself, or an array property such as
``data``/``items``/``results``) is considered. In order: Stripe-style ``starting_after`` +
``has_more`` (cursor from the last item's ``id``); a cursor/page-token query parameter with a
next-cursor field in the response; an RFC 8288 ``Link`` response header; ``offset``/``skip``;
``page``. The evidence (which parameter, which fields) goes into the conversion report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_ITEMS = ("data", "items", "results", "records", "entries", "values", "value", "list", "elements")
_CURSOR_PARAMS = (
    "cursor", "page_token", "pageToken", "next_token", "nextToken", "continuation_token",
    "continuationToken", "page_cursor", "pageCursor", "marker", "starting_token", "after",
    "next_page_token", "nextPageToken", "continuation", "next",
)  # fmt: skip
_NEXT_FIELDS = (
    "next_cursor", "nextCursor", "next_page_token", "nextPageToken", "next_token", "nextToken",
    "continuation_token", "continuationToken", "next_marker", "nextMarker", "NextMarker",
    "cursor", "next_page_cursor", "endCursor", "end_cursor",
)  # fmt: skip
_NESTS = ("response_metadata", "meta", "metadata", "pagination", "paging", "page_info", "pageInfo")
_LIMITS = ("limit", "per_page", "perPage", "page_size", "pageSize", "count", "size", "top", "$top",
           "max_results", "maxResults")  # fmt: skip
_TOTALS = ("total", "total_count", "totalCount", "total_results", "totalResults", "count")
_TOTAL_PAGES = ("total_pages", "totalPages", "page_count", "pageCount", "pages")


@dataclass(frozen=True)
class Inferred:
    """A pagination style (spec form, without its name) and why it was inferred."""

    style: dict[str, Any]
    evidence: str


Resolve = Callable[[dict[str, Any]], dict[str, Any]]


def infer_pagination(
    query: Iterable[str],
    response: dict[str, Any] | None,
    headers: Mapping[str, Any],
    resolve: Resolve,
) -> Inferred | None:
    """The pagination of a GET with ``query`` parameters and the converted ``response`` schema."""
    if response is None:
        return None
    body = resolve(response)
    items = _items(body, resolve)
    if items is None:
        return None
    pointer, item_schema = items
    names = list(query)
    props = _props(body, resolve)
    where = f"items at {pointer or 'the body'}"
    limit = next((n for n in _LIMITS if n in names), None)
    base: dict[str, Any] = {"items": pointer}
    if limit:
        base["limit_param"] = limit
    stripe = "starting_after" in names and _is(props.get("has_more"), "boolean", resolve)
    if stripe and "id" in _props(item_schema, resolve):
        return Inferred(
            {"type": "cursor", **base, "cursor_param": "starting_after",
             "cursor_from_last_item": "/id", "has_more": "/has_more"},
            f"query 'starting_after', response /has_more (boolean), {where}, items have /id",
        )  # fmt: skip
    cursor = next((n for n in _CURSOR_PARAMS if n in names), None)
    if cursor is not None:
        found = _next_field(props, resolve)
        if found is not None:
            return Inferred(
                {"type": "cursor", **base, "cursor_param": cursor, "next_cursor": found},
                f"query {cursor!r}, response {found} (next cursor), {where}",
            )
    link = next((h for h in headers if str(h).lower() == "link"), None)
    if link is not None:
        return Inferred(
            {"type": "link_header", **base}, f"response header {link!r} (RFC 8288), {where}"
        )
    offset = next((n for n in ("offset", "skip", "$skip", "start") if n in names), None)
    if offset is not None:
        style = {"type": "offset", **base, "offset_param": offset}
        total = next((t for t in _TOTALS if _is(props.get(t), "integer", resolve)), None)
        if total:
            style["total"] = f"/{total}"
        return Inferred(
            style, f"query {offset!r}" + (f" and {limit!r}" if limit else "") + f", {where}"
        )
    page = next((n for n in ("page", "page_number", "pageNumber") if n in names), None)
    if page is not None:
        style = {"type": "page", **base, "page_param": page}
        pages = next((t for t in _TOTAL_PAGES if _is(props.get(t), "integer", resolve)), None)
        if pages:
            style["total_pages"] = f"/{pages}"
        return Inferred(
            style, f"query {page!r}" + (f" and {limit!r}" if limit else "") + f", {where}"
        )
    return None


def _props(schema: dict[str, Any], resolve: Resolve) -> dict[str, Any]:
    props = resolve(schema).get("properties")
    return props if isinstance(props, dict) else {}


def _is(schema: Any, kind: str, resolve: Resolve) -> bool:
    if not isinstance(schema, dict):
        return False
    types = resolve(schema).get("type")
    return kind in (types if isinstance(types, list) else [types])


def _items(body: dict[str, Any], resolve: Resolve) -> tuple[str, dict[str, Any]] | None:
    if _is(body, "array", resolve):
        return "", resolve(body).get("items") or {}
    props = _props(body, resolve)
    arrays = [name for name, sub in props.items() if _is(sub, "array", resolve)]
    if not arrays:
        return None
    chosen = next((n for n in _ITEMS if n in arrays), arrays[0] if len(arrays) == 1 else None)
    if chosen is None:
        return None
    escaped = chosen.replace("~", "~0").replace("/", "~1")
    return f"/{escaped}", resolve(props[chosen]).get("items") or {}


def _next_field(props: dict[str, Any], resolve: Resolve) -> str | None:
    for name in _NEXT_FIELDS:
        if _is(props.get(name), "string", resolve):
            return f"/{name}"
    for nest in _NESTS:
        inner = _props(props[nest], resolve) if isinstance(props.get(nest), dict) else {}
        for name in _NEXT_FIELDS:
            if _is(inner.get(name), "string", resolve):
                return f"/{nest}/{name}"
    return None
