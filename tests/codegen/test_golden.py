"""Golden records: the committed connector packages are exactly what generation produces."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector_spec import load_spec
from connector_spec.codegen import generate_to_directory, render_package
from tests.conftest import CONNECTORS

SPECS = sorted(CONNECTORS.glob("*/connector.yaml"))


@pytest.mark.parametrize("spec_path", SPECS, ids=[p.parent.name for p in SPECS])
def test_committed_package_matches_generation(spec_path: Path) -> None:
    result = generate_to_directory(spec_path, check=True)
    assert result.up_to_date, (
        f"generated files are stale: {result.changed + result.removed}; run "
        f"`flows generate connector {spec_path}`"
    )


@pytest.mark.parametrize("spec_path", SPECS, ids=[p.parent.name for p in SPECS])
def test_generation_is_byte_identical_across_runs(spec_path: Path) -> None:
    first = render_package(load_spec(spec_path)).files
    second = render_package(load_spec(spec_path)).files
    assert first == second


def test_generation_writes_only_changed_files_and_removes_stale_ones(tmp_path: Path) -> None:
    spec = tmp_path / "connector.yaml"
    spec.write_bytes((CONNECTORS / "stripe" / "connector.yaml").read_bytes())
    first = generate_to_directory(spec)
    assert first.changed and not first.removed
    stale = tmp_path / "flows_stripe" / "leftover.py"
    stale.write_text("x = 1\n")
    second = generate_to_directory(spec)
    assert second.changed == [] and second.removed == ["flows_stripe/leftover.py"]
    assert not stale.exists()
    assert generate_to_directory(spec, check=True).up_to_date


def test_generated_files_do_not_depend_on_the_output_location(tmp_path: Path) -> None:
    source = CONNECTORS / "slack" / "connector.yaml"
    generate_to_directory(source, tmp_path)
    for rel, content in render_package(load_spec(source)).files.items():
        assert (tmp_path / rel).read_bytes() == content
