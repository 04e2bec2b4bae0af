"""One semver implementation: the spec model, spec diff, the registry and the catalog agree."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from connector_spec.diff import SpecDiff
from connector_spec.model import Provider
from connector_spec.versions import compatible, is_version
from flows.ir.catalog import compatible as catalog_compatible
from registry import layout
from registry.errors import RegistryInputError

VALID = ["0.1.0", "1.0.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0a", "1.0.0-rc.1+build.5"]
INVALID = ["1.0.0-01", "01.0.0", "1.0", "1.0.0-", "1.0.0-alpha..1", "v1.0.0"]


def _model_accepts(version: str) -> bool:
    data: dict[str, Any] = {
        "name": "acme",
        "version": version,
        "description": "x",
        "docs_url": "https://docs.example.com",
    }
    try:
        Provider.model_validate(data)
    except ValidationError:
        return False
    return True


def _registry_accepts(version: str) -> bool:
    try:
        layout.parse_ref(f"acme@{version}")
    except RegistryInputError:
        return False
    return True


@pytest.mark.parametrize("version", VALID + INVALID)
def test_every_layer_agrees_on_what_a_version_is(version: str) -> None:
    expected = version in VALID
    assert is_version(version) is expected
    assert _model_accepts(version) is expected
    assert _registry_accepts(version) is expected


def test_precedence_is_semver_everywhere() -> None:
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta.2",
               "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"]  # fmt: skip
    assert sorted(reversed(ordered), key=layout.semver_key) == ordered
    diff = SpecDiff(changes=(), old_version="1.0.0-rc.1", new_version="1.0.0-beta.11")
    assert diff.version_problem is not None  # going backwards, by semver precedence


@pytest.mark.parametrize(
    ("wanted", "available", "expected"),
    [
        ("1.0.0", "1.2.0", True),
        ("1.2.0", "1.0.0", False),
        ("1.0.0", "2.0.0", False),
        ("1.2.0-rc.1", "1.2.0-alpha", False),  # alpha is older than rc.1
        ("1.2.0-alpha", "1.2.0-rc.1", True),
        ("1.2.0-alpha", "1.2.0", True),
        ("1.1.0", "1.2.0-alpha", False),  # a release never resolves to a pre-release
        ("0.1.0", "0.2.0", False),  # below 1.0.0 a minor bump may break
        ("0.1.0", "0.1.5", True),
    ],
)
def test_compatibility_handles_pre_releases(wanted: str, available: str, expected: bool) -> None:
    assert compatible(wanted, available) is expected
    assert catalog_compatible(wanted, available) is expected
