"""Fixtures: a fresh registry with a fixed clock, and readers over it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from registry import Registry, RegistryReader
from registry.client import LocalSource
from tests.registry.helpers import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def notices() -> list[str]:
    return []


@pytest.fixture
def reg(tmp_path: Path, clock: Clock, notices: list[str]) -> Registry:
    return Registry.init(
        tmp_path / "registry", key_dir=tmp_path / "keys", now=clock, notice=notices.append
    )


@pytest.fixture
def reader(tmp_path: Path, clock: Clock) -> Callable[..., RegistryReader]:
    """``reader()`` reads the fixture registry; ``trust=True`` remembers metadata."""

    def make(root: Path | None = None, *, trust: bool = True, **kw: Any) -> RegistryReader:
        return RegistryReader(
            kw.pop("source", None) or LocalSource(root or tmp_path / "registry"),
            trust_dir=(tmp_path / "trusted") if trust else None,
            now=clock,
        )

    return make


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Key, trust and registry locations of the CLI under ``tmp_path``."""
    monkeypatch.setenv("FLOWS_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("FLOWS_TRUST_DIR", str(tmp_path / "trusted"))
    monkeypatch.setenv("FLOWS_REGISTRY", str(tmp_path / "reg"))
    return tmp_path
