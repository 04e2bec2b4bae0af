"""Fixtures of the policy tests."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from tests.policies.helpers import SpecWriter, write_connector


@pytest.fixture
def write_spec(tmp_path: Path) -> SpecWriter:
    """``write_spec(spec=None, fixtures=None, manifest=None)`` writes into tmp_path, loads."""
    return functools.partial(write_connector, tmp_path)
