"""Pagination checks on a list whose pages are the whole body (GitHub: ``items: ''``)."""

from __future__ import annotations

from pathlib import Path

from certify import certify_connector
from tests.codegen.specs import minimal_spec, read_op, write_spec

ITEM = {
    "type": "object",
    "required": ["id"],
    "properties": {"id": {"type": "integer"}, "title": {"type": "string"}},
}


def test_a_broken_item_on_page_two_of_a_whole_body_list_is_scripted(tmp_path: Path) -> None:
    # found rebuilding the GitHub seed: the harness set the page items at pointer '' on a copy
    # it then dropped, so every page served the same valid example and a client that never
    # validated page 2 would have passed
    spec = minimal_spec(
        "pages",
        {},
        [
            read_op(
                "list_things",
                "/things",
                {"type": "array", "items": ITEM},
                pagination="link",
                determinism={"mode": "nondeterministic"},
            )
        ],
    )
    spec["pagination"] = {"link": {"type": "link_header", "items": ""}}
    path = write_spec(tmp_path, spec)
    result = certify_connector(path, connector_dir=tmp_path, only=["contract.pagination*"])
    checks = {c.id: c for c in result.checks}
    assert {"contract.pagination", "contract.pagination_items_validated"} <= set(checks)
    assert [c.id for c in result.checks if c.failed] == []
    assert checks["contract.pagination_items_validated"].status == "passed"


def test_a_number_filter_is_expected_on_every_page_as_the_runtime_writes_it(
    tmp_path: Path,
) -> None:
    # found rebuilding the Slack seed: files.list's ts_from is a `number`; the runtime sends
    # 1.0 as "1" while the pagination check expected "1.0" and failed a correct client
    params = [
        {"name": "ts_from", "in": "query", "schema": {"type": "number"}},
        {"name": "page", "in": "query", "schema": {"type": "integer"}},
    ]
    spec = minimal_spec(
        "pages",
        {},
        [
            read_op(
                "list_things",
                "/things",
                {"type": "object", "properties": {"items": {"type": "array", "items": ITEM}}},
                params=params,
                pagination="numbered",
                determinism={"mode": "nondeterministic"},
            )
        ],
    )
    spec["pagination"] = {"numbered": {"type": "page", "items": "/items", "page_size": 1}}
    path = write_spec(tmp_path, spec)
    result = certify_connector(path, connector_dir=tmp_path, only=["contract.pagination"])
    assert [c.id for c in result.checks] == ["contract.pagination"]
    assert [c.id for c in result.checks if c.failed] == []
