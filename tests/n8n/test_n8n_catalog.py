"""Where the importer's connector catalog comes from: --connectors, ./connectors, the local
registry (verified, latest non-yanked version of each connector), or none (with a warning)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connector_spec.errors import CheckFailed, InputError
from flows.cli.app import app
from flows.ir.catalog import (
    NO_CATALOG_WARNING,
    DirectoryCatalog,
    InMemoryCatalog,
    catalog_warning,
    resolve_catalog,
)
from flows.n8n.importer import import_workflow
from registry import Registry
from tests.conftest import SMALL_SEEDS
from tests.n8n.helpers import DATA
from tests.registry.helpers import publication

FIXTURE = DATA / "order_webhook.json"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_ambient_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLOWS_REGISTRY", raising=False)
    monkeypatch.delenv("FLOWS_TRUST_DIR", raising=False)


def _registry(base: Path, *, yank_newest: bool = False) -> Registry:
    """``base/.flows/registry`` holding stripe 1.0.0 and 1.1.0 (optionally 1.1.0 yanked)."""
    reg = Registry.init(base / ".flows" / "registry", key_dir=base / "keys", notice=lambda _m: None)
    reg.publish(publication("stripe", "1.0.0"))
    reg.publish(publication("stripe", "1.1.0"))
    if yank_newest:
        reg.yank("stripe", "1.1.0", "broken")
    return reg


def _connectors(result_json: dict[str, object]) -> set[str]:
    nodes = result_json["nodes"]
    assert isinstance(nodes, list)
    return {n["connector"] for n in nodes if n["kind"] == "connector"}


# --------------------------------------------------------------------------- library


def test_explicit_connectors_must_exist(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="connectors directory not found"):
        resolve_catalog(tmp_path / "nope", base=tmp_path)


def test_connectors_under_the_base_come_first(tmp_path: Path) -> None:
    (tmp_path / "connectors").symlink_to(SMALL_SEEDS)
    _registry(tmp_path)
    catalog = resolve_catalog(base=tmp_path)
    assert isinstance(catalog, DirectoryCatalog)
    assert "slack@1.0.0" in catalog.providers()


def test_the_local_registry_gives_every_non_yanked_spec_and_maps_the_newest(
    tmp_path: Path,
) -> None:
    _registry(tmp_path)
    catalog = resolve_catalog(base=tmp_path)
    assert catalog is not None
    assert catalog.providers() == ["stripe@1.0.0", "stripe@1.1.0"]
    assert _connectors(import_workflow(FIXTURE, catalog).flow.to_json()) == {"stripe@1.1.0"}
    assert catalog.origin == f"registry {tmp_path / '.flows' / 'registry'}"
    assert (tmp_path / ".flows" / "trusted").is_dir()  # verified, and the metadata remembered
    _registry(tmp_path / "second", yank_newest=True)
    catalog = resolve_catalog(base=tmp_path / "second")
    assert catalog is not None and catalog.providers() == ["stripe@1.0.0"]
    result = import_workflow(FIXTURE, catalog)
    assert _connectors(result.flow.to_json()) == {"stripe@1.0.0"}


def test_the_registry_location_follows_flows_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _registry(tmp_path / "elsewhere")
    monkeypatch.setenv("FLOWS_REGISTRY", str(tmp_path / "elsewhere" / ".flows" / "registry"))
    catalog = resolve_catalog(base=tmp_path)
    assert catalog is not None and "stripe@1.1.0" in catalog.providers()


def test_a_tampered_registry_is_refused(tmp_path: Path) -> None:
    reg = _registry(tmp_path)
    spec = reg.root / "targets" / "stripe" / "1.1.0" / "connector.yaml"
    spec.write_bytes(spec.read_bytes().replace(b"Stripe", b"Strype"))
    with pytest.raises(CheckFailed) as err:
        resolve_catalog(base=tmp_path)
    assert "connector.yaml" in err.value.diagnostics()


def test_no_catalog_at_all_is_none_and_the_report_says_so(tmp_path: Path) -> None:
    assert resolve_catalog(base=tmp_path) is None
    result = import_workflow(FIXTURE, None)
    assert result.report.findings[0].to_json() == {
        "severity": "warning",
        "code": "no-catalog",
        "message": NO_CATALOG_WARNING,
        "node": None,
        "hint": None,
    }
    assert NO_CATALOG_WARNING == (
        "no connector catalog: nodes cannot be mapped to connectors; give a connectors directory "
        "(the directory holding <provider>/connector.yaml)"
    )
    assert not result.report.errors
    apps = [n for n in result.report.nodes if n.n8n_type.endswith(("stripe", "slack"))]
    assert {(n.kind, n.status) for n in apps} == {("app", "lossy")}
    assert all(n.lost[0].startswith("no registry connector for") for n in apps)
    # an empty in-memory catalog (what the MCP tool passed before) warns the same way
    result = import_workflow(FIXTURE, InMemoryCatalog())
    assert result.report.findings[0].message == NO_CATALOG_WARNING
    # an empty directory says which one
    (tmp_path / "empty").mkdir()
    assert "empty" in str(catalog_warning(DirectoryCatalog(tmp_path / "empty")))
    assert catalog_warning(DirectoryCatalog(SMALL_SEEDS)) is None


# --------------------------------------------------------------------------- CLI


def _in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str | Path) -> tuple[int, str, str]:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_without_any_catalog_warns_and_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, stdout, stderr = _in(tmp_path, monkeypatch, "import", "n8n", FIXTURE)
    assert code == 0, stderr
    assert f"warning: {NO_CATALOG_WARNING}" in stderr
    assert "Order webhook: 7 nodes: 0 mapped" in stdout
    code, stdout, _ = _in(tmp_path, monkeypatch, "import", "n8n", FIXTURE, "--json")
    findings = json.loads(stdout)["report"]["findings"]
    assert [f["code"] for f in findings] == ["no-catalog"]
    code, stdout, _ = _in(tmp_path, monkeypatch, "import", "n8n", FIXTURE, "--report-format", "md")
    assert f"- **warning** no-catalog: {NO_CATALOG_WARNING}" in stdout


def test_cli_uses_local_connectors_then_the_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _registry(tmp_path, yank_newest=True)
    out = tmp_path / "flow.json"
    code, stdout, stderr = _in(tmp_path, monkeypatch, "import", "n8n", FIXTURE, "--out", out)
    assert code == 0, stdout + stderr
    assert "warning" not in stderr
    assert _connectors(json.loads(out.read_text())) == {"stripe@1.0.0"}
    code, stdout, _ = _in(tmp_path, monkeypatch, "graph", "check", out)
    assert code == 0 and "0 errors" in stdout
    (tmp_path / "connectors").symlink_to(SMALL_SEEDS)
    code, stdout, _ = _in(tmp_path, monkeypatch, "import", "n8n", FIXTURE, "--out", out)
    assert code == 0
    assert _connectors(json.loads(out.read_text())) == {"stripe@1.0.0", "slack@1.0.0"}
    assert "2 mapped" in stdout


def test_cli_graph_check_without_a_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "flow.json"
    code, _, _ = _in(
        tmp_path, monkeypatch, "import", "n8n", FIXTURE, "--connectors", SMALL_SEEDS, "--out", out
    )
    assert code == 0
    code, stdout, _ = _in(tmp_path, monkeypatch, "graph", "check", out)
    assert code == 0, stdout
    assert "no connector catalog" in stdout and "0 errors" in stdout
    code, _, stderr = _in(tmp_path, monkeypatch, "graph", "check", out, "--connectors", "nope")
    assert code == 2 and "connectors directory not found" in stderr
    assert sorted(os.listdir(tmp_path)) == ["flow.json"]
