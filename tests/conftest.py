"""Shared test helpers: repository paths and importing generated connector packages."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent
CONNECTORS = REPO / "connectors"
# the seeds before they were rebuilt at real size: small subjects for harness tests (README there)
SMALL_SEEDS = REPO / "tests" / "data" / "small_seeds"
SHARED = REPO.parent / "shared"


def import_generated(package_dir: Path, package: str) -> ModuleType:
    """Import ``package`` from ``package_dir`` afresh (dropping any earlier copy)."""
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]
    sys.path.insert(0, str(package_dir))
    try:
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(package_dir))


@pytest.fixture(autouse=True)
def _isolated_from_the_developers_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see a developer's own registry, keys, trust store or organisation packs.

    ``FLOWS_POLICY_DIR`` set but empty means "no organisation packs" (not .flows/policies/ of
    whatever directory a test runs in); tests of discovery set or unset it themselves.
    """
    for name in ("FLOWS_REGISTRY", "FLOWS_KEY_DIR", "FLOWS_TRUST_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FLOWS_POLICY_DIR", "")


@pytest.fixture
def generated() -> Iterator[object]:
    """A function that imports a generated package and forgets it afterwards."""
    imported: list[str] = []

    def load(package_dir: Path, package: str) -> ModuleType:
        imported.append(package)
        return import_generated(package_dir, package)

    yield load
    for package in imported:
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]
