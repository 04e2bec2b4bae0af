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
