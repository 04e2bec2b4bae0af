"""The published JSON Schema: up to date, valid, and agreeing with the loader on the seeds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from connector_spec.schema_export import (
    PUBLISHED_SCHEMA,
    SCHEMA_ID,
    schema_text,
    write_schema,
)
from connector_spec.template import render_template
from flows.cli.app import app
from tests.conftest import CONNECTORS

runner = CliRunner()
SEEDS = sorted(CONNECTORS.glob("*/connector.yaml"))


def _validator() -> Any:
    schema = json.loads(PUBLISHED_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_published_schema_is_up_to_date() -> None:
    assert PUBLISHED_SCHEMA.read_text(encoding="utf-8") == schema_text(), (
        "connector_spec/schema/connector-spec-v1.json is stale; regenerate it with "
        "'flows spec schema --out connector_spec/schema/connector-spec-v1.json'"
    )


def test_schema_text_is_stable_and_identified() -> None:
    text = schema_text()
    assert text.endswith("}\n") and text == schema_text()
    schema = json.loads(text)
    assert schema["$id"] == SCHEMA_ID
    assert schema["title"] == "ConnectorSpec v1"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert text == json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    # YAML names, not Python attribute names
    assert "apiVersion" in schema["properties"]
    assert "in" in schema["$defs"]["Parameter"]["properties"]


@pytest.mark.parametrize("seed", SEEDS, ids=[p.parent.name for p in SEEDS])
def test_seed_specs_validate_against_the_published_schema(seed: Path) -> None:
    errors = list(_validator().iter_errors(yaml.safe_load(seed.read_text(encoding="utf-8"))))
    assert errors == []


def test_there_are_five_seed_specs() -> None:
    assert [p.parent.name for p in SEEDS] == ["github", "sendgrid", "sheets", "slack", "stripe"]


def test_template_validates_against_the_published_schema() -> None:
    assert list(_validator().iter_errors(yaml.safe_load(render_template("acme")))) == []


def test_schema_rejects_what_the_loader_rejects() -> None:
    data: dict[str, Any] = yaml.safe_load(render_template("acme"))
    data["provider"]["nmae"] = "typo"
    data["operations"][0]["method"] = "FETCH"
    messages = sorted(e.message for e in _validator().iter_errors(data))
    assert any("'nmae' was unexpected" in m for m in messages)
    assert any("'FETCH' is not one of" in m for m in messages)


def test_cli_prints_the_schema() -> None:
    result = runner.invoke(app, ["spec", "schema"])
    assert result.exit_code == 0
    assert result.stdout == schema_text()


def test_cli_writes_the_schema(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    out.write_text("old\n")
    result = runner.invoke(app, ["spec", "schema", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"ok": True, "written": str(out)}
    assert out.read_text(encoding="utf-8") == schema_text()
    assert [p.name for p in tmp_path.iterdir()] == ["schema.json"]  # no temp file left


def test_write_schema_from_python(tmp_path: Path) -> None:
    assert write_schema(tmp_path / "s.json") == tmp_path / "s.json"
    assert (tmp_path / "s.json").read_text(encoding="utf-8") == schema_text()
