"""Pagination: every page fetched with the right cursor/offset/page, no loops."""

from __future__ import annotations

import copy

from certify.examples import (
    example,
    set_pointer,
    success_body,
)
from certify.harness import Served, query_of
from certify.matrix.core import (
    MatrixBase,
    OpContext,
    Skip,
    expect_success,
)
from connector_spec.jsonschema_subset import SchemaNode
from connector_spec.model import (
    CursorPagination,
    LinkHeaderPagination,
    OffsetPagination,
    Operation,
    PageNumberPagination,
)


class PaginationChecks(MatrixBase):
    """Multi-page runs."""

    def _page_item_schema(self, op: Operation, pointer: str) -> SchemaNode | None:
        node = self._schema_at(op, pointer)
        return node.items if node is not None else None

    def pagination(self, ctx: OpContext, *, repeat: bool) -> str | None:
        """Three pages are all fetched; a repeated cursor stops the iteration."""
        op = ctx.op
        settings = self.spec.pagination[op.pagination or ""]
        item_schema = self._page_item_schema(op, settings.items)
        base_item = example(self.spec, item_schema) if item_schema is not None else {}
        base_body = ctx.body if isinstance(ctx.body, dict) else (success_body(self.spec, op) or {})
        url = self.harness.new_client(ctx.environment)[0].base_url.rstrip("/") + op.path
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
            set_pointer(body, settings.items, items)
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
            empty = copy.deepcopy(base_body)
            set_pointer(empty, settings.items, [])
            script.append(Served.json_body(op.response.status, empty))
        expected = 3 if stops_itself else 4
        outcome = self.run(ctx, script, iterate=True)
        problem = expect_success(outcome, expected, "over three pages")
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
