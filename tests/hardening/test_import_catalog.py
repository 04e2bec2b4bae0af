"""`flows import n8n` says which connector catalog it mapped onto (it depends on the cwd)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SMALL_SEEDS
from tests.n8n.test_n8n_catalog import FIXTURE, _in, _registry


@pytest.fixture(autouse=True)
def _no_ambient_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLOWS_REGISTRY", raising=False)
    monkeypatch.delenv("FLOWS_TRUST_DIR", raising=False)


def test_the_report_names_the_catalog_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, stderr = _in(tmp_path, monkeypatch, "import", "n8n", FIXTURE)
    assert code == 0 and "connector catalog: none" in stderr
    code, stdout, _ = _in(tmp_path, monkeypatch, "import", "n8n", FIXTURE, "--json")
    assert json.loads(stdout)["catalog"] == "none"

    _registry(tmp_path)  # no ./connectors: the default registry is used
    registry = tmp_path / ".flows" / "registry"
    code, stdout, stderr = _in(tmp_path, monkeypatch, "import", "n8n", FIXTURE)
    assert code == 0 and f"connector catalog: registry {registry}" in stderr
    assert "1 mapped" in stdout
    code, stdout, _ = _in(tmp_path, monkeypatch, "import", "n8n", FIXTURE, "--json")
    assert json.loads(stdout)["catalog"] == f"registry {registry}"

    (tmp_path / "connectors").symlink_to(SMALL_SEEDS)
    code, stdout, stderr = _in(tmp_path, monkeypatch, "import", "n8n", FIXTURE)
    assert f"connector catalog: {tmp_path / 'connectors'}" in stderr
