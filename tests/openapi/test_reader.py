"""The shared OpenAPI reader: bounded loading, versions, $ref resolution, operation views."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from connector_spec.openapi import (
    OpenApiError,
    RefError,
    bundle_schema,
    load_openapi,
    local_refs,
    parse_openapi,
)


def pets() -> dict[str, Any]:
    """A small description with a recursive schema and shared parameters."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Pets", "version": "1.2.0"},
        "servers": [{"url": "https://api.example.com/v1"}],
        "paths": {
            "/pets/{petId}": {
                "parameters": [
                    {"name": "petId", "in": "path", "schema": {"type": "string"}},
                    {"$ref": "#/components/parameters/Trace"},
                ],
                "get": {
                    "operationId": "getPet",
                    "tags": ["pets"],
                    "parameters": [
                        {"name": "X-Trace", "in": "header", "schema": {"type": "integer"}}
                    ],
                    "responses": {
                        "200": {"$ref": "#/components/responses/PetResponse"},
                        "404": {"description": "not found"},
                    },
                },
                "put": {
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
                        },
                    },
                    "parameters": [{"$ref": "#/components/parameters/Missing"}],
                    "responses": {"204": {"description": "stored"}},
                },
            }
        },
        "components": {
            "parameters": {
                "Trace": {"name": "X-Trace", "in": "header", "schema": {"type": "string"}}
            },
            "responses": {
                "PetResponse": {
                    "description": "a pet",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
                    },
                }
            },
            "schemas": {
                "Pet": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "tag": {"type": "string", "nullable": True},
                        "parent": {"$ref": "#/components/schemas/Pet"},
                        "a/b": {"$ref": "#/components/schemas/a~1b"},
                    },
                },
                "a/b": {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
            },
        },
    }


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_json_and_yaml_give_the_same_operations(tmp_path: Path) -> None:
    import yaml

    as_json = load_openapi(write(tmp_path, "pets.json", json.dumps(pets())))
    as_yaml = load_openapi(write(tmp_path, "pets.yaml", yaml.safe_dump(pets())))
    assert [op.key for op in as_json.operations()] == ["GET /pets/{petId}", "PUT /pets/{petId}"]
    assert [op.key for op in as_yaml.operations()] == [op.key for op in as_json.operations()]
    assert as_json.openapi_version == "3.0.3"
    assert as_json.api_version == "1.2.0"
    assert as_json.title == "Pets"
    assert len(as_json.sha256) == 64
    assert as_json.operation_count() == 2


def test_parameters_merge_resolve_and_point_back() -> None:
    doc = parse_openapi(json.dumps(pets()).encode(), "pets.json")
    get, put = doc.operations()
    assert get.operation_id == "getPet"
    assert get.pointer == "/paths/~1pets~1{petId}/get"
    by_name = {(p.location, p.name): p for p in get.parameters}
    # the operation's own X-Trace wins over the path item's (referenced) one
    assert by_name[("header", "X-Trace")].schema == {"type": "integer"}
    assert by_name[("path", "petId")].required is True  # path parameters are always required
    assert by_name[("path", "petId")].pointer == "/paths/~1pets~1{petId}/parameters/0"
    ok = next(r for r in get.responses if r.status == "200")
    assert ok.pointer == "/components/responses/PetResponse"
    assert ok.content[0].schema == {"$ref": "#/components/schemas/Pet"}
    assert get.problems == ()
    # PUT: a dangling parameter reference is a problem of that operation, not a crash
    assert put.request_body is not None and put.request_body.required
    assert [p.pointer for p in put.problems] == ["/paths/~1pets~1{petId}/put/parameters/0"]
    assert "points at nothing" in put.problems[0].message


def test_recursive_schema_bundles_and_validates() -> None:
    doc = parse_openapi(json.dumps(pets()).encode(), "pets.json")
    schema = bundle_schema(doc, {"$ref": "#/components/schemas/Pet"})
    assert set(schema["$defs"]) == {"Pet", "a_b"}
    assert schema["$defs"]["Pet"]["properties"]["parent"] == {"$ref": "#/$defs/Pet"}
    # OpenAPI 3.0's dialect becomes JSON Schema's
    assert schema["$defs"]["Pet"]["properties"]["tag"]["type"] == ["string", "null"]
    assert schema["$defs"]["a_b"] == {"type": "integer", "exclusiveMinimum": 0}
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid({"name": "a", "tag": None, "parent": {"name": "b", "a/b": 1}})
    assert not validator.is_valid({"name": "a", "parent": {"tag": "x"}})
    assert not validator.is_valid({"name": "a", "a/b": 0})
    assert local_refs(doc, {"$ref": "#/components/schemas/Pet"}) == [
        "/components/schemas/Pet",
        "/components/schemas/a~1b",
    ]


