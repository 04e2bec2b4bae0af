"""Huge descriptions, from small self-written ones shaped like the real ones.

- Microsoft Graph: chains of thousands of named schemas (``microsoft.graph.*`` deriving from
  each other through ``allOf``) overflowed the Python stack (RecursionError).
- EC2 / Graph: a description too big for one spec file is split by resource; EC2 once gave
  one spec per resource (595), and Graph's resources share most of their schemas, so a
  part is filled by what its resources really add, not by the sum of their schemas.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from connector_spec.loader import load_spec
from connector_spec.openapi import split as split_module
from flows.cli.app import app

runner = CliRunner()


def _response(ref: str) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{ref}"}
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}


def _description(paths: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.0.1",
        "info": {"title": "Graph", "version": "v1.0"},
        "servers": [{"url": "https://graph.example.com/v1.0"}],
        "security": [{"token": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
    }


def _chain(depth: int, *, derived: bool) -> dict[str, Any]:
    """Schemas ``kind0`` → ``kind1`` → ... through a ``next`` property, each deriving (allOf)
    from ``entity`` (Graph); or, ``derived``, each from the one before it and the operation
    answering the last one (no ``next``)."""
    schemas: dict[str, Any] = {"microsoft.graph.entity": {
        "type": "object", "properties": {"id": {"type": "string"}}}}  # fmt: skip
    for index in range(depth):
        parent = (
            f"microsoft.graph.kind{index - 1}" if derived and index else "microsoft.graph.entity"
        )
        own: dict[str, Any] = {f"field{index}": {"type": "string"}}
        if index + 1 < depth and not derived:
            own["next"] = {"$ref": f"#/components/schemas/microsoft.graph.kind{index + 1}"}
        schemas[f"microsoft.graph.kind{index}"] = {
            "allOf": [{"$ref": f"#/components/schemas/{parent}"},
                      {"type": "object", "properties": own}]}  # fmt: skip
    paths = {"/kinds/{id}": {"get": {
        "operationId": "kinds.GetKind", "tags": ["kinds.kind"],
        "parameters": [{"name": "id", "in": "path", "required": True,
                        "schema": {"type": "string"}}],
        "responses": _response(f"microsoft.graph.kind{depth - 1 if derived else 0}")}}}  # fmt: skip
    return _description(paths, schemas)


def _import(tmp_path: Path, description: dict[str, Any]) -> tuple[Path, dict[str, Any]]:
    source = tmp_path / "graph.json"
    source.write_text(json.dumps(description))
    report = tmp_path / "report.json"
    out = tmp_path / "o"
    result = runner.invoke(
        app, ["import", "openapi", str(source), "--out", str(out), "--report", str(report)]
    )
    assert result.exit_code == 0, result.output
    (spec_path,) = out.glob("*/connector.yaml")
    return spec_path, json.loads(report.read_text())


def test_a_chain_of_thousands_of_schemas_imports(tmp_path: Path) -> None:
    depth = 3000  # far beyond Python's default recursion limit (1000)
    spec_path, _ = _import(tmp_path, _chain(depth, derived=False))
    spec = load_spec(spec_path).spec
    assert [op.id for op in spec.operations] == ["kinds_get_kind"]
    assert len(spec.schemas) >= depth  # every link of the chain, none dropped
    last = spec.schemas[f"microsoft_graph_kind{depth - 1}"]
    assert last.properties is not None and set(last.properties) == {"id", f"field{depth - 1}"}


def test_schemas_deriving_from_each_other_hundreds_deep_import(tmp_path: Path) -> None:
    depth = 300  # inherits every field above it: merged 100 levels deep, then cut (a loss)
    spec_path, report = _import(tmp_path, _chain(depth, derived=True))
    spec = load_spec(spec_path).spec
    deepest = spec.schemas[f"microsoft_graph_kind{depth - 1}"].properties or {}
    assert f"field{depth - 1}" in deepest and f"field{depth - 2}" in deepest
    assert len(deepest) < 110  # not all 300 inherited fields
    assert "allOf-depth" in json.dumps(report)  # the cut is a recorded loss


def _shared_schema_description(resources: int) -> dict[str, Any]:
    """``resources`` tags of 3 operations each; all of them reach one big shared schema."""
    shared = {f"property{i}": {"type": "string", "description": f"shared field number {i}"}
              for i in range(150)}  # fmt: skip
    schemas: dict[str, Any] = {"shared": {"type": "object", "properties": shared}}
    paths: dict[str, Any] = {}
    for r in range(resources):
        schemas[f"item{r}"] = {
            "type": "object",
            "properties": {"base": {"$ref": "#/components/schemas/shared"},
                           **{f"own{i}": {"type": "integer"} for i in range(60)}},
        }  # fmt: skip
        for verb in ("list", "get", "count"):
            paths[f"/r{r}/{verb}"] = {"get": {
                "operationId": f"r{r}.{verb}", "tags": [f"resource{r}"],
                "responses": _response(f"item{r}")}}  # fmt: skip
    return _description(paths, schemas)


def test_a_description_too_big_for_one_spec_is_packed_into_few_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resources = 40
    source = tmp_path / "graph.json"
    source.write_text(json.dumps(_shared_schema_description(resources)))
    whole = tmp_path / "whole"
    assert (
        runner.invoke(app, ["import", "openapi", str(source), "--out", str(whole)]).exit_code == 0
    )
    (whole_spec,) = whole.glob("*/connector.yaml")
    document = load_spec(whole_spec).spec
    shared_size = len(json.dumps(document.model_dump(by_alias=True)["schemas"]["shared"]))
    limit = len(whole_spec.read_bytes()) // 4
    assert shared_size * 5 > limit  # each part holds the shared schema: a real share of it
    monkeypatch.setattr(split_module, "SPLIT_BYTES", limit)
    out = tmp_path / "parts"
    result = runner.invoke(app, ["import", "openapi", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    parts = sorted(out.glob("*/connector.yaml"))
    ids: list[str] = []
    for part in parts:
        assert len(part.read_bytes()) <= limit
        loaded = load_spec(part).spec
        assert "shared" in loaded.schemas
        resources_here = {op.resource for op in loaded.operations}
        assert all(len([o for o in loaded.operations if o.resource == r]) == 3
                   for r in resources_here)  # whole resources only  # fmt: skip
        ids += [op.id for op in loaded.operations]
    assert sorted(ids) == sorted(op.id for op in document.operations)
    # few parts: counting the shared schema once per part, not once per resource (that gave
    # about one part per resource, and EC2's first split one spec per resource)
    at_best = math.ceil(len(whole_spec.read_bytes()) / limit)
    assert at_best <= len(parts) <= 2 * at_best + 1, (len(parts), at_best)


def test_a_large_spec_with_control_characters_in_its_text_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DocuSign's description has U+0080 in a description: written raw in a large (flow-style)
    # spec it made the spec unreadable by its own loader
    monkeypatch.setattr(split_module, "FLOW_STYLE_BYTES", 100)  # every spec is "large" here
    description = _chain(2, derived=False)
    weird = "Envelope\x80 status\x9f \x7f done\x85."
    description["paths"]["/kinds/{id}"]["get"]["description"] = weird
    spec_path, _ = _import(tmp_path, description)
    assert spec_path.read_text(encoding="utf-8").lstrip().split("\n")[-2].startswith("{")
    (operation,) = load_spec(spec_path).spec.operations
    assert operation.description == weird  # carried over exactly, escaped only in the file
