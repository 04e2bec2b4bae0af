"""``flows import openapi``: what a user gets from a small description, and what is lost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from connector_spec.loader import load_spec
from connector_spec.openapi import load_openapi, parse_openapi
from connector_spec.openapi import split as split_module
from connector_spec.openapi.convert import convert_openapi
from flows.cli.app import app

DATA = Path(__file__).parent / "data"
ACME = DATA / "acme.yaml"


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_import_writes_a_valid_spec_and_a_report(tmp_path: Path) -> None:
    result = run("import", "openapi", str(ACME), "--out", str(tmp_path / "out"),
                 "--report", str(tmp_path / "report.json"))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "10 of 12 operations kept" in result.output
    spec_file = tmp_path / "out" / "api-acme-test-acme-store" / "connector.yaml"
    spec = load_spec(spec_file).spec
    assert spec.base_url == "https://{region}.api.acme.test/v2"
    assert spec.variables["region"].kind == "host"
    assert spec.variables["region"].default == "eu"
    assert spec.environments["sandbox"].base_url == "https://sandbox.acme.test/v2"
    assert spec.auth.type == "bearer"
    assert spec.provider.description == "The Acme store API."
    # provenance: the description beside the spec, pinned by its digest
    reference = spec.provider.openapi
    assert reference is not None and reference.path is not None
    assert (spec_file.parent / reference.path).resolve() == ACME.resolve()
    assert reference.sha256 == load_openapi(ACME).sha256
    assert reference.version == "2.1.0"
    ids = [op.id for op in spec.operations]
    assert ids == [
        "list_orders", "create_order", "get_order", "replace_order", "delete_order",
        "order_exists", "get_invoice", "upload_attachment", "health", "get_customers",
    ]  # fmt: skip
    by_id = {op.id: op for op in spec.operations}
    # non-JSON content, HEAD and public operations
    assert by_id["order_exists"].method == "HEAD"
    assert by_id["get_invoice"].response.content == "binary"
    assert by_id["get_invoice"].response.media_type == "application/pdf"
    assert by_id["upload_attachment"].body is not None
    assert by_id["upload_attachment"].body.encoding == "multipart"
    assert by_id["health"].auth == "none"
    assert by_id["get_customers"].resource == "customer_accounts"
    # effects and idempotency from the method and the description
    assert by_id["create_order"].idempotency is not None
    assert by_id["create_order"].idempotency.kind == "key"
    assert by_id["create_order"].idempotency.header == "Idempotency-Key"
    assert [p.name for p in by_id["create_order"].params] == []  # the key is the client's
    assert by_id["replace_order"].idempotency.natural_key == ["orderId"]  # type: ignore[union-attr]
    assert by_id["replace_order"].body is not None
    assert by_id["replace_order"].body.encoding == "form"
    assert by_id["delete_order"].effects == "delete"
    # pagination by convention
    listing = spec.pagination[by_id["list_orders"].pagination or ""]
    assert listing.type == "cursor"
    assert listing.model_dump()["cursor_from_last_item"] == "/id"
    assert spec.pagination[by_id["get_customers"].pagination or ""].type == "page"
    # recursive schemas stay named references; allOf is merged
    order = spec.schemas["Order"]
    assert order.properties is not None
    assert order.properties["parent"].ref == "#/schemas/Order"
    assert set(order.required) == {"items", "id"}
    # errors are declared
    assert [e.status for e in by_id["create_order"].errors] == [422]
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["totals"]["lost_by_reason"] == {"method": 1, "operation-auth": 1}
    lost = {o["operation"]: o for o in report["operations"] if o["status"] == "lost"}
    assert lost["TRACE /health"]["reasons"][0]["code"] == "method"
    assert lost["GET /admin/reports"]["reasons"][0]["pointer"] == "/paths/~1admin~1reports/get"
    listing_report = next(o for o in report["operations"] if o["id"] == "list_orders")
    assert "starting_after" in listing_report["pagination"]
    assert listing_report["losses"][0]["code"] == "parameter-dropped"  # the cookie
    assert report["schema_keywords_dropped"]["multipleOf"]["count"] == 1
    # a look-around pattern is kept: the generated client checks it with Python's re
    assert "pattern-unsupported" not in report["schema_keywords_dropped"]
    assert by_id["get_order"].params[0].schema_.pattern == "^ord_(?=[a-z])"


def test_stdout_markdown_report_and_select(tmp_path: Path) -> None:
    result = run("import", "openapi", str(ACME), "--select", "getOrder,tag:Customer*",
                 "--report", str(tmp_path / "r.md"))  # fmt: skip
    assert result.exit_code == 0, result.output
    document = yaml.safe_load(result.stdout.split("\n", 3)[3])
    assert [op["id"] for op in document["operations"]] == ["get_order", "get_customers"]
    markdown = (tmp_path / "r.md").read_text()
    assert "10 operations not selected" in markdown
    assert "| `GET /orders/{orderId}` | kept | get_order |" in markdown


def test_bad_description_is_exit_2_located_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"openapi": "3.0.0",\n  "paths": {"/a": }}')
    result = run("import", "openapi", str(bad), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert f"{bad}:2:" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    result = run("import", "openapi", str(ACME), "--provider", "Not A Slug")
    assert result.exit_code == 2
    assert "provider slug" in result.output


def test_nothing_convertible_is_exit_1_with_reasons(tmp_path: Path) -> None:
    path = tmp_path / "digest.json"
    path.write_text(json.dumps({
        "openapi": "3.1.0", "info": {"title": "x", "version": "1"},
        "security": [{"digest": []}],
        "components": {"securitySchemes": {"digest": {"type": "http", "scheme": "digest"}}},
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }))  # fmt: skip
    result = run("import", "openapi", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "HTTP scheme 'digest'" in result.output
    assert not (tmp_path / "out").exists()


def test_no_servers_means_the_customers_own_host(tmp_path: Path) -> None:
    raw = json.dumps({"openapi": "3.0.0", "info": {"title": "Self hosted", "version": "1"},
                      "paths": {"/a": {"get": {"responses": {"200": {
                          "description": "ok"}}}}}}).encode()  # fmt: skip
    conversion = convert_openapi(parse_openapi(raw, "self.json"))
    document = conversion.specs[0].document
    assert document["base_url"] == "https://{host}/"[:-1]
    assert document["variables"]["host"]["kind"] == "host"
    assert "default" not in document["variables"]["host"]
    assert [w.code for w in conversion.warnings] == ["server-relative"]


def test_ids_are_unique_stable_and_snake_case() -> None:
    paths: dict[str, Any] = {}
    for index, op_id in enumerate(["getThing", "get_thing", "GetThing", None]):
        op: dict[str, Any] = {"responses": {"200": {"description": "ok"}}}
        if op_id:
            op["operationId"] = op_id
        paths[f"/things{index}/{{id}}"] = {
            "get": {**op, "parameters": [{"name": "id", "in": "path", "required": True}]}
        }
    raw = json.dumps({"openapi": "3.0.0", "info": {"title": "T", "version": "1"},
                      "servers": [{"url": "https://t.test"}], "paths": paths}).encode()  # fmt: skip
    first = convert_openapi(parse_openapi(raw, "t.json"))
    again = convert_openapi(parse_openapi(raw, "t.json"))
    ids = [r.id for r in first.results]
    assert ids == ["get_thing", "get_thing_2", "get_thing_3", "get_things3_by_id"]
    assert ids == [r.id for r in again.results]
    assert first.specs[0].to_yaml() == again.specs[0].to_yaml()


def test_a_description_too_big_for_one_spec_is_split_by_resource(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    orders = convert_openapi(load_openapi(ACME), select=["tag:Orders"]).specs[0]
    whole = convert_openapi(load_openapi(ACME)).specs[0]
    limit = len(orders.to_yaml()) + 600  # room for the longer provider name of a part
    assert len(whole.to_yaml()) > limit
    monkeypatch.setattr(split_module, "SPLIT_BYTES", limit)
    result = run("import", "openapi", str(ACME), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    names = sorted(p.parent.name for p in tmp_path.glob("*/connector.yaml"))
    # whole resources packed into parts that fit, each named after its first resource
    assert names == ["api-acme-test-acme-store-health", "api-acme-test-acme-store-orders"]
    ids: list[str] = []
    for name in names:
        ids += [op.id for op in load_spec(tmp_path / name / "connector.yaml").spec.operations]
    assert sorted(ids) == sorted(op["id"] for op in whole.document["operations"])
    split = run("import", "openapi", str(ACME))
    assert split.exit_code == 2
    assert "split into 2 specs" in split.output
