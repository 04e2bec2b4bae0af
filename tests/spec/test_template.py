"""`flows template connector`: a commented starting spec that validates as is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connector_spec.errors import InputError
from connector_spec.loader import load_spec, parse_spec_bytes
from connector_spec.template import render_template, write_template
from flows.cli.app import app

runner = CliRunner()


@pytest.mark.parametrize("name", ["acme", "acme-crm", "acme_crm2", "ab"])
def test_rendered_template_validates(name: str) -> None:
    spec = parse_spec_bytes(render_template(name).encode(), f"{name}.yaml")
    assert spec.provider.name == name
    assert spec.provider.version == "0.1.0"
    assert [op.id for op in spec.operations] == ["list_items", "get_item", "create_item"]
    assert {c.name for c in spec.capabilities} == {f"{name}.items:read", f"{name}.items:write"}
    env = name.replace("-", "_").upper() + "_API_TOKEN"
    assert spec.auth.type == "bearer" and spec.auth.secret.env == env


def test_template_is_commented_and_points_at_the_schema() -> None:
    text = render_template("acme")
    assert text.startswith("# yaml-language-server: $schema=https://flows.dev/schemas/")
    assert sum(1 for line in text.splitlines() if line.lstrip().startswith("#")) >= 10
    assert "TODO" in text
    assert "flows_acme" in text


@pytest.mark.parametrize("name", ["Acme", "a", "1acme", "acme!", "acme--crm", "", "x" * 65])
def test_invalid_names_are_input_errors(name: str) -> None:
    with pytest.raises(InputError) as info:
        render_template(name)
    assert info.value.exit_code == 2
    assert "not a valid provider name" in info.value.diagnostics()
    assert "hint: use a lowercase slug" in info.value.diagnostics()


def test_write_template_then_validate(tmp_path: Path) -> None:
    out = write_template("acme", tmp_path / "connector.yaml")
    assert load_spec(out).spec.provider.name == "acme"


def test_write_template_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "connector.yaml"
    out.write_text("mine\n")
    with pytest.raises(InputError, match="already exists"):
        write_template("acme", out)
    assert out.read_text() == "mine\n"
    assert [p.name for p in tmp_path.iterdir()] == ["connector.yaml"]


def test_cli_prints_the_template() -> None:
    result = runner.invoke(app, ["template", "connector", "acme"])
    assert result.exit_code == 0
    assert result.stdout == render_template("acme")


def test_cli_json_wraps_the_template() -> None:
    result = runner.invoke(app, ["template", "connector", "acme", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "ok": True,
        "name": "acme",
        "text": render_template("acme"),
    }


def test_cli_writes_then_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "connector.yaml"
    first = runner.invoke(app, ["template", "connector", "acme", "--out", str(out)])
    assert first.exit_code == 0
    assert f"next: flows spec validate {out}" in first.output
    again = runner.invoke(app, ["template", "connector", "other", "--out", str(out), "--json"])
    assert again.exit_code == 2
    payload = json.loads(again.stdout)
    assert payload["ok"] is False and "already exists" in payload["message"]
    assert out.read_text() == render_template("acme")


def test_cli_invalid_name(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["template", "connector", "Acme Corp", "--out", str(tmp_path / "c.yaml")]
    )
    assert result.exit_code == 2
    assert "'Acme Corp' is not a valid provider name" in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []
