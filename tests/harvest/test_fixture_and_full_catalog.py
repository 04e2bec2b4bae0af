"""The fixture builder script, the committed fixture, and (when present) the full catalog."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from connector_spec import load_spec
from flows.harvest import harvest_n8n, load_catalog
from tests.conftest import REPO
from tests.harvest.helpers import FIXTURE, real_package


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_catalog_fixture", REPO / "scripts" / "build_catalog_fixture.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_fixture_is_small_and_covers_every_path() -> None:
    size = sum(f.stat().st_size for f in FIXTURE.rglob("*") if f.is_file())
    assert size < 200_000
    catalog = load_catalog(FIXTURE)
    assert {n["name"] for n in catalog.nodes} == set(_script().NODES)


def test_builder_rebuilds_the_fixture_from_a_package(tmp_path: Path) -> None:
    # The committed fixture is itself a valid (small) package: rebuilding from it is a fixpoint.
    out = tmp_path / "rebuilt"
    size = _script().build(FIXTURE, out)
    assert size < 200_000
    for rel in ("package.json", "dist/types/nodes.json", "dist/types/credentials.json"):
        assert json.loads((out / rel).read_text()) == json.loads((FIXTURE / rel).read_text())
    schemas = sorted(p.relative_to(FIXTURE) for p in FIXTURE.rglob("__schema__/**/*.json"))
    assert schemas == sorted(p.relative_to(out) for p in out.rglob("__schema__/**/*.json"))


def test_builder_refuses_a_package_missing_a_chosen_node(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "dist/types").mkdir(parents=True)
    (package / "package.json").write_text('{"version": "1.0.0"}')
    (package / "dist/types/nodes.json").write_text('[{"name": "adalo"}]')
    (package / "dist/types/credentials.json").write_text("[]")
    with pytest.raises(SystemExit, match="not in this package"):
        _script().build(package, tmp_path / "out")


@pytest.mark.slow
def test_full_catalog_every_spec_loads(tmp_path: Path) -> None:
    package = real_package()
    if package is None:
        pytest.skip("set FLOWS_N8N_CATALOG to an unpacked n8n-nodes-base package or its .tgz")
    result = harvest_n8n(package, out_dir=tmp_path / "out")
    report = result.report
    if report.catalog_version == "2.41.2":
        assert (report.node_descriptions, report.credential_types) == (503, 409)
        # declarative nodes whose blocked operations are left out, each with partial coverage
        complete = {e.provider: (e.kept, len(e.omitted)) for e in report.partial()}
        assert complete == {
            "adalo": (3, 2),
            "currents": (14, 8),
            "high-level": (8, 9),
            "npm": (2, 3),
            "okta": (3, 2),
            "send-in-blue": (4, 11),
        }
        assert report.by_status()["complete"] == len(complete)
    specs = sorted((tmp_path / "out").glob("*/connector.yaml"))
    assert len(specs) == report.to_json()["totals"]["specs_written"] > 0
    for path in specs:
        load_spec(path)
    assert "spec-invalid" not in report.reasons(("no-spec",))
    assert "response-schema-unknown" not in report.reasons(("incomplete",))  # a warning


@pytest.mark.slow
def test_full_catalog_every_written_spec_would_certify_and_pass_policy(tmp_path: Path) -> None:
    """A spec the harvest marks complete must certify: so must every spec, forced through.

    What keeps a spec incomplete is what n8n does in code, never something certification or
    the default policy pack would refuse (capabilities, variables without defaults, ...).
    """
    from flows.gate import certify_and_gate

    package = real_package()
    if package is None:
        pytest.skip("set FLOWS_N8N_CATALOG to an unpacked n8n-nodes-base package or its .tgz")
    harvest_n8n(package, out_dir=tmp_path / "out")
    problems: dict[str, str] = {}
    for path in sorted((tmp_path / "out").glob("*/connector.yaml")):
        gated = certify_and_gate(path)
        if not gated.passed:
            failed = [f"{c.id} {c.operation}: {c.message}" for c in gated.certification.failed]
            if gated.policy is not None:
                failed += [f"{r.rule}: {r.message}" for r in gated.policy.failures()]
            problems[path.parent.name] = "; ".join(failed)[:300]
    assert problems == {}
