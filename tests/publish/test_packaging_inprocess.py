"""The in-process hatchling build gives the very bytes of the PEP 517 subprocess build."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from connector_spec.codegen import render_package
from connector_spec.loader import load_spec
from flows import packaging

SEED = Path(__file__).resolve().parents[2] / "connectors" / "sendgrid" / "connector.yaml"


def test_in_process_wheel_is_byte_identical_to_the_frontend_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loaded = load_spec(SEED)
    generated = render_package(loaded)
    assert packaging.build_backend(generated) == packaging.HATCHLING
    before = dict(os.environ)
    fast = packaging.build_wheel(generated, loaded.raw)
    assert dict(os.environ) == before  # SOURCE_DATE_EPOCH set only during the build
    monkeypatch.setattr(packaging, "HATCHLING", "not-this-backend")  # force the subprocess
    slow = packaging.build_wheel(generated, loaded.raw)
    assert (fast.filename, fast.content) == (slow.filename, slow.content)


def test_a_broken_package_is_a_build_failure_naming_it() -> None:
    loaded = load_spec(SEED)
    generated = render_package(loaded)
    files = dict(generated.files)
    files["pyproject.toml"] = files["pyproject.toml"].replace(
        b'requires-python = ">=3.11"', b'requires-python = "not a specifier"'
    )
    broken = dataclasses.replace(generated, files=files)
    with pytest.raises(packaging.BuildFailed, match=generated.package):
        packaging.build_wheel(broken, loaded.raw)
