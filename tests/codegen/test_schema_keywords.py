"""The widened schema subset through codegen, runtime decoding and certification.

allOf (merged), discriminated oneOf, readOnly/writeOnly, nullable and type unions, maps with
min/maxProperties, uniqueItems, and the tolerant reader: unknown fields kept, unknown enum
values accepted in responses, id-or-object (Stripe's expandable fields) decoded both ways.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from certify import certify_connector
from tests.codegen.specs import generate_and_import, minimal_spec, read_op, write_spec

SCHEMAS: dict[str, Any] = {
    "Animal": {
        "type": "object",
        "required": ["id", "name"],
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "name": {"type": "string"},
            "status": {"type": "string", "enum": ["available", "sold"]},
            "secret_code": {"type": "string", "writeOnly": True},
        },
    },
    "Dog": {
        "allOf": [
            {"$ref": "#/schemas/Animal"},
            {
                "type": "object",
                "required": ["kind", "bark"],
                "properties": {"kind": {"type": "string"}, "bark": {"type": "boolean"}},
            },
        ]
    },
    "Cat": {
        "allOf": [
            {"$ref": "#/schemas/Animal"},
            {
                "required": ["kind", "lives"],
                "properties": {"kind": {"type": "string"}, "lives": {"type": "integer"}},
            },
        ]
    },
    "Pet": {
        "oneOf": [{"$ref": "#/schemas/Dog"}, {"$ref": "#/schemas/Cat"}],
        "discriminator": {"propertyName": "kind", "mapping": {"dog": "#/schemas/Dog"}},
    },
    "Customer": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
    "Refund": {
        "type": "object",
        "required": ["id", "status", "customer"],
        "properties": {
            "id": {"type": "string"},
            "status": {"type": "string", "enum": ["pending", "succeeded"], "nullable": True},
            "customer": {"anyOf": [{"type": "string"}, {"$ref": "#/schemas/Customer"}]},
            "owner": {"allOf": [{"$ref": "#/schemas/Customer"}], "nullable": True},
            "code": {"type": ["string", "integer", "null"]},
            "labels": {"type": "object", "additionalProperties": {"type": "integer"}},
            "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
        },
    },
}

OPERATIONS: list[dict[str, Any]] = [
    read_op(
        "get_pet",
        "/pets/{id}",
        {"$ref": "#/schemas/Pet"},
        params=[{"name": "id", "in": "path", "required": True}],
    ),
    read_op(
        "get_refund",
        "/refunds/{id}",
        {"$ref": "#/schemas/Refund"},
        params=[{"name": "id", "in": "path", "required": True}],
    ),
    {
        "id": "create_dog",
        "resource": "things",
        "summary": "Create a dog.",
        "method": "POST",
        "path": "/dogs",
        "body": {"schema": {"$ref": "#/schemas/Dog"}},
        "response": {"status": 201, "schema": {"$ref": "#/schemas/Dog"}},
        "effects": "write",
        "determinism": {"mode": "stable", "volatile": ["/id"]},
        "idempotency": {"kind": "key", "header": "Idempotency-Key"},
    },
    {
        "id": "label",
        "resource": "things",
        "summary": "Label things.",
        "method": "PUT",
        "path": "/labels",
        "body": {
            "schema": {
                "type": "object",
                "required": ["labels", "tags"],
                "properties": {
                    "labels": {
                        "type": "object",
                        "additionalProperties": {"type": "integer"},
                        "minProperties": 1,
                        "maxProperties": 2,
                    },
                    "tags": {
                        "type": "array",
                        "items": {"type": "string"},
                        "uniqueItems": True,
                        "minItems": 2,
                    },
                    "status": {"type": "string", "enum": ["on", "off"]},
                    "meta": {
                        "type": "object",
                        "properties": {k: {"type": "string"} for k in "abc"},
                        "minProperties": 1,
                        "maxProperties": 2,
                    },
                },
            }
        },
        "response": {"status": 204},
        "effects": "write",
        "determinism": {"mode": "strict"},
        "idempotency": {"kind": "natural", "natural_key": ["labels"]},
    },
]


@pytest.fixture(scope="module")
def package_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("keywords")
    generate_and_import(directory, minimal_spec("keywords", SCHEMAS, OPERATIONS))
    return directory


@pytest.fixture
def pkg(package_dir: Path, generated: Any) -> ModuleType:
    module: ModuleType = generated(package_dir, "flows_keywords")
    return module


def _client(pkg: ModuleType, body: Any = None, seen: list[httpx.Request] | None = None) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(200, json=body) if body is not None else httpx.Response(204)

    return pkg.KeywordsClient(
        credentials={"TEST_TOKEN": "t0ken"}, transport=httpx.MockTransport(handler)
    )


def test_all_of_merges_properties_and_required(pkg: ModuleType) -> None:
    dog = _client(pkg, {"id": "d1", "name": "Rex", "kind": "dog", "bark": True}).things.get_pet(
        id="d1"
    )
    assert type(dog).__name__ == "Dog" and dog.name == "Rex" and dog.bark is True
    cat = _client(pkg, {"id": "c1", "name": "Tom", "kind": "cat", "lives": 9}).things.get_pet(
        id="c1"
    )
    assert type(cat).__name__ == "Cat" and cat.lives == 9


def test_read_only_fields_are_not_arguments_and_write_only_need_not_come_back(
    pkg: ModuleType,
) -> None:
    seen: list[httpx.Request] = []
    reply = {"id": "d9", "name": "Rex", "kind": "dog", "bark": False}  # no secret_code back
    dog = _client(pkg, reply, seen).things.create_dog(
        name="Rex", kind="dog", bark=False, secret_code="s3"
    )
    assert dog.id == "d9"
    assert json.loads(seen[0].content) == {
        "name": "Rex",
        "kind": "dog",
        "bark": False,
        "secret_code": "s3",
    }
    with pytest.raises(TypeError):
        _client(pkg, reply).things.create_dog(id="x", name="Rex", kind="dog", bark=False)


def test_tolerant_reader_keeps_unknown_fields_and_enum_values(pkg: ModuleType) -> None:
    body = {
        "id": "re_1",
        "status": "requires_action",  # a value the provider added later
        "customer": "cus_1",
        "brand_new_field": {"x": 1},
        "tags": ["a", "a"],  # a response is not refused for repeating itself
    }
    refund = _client(pkg, body).things.get_refund(id="re_1")
    assert refund.status == "requires_action"
    assert refund.brand_new_field == {"x": 1}
    assert refund.tags == ["a", "a"]
    assert _client(pkg, dict(body, status=None)).things.get_refund(id="re_1").status is None
    source = (Path(pkg.__file__).parent / "models.py").read_text()
    assert "status: RefundStatus | str | None" in source  # known values stay visible


def test_id_or_object_fields_decode_in_both_forms(pkg: ModuleType) -> None:
    base = {"id": "re_1", "status": "pending"}
    as_id = _client(pkg, dict(base, customer="cus_1")).things.get_refund(id="re_1")
    assert as_id.customer == "cus_1"
    expanded = _client(pkg, dict(base, customer={"id": "cus_1", "email": "a@b.c"}))
    customer = expanded.things.get_refund(id="re_1").customer
    assert type(customer).__name__ == "Customer" and customer.id == "cus_1"
    owned = _client(pkg, dict(base, customer="c", owner=None, code=7)).things.get_refund(id="r")
    assert owned.owner is None and owned.code == 7


def test_request_arguments_keep_closed_enums_unique_items_and_map_sizes(pkg: ModuleType) -> None:
    seen: list[httpx.Request] = []
    _client(pkg, None, seen).things.label(
        labels={"a": 1}, tags=["x", "y"], status="on", meta={"b": "2"}
    )
    assert json.loads(seen[0].content) == {
        "labels": {"a": 1},
        "tags": ["x", "y"],
        "status": "on",
        "meta": {"b": "2"},
    }
    client = _client(pkg)
    bad: list[dict[str, Any]] = [
        {"labels": {"a": 1}, "tags": ["x", "x"]},
        {"labels": {}, "tags": ["x", "y"]},
        {"labels": {"a": 1, "b": 2, "c": 3}, "tags": ["x", "y"]},
        {"labels": {"a": "one"}, "tags": ["x", "y"]},
        {"labels": {"a": 1}, "tags": ["x", "y"], "status": "dimmed"},
        {"labels": {"a": 1}, "tags": ["x", "y"], "meta": {}},
        {"labels": {"a": 1}, "tags": ["x", "y"], "meta": {"a": "1", "b": "2", "c": "3"}},
    ]
    for arguments in bad:
        with pytest.raises(pkg.RequestValidationError):
            client.things.label(**arguments)


def test_the_spec_certifies(package_dir: Path, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, minimal_spec("keywords", SCHEMAS, OPERATIONS))
    result = certify_connector(spec, connector_dir=package_dir)
    failed = [f"{c.id} {c.operation}: {c.message}" for c in result.checks if c.failed]
    assert failed == []