def test_reference_cycles_and_external_references_are_ref_errors() -> None:
    data = pets()
    data["components"]["schemas"]["Loop"] = {"$ref": "#/components/schemas/Loop2"}
    data["components"]["schemas"]["Loop2"] = {"$ref": "#/components/schemas/Loop"}
    doc = parse_openapi(json.dumps(data).encode(), "loop.json")
    with pytest.raises(RefError, match="cycle"):
        doc.resolve({"$ref": "#/components/schemas/Loop"})
    with pytest.raises(RefError, match="inside the document"):
        doc.resolve({"$ref": "other.yaml#/Pet"})


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('{"openapi": "3.0.0",\n "paths": {,}}', "JSON syntax error", 2),
        ("openapi: 3.0.0\npaths: [\n", "YAML syntax error", 3),
        ('{"swagger": "2.0", "paths": {}}', "Swagger 2.0 is not read", None),
        ('{"openapi": "4.0.0", "paths": {}}', "OpenAPI 4.0.0 is not supported", None),
        ('{"info": {}}', "no 'openapi' version", None),
        ("[1, 2]", "is a JSON/YAML object", 1),
        ("", "file is empty", 1),
        ('{"openapi": "3.1.0", "paths": []}', "'paths' must be an object", None),
        ('{"openapi": "3.1.0", "x": NaN}', "does not allow NaN", None),
    ],
)
def test_bad_input_is_located(tmp_path: Path, text: str, message: str, line: int | None) -> None:
    path = write(tmp_path, "bad.json", text)
    with pytest.raises(OpenApiError) as info:
        load_openapi(path)
    diagnostic = info.value.items[0]
    assert message in diagnostic.message
    assert diagnostic.file == str(path)
    assert diagnostic.line == line
    assert info.value.exit_code == 2
    assert "nothing was written" in info.value.diagnostics()


def test_swagger_refusal_says_what_to_do(tmp_path: Path) -> None:
    path = write(tmp_path, "old.json", '{"swagger": "2.0", "paths": {}}')
    with pytest.raises(OpenApiError) as info:
        load_openapi(path)
    assert "swagger2openapi" in info.value.diagnostics()


def test_hostile_files_are_refused_quickly(tmp_path: Path) -> None:
    big = write(tmp_path, "big.json", '{"openapi": "3.0.0", "paths": {}}' + " " * 2000)
    with pytest.raises(OpenApiError, match="limit is 100"):
        load_openapi(big, max_bytes=100)
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    with pytest.raises(OpenApiError, match="not a regular file"):
        load_openapi(fifo)
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    with pytest.raises(OpenApiError, match="symlink loop"):
        load_openapi(loop)
    with pytest.raises(OpenApiError, match="not found"):
        load_openapi(tmp_path / "absent.json")
    with pytest.raises(OpenApiError, match="directory"):
        load_openapi(tmp_path)
    deep = write(
        tmp_path, "deep.json", '{"openapi": "3.0.0", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    )
    with pytest.raises(OpenApiError, match="nested too deeply"):
        load_openapi(deep)
    deep_yaml = write(tmp_path, "deep.yaml", "openapi: 3.0.0\nx: " + "[" * 300 + "]" * 300)
    with pytest.raises(OpenApiError, match="nested more than"):
        load_openapi(deep_yaml)


def test_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["openapi: 3.0.0", "paths: {}", 'a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 8) + "]")
    path = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    with pytest.raises(OpenApiError, match="alias bomb"):
        load_openapi(path)


def test_subset_keeps_the_operations_and_what_they_reference() -> None:
    from connector_spec.openapi.schemas import subset_description

    doc = parse_openapi(json.dumps(pets()).encode(), "pets.json")
    cut = subset_description(doc, {("/pets/{petId}", "get")})
    assert list(cut["paths"]["/pets/{petId}"]) == ["parameters", "get"]
    assert set(cut["components"]["schemas"]) == {"Pet", "a/b"}
    assert set(cut["components"]["responses"]) == {"PetResponse"}
    again = parse_openapi(json.dumps(cut).encode(), "cut.json")
    assert [op.key for op in again.operations()] == ["GET /pets/{petId}"]
    assert next(again.operations()).problems == ()


def test_yaml_descriptions_are_read_by_the_shared_reader_with_their_own_limits(
    tmp_path: Path,
) -> None:
    schemas = "\n".join(f"    S{i}: *shared" for i in range(100))  # a spec allows 64 aliases
    nested = "[" * 200 + "]" * 200  # a spec allows 100 levels
    text = (
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\nx-deep: " + nested + "\n"
        "components:\n  schemas:\n    Base: &shared {type: object}\n" + schemas + "\n"
    )
    doc = load_openapi(write(tmp_path, "many.yaml", text))
    assert len(doc.component_map("schemas")) == 101
    twice = write(tmp_path, "twice.yaml", "openapi: 3.0.0\npaths: {}\npaths: {}\n")
    with pytest.raises(OpenApiError) as info:
        load_openapi(twice)
    assert "duplicate key 'paths'" in info.value.items[0].message
    assert info.value.items[0].line == 3
