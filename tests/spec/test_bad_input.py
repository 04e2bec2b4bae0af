"""Bad input through the CLI: a one-screen located error, exit code 2, nothing written."""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from connector_spec.errors import SpecError
from connector_spec.loader import load_spec
from connector_spec.template import render_template
from flows.cli.app import app

runner = CliRunner()
TEMPLATE = render_template("acme")
SCREEN_LINES = 24


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _validate(tmp_path: Path, text: str | bytes, name: str = "connector.yaml") -> Result:
    """Run `flows spec validate` on ``text``; check the common promises; return the result."""
    spec = tmp_path / name
    if isinstance(text, bytes):
        spec.write_bytes(text)
    else:
        spec.write_text(text, encoding="utf-8")
    before = _tree(tmp_path)
    result = runner.invoke(app, ["spec", "validate", str(spec)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(result.output.splitlines()) <= SCREEN_LINES
    assert _tree(tmp_path) == before
    assert result.output.startswith(f"error {spec}:")
    return result


def _edit(old: str, new: str, count: int = 1) -> str:
    assert TEMPLATE.count(old) >= count, old
    return TEMPLATE.replace(old, new, count)


def _line_of(text: str, needle: str) -> int:
    return text.splitlines().index(next(ln for ln in text.splitlines() if needle in ln)) + 1


def test_template_is_valid_to_start_with(tmp_path: Path) -> None:
    spec = tmp_path / "ok.yaml"
    spec.write_text(TEMPLATE)
    result = runner.invoke(app, ["spec", "validate", str(spec)])
    assert result.exit_code == 0, result.output


def test_malformed_yaml(tmp_path: Path) -> None:
    text = "apiVersion: flows.dev/v1\nkind: ConnectorSpec\nprovider: {name: acme\n  version: 1\n"
    result = _validate(tmp_path, text)
    assert "connector.yaml:4:" in result.output
    assert "YAML syntax error" in result.output
    assert "1 error in the connector spec; nothing was written." in result.output


def test_wrong_types(tmp_path: Path) -> None:
    text = _edit("version: 0.1.0 ", "version: [1]   ").replace("method: GET", "method: 7", 1)
    result = _validate(tmp_path, text)
    version_line = _line_of(text, "version: [1]")
    method_line = _line_of(text, "method: 7")
    assert f"connector.yaml:{version_line}:3: provider.version: Input should be a valid string" in (
        result.output
    )
    assert f"connector.yaml:{method_line}:5: operations[0].method: Input should be" in result.output
    assert "(got 7)" in result.output
    assert "2 errors in the connector spec" in result.output


def test_unknown_fields_with_did_you_mean(tmp_path: Path) -> None:
    text = _edit("    summary: List items.", "    sumary: List items.")
    text = text.replace("  timeouts:", "  timeuots:")
    result = _validate(tmp_path, text)
    line = _line_of(text, "sumary:")
    assert f"connector.yaml:{line}:5: operations[0].sumary: unknown field 'sumary'" in result.output
    assert "hint: did you mean 'summary'?" in result.output
    assert "transport.timeuots: unknown field 'timeuots'" in result.output
    assert "hint: did you mean 'timeouts'?" in result.output


def test_unknown_field_without_a_close_match_lists_the_allowed_ones(tmp_path: Path) -> None:
    text = _edit("  license: Apache-2.0", "  license: Apache-2.0\n  zzz: 1")
    result = _validate(tmp_path, text)
    assert "unknown field 'zzz'" in result.output
    assert "allowed here:" in result.output and "docs_url" in result.output


def test_http_base_url(tmp_path: Path) -> None:
    text = _edit("base_url: https://api.example.com", "base_url: http://api.example.com")
    result = _validate(tmp_path, text)
    line = _line_of(text, "base_url: http://")
    assert f"connector.yaml:{line}:1: base_url: base URL 'http://api.example.com' must use " in (
        result.output
    )
    assert "hint:" in result.output


def test_loopback_http_needs_explicit_permission(tmp_path: Path) -> None:
    text = _edit("base_url: https://api.example.com", "base_url: http://127.0.0.1:8080")
    result = _validate(tmp_path, text)
    assert "allow_insecure_loopback: true" in result.output
    allowed = tmp_path / "allowed.yaml"
    allowed.write_text(text + "allow_insecure_loopback: true\n")
    assert runner.invoke(app, ["spec", "validate", str(allowed)]).exit_code == 0


def test_write_operation_without_idempotency(tmp_path: Path) -> None:
    text = _edit("    idempotency: {kind: key, header: Idempotency-Key, ttl_seconds: 86400}\n", "")
    result = _validate(tmp_path, text)
    line = _line_of(text, "effects: write")
    assert (
        f"connector.yaml:{line}:5: operations[2].effects: "
        "write operation 'create_item' declares no idempotency"
    ) in result.output
    assert "hint: add 'idempotency:" in result.output


def test_duplicate_operation_ids(tmp_path: Path) -> None:
    text = _edit("  - id: get_item", "  - id: list_items")
    result = _validate(tmp_path, text)
    line = [i for i, ln in enumerate(text.splitlines(), 1) if "id: list_items" in ln][1]
    assert (
        f"connector.yaml:{line}:5: operations[1].id: duplicate operation id 'list_items' "
        "(first used by operations[0])"
    ) in result.output


def test_path_parameter_missing_from_the_path_template(tmp_path: Path) -> None:
    text = _edit("path: /v1/items/{item_id}", "path: /v1/items/{id}")
    result = _validate(tmp_path, text)
    assert "operations[1].path: path parameter {id} is not declared in params" in result.output
    assert (
        "operations[1].params[0].name: path parameter 'item_id' does not appear in path"
        in result.output
    )
    assert "2 errors in the connector spec" in result.output


def test_a_path_and_a_query_parameter_of_the_same_name(tmp_path: Path) -> None:
    # n8n sends some fields in two places; a generated method has one argument per name
    text = _edit(
        "      - {name: item_id, in: path, required: true}\n",
        "      - {name: item_id, in: path, required: true}\n      - {name: item_id, in: query}\n",
    )
    result = _validate(tmp_path, text)
    line = _line_of(text, "{name: item_id, in: query}")
    assert (
        f"connector.yaml:{line}:10: operations[1].params[1].name: query parameter 'item_id' "
        "becomes the argument 'item_id' of the generated method, which path parameter "
        "'item_id' (params[0]) already is"
    ) in result.output
    assert "hint: each parameter and body field is one argument" in result.output
    assert "1 error in the connector spec" in result.output


def test_a_body_field_and_a_parameter_that_become_one_argument(tmp_path: Path) -> None:
    text = _edit(
        "    path: /v1/items\n    body:",
        "    path: /v1/items\n    params:\n      - {name: itemName, in: query}\n    body:",
    )
    text = text.replace(
        "          name: {type: string, minLength: 1}\n",
        ("          name: {type: string, minLength: 1}\n          item_name: {type: string}\n"),
    )
    result = _validate(tmp_path, text)
    line = _line_of(text, "item_name: {type: string}")
    assert (
        f"connector.yaml:{line}:11: operations[2].body.schema.properties.item_name: body field "
        "'item_name' becomes the argument 'item_name' of the generated method, which query "
        "parameter 'itemName' (params[0]) already is"
    ) in result.output


def test_yaml_alias_bomb_is_refused_fast(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
        previous = name
    started = time.perf_counter()
    result = _validate(tmp_path, "\n".join(lines) + "\n")
    elapsed = time.perf_counter() - started
    assert "refusing an alias bomb" in result.output
    assert elapsed < 0.5


def test_many_aliases_are_refused(tmp_path: Path) -> None:
    text = "a: &a {k: v}\n" + "".join(f"x{i}: *a\n" for i in range(200))
    result = _validate(tmp_path, text)
    assert "aliases; refusing a possible alias bomb" in result.output


def test_deep_nesting_is_refused_without_crashing(tmp_path: Path) -> None:
    depth = 20_000  # libyaml's composer would overflow the C stack on this
    result = _validate(tmp_path, "a: " + "[" * depth + "]" * depth + "\n")
    assert result.exit_code == 2
    assert "connector.yaml:1:" in result.output
    assert "nest" in result.output  # libyaml's own limit or ours, whichever trips first


def test_nesting_beyond_our_limit_is_refused_with_location(tmp_path: Path) -> None:
    depth = 150  # below libyaml's own limit, above ours
    result = _validate(tmp_path, "a: " + "[" * depth + "]" * depth + "\n")
    assert result.exit_code == 2
    assert "nested more than 100 levels deep" in result.output


def test_fifty_megabyte_file_is_refused_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "huge.yaml"
    with spec.open("wb") as handle:  # sparse: 50 MB without writing 50 MB
        handle.truncate(50 * 1024 * 1024)
    opened: list[Path] = []
    real_open = Path.open

    def spy(self: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(self)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    started = time.perf_counter()
    result = runner.invoke(app, ["spec", "validate", str(spec)])
    assert result.exit_code == 2
    assert time.perf_counter() - started < 1.0
    assert f"{spec}: file is 52,428,800 bytes; the limit is 4,194,304" in result.output
    assert spec not in opened
    assert len(result.output.splitlines()) <= SCREEN_LINES


def test_not_utf8(tmp_path: Path) -> None:
    result = _validate(tmp_path, b"\xff\xfe\x00a")
    assert "not UTF-8" in result.output


def test_json_output_for_bad_input(tmp_path: Path) -> None:
    spec = tmp_path / "c.yaml"
    spec.write_text(_edit("    summary: List items.", "    sumary: List items."))
    result = runner.invoke(app, ["spec", "validate", str(spec), "--json"])
    assert result.exit_code == 2
    payload = json.loads(result.stdout)
    diagnostics = payload["files"][0]["diagnostics"]
    assert {d["path"] for d in diagnostics} == {"operations[0].summary", "operations[0].sumary"}
    assert all(d["file"] == str(spec) and d["line"] for d in diagnostics)


# ------------------------------------------------------------------ loader: places and all-at-once


def test_loader_reports_every_error_of_a_file_at_once(tmp_path: Path) -> None:
    text = (
        _edit("version: 0.1.0 ", "version: one   ")
        .replace("method: POST", "method: SEND")
        .replace("  docs_url: https://docs", "  docs_url: http://docs")
        .replace("    summary: Create an item.", "    summry: Create an item.")
    )
    spec = tmp_path / "c.yaml"
    spec.write_text(text)
    with pytest.raises(SpecError) as info:
        load_spec(spec)
    found = {(d.path, d.line, d.column) for d in info.value.items}
    assert found == {
        ("provider.version", _line_of(text, "version: one"), 3),
        ("provider.docs_url", _line_of(text, "docs_url: http://"), 3),
        ("operations[2].method", _line_of(text, "method: SEND"), 5),
        ("operations[2].summary", _line_of(text, "- id: create_item"), 5),
        ("operations[2].summry", _line_of(text, "summry:"), 5),
    }


def test_located_errors_inside_flow_mappings_and_deep_schemas(tmp_path: Path) -> None:
    text = _edit(
        "      - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}",
        "      - {name: limit, in: query, schema: {type: int, minimum: 1, maximum: 100}}",
    )
    spec = tmp_path / "c.yaml"
    spec.write_text(text)
    with pytest.raises(SpecError) as info:
        load_spec(spec)
    line = _line_of(text, "type: int,")
    column = text.splitlines()[line - 1].index("type: int") + 1
    # one diagnostic, without pydantic's union-branch tags in the path
    assert len(info.value.items) == 1
    first = info.value.items[0]
    assert first.path == "operations[0].params[0].schema.type"
    assert (first.line, first.column) == (line, column)
    assert first.format() == (
        f"{spec}:{line}:{column}: operations[0].params[0].schema.type: Input should be "
        "'string', 'integer', 'number', 'boolean', 'array', 'object' or 'null', "
        "or input should be a valid list (got 'int')"
    )


# ------------------------------------------------------------------ unwritable outputs

OutputCommand = Callable[[Path], list[str]]
COMMANDS: dict[str, OutputCommand] = {
    "spec schema": lambda out: ["spec", "schema", "--out", str(out)],
    "template connector": lambda out: ["template", "connector", "acme", "--out", str(out)],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_unwritable_filesystem(command: str) -> None:
    """/sys refuses new files even to root, so this runs everywhere (CI runs as root)."""
    if not Path("/sys").is_dir():
        pytest.skip("no /sys on this machine")
    out = Path("/sys/flows-unwritable-test.out")
    result = runner.invoke(app, COMMANDS[command](out))
    assert result.exit_code == 2, result.output
    assert "nothing was written" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_unwritable_output_directory(tmp_path: Path, command: str) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = runner.invoke(app, COMMANDS[command](locked / "out.txt"))
    finally:
        locked.chmod(stat.S_IRWXU)
    assert result.exit_code == 2
    assert "output directory is not writable; nothing was written" in result.output
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_missing_output_directory(tmp_path: Path, command: str) -> None:
    result = runner.invoke(app, [*COMMANDS[command](tmp_path / "no" / "out.txt"), "--json"])
    assert result.exit_code == 2
    payload = json.loads(result.stdout)
    assert payload["ok"] is False and payload["error"] == "InputError"
    assert "output directory does not exist; nothing was written" in payload["message"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_output_path_that_is_a_directory(tmp_path: Path, command: str) -> None:
    result = runner.invoke(app, COMMANDS[command](tmp_path))
    assert result.exit_code == 2
    assert "is a directory; nothing was written" in result.output
    assert list(tmp_path.iterdir()) == []
