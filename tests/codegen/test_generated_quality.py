"""Generated packages are ruff- and mypy-clean exactly as generated."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from connector_spec.codegen import generate_to_directory
from tests.codegen.client_spec import payco_spec
from tests.codegen.specs import write_spec
from tests.conftest import CONNECTORS

BIN = Path(sys.executable).parent
SPECS = sorted(CONNECTORS.glob("*/connector.yaml"))


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return found


@pytest.fixture(scope="module")
def generated_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("generated")
    for spec in SPECS:
        generate_to_directory(spec, root / spec.parent.name)
    # the client-features spec: a `list` method beside `list[...]` annotations, declared errors
    generate_to_directory(
        write_spec(tmp_path_factory.mktemp("payco"), payco_spec()), root / "payco"
    )
    return root


def test_ruff_check_is_clean(generated_tree: Path) -> None:
    result = subprocess.run(
        [_tool("ruff"), "check", "--isolated", "--line-length", "100", str(generated_tree)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_leaves_it_unchanged(generated_tree: Path) -> None:
    result = subprocess.run(
        [
            _tool("ruff"),
            "format",
            "--isolated",
            "--line-length",
            "100",
            "--check",
            str(generated_tree),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean(generated_tree: Path) -> None:
    packages = [str(p) for p in sorted(generated_tree.glob("*/flows_*"))]
    result = subprocess.run(
        [_tool("mypy"), "--strict", "--no-incremental", "--config-file", "/dev/null", *packages],
        capture_output=True,
        text=True,
        check=False,
        cwd=generated_tree,
    )
    assert result.returncode == 0, result.stdout + result.stderr
