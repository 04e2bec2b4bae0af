"""Pagination strategies: each stops on its condition and never loops."""

from __future__ import annotations

import httpx
import pytest

from connector_spec.runtime.errors import DecodeError
from connector_spec.runtime.pagination import Call, PaginationSettings, Paginator

BASE = "https://api.example.com"


def _walk(paginator: Paginator, pages: list[object], headers: list[dict[str, str]] | None = None):
    call: Call | None = paginator.first(Call())
    calls = []
    index = 0
    while call is not None and index < len(pages):
        calls.append(call)
        page = pages[index]
        response = httpx.Response(
            200,
            json=page,
            headers=(headers or [{}] * len(pages))[index],
            request=httpx.Request("GET", call.url or f"{BASE}/items"),
        )
        items = paginator.items(page)
        call = paginator.next(call, page, items, response)
        index += 1
    return calls, call


def test_cursor_from_next_cursor_stops_on_empty_cursor() -> None:
    settings = PaginationSettings(
        type="cursor",
        items="/items",
        cursor_param="cursor",
        next_cursor="/next",
        page_size=2,
        limit_param="limit",
    )
    pages = [
        {"items": [1, 2], "next": "a"},
        {"items": [3, 4], "next": "b"},
        {"items": [5], "next": ""},
    ]
    calls, last = _walk(Paginator(settings, BASE), pages)
    assert [c.query for c in calls] == [
        {"limit": 2},
        {"limit": 2, "cursor": "a"},
        {"limit": 2, "cursor": "b"},
    ]
    assert last is None


def test_repeated_cursor_stops_instead_of_looping() -> None:
    settings = PaginationSettings(
        type="cursor", items="/items", cursor_param="cursor", next_cursor="/next"
    )
    pages = [{"items": [1], "next": "same"}] * 10
    calls, last = _walk(Paginator(settings, BASE), pages)
    assert len(calls) == 2
    assert last is None


def test_cursor_from_last_item_with_has_more() -> None:
    settings = PaginationSettings(
        type="cursor",
        items="/data",
        cursor_param="starting_after",
        cursor_from_last_item="/id",
        has_more="/has_more",
    )
    pages = [
        {"data": [{"id": "a"}, {"id": "b"}], "has_more": True},
        {"data": [{"id": "c"}], "has_more": False},
    ]
    calls, last = _walk(Paginator(settings, BASE), pages)
    assert calls[1].query == {"starting_after": "b"}
    assert last is None


def test_offset_pagination_stops_at_total() -> None:
    settings = PaginationSettings(
        type="offset", items="/rows", total="/total", limit_param="n", page_size=2
    )
    pages = [{"rows": [1, 2], "total": 4}, {"rows": [3, 4], "total": 4}]
    calls, last = _walk(Paginator(settings, BASE), pages)
    assert [c.query.get("offset") for c in calls] == [None, 2]
    assert last is None


def test_page_number_pagination_stops_on_short_page() -> None:
    settings = PaginationSettings(type="page", items="", page_size=2, limit_param="per_page")
    pages = [[1, 2], [3, 4], [5]]
    calls, last = _walk(Paginator(settings, BASE), pages)
    assert [c.query["page"] for c in calls] == [1, 2, 3]
    assert last is None


def test_link_header_pagination_follows_next_and_stops_on_repeat() -> None:
    settings = PaginationSettings(type="link_header", items="")
    link = {"Link": f'<{BASE}/items?page=2>; rel="next"'}
    pages = [[1], [2], [3]]
    calls, last = _walk(Paginator(settings, BASE), pages, [link, link, {}])
    assert calls[1].url == f"{BASE}/items?page=2"
    assert len(calls) == 2 and last is None


def test_link_header_to_another_host_is_refused() -> None:
    settings = PaginationSettings(type="link_header", items="")
    paginator = Paginator(settings, BASE)
    response = httpx.Response(
        200,
        json=[1],
        headers={"Link": '<https://evil.example.net/steal>; rel="next"'},
        request=httpx.Request("GET", f"{BASE}/items"),
    )
    with pytest.raises(DecodeError, match="another host"):
        paginator.next(Call(), [1], [1], response)


def test_max_pages_bounds_iteration() -> None:
    settings = PaginationSettings(type="page", items="", max_pages=3)
    calls, last = _walk(Paginator(settings, BASE), [[1]] * 10)
    assert len(calls) == 3 and last is None


@pytest.mark.parametrize("start_page", [0, 1])
def test_total_pages_stops_after_the_last_page_whatever_the_first_number(start_page: int) -> None:
    settings = PaginationSettings(
        type="page", items="/items", total_pages="/total_pages", start_page=start_page
    )
    pages = [{"items": [n], "total_pages": 3} for n in range(5)]
    calls, last = _walk(Paginator(settings, BASE), pages)
    assert [c.query["page"] for c in calls] == [start_page, start_page + 1, start_page + 2]
    assert last is None
