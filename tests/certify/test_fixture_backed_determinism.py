"""Strict determinism is proven only by replaying what the live API answered (recorded fixture)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from certify import certify_connector, rehash
from connector_spec.loader import load_spec
from policies import evaluate
from tests.conftest import SMALL_SEEDS

RULE = "default.strict-determinism-replayed"


def _sendgrid(tmp_path: Path, source: str) -> Path:
    """SendGrid with its strict-determinism waiver removed and the fixture's source set."""
    target = tmp_path / "sendgrid"
    shutil.copytree(
        SMALL_SEEDS / "sendgrid", target, ignore=shutil.ignore_patterns("__pycache__", "flows_*")
    )
    spec = target / "connector.yaml"
    text = spec.read_text()
    start = text.index(f"  - rule: {RULE}")
    spec.write_text(text[:start])
    fixture = target / "fixtures" / "send_mail" / "happy_path.yaml"
    fixture.write_text(fixture.read_text().replace("source: synthesized", f"source: {source}"))
    rehash(target / "fixtures")
    return spec


@pytest.mark.parametrize(
    ("source", "backed", "status"),
    [
        ("recorded", True, "passed"),
        ("synthesized", False, "failed"),
    ],
)
def test_determinism_replay_is_fixture_backed_only_for_recorded_fixtures(
    tmp_path: Path, source: str, backed: bool, status: str
) -> None:
    spec = _sendgrid(tmp_path, source)
    result = certify_connector(spec)
    replay = result.check("determinism.replay", "send_mail")
    assert replay.status == "passed"
    assert replay.fixture_backed is backed
    report = evaluate(load_spec(spec), evidence=result.statement)
    outcome = [r for r in report.results if r.rule == RULE]
    assert [r.status for r in outcome] == [status]
