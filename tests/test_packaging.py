"""`flows` installs the way Python tools do: a wheel into a fresh environment, `flows --version`.

The wheel is built offline from a copy of the source tree (``--no-isolation``: setuptools
comes with the dev extra), so the test needs no network and leaves the work tree clean.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import flows
from tests.conftest import REPO
from tests.index.helpers import fresh_venv, pip

SKIP = shutil.ignore_patterns(
    ".venv", ".git", "__pycache__", "build", "dist", "*.egg-info", ".flows", "*_cache", "tests"
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("setuptools", minversion="77")
    base = tmp_path_factory.mktemp("wheel")
    source = base / "src"
    shutil.copytree(REPO, source, ignore=SKIP)
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(base)],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (built,) = base.glob("flows-*.whl")
    return built


def test_the_wheel_carries_the_typed_markers_templates_and_site_assets(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "flows/py.typed",
        "registry/py.typed",
        "connector_spec/py.typed",
        "flows/cli/help.txt",
        "registry/site/static/site.css",
        "registry/site/static/site.js",
        "registry/site/templates/version.html.j2",
    ):
        assert needed in names, needed


def test_the_wheel_installs_into_a_fresh_environment_and_runs(wheel: Path, tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "venv")
    # the fresh environment sees this one's dependencies; --ignore-installed puts flows itself
    # into the new environment instead of trusting the editable install it can also see
    done = pip(python, "--no-deps", "--ignore-installed", str(wheel))
    assert done.returncode == 0, done.stdout + done.stderr
    script = python.parent / "flows"
    version = subprocess.run(
        [str(script), "--version"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"flows {flows.__version__}"
    where = subprocess.run(
        [str(python), "-c", "import flows; print(flows.__file__)"],
        cwd=tmp_path,  # not the source tree
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.strip().startswith(str(tmp_path / "venv"))
    completion = subprocess.run(
        [str(script), "--show-completion", "bash"], capture_output=True, text=True, check=False
    )
    assert completion.returncode == 0 and "complete" in completion.stdout
