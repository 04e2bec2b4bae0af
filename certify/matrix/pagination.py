"""Pagination: every page fetched with the right cursor/offset/page, no loops."""

from __future__ import annotations

import copy
import json
from typing import Any

from certify.examples import (
    example,
    resolve,
    set_pointer,
    success_body,
    violating_value,
)
from certify.harness import SentRequest, Served, query_of
from certify.matrix.arguments import wire_text
from certify.matrix.core import (
    ELSEWHERE,
    MatrixBase,
    OpContext,
    Skip,
    expect_error,
    expect_success,
    followed_elsewhere,
)
from connector_spec.jsonschema_subset import SchemaNode
from connector_spec.model import (
    CursorPagination,
    LinkHeaderPagination,
    OffsetPagination,
    Operation,
    PageNumberPagination,
)
from connector_spec.naming import argument_name


class PaginationChecks(MatrixBase):
    """Multi-page runs."""

    def _page_item_schema(self, op: Operation, pointer: str) -> SchemaNode | None:
        node = self._schema_at(op, pointer)
        return node.items if node is not None else None

    def filters(self, ctx: OpContext) -> dict[str, tuple[str, str, Any]]:
        """Filter arguments for a multi-page run: keyword → (location, wire name, value).

        Every query or header parameter the pagination does not drive itself gets a value, so
        the run shows whether the client still sends it after page 1.
        """
        settings = self.spec.pagination[ctx.op.pagination or ""]
        driven = {
            getattr(settings, name, None)
            for name in ("cursor_param", "offset_param", "page_param", "limit_param")
        }
        found: dict[str, tuple[str, str, Any]] = {}
        for param in ctx.op.params:
            if param.location not in ("query", "header") or param.name in driven:
                continue
            node = resolve(self.spec, param.schema_)
            plain = "string" in node.types() and node.enum is None and node.pattern is None
            value = (
                f"flt_{param.name}" if plain and node.format is None else example(self.spec, node)
            )
            if isinstance(value, list | dict):
                continue  # arrays and objects have their own encodings (style, explode)
            found[argument_name(param.name)] = (param.location, param.name, value)
        return found

    def pagination(
        self,
        ctx: OpContext,
        *,
        repeat: bool,
        broken_item: bool = False,
        foreign_link: bool = False,
    ) -> str | None:
        """Three pages are all fetched; a repeated cursor stops the iteration.

        ``broken_item``: page 2 carries an item that violates the item schema (DecodeError).
        ``foreign_link``: the next-page link points to another host (never followed).
        """
        op = ctx.op
        settings = self.spec.pagination[op.pagination or ""]
        item_schema = self._page_item_schema(op, settings.items)
        base_item = example(self.spec, item_schema) if item_schema is not None else {}
        bad_item = None
        if broken_item:
            broken = violating_value(self.spec, item_schema, base_item) if item_schema else None
            if broken is None:
                raise Skip("the page items accept any JSON: no item can violate their schema")
            bad_item = broken[0]
        base_body = ctx.body if isinstance(ctx.body, dict) else (success_body(self.spec, op) or {})
        url = self.harness.new_client(ctx.environment)[0].base_url.rstrip("/") + op.path
        if foreign_link:
            if not isinstance(settings, LinkHeaderPagination):
                raise Skip("only link-header pagination follows URLs the provider sends")
            url = ELSEWHERE + op.path
        numbered = isinstance(settings, OffsetPagination | PageNumberPagination)
        totals = isinstance(settings, OffsetPagination) and settings.total is not None
        totals = totals or (
            isinstance(settings, PageNumberPagination) and bool(settings.total_pages)
        )
        # a full page keeps offset/page strategies going when they stop on a short page
        full = settings.page_size if numbered and settings.page_size and not totals else 1
        if isinstance(settings, CursorPagination) and settings.cursor_from_last_item:
            full = 2  # the cursor must come from the last item, so make it differ from the first

        def page(index: int, last: bool) -> Served:
            body = copy.deepcopy(base_body)
            token = f"tok_{1 if repeat else index}"
            count = 1 if last and full > 1 else full
            items = []
            for position in range(count):
                item = copy.deepcopy(base_item)
                if isinstance(settings, CursorPagination) and settings.cursor_from_last_item:
                    mark = token if position == count - 1 else f"{token}_{position}"
                    item = set_pointer(
                        item if isinstance(item, dict) else {}, settings.cursor_from_last_item, mark
                    )
                items.append(item)
            if bad_item is not None and index == 2:
                items[0] = copy.deepcopy(bad_item)
            body = set_pointer(body, settings.items, items)  # items '' is the whole body
            headers: dict[str, str] = {}
            if isinstance(settings, CursorPagination):
                if settings.next_cursor:
                    set_pointer(body, settings.next_cursor, "" if last else token)
                if settings.has_more:
                    set_pointer(body, settings.has_more, not last)
            elif isinstance(settings, LinkHeaderPagination):
                if not last:
                    headers["Link"] = f'<{url}?page={token}>; rel="{settings.rel}"'
            elif isinstance(settings, OffsetPagination) and settings.total:
                set_pointer(body, settings.total, 3)
            elif isinstance(settings, PageNumberPagination) and settings.total_pages:
                set_pointer(body, settings.total_pages, 3)
            return Served.json_body(op.response.status, body, headers)

        if foreign_link:
            return self._foreign_link(ctx, page(1, False), page(2, True))
        if repeat:
            outcome = self.run(ctx, [page(1, False)], repeat_last=True, iterate=True)
            if outcome.harness_problem and "more than" in outcome.harness_problem:
                return (
                    "the client kept asking for the same next page (cursor 'tok_1') "
                    f"and sent {len(outcome.requests)} requests; it must stop when a "
                    "cursor repeats"
                )
            return expect_success(outcome, 2, "with a repeated cursor")

        if isinstance(settings, CursorPagination):
            stops_itself = not (settings.cursor_from_last_item and not settings.has_more)
        elif isinstance(settings, LinkHeaderPagination):
            stops_itself = True
        else:
            stops_itself = totals or full > 1
        script = [page(1, False), page(2, False), page(3, True)]
        if not stops_itself:
            if not settings.stop_on_empty_page:
                raise Skip("this pagination has no stop condition the harness can script")
            empty = set_pointer(copy.deepcopy(base_body), settings.items, [])
            script.append(Served.json_body(op.response.status, empty))
        expected = 3 if stops_itself else 4
        filters = self.filters(ctx)
        call = {**ctx.call, **{name: value for name, (_, _, value) in filters.items()}}
        outcome = self.run(ctx, script, iterate=True, call=call)
        if bad_item is not None:
            return expect_error(
                outcome,
                "DecodeError",
                f"for page 2 holding the item {json.dumps(bad_item)[:120]} (the item schema "
                "forbids it)",
            )
        problem = expect_success(outcome, expected, "over three pages")
        if problem:
            return problem
        problem = self._first_page_problem(ctx, outcome.requests[0])
        if problem:
            return problem
        pages = (
            outcome.requests[:1] if isinstance(settings, LinkHeaderPagination) else outcome.requests
        )
        problem = self._filters_problem(ctx, pages, filters)
        if problem:
            return problem
        items = outcome.result or []
        want_items = 2 * full + 1 if full > 1 else 3
        if len(items) != want_items:
            return f"over three pages of {want_items} items the client yielded {len(items)} items"
        for number in (2, 3):
            query = query_of(outcome.requests[number - 1].url)
            if isinstance(settings, CursorPagination):
                name, want = settings.cursor_param, f"tok_{number - 1}"
            elif isinstance(settings, OffsetPagination):
                name, want = settings.offset_param, str((number - 1) * full)
            elif isinstance(settings, PageNumberPagination):
                name, want = settings.page_param, str(settings.start_page + number - 1)
            else:
                name, want = "page", f"tok_{number - 1}"
            if query.get(name) != [want]:
                return (
                    f"request {number} must carry {name}={want} for page {number}; "
                    f"its query was {query}"
                )
        return None

    def _first_page_problem(self, ctx: OpContext, sent: SentRequest) -> str | None:
        """Page 1 starts at the first page (offset 0, ``start_page``)."""
        settings = self.spec.pagination[ctx.op.pagination or ""]
        query = query_of(sent.url)
        if (
            isinstance(settings, PageNumberPagination)
            and argument_name(settings.page_param) not in ctx.call
            and query.get(settings.page_param) != [str(settings.start_page)]
        ):
            return (
                f"request 1 must carry {settings.page_param}={settings.start_page} "
                f"(the first page); its query was {query}"
            )
        if isinstance(settings, OffsetPagination) and query.get(settings.offset_param, ["0"]) != [
            "0"
        ]:
            return f"request 1 must start at {settings.offset_param}=0; its query was {query}"
        return None

    def _filters_problem(
        self,
        ctx: OpContext,
        requests: list[SentRequest],
        filters: dict[str, tuple[str, str, Any]],
    ) -> str | None:
        """Every page request carries the caller's filters and the same page size."""
        settings = self.spec.pagination[ctx.op.pagination or ""]
        wanted = {wire: (loc, wire_text(value)) for loc, wire, value in filters.values()}
        if settings.limit_param and settings.page_size:
            given = ctx.call.get(argument_name(settings.limit_param))
            limit = given if given is not None else settings.page_size
            wanted[settings.limit_param] = ("query", wire_text(limit))
        for number, sent in enumerate(requests, start=1):
            query = query_of(sent.url)
            headers = {k.lower(): v for k, v in sent.headers.items()}
            for wire, (location, text) in wanted.items():
                got = (
                    query.get(wire, [None])[0] if location == "query" else headers.get(wire.lower())
                )
                if got != text:
                    return (
                        f"request {number} of a multi-page run sent {location} {wire}="
                        f"{got!r}; the caller's {wire}={text!r} must be sent for every page"
                    )
        return None

    def _foreign_link(self, ctx: OpContext, first: Served, second: Served) -> str | None:
        """A next-page link to another host is never followed with the credentials."""
        outcome = self.run(ctx, [first, second], iterate=True)
        return followed_elsewhere(
            outcome, self.harness.canaries, "a next-page link to another host"
        )
