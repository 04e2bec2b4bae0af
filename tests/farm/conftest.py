"""A private working directory: keys, trust store and registry all live under tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLOWS_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("FLOWS_TRUST_DIR", str(tmp_path / "trusted"))
    monkeypatch.delenv("FLOWS_REGISTRY", raising=False)
    return tmp_path
