"""Hostile values inside otherwise readable files: exit 2, located, a hint, nothing written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner, Result

from connector_spec.template import render_template
from flows.cli.app import app
from tests.conftest import REPO, SMALL_SEEDS

runner = CliRunner()
TEMPLATE = render_template("acme")
HUGE = "9" * 5000


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _run_bad(tmp_path: Path, argv: list[str]) -> Result:
    before = _files(tmp_path)
    result = runner.invoke(app, argv)
    output = result.output + (result.stderr if result.stderr_bytes else "")
    assert result.exit_code == 2, output
    assert "Traceback" not in output
    assert _files(tmp_path) == before
    return result


def _line_of(text: str, needle: str) -> int:
    return next(i for i, row in enumerate(text.splitlines(), 1) if needle in row)


def test_a_5000_digit_integer_in_a_spec_is_located(tmp_path: Path) -> None:
    text = TEMPLATE.replace("maximum: 100}", f"maximum: {HUGE}}}", 1)
    spec = tmp_path / "connector.yaml"
    spec.write_text(text)
    for command in (["spec", "validate"], ["generate", "connector"], ["certify", "connector"]):
        result = _run_bad(tmp_path, [*command, str(spec)])
        line = _line_of(text, HUGE[:50])
        assert f"{spec}:{line}:" in result.output
        assert "more than 4,300 digits" in result.output or "4300 digits" in result.output
        assert "hint: " in result.output


def test_a_5000_digit_typeversion_in_an_n8n_workflow_is_located(tmp_path: Path) -> None:
    workflow = json.loads((REPO / "tests" / "n8n" / "data" / "order_webhook.json").read_text())
    text = json.dumps(workflow, indent=2)
    first = text.index('"typeVersion": ') + len('"typeVersion": ')
    end = text.index("\n", first)
    text = text[:first] + HUGE + text[end:].lstrip("0123456789.")
    path = tmp_path / "big.json"
    path.write_text(text)
    result = _run_bad(tmp_path, ["import", "n8n", str(path)])
    output = result.output + result.stderr
    assert f"{path}:{_line_of(text, HUGE[:50])}:" in output
    assert "4,300 digits" in output


def test_200000_plain_keys_are_not_called_an_alias_bomb(tmp_path: Path) -> None:
    spec = tmp_path / "connector.yaml"
    spec.write_text("a:\n" + "".join(f"  k{i}: 1\n" for i in range(200_000)))
    result = _run_bad(tmp_path, ["spec", "validate", str(spec)])
    assert "alias" not in result.output
    assert "the limit is 200,000 values" in result.output


def test_an_alias_bomb_is_still_called_one(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(6):
        name, previous = chr(98 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 10)}]")
    spec = tmp_path / "connector.yaml"
    spec.write_text("\n".join(lines) + "\n")
    result = _run_bad(tmp_path, ["spec", "validate", str(spec)])
    assert "alias" in result.output and "the limit is 200,000 values" in result.output


def test_a_yaml_indentation_error_has_a_located_line_and_a_hint(tmp_path: Path) -> None:
    text = TEMPLATE.replace("  display_name: Acme", "   display_name: Acme", 1)
    spec = tmp_path / "connector.yaml"
    spec.write_text(text)
    result = _run_bad(tmp_path, ["spec", "validate", str(spec)])
    assert f"{spec}:{_line_of(text, '   display_name: Acme')}:" in result.output
    assert "hint: check the indentation" in result.output


def _fixtures(tmp_path: Path) -> Path:
    target = tmp_path / "fixtures"
    shutil.copytree(SMALL_SEEDS / "stripe" / "fixtures", target)
    return target


def test_record_rehash_refuses_duplicate_keys_with_a_location(tmp_path: Path) -> None:
    fixtures = _fixtures(tmp_path)
    path = fixtures / "create_charge" / "happy_path.yaml"
    text = path.read_text().replace("scenario: happy_path\n", "scenario: happy_path\nscenario: x\n")
    path.write_text(text)
    result = _run_bad(tmp_path, ["record", "rehash", str(fixtures)])
    assert f"{path}:{_line_of(text, 'scenario: x')}:" in result.output
    assert "duplicate key 'scenario'" in result.output


def test_record_rehash_on_malformed_yaml_is_located(tmp_path: Path) -> None:
    fixtures = _fixtures(tmp_path)
    path = fixtures / "create_charge" / "happy_path.yaml"
    path.write_text(path.read_text().replace("call:\n  amount", "call:\n amount: [\n  amount"))
    result = _run_bad(tmp_path, ["record", "rehash", str(fixtures)])
    assert f"{path}:" in result.output and "YAML syntax error" in result.output


def test_record_rehash_of_a_missing_directory_is_bad_input(tmp_path: Path) -> None:
    result = _run_bad(tmp_path, ["record", "rehash", str(tmp_path / "nope")])
    assert "nope: not a fixtures directory" in result.output
