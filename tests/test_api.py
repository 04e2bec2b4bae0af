"""The documented library API: every name in docs/api.md exists, is typed and works."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import flows
from tests.conftest import REPO, SMALL_SEEDS

DOC = REPO / "docs" / "api.md"


def documented_names() -> list[str]:
    block = re.search(r"from flows import \((.*?)\)", DOC.read_text(), re.S)
    assert block, "docs/api.md shows the import line"
    return [n.strip() for n in block.group(1).replace("\n", " ").split(",") if n.strip()]


def test_every_documented_name_is_exported_and_documented_in_the_table() -> None:
    names = documented_names()
    assert len(names) >= 10
    text = DOC.read_text()
    for name in names:
        assert name in flows.__all__ and callable(getattr(flows, name)), name
        assert f"| `{name}(" in text, f"{name} has no row in the table"
    assert set(flows.__all__) - {"__version__"} == set(names)
    importlib.import_module("flows.publish")  # the pipeline's module shadows no API name
    for name in names:
        assert callable(getattr(flows, name)), name


def test_the_packages_are_typed() -> None:
    for package in ("flows", "registry", "connector_spec", "certify", "policies"):
        assert (REPO / package / "py.typed").is_file(), package


def test_import_flows_loads_no_heavy_library() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import flows, sys; print(sorted({'pydantic', 'httpx', "
            "'tuf', 'jinja2', 'typer'} & set(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    assert done.stdout.strip() == "[]"


def test_the_api_validates_publishes_and_reads_a_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLOWS_TRUST_DIR", str(tmp_path / "trust"))
    monkeypatch.setenv("FLOWS_KEY_DIR", str(tmp_path / "keys"))
    spec = tmp_path / "stripe" / "connector.yaml"
    shutil.copytree(
        SMALL_SEEDS / "stripe", spec.parent, ignore=shutil.ignore_patterns("__pycache__")
    )
    assert flows.validate(spec).ok
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: nope\n")
    assert not flows.validate(bad).ok
    assert flows.generate(spec, check=True).up_to_date
    registry = str(tmp_path / "registry")
    outcome = flows.publish_connector(spec, registry=registry)
    assert outcome.status == "published"
    assert flows.verify(registry=registry).ok
    assert [hit["name"] for hit in flows.search("stripe", registry=registry)] == ["stripe"]
    assert flows.show("stripe", registry=registry).version == "1.0.0"
    info, written = flows.pull("stripe@1.0.0", tmp_path / "pulled", registry=registry)
    assert info.version == "1.0.0" and any(p.suffix == ".whl" for p in written)
    assert "flows-connector-stripe==1.0.0 \\\n    --hash=sha256:" in flows.lock(
        ["stripe"], registry=registry
    )
    site = flows.build_site(tmp_path / "site", registry=registry)
    assert site.connectors == 1 and (tmp_path / "site" / "c" / "stripe" / "1.0.0.html").is_file()
    from registry.errors import RegistryInputError

    with pytest.raises(RegistryInputError):
        flows.show("nope", registry=registry)
