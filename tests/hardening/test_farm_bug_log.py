"""A flows bug during farming is logged with its traceback in the farm's output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flows.farm import farm_shard, parse_shard
from flows.farm.buglog import BUG_LOG
from tests.farm.helpers import add_seed_specs


def test_an_internal_error_is_logged_with_its_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs = tmp_path / "specs"
    add_seed_specs(specs, ("slack",))

    def broken(task: Any, outcome: Any) -> None:
        raise RuntimeError("boom in the preparation")

    monkeypatch.setattr("flows.farm.prepare._prepare", broken)
    out = tmp_path / "shard-1"
    report = farm_shard(specs, parse_shard("1/1"), out, jobs=1)
    (outcome,) = report.outcomes
    assert outcome.status == "error"
    assert "RuntimeError: boom in the preparation" in str(outcome.message)
    assert f"traceback logged in {BUG_LOG}" in str(outcome.message)
    log = (out / BUG_LOG).read_text()
    assert "internal error for slack/connector.yaml" in log
    assert "Traceback (most recent call last):" in log
    assert 'raise RuntimeError("boom in the preparation")' in log
    shard_report = json.loads((out / "farm-shard.json").read_text())
    assert "Traceback (most recent call last)" not in json.dumps(shard_report)
    assert '"traceback":' not in json.dumps(shard_report)


def test_no_log_without_an_internal_error(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    add_seed_specs(specs, ("slack",))
    (specs / "slack" / "connector.yaml").write_text("not: [a, spec")
    out = tmp_path / "shard-1"
    report = farm_shard(specs, parse_shard("1/1"), out, jobs=1)
    assert report.outcomes[0].status == "error"  # bad input, not a bug
    assert not (out / BUG_LOG).exists()
