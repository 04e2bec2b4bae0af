"""scripts/expires_within.py: when the farming workflow re-signs a registry's timestamp."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.conftest import REPO


def _run(registry: Path, days: str) -> int:
    script = REPO / "scripts" / "expires_within.py"
    return subprocess.run(
        [sys.executable, str(script), str(registry), days], check=False
    ).returncode


def _registry(tmp_path: Path, expires_in: timedelta) -> Path:
    moment = (datetime.now(UTC) + expires_in).strftime("%Y-%m-%dT%H:%M:%SZ")
    (tmp_path / "metadata").mkdir()
    (tmp_path / "metadata" / "timestamp.json").write_text(
        json.dumps({"signed": {"_type": "timestamp", "expires": moment}})
    )
    return tmp_path


def test_soon_expiring_timestamp_asks_for_a_refresh(tmp_path: Path) -> None:
    assert _run(_registry(tmp_path, timedelta(days=2)), "3") == 0


def test_fresh_timestamp_needs_no_refresh(tmp_path: Path) -> None:
    assert _run(_registry(tmp_path, timedelta(days=6)), "3") == 1


def test_missing_registry_is_bad_input(tmp_path: Path) -> None:
    assert _run(tmp_path / "nowhere", "3") == 2
