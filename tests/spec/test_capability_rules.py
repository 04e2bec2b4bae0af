"""The capability hierarchy: write implies read, reported at the exact place.

Cycles are a default policy rule (tests/policies/test_default_rules.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from flows.cli.app import app
from tests.spec.helpers import spec_data

runner = CliRunner()


def _validate(tmp_path: Path, data: dict[str, Any]) -> tuple[int, str]:
    spec = tmp_path / "connector.yaml"
    spec.write_text(yaml.safe_dump(data, sort_keys=False))
    result = runner.invoke(app, ["spec", "validate", str(spec)])
    return result.exit_code, result.output


def _capability(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in data["capabilities"] if c["name"] == name)


def test_the_template_hierarchy_is_valid(tmp_path: Path) -> None:
    code, output = _validate(tmp_path, spec_data())
    assert code == 0, output


def test_write_that_does_not_imply_read_is_refused(tmp_path: Path) -> None:
    data = spec_data()
    _capability(data, "acme.items:write")["implies"] = []
    code, output = _validate(tmp_path, data)
    assert code == 2
    assert "capability 'acme.items:write' does not imply 'acme.items:read'" in output
    assert "capabilities[1].implies" in output
    assert "connector.yaml:" in output


def test_write_implying_read_through_another_capability_is_accepted(tmp_path: Path) -> None:
    data = spec_data()
    data["capabilities"].append({"name": "acme.items:list", "implies": ["acme.items:read"]})
    _capability(data, "acme.items:write")["implies"] = ["acme.items:list"]
    code, output = _validate(tmp_path, data)
    assert code == 0, output
