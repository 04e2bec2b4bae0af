"""`flows publish connector DIR` (the README's main job): every connector of a directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from tests.conftest import copy_small_seed
from tests.publish.test_publish_pipeline import snapshot

runner = CliRunner()


@pytest.fixture
def seeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with connectors/{sendgrid,slack} (small seeds, packages generated)."""
    monkeypatch.chdir(tmp_path)
    for provider in ("sendgrid", "slack"):
        copy_small_seed(provider, tmp_path / "connectors" / provider)
    return tmp_path


def test_a_directory_publishes_every_connector_and_a_rerun_is_unchanged(seeds: Path) -> None:
    first = runner.invoke(app, ["publish", "connector", "connectors/"])
    assert first.exit_code == 0, first.stdout + first.stderr
    assert first.stderr.count("created signing key") == 1
    lines = [line for line in first.stdout.splitlines() if not line.startswith("  ")]
    assert [line.split(" (")[0] for line in lines] == [
        "published sendgrid@1.0.0",
        "published slack@1.0.0",
    ]
    again = runner.invoke(app, ["publish", "connector", "connectors/"])
    assert again.exit_code == 0
    assert [line for line in again.stdout.splitlines() if not line.startswith("  ")] == [
        "unchanged sendgrid@1.0.0 is already published with identical content",
        "unchanged slack@1.0.0 is already published with identical content",
    ]


def test_one_refused_connector_publishes_none(seeds: Path) -> None:
    spec = seeds / "connectors" / "slack" / "connector.yaml"
    text = spec.read_text()
    start = text.index("waivers:")
    spec.write_text(text[:start])  # an edited spec: its package is stale, certification refuses
    before = snapshot(seeds)
    result = runner.invoke(app, ["publish", "connector", "connectors/"])
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "connectors/slack/connector.yaml: certification failed" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert snapshot(seeds) == before  # sendgrid, which passed, was not published either


def test_a_directory_without_connectors_is_bad_input(seeds: Path) -> None:
    (seeds / "empty").mkdir()
    result = runner.invoke(app, ["publish", "connector", "empty"])
    assert result.exit_code == 2
    assert "no connector specs in this directory" in result.stderr
