"""Reading the n8n catalog from a directory, a .tgz and npm (with a fake npm)."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from flows.harvest import CatalogError, load_catalog
from tests.harvest.helpers import FIXTURE, make_tgz


def test_directory_catalog_reads_nodes_credentials_schemas_and_version() -> None:
    catalog = load_catalog(FIXTURE)
    assert catalog.version == "2.41.2"
    names = {n["name"] for n in catalog.nodes}
    assert {"adalo", "googleAds", "mailgun", "noOp"} <= names
    assert "oAuth2Api" in catalog.credentials  # parents of OAuth2 types are included
    schema = catalog.schema_for("Adalo", "v1.0.0", "collection", "getAll")
    assert schema is not None and schema["type"] == "object"
    assert catalog.schema_for("Adalo", "v1.0.0", "collection", "nope") is None


def test_tgz_catalog_equals_directory_catalog(tmp_path: Path) -> None:
    archive = make_tgz(FIXTURE, tmp_path / "n8n-nodes-base-2.41.2.tgz")
    from_tgz = load_catalog(archive)
    from_dir = load_catalog(FIXTURE)
    assert from_tgz.version == from_dir.version
    assert from_tgz.nodes == from_dir.nodes
    assert from_tgz.credentials == from_dir.credentials
    assert from_tgz.schema_files == from_dir.schema_files


def test_npm_source_runs_npm_pack_in_a_temp_dir(tmp_path: Path) -> None:
    archive = make_tgz(FIXTURE, tmp_path / "packed.tgz")
    calls: list[list[str]] = []

    def fake_npm(argv: Sequence[str], cwd: Path) -> None:
        calls.append(list(argv))
        shutil.copy(archive, cwd / "n8n-nodes-base-2.41.2.tgz")

    catalog = load_catalog("npm:n8n-nodes-base@2.41.2", runner=fake_npm)
    assert calls == [["npm", "pack", "n8n-nodes-base@2.41.2", "--silent"]]
    assert catalog.source == "npm:n8n-nodes-base@2.41.2"
    assert catalog.version == "2.41.2"


def test_npm_pack_that_writes_nothing_is_an_error() -> None:
    with pytest.raises(CatalogError, match=r"wrote no \.tgz"):
        load_catalog("npm:n8n-nodes-base@9.9.9", runner=lambda argv, cwd: None)


@pytest.mark.parametrize("source", ["npm:left-pad@1.0.0", "npm:n8n-nodes-base@1;rm -rf /"])
def test_npm_source_accepts_only_n8n_nodes_base(source: str) -> None:
    with pytest.raises(CatalogError) as info:
        load_catalog(source, runner=lambda argv, cwd: pytest.fail("npm must not run"))
    assert "npm:n8n-nodes-base@VERSION" in info.value.diagnostics()
    assert info.value.exit_code == 2


def test_missing_path_names_it_and_says_what_to_give(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path / "nowhere")
    text = info.value.diagnostics()
    assert "nowhere: no such file or directory" in text
    assert "hint:" in text


def test_package_without_types_names_the_missing_file(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"version": "1.0.0"}')
    with pytest.raises(CatalogError, match=r"dist/types/nodes\.json is missing"):
        load_catalog(tmp_path)


def test_broken_nodes_json_is_reported_with_line_and_column(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "pkg")
    (tmp_path / "pkg" / "dist/types/nodes.json").write_text('[\n  {"name": "x",\n  oops]\n')
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path / "pkg")
    assert "dist/types/nodes.json:3:3: not valid JSON" in info.value.diagnostics()


def test_wrong_shape_is_reported(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "pkg")
    (tmp_path / "pkg" / "dist/types/credentials.json").write_text('{"a": 1}')
    with pytest.raises(CatalogError, match="expected a JSON list of objects"):
        load_catalog(tmp_path / "pkg")


def test_a_file_that_is_not_an_archive_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "catalog.tgz"
    bogus.write_text("not a tarball")
    with pytest.raises(CatalogError, match=r"neither a package directory nor a \.tgz"):
        load_catalog(bogus)


def test_archive_that_unpacks_too_large_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = make_tgz(FIXTURE, tmp_path / "n8n.tgz")
    monkeypatch.setattr("flows.harvest.catalog.MAX_ARCHIVE_BYTES", 10_000)
    with pytest.raises(CatalogError, match="unpacks to more than 10000 bytes"):
        load_catalog(archive)


def test_truncated_archive_is_reported(tmp_path: Path) -> None:
    archive = make_tgz(FIXTURE, tmp_path / "n8n.tgz")
    cut = tmp_path / "cut.tgz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CatalogError) as info:
        load_catalog(cut)
    assert str(cut) in info.value.diagnostics()
