"""The GitHub workflows: actionlint and zizmor find nothing; farm.yml keeps its promises."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"
FARM = WORKFLOWS / "farm.yml"
SHA_PIN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")


def _tool(name: str) -> str | None:
    beside_python = Path(sys.executable).parent / name
    return str(beside_python) if beside_python.exists() else shutil.which(name)


def _workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def test_zizmor_finds_nothing() -> None:
    zizmor = _tool("zizmor")
    if zizmor is None:
        pytest.fail("zizmor is not installed: pip install -e '.[dev]'")
    run = subprocess.run(
        [zizmor, "--offline", "--no-progress", str(WORKFLOWS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_actionlint_finds_nothing() -> None:
    actionlint = _tool("actionlint")
    if actionlint is None:
        pytest.skip(
            "actionlint is not installed (pip install -e '.[workflow-lint]'; its installer "
            "downloads the binary from GitHub, which this machine cannot reach)"
        )
    run = subprocess.run(
        [actionlint, "-no-color", *map(str, _workflow_files())],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def _load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("path", _workflow_files(), ids=lambda p: p.name)
def test_every_action_is_pinned_by_full_commit_sha(path: Path) -> None:
    for name, job in _load(path)["jobs"].items():
        for step in job.get("steps", []):
            uses = step.get("uses")
            if uses and not uses.startswith("./"):
                assert SHA_PIN.match(uses), f"{path.name}: job {name}: {uses} is not SHA-pinned"


def test_farm_triggers_and_least_privilege() -> None:
    farm = _load(FARM)
    triggers = farm[True]  # YAML 1.1 reads the key 'on' as True
    assert "schedule" in triggers and triggers["schedule"][0]["cron"]
    assert "workflow_dispatch" in triggers
    assert farm["permissions"] == {}
    jobs = farm["jobs"]
    with_id_token = [n for n, j in jobs.items() if j.get("permissions", {}).get("id-token")]
    assert with_id_token == ["merge"]
    assert jobs["merge"]["permissions"] == {"contents": "read", "id-token": "write"}
    for name, job in jobs.items():
        assert "permissions" in job, f"job {name} must state its permissions"
        writes = {k for k, v in job["permissions"].items() if v == "write"}
        assert writes <= {"id-token", "contents", "pull-requests"}
        if name != "pull-request":
            assert "contents" not in writes
    for job in jobs.values():
        for step in job.get("steps", []):
            if "actions/checkout@" in step.get("uses", ""):
                assert step["with"]["persist-credentials"] is False


def test_farm_pipeline_shape() -> None:
    farm = _load(FARM)
    jobs = farm["jobs"]
    text = FARM.read_text()
    assert "npm pack" in text and "n8n-nodes-base@${N8N_VERSION}" in text
    assert "flows harvest n8n --catalog" in text
    assert jobs["farm"]["needs"] == "harvest"
    assert jobs["farm"]["strategy"]["matrix"]["shard"] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert 'flows farm --shard "${SHARD}/${SHARDS}"' in text
    assert jobs["merge"]["needs"] == "farm"
    assert "sigstore sign" in text
    assert jobs["pull-request"]["needs"] == "merge"
    assert "gh pr create" in text
