"""Fuzzing the front doors with hypothesis: random bytes, random YAML, mutated seeds.

Every command must end with exit 0, 1 or 2, never with a traceback (an exception escaping the
command), and write nothing when it exits 2. The MCP server must answer every tool call with a
result (a crash inside a tool becomes ``ToolFailed``, which counts as a bug here) and stay up.
Example counts are bounded and derandomized so the run is repeatable and takes seconds.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from connector_spec.template import render_template
from flows.cli.app import app
from flows.mcp import FlowsMcp, Sandbox
from flows.mcp.jsonrpc import screen
from tests.conftest import REPO
from tests.hardening.mcp_session import mcp_session

runner = CliRunner()
TEMPLATE = render_template("acme")
WORKFLOW = (REPO / "tests" / "n8n" / "data" / "order_webhook.json").read_text()


def fuzz(examples: int) -> Callable[[Any], Any]:
    """Bounded, repeatable hypothesis settings."""
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --- strategies --------------------------------------------------------------------------

ODD_SCALARS = st.sampled_from(
    [
        "9" * 5000,
        "-1e400",
        ".nan",
        "null",
        "[]",
        "{}",
        "*undefined_alias",
        "&a [*a]",
        "!!python/object/apply:os.system ['true']",
        "'unterminated",
        "\t",
        "{a: 1, a: 2}",
        "https://user:pass@example.com",
        "0.0.0.0.0",
        "1.0.0-01",
    ]
)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` with one to three line-level mutations."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "value", "indent", "truncate"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "value" and ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            value = draw(st.one_of(ODD_SCALARS, ODD_SCALARS, st.text(max_size=20).map(json.dumps)))
            lines[i] = f"{key}: {value}"
        elif op == "indent":
            lines[i] = " " * draw(st.integers(0, 5)) + lines[i].lstrip()
        elif op == "truncate":
            lines = lines[:i]
    return "\n".join(lines) + "\n"


SPEC_TEXT = st.one_of(
    st.binary(max_size=400).map(lambda b: b.decode("utf-8", "replace")),
    JSONISH.map(lambda v: yaml.safe_dump(v)),
    mutated(TEMPLATE),
    mutated(TEMPLATE),
)


@st.composite
def workflow_bytes(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["bytes", "json", "mutated"]))
    if kind == "bytes":
        return draw(st.binary(max_size=400))
    if kind == "json":
        return json.dumps(draw(JSONISH)).encode()
    data = json.loads(WORKFLOW)
    node = data["nodes"][draw(st.integers(0, len(data["nodes"]) - 1))]
    field = draw(st.sampled_from(["type", "typeVersion", "parameters", "name", "position"]))
    node[field] = draw(JSONISH)
    text = json.dumps(data)
    if draw(st.booleans()):
        text = text.replace('"typeVersion": 1', '"typeVersion": ' + "7" * 5000, 1)
    return text.encode()


# --- helpers ------------------------------------------------------------------------------


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _check(result: Result, before: dict[str, bytes], root: Path) -> None:
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    assert not crashed, f"{type(result.exception).__name__}: {result.exception}\n{result.output}"
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert _files(root) == before, "exit 2 but files were written"


def _run(root: Path, argv: list[str]) -> Result:
    before = _files(root)
    result = runner.invoke(app, argv)
    _check(result, before, root)
    return result


# --- the CLI ------------------------------------------------------------------------------


@fuzz(60)
@given(text=SPEC_TEXT)
@example(text=TEMPLATE.replace("version: 0.1.0", "version: " + "9" * 5000))
@example(text="a:\n  - b\n   c: d\n")
def test_spec_validate_survives_anything(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "connector.yaml"
        spec.write_text(text, encoding="utf-8")
        _run(Path(tmp), ["spec", "validate", str(spec)])


@fuzz(25)
@given(text=SPEC_TEXT)
def test_generate_survives_anything(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "acme" / "connector.yaml"
        spec.parent.mkdir()
        spec.write_text(text, encoding="utf-8")
        _run(Path(tmp), ["generate", "connector", str(spec)])


@fuzz(6)
@given(text=mutated(TEMPLATE))
def test_certify_survives_mutated_specs(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "acme" / "connector.yaml"
        spec.parent.mkdir()
        spec.write_text(TEMPLATE, encoding="utf-8")
        assert runner.invoke(app, ["generate", "connector", str(spec)]).exit_code == 0
        spec.write_text(text, encoding="utf-8")  # the package is now stale or the spec broken
        out = Path(tmp) / "evidence"
        _run(Path(tmp), ["certify", "connector", str(spec), "--out", str(out)])


@fuzz(40)
@given(raw=workflow_bytes())
@example(raw=WORKFLOW.replace('"typeVersion": 1', '"typeVersion": ' + "7" * 5000, 1).encode())
def test_import_n8n_survives_anything(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "workflow.json"
        path.write_bytes(raw)
        out = Path(tmp) / "flow.json"
        _run(Path(tmp), ["import", "n8n", str(path), "--out", str(out)])


# --- the MCP server -----------------------------------------------------------------------


@fuzz(30)
@given(text=SPEC_TEXT, raw=workflow_bytes())
def test_mcp_tools_answer_anything(text: str, raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = FlowsMcp(Sandbox.create([tmp]))
        before = _files(Path(tmp))
        for name, arguments in (
            ("spec_validate", {"text": text}),
            ("n8n_import", {"workflow": raw.decode("utf-8", "replace")}),
        ):
            result = server.call(name, arguments)
            assert result.data.get("error") != "ToolFailed", result.data
        assert _files(Path(tmp)) == before


@fuzz(80)
@given(line=st.one_of(st.text(max_size=60), JSONISH.map(json.dumps)))
def test_jsonrpc_screening_never_raises(line: str) -> None:
    def validate(text: str) -> Any:
        import mcp_types

        return mcp_types.jsonrpc_message_adapter.validate_json(text, by_name=False)

    outcome = screen(line, validate)
    if outcome.reply is not None:
        assert outcome.reply["jsonrpc"] == "2.0"
        assert ("error" in outcome.reply) != ("result" in outcome.reply)


def test_mcp_server_stays_up_through_random_lines(tmp_path: Path) -> None:
    lines: list[str] = []

    @fuzz(40)
    @given(line=st.one_of(st.text(max_size=40), JSONISH.map(json.dumps)))
    def collect(line: str) -> None:
        lines.append(line.replace("\n", " ").replace("\r", " "))

    collect()
    init = {
        "jsonrpc": "2.0",
        "id": "init",
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "fuzz", "version": "1"},
        },
    }
    script = [json.dumps(init), *lines, '{"jsonrpc": "2.0", "id": "end", "method": "ping"}']
    replies, stderr = mcp_session(tmp_path, script, "end")
    assert "Traceback" not in stderr, stderr
    assert replies[-1] == {"jsonrpc": "2.0", "id": "end", "result": {}}
