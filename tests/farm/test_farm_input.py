"""`flows farm` refusals: bad input exits 2, damaged or stale shard output is never published."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.farm.helpers import add_seed_specs, by_key, flows, tree


@pytest.fixture
def specs(workspace: Path) -> Path:
    directory = workspace / "specs"
    add_seed_specs(directory, ("stripe",))
    return directory


@pytest.mark.parametrize("value", ["3/2", "0/2", "1/0", "2", "a/b", "1/2/3", "-1/2"])
def test_bad_shard_exits_2_and_writes_nothing(workspace: Path, specs: Path, value: str) -> None:
    before = tree(workspace)
    run = flows("farm", "--shard", value, "--specs", specs, "--out", "out", "--json")
    assert run.code == 2
    error = run.json()
    assert error["ok"] is False and error["error"] == "FarmInputError"
    assert "--shard" in error["message"]
    assert tree(workspace) == before
    assert sorted(p.name for p in workspace.iterdir()) == ["specs"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shard", "1/2", "--specs", "specs"], "--shard needs --specs DIR and --out DIR"),
        (["--shard", "1/2", "--merge", "x"], "give one of them"),
        (["--merge", "x", "--specs", "specs"], "--specs do not apply"),
        (["--specs", "specs", "--out", "out"], "a local run publishes directly"),
        (["--specs", "missing"], "no such directory"),
        (["--specs", "."], "no connector specs here"),
        (["--specs", "specs", "--jobs", "0"], "--jobs 0"),
        (["--specs", "specs", "--report", "farm.txt"], ".md or .json"),
        (["--merge", "nowhere"], "no such directory"),
        (["--merge", "specs"], "no shard output here"),
        (["--shard", "1/1", "--specs", "specs", "--out", "o", "--keyless"], "shards never sign"),
        ([], "give --specs DIR"),
    ],
)
def test_usage_errors_exit_2(workspace: Path, specs: Path, args: list[str], message: str) -> None:
    before = tree(workspace)
    run = flows("farm", *args, "--json")
    assert run.code == 2, run.stdout
    assert message in run.json()["message"]
    assert tree(workspace) == before


def test_out_dir_that_is_not_a_shard_output_is_refused(workspace: Path, specs: Path) -> None:
    out = workspace / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    run = flows("farm", "--shard", "1/1", "--specs", specs, "--out", out)
    assert run.code == 2
    assert "not a previous shard output" in run.stderr
    assert tree(out) == {"keep.txt": b"mine"}


def test_error_without_json_is_one_readable_line(workspace: Path) -> None:
    run = flows("farm", "--shard", "3/2", "--specs", "specs", "--out", "out")
    assert run.code == 2
    assert "error: --shard 3/2: shard 3 does not exist of 2" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout


def _shard(specs: Path, out: Path, shard: str = "1/1", *extra: str) -> dict[str, object]:
    run = flows("farm", "--shard", shard, "--specs", specs, "--out", out, "--jobs", "1", *extra)
    assert run.code == 0, run.stdout + run.stderr
    report: dict[str, object] = json.loads((out / "farm-shard.json").read_text())
    return report


def test_a_rerun_shard_replaces_its_output(workspace: Path, specs: Path) -> None:
    _shard(specs, workspace / "out")
    (specs / "stripe").rename(specs / "stripe-renamed")
    report = _shard(specs, workspace / "out")
    assert [s["key"] for s in report["specs"]] == ["stripe-renamed"]  # type: ignore[index]
    assert not [p.name for p in workspace.iterdir() if p.name.startswith(".")], "no leftovers"


def test_missing_shard_is_refused_before_anything_is_written(workspace: Path) -> None:
    specs = workspace / "specs"
    add_seed_specs(specs)
    _shard(specs, workspace / "s1", "1/2")
    run = flows("farm", "--merge", workspace / "s1", "--registry", "reg", "--json")
    assert run.code == 2
    assert "shard(s) 2/2 missing" in run.json()["message"]
    assert not (workspace / "reg").exists()


def test_shards_of_different_specs_are_not_merged(workspace: Path) -> None:
    one, two = workspace / "one", workspace / "two"
    add_seed_specs(one)
    add_seed_specs(two)
    (two / "slack" / "connector.yaml").write_text(
        (two / "slack" / "connector.yaml").read_text() + "# edited\n"
    )
    _shard(one, workspace / "s1", "1/2")
    _shard(two, workspace / "s2", "2/2")
    run = flows("farm", "--merge", workspace / "s1", "--merge", workspace / "s2", "--json")
    assert run.code == 2
    assert "prepared from different specs" in run.json()["message"]


def test_tampered_staged_file_fails_the_merge_and_publishes_nothing(
    workspace: Path, specs: Path
) -> None:
    out = workspace / "out"
    _shard(specs, out)
    wheel = next(out.glob("stripe/1.0.0/*.whl"))
    wheel.write_bytes(wheel.read_bytes() + b"x")
    run = flows("farm", "--merge", out, "--registry", "reg", "--json")
    assert run.code == 1
    error = run.json()
    assert error["error"] == "StagedIntegrityError"
    assert "SHA-256 differs from the shard report" in error["message"]
    assert not (workspace / "reg").exists()


def test_extra_staged_file_fails_the_merge(workspace: Path, specs: Path) -> None:
    out = workspace / "out"
    _shard(specs, out)
    (out / "stripe" / "1.0.0" / "evil.py").write_text("print('hi')\n")
    run = flows("farm", "--merge", out, "--registry", "reg", "--json")
    assert run.code == 1
    assert "evil.py: not in the shard report" in run.json()["message"]


def test_stale_shard_output_is_not_published(workspace: Path, specs: Path) -> None:
    """A shard versioned against an older registry: the merge refuses that one spec."""
    out = workspace / "out"
    _shard(specs, out, "1/1", "--registry", "reg")
    assert json.loads((out / "farm-shard.json").read_text())["counts"]["staged"] == 1

    # meanwhile, a different stripe 1.0.0 reaches the registry
    other = workspace / "other"
    shutil.copytree(specs, other)
    spec = other / "stripe" / "connector.yaml"
    spec.write_text(spec.read_text().replace("Create, read and list", "Create and list", 1))
    assert flows("farm", "--specs", other, "--registry", "reg", "--jobs", "1").code == 0
    before = tree(workspace / "reg")

    run = flows("farm", "--merge", out, "--registry", "reg", "--json")
    assert run.code == 1
    outcome = by_key(run.json())["stripe"]
    assert outcome["status"] == "error"
    assert "stale" in outcome["message"] and "1.0.1" in outcome["message"]
    assert tree(workspace / "reg") == before


def test_keyless_needs_a_registry_that_trusts_an_identity(workspace: Path, specs: Path) -> None:
    run = flows("farm", "--specs", specs, "--registry", "reg", "--keyless", "--json")
    assert run.code == 2
    assert "does not exist" in run.json()["message"]
    assert flows("registry", "init", "--registry", "reg").code == 0
    before = tree(workspace / "reg")
    run = flows("farm", "--specs", specs, "--registry", "reg", "--keyless", "--json")
    assert run.code == 2
    assert "trusts no keyless identity" in run.json()["message"]
    assert tree(workspace / "reg") == before


def test_two_specs_with_one_provider_name_are_both_errors(workspace: Path, specs: Path) -> None:
    shutil.copytree(specs / "stripe", specs / "stripe-again")
    add_seed_specs(specs, ("slack",))
    run = flows("farm", "--specs", specs, "--registry", "reg", "--jobs", "1", "--json")
    assert run.code == 1
    outcomes = by_key(run.json())
    for key in ("stripe", "stripe-again"):
        assert outcomes[key]["status"] == "error"
        assert "provider name 'stripe' is used by several specs" in outcomes[key]["message"]
    assert outcomes["slack"]["status"] == "published"
