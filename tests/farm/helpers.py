"""Running `flows` in-process and comparing registries, for the farm tests."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from flows.cli.app import app
from tests.conftest import REPO, SMALL_SEEDS

FIXTURE = REPO / "tests" / "harvest" / "data" / "n8n-catalog"
SEEDS = ("slack", "stripe")
runner = CliRunner()


@dataclass
class Run:
    """One CLI invocation."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """The JSON printed on stdout."""
        return json.loads(self.stdout)


def flows(*args: str | Path) -> Run:
    """Run ``flows ARGS`` in-process."""
    result = runner.invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.stdout, result.stderr)


def harvest_fixture(out: Path) -> dict[str, Any]:
    """Harvest the small n8n catalog fixture into ``out``; return the harvest report."""
    run = flows("harvest", "n8n", "--catalog", FIXTURE, "--out", out, "--json")
    assert run.code == 0, run.stdout + run.stderr
    report: dict[str, Any] = run.json()
    return report


def add_seed_specs(specs: Path, names: tuple[str, ...] = SEEDS) -> None:
    """Hand-written specs beside the harvested ones (no sidecar: they count as complete)."""
    for name in names:
        (specs / name).mkdir(parents=True)
        shutil.copyfile(SMALL_SEEDS / name / "connector.yaml", specs / name / "connector.yaml")
        # the provider's own description, which the spec names (provider.openapi.path)
        shutil.copytree(SMALL_SEEDS / name / "provider", specs / name / "provider")


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by relative path (the lock file excluded)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and p.name != ".lock"
    }


def by_key(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The farm report's spec outcomes by key."""
    return {s["key"]: s for s in report["specs"]}


def published_content(registry: Path) -> dict[str, Any]:
    """Per published file, what must not depend on how the farm ran (durations excluded)."""
    out: dict[str, Any] = {}
    for path in sorted((registry / "targets").glob("*/*/*")):
        if path.parent.parent.name.startswith("_"):
            continue
        rel = path.relative_to(registry / "targets").as_posix()
        if path.name == "statement.json":
            out[rel] = _without_durations(json.loads(path.read_bytes()))
        elif path.name.startswith("statement.") or path.name == "summary.md":
            out[rel] = "present"  # signatures and timing tables differ from run to run
        else:
            out[rel] = path.read_bytes()
    return out


def _without_durations(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_durations(v) for k, v in value.items() if k != "duration_ms"}
    if isinstance(value, list):
        return [_without_durations(v) for v in value]
    return value
