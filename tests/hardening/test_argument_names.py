"""Library messages name arguments the way the caller's front-end spells them.

The certify library once told an MCP client "--only 'x' matches no check", naming a CLI flag
the client never saw. Now the library says ``argument("only")`` and each front-end spells it:
``--only`` on the command line, ``argument `only``` over MCP, ``argument 'only'`` in Python.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from certify import certify_connector
from certify.errors import CertifyInputError
from connector_spec.errors import argument, argument_style, cli_argument, mcp_argument
from flows.cli.app import app
from flows.mcp import FlowsMcp, Sandbox
from tests.conftest import REPO, SMALL_SEEDS

LIBRARIES = (
    "connector_spec",
    "certify/provider",
    "certify",
    "policies",
    "flows/harvest",
    "flows/farm",
    "flows/ir",
    "flows/n8n",
    "registry",
)
# Strings that describe a whole command to run (in backticks) are fine; a bare flag is not.
FLAG = re.compile(r"(?<![\w`-])--[a-z][a-z-]+")


def _stripe(tmp_path: Path) -> Path:
    target = tmp_path / "stripe"
    shutil.copytree(SMALL_SEEDS / "stripe", target)
    return target / "connector.yaml"


def test_the_spelling_follows_the_front_end() -> None:
    assert argument("only") == "argument 'only'"
    with argument_style(cli_argument):
        assert argument("key_dir") == "--key-dir"
        with argument_style(mcp_argument):
            assert argument("only") == "argument `only`"
        assert argument("only") == "--only"
    assert argument("only") == "argument 'only'"


def test_python_callers_see_the_parameter_name(tmp_path: Path) -> None:
    with pytest.raises(CertifyInputError) as caught:
        certify_connector(_stripe(tmp_path), only=["nothing.like.this"])
    assert str(caught.value).startswith("argument 'only' 'nothing.like.this' matches no check")


def test_the_cli_names_its_flag(tmp_path: Path) -> None:
    spec = _stripe(tmp_path)
    result = CliRunner().invoke(app, ["certify", "connector", str(spec), "--only", "nothing"])
    assert result.exit_code == 2
    assert "--only 'nothing' matches no check" in result.output


def test_mcp_names_the_tool_argument(tmp_path: Path) -> None:
    spec = _stripe(tmp_path)
    server = FlowsMcp(Sandbox.create([tmp_path]))
    result = server.call("connector_certify", {"spec": str(spec), "only": ["nothing"]})
    assert not result.ok
    assert "argument `only` 'nothing' matches no check" in result.data["message"]
    assert "--only" not in result.data["message"]


def _string_constants(path: Path) -> list[tuple[int, str]]:
    """String constants of ``path`` that are not docstrings or comments."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


@pytest.mark.parametrize("library", LIBRARIES)
def test_library_messages_name_no_cli_flag(library: str) -> None:
    offenders = []
    for path in sorted((REPO / library).rglob("*.py")):
        if "runtime" in path.parts or path.name == "pytest_plugin.py":
            continue
        for line, text in _string_constants(path):
            if not any(c.isspace() for c in text.strip()):
                continue  # a bare token ("--silent" for npm, an origin label) is data
            for match in FLAG.finditer(text):
                if text[: match.start()].count("`") % 2 == 0:
                    offenders.append(f"{path.relative_to(REPO)}:{line}: {match.group(0)}")
    allowed: set[str] = set()
    offenders = [
        o
        for o in offenders
        if o.split(":")[0] not in allowed
        and ":".join(o.split(":")[:2])
        != (
            "certify/provider/source.py:71"  # a recorded origin label, not a message
        )
    ]
    assert offenders == []
