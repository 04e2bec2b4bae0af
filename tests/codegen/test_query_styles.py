"""Array and object query parameters in OpenAPI's styles (form, delimited, deepObject)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from certify import certify_connector
from connector_spec.errors import SpecError
from connector_spec.loader import load_spec
from tests.codegen.specs import generate_and_import, minimal_spec, read_op, write_spec

ARRAY = {"type": "array", "items": {"type": "string"}}
FILTER = {
    "type": "object",
    "properties": {"status": {"type": "string"}, "kind": {"type": "string"}},
}
PARAMS = [
    {"name": "repeated", "in": "query", "schema": ARRAY},
    {"name": "ids", "in": "query", "schema": ARRAY, "explode": False},
    {"name": "tags", "in": "query", "schema": ARRAY, "style": "pipeDelimited"},
    {"name": "words", "in": "query", "schema": ARRAY, "style": "spaceDelimited"},
    {"name": "filter", "in": "query", "schema": FILTER, "style": "deepObject"},
    {"name": "color", "in": "query", "schema": FILTER},
    {"name": "packed", "in": "query", "schema": FILTER, "explode": False},
]
SPEC = minimal_spec("styles", {}, [read_op("search", "/search", {"type": "object"}, params=PARAMS)])


def test_each_style_is_written_as_openapi_says(tmp_path: Path, generated: Any) -> None:
    generate_and_import(tmp_path, SPEC)
    pkg = generated(tmp_path, "flows_styles")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    client = pkg.StylesClient(
        credentials={"TEST_TOKEN": "t"}, transport=httpx.MockTransport(handler)
    )
    client.things.search(
        repeated=["a", "b"],
        ids=["1", "2"],
        tags=["x", "y"],
        words=["hello", "world"],
        filter={"status": "open", "kind": "bug"},
        color={"status": "s", "kind": "k"},
        packed={"status": "s", "kind": "k"},
    )
    assert seen[0].url.params.multi_items() == [
        ("repeated", "a"),
        ("repeated", "b"),
        ("ids", "1,2"),
        ("tags", "x|y"),
        ("words", "hello world"),
        ("filter[status]", "open"),
        ("filter[kind]", "bug"),
        ("status", "s"),
        ("kind", "k"),
        ("packed", "status,s,kind,k"),
    ]
    result = certify_connector(write_spec(tmp_path, SPEC), connector_dir=tmp_path)
    assert [c.id for c in result.checks if c.failed] == []


def test_deep_object_arrays_are_indexed_as_stripe_expects(tmp_path: Path, generated: Any) -> None:
    # found rebuilding the Stripe seed: `expand` is an array with style deepObject, which
    # Stripe reads as expand[0]=customer&expand[1]=invoice (never expand=customer)
    params = [{"name": "expand", "in": "query", "schema": ARRAY, "style": "deepObject"}]
    spec = minimal_spec(
        "styles", {}, [read_op("search", "/search", {"type": "object"}, params=params)]
    )
    generate_and_import(tmp_path, spec)
    pkg = generated(tmp_path, "flows_styles")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    client = pkg.StylesClient(
        credentials={"TEST_TOKEN": "t"}, transport=httpx.MockTransport(handler)
    )
    client.things.search(expand=["customer", "invoice"])
    assert seen[0].url.params.multi_items() == [("expand[0]", "customer"), ("expand[1]", "invoice")]


def test_style_outside_the_query_is_refused(tmp_path: Path) -> None:
    spec = minimal_spec(
        "styles",
        {},
        [
            read_op(
                "get",
                "/x/{id}",
                {"type": "object"},
                params=[{"name": "id", "in": "path", "required": True, "style": "deepObject"}],
            )
        ],
    )
    with pytest.raises(SpecError) as caught:
        load_spec(write_spec(tmp_path, spec))
    assert "query parameters only" in caught.value.diagnostics()
