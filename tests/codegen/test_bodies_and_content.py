"""Non-JSON responses and bodies, HEAD, and whole-body arguments (names shared with params)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from certify import certify_connector
from connector_spec.errors import SpecError
from connector_spec.loader import load_spec
from tests.codegen.specs import generate_and_import, minimal_spec, write_spec


def _op(op_id: str, method: str, path: str, **extra: Any) -> dict[str, Any]:
    effects = "read" if method in ("GET", "HEAD") else "write"
    op: dict[str, Any] = {
        "id": op_id,
        "resource": "files",
        "summary": f"{op_id}.",
        "method": method,
        "path": path,
        "effects": effects,
        "determinism": {"mode": "strict"},
        **extra,
    }
    if effects == "write":
        op.setdefault("idempotency", {"kind": "key", "header": "Idempotency-Key"})
    return op


ID = [{"name": "id", "in": "path", "required": True}]
OPERATIONS = [
    _op("exists", "HEAD", "/files/{id}", params=ID),
    _op("export_csv", "GET", "/export", response={"content": "text", "media_type": "text/csv"}),
    _op("download", "GET", "/files/{id}/raw", params=ID, response={"content": "binary"}),
    _op(
        "post_note",
        "POST",
        "/notes",
        body={"encoding": "text", "media_type": "text/markdown", "schema": {"type": "string"}},
        response={"status": 201},
    ),
    _op(
        "upload_raw",
        "PUT",
        "/files/{id}/raw",
        params=ID,
        body={"encoding": "binary", "schema": {"type": "string", "format": "binary"}},
        response={"status": 204},
    ),
    _op(
        "upload_form",
        "POST",
        "/files",
        body={
            "encoding": "multipart",
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "title": {"type": "string"},
                    "meta": {"type": "object", "properties": {"tag": {"type": "string"}}},
                },
            },
        },
        response={"status": 201, "schema": {"type": "object"}},
    ),
    _op(
        "update",
        "PATCH",
        "/files/{id}",
        params=[*ID, {"name": "op", "in": "query"}],
        body={
            "argument": "body",
            "schema": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
            },
        },
        response={"schema": {"type": "object"}},
    ),
    _op(
        "bulk",
        "POST",
        "/bulk",
        body={
            "argument": "records",
            "schema": {"type": "array", "items": {"type": "integer"}, "maxItems": 3},
        },
        response={"status": 202},
    ),
]


@pytest.fixture(scope="module")
def package_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("content")
    generate_and_import(directory, minimal_spec("content", {}, OPERATIONS))
    return directory


@pytest.fixture
def pkg(package_dir: Path, generated: Any) -> ModuleType:
    module: ModuleType = generated(package_dir, "flows_content")
    return module


def _client(pkg: ModuleType, response: httpx.Response, seen: list[httpx.Request]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return response

    return pkg.ContentClient(
        credentials={"TEST_TOKEN": "t0ken"}, transport=httpx.MockTransport(handler)
    )


def test_head_sends_head_and_returns_none(pkg: ModuleType) -> None:
    seen: list[httpx.Request] = []
    assert _client(pkg, httpx.Response(200), seen).files.exists(id="f1") is None
    assert seen[0].method == "HEAD" and seen[0].url.path == "/files/f1"


def test_text_and_binary_responses(pkg: ModuleType) -> None:
    seen: list[httpx.Request] = []
    csv = httpx.Response(200, text="a,b\n1,2\n", headers={"Content-Type": "text/csv"})
    assert _client(pkg, csv, seen).files.export_csv() == "a,b\n1,2\n"
    assert seen[0].headers["Accept"] == "text/csv"
    blob = bytes(range(256))
    assert _client(pkg, httpx.Response(200, content=blob), seen).files.download(id="f") == blob
    assert seen[1].headers["Accept"] == "*/*"


def test_text_and_binary_bodies(pkg: ModuleType) -> None:
    seen: list[httpx.Request] = []
    _client(pkg, httpx.Response(201), seen).files.post_note(body="# Title\n")
    assert seen[0].content == b"# Title\n"
    assert seen[0].headers["Content-Type"] == "text/markdown"
    _client(pkg, httpx.Response(204), seen).files.upload_raw(id="f", body=b"\x00\xff")
    assert seen[1].content == b"\x00\xff"
    assert seen[1].headers["Content-Type"] == "application/octet-stream"


def test_multipart_sends_files_and_fields_with_a_stable_boundary(pkg: ModuleType) -> None:
    seen: list[httpx.Request] = []
    client = _client(pkg, httpx.Response(201, json={}), seen)
    for _ in range(2):
        client.files.upload_form(file=b"\x89PNG", title="logo", meta={"tag": "x"})
    assert seen[0].content == seen[1].content
    content_type = seen[0].headers["Content-Type"]
    assert content_type.startswith("multipart/form-data; boundary=flows-")
    text = seen[0].content
    assert b'name="file"; filename="file"' in text and b"\x89PNG" in text
    assert b'name="title"\r\n\r\nlogo' in text
    assert b'name="meta"\r\n\r\n{"tag":"x"}' in text


def test_whole_body_argument_lets_field_names_repeat_parameter_names(pkg: ModuleType) -> None:
    seen: list[httpx.Request] = []
    client = _client(pkg, httpx.Response(200, json={}), seen)
    client.files.update(id="p1", op_="merge", body={"id": "b1", "name": "n"})
    assert seen[0].url.path == "/files/p1" and seen[0].url.params["op"] == "merge"
    assert json.loads(seen[0].content) == {"id": "b1", "name": "n"}
    model = importlib.import_module(pkg.__name__ + ".models").UpdateBody(id="b2")
    client.files.update(id="p1", body=model)
    assert json.loads(seen[1].content) == {"id": "b2"}
    with pytest.raises(pkg.RequestValidationError):
        client.files.update(id="p1", body={"name": "no id"})


def test_a_non_object_json_body_is_one_validated_argument(pkg: ModuleType) -> None:
    seen: list[httpx.Request] = []
    client = _client(pkg, httpx.Response(202), seen)
    client.files.bulk(records=[1, 2, 3])
    assert json.loads(seen[0].content) == [1, 2, 3]
    with pytest.raises(pkg.RequestValidationError):
        client.files.bulk(records=[1, 2, 3, 4])


def test_the_spec_certifies(package_dir: Path, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, minimal_spec("content", {}, OPERATIONS))
    result = certify_connector(spec, connector_dir=package_dir)
    failed = [f"{c.id} {c.operation}: {c.message}" for c in result.checks if c.failed]
    assert failed == []


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"method": "HEAD", "response": {"schema": {"type": "object"}}}, "HEAD response"),
        ({"body": {"encoding": "text", "schema": {"type": "object"}}}, "text body is a string"),
        ({"body": {"schema": {"type": "array"}}}, "argument: body"),
        ({"response": {"content": "text", "schema": {"type": "string"}}}, "has no schema"),
    ],
)
def test_bodies_and_responses_that_do_not_fit_are_refused(
    tmp_path: Path, edit: dict[str, Any], message: str
) -> None:
    edit = dict(edit)
    op = _op("broken", edit.pop("method", "POST"), "/x", **edit)
    with pytest.raises(SpecError) as caught:
        load_spec(write_spec(tmp_path, minimal_spec("bad", {}, [op])))
    assert message in caught.value.diagnostics()
