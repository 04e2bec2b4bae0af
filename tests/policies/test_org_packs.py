"""Organisation packs found without --pack: $FLOWS_POLICY_DIR or .flows/policies/ under the
working directory; shown in `flows policy check`; the default evidence of `flows certify`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connector_spec.errors import InputError
from flows.cli.app import app
from policies import (
    PolicyPackError,
    applicable_packs,
    evaluate,
    org_pack_dirs,
    report_for_evidence,
)
from tests.policies.helpers import SpecWriter, evidence_for, write_connector

runner = CliRunner()


def org_pack(name: str, *, version: str = "1", provider_allowed: str = "acme") -> str:
    """A pack with one error rule: only ``provider_allowed`` may be checked."""
    return f"""\
apiVersion: flows.dev/v1
kind: PolicyPack
name: {name}
version: "{version}"
rules:
  - id: {name}.only-{provider_allowed}
    description: only {provider_allowed} connectors
    applies_to: provider
    condition: provider.name == '{provider_allowed}'
    message: "{{provider.name}} is not allowed by {name}"
    hint: ask the platform team
"""


BROKEN = """\
apiVersion: flows.dev/v1
kind: PolicyPack
name: broken
rules:
  - id: broken.rule
    description: a rule
    applies_to: operation
    condition: op.effects + 1
    message: "{op.id}"
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory; $FLOWS_POLICY_DIR unset."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("FLOWS_POLICY_DIR", raising=False)
    return work


def _org_dir(workdir: Path) -> Path:
    folder = workdir / ".flows" / "policies"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _rules(report: object) -> dict[str, str]:
    return {r.rule: r.status for r in report.results}  # type: ignore[attr-defined]


def test_packs_in_dot_flows_policies_apply_without_pack(
    workdir: Path, write_spec: SpecWriter
) -> None:
    (_org_dir(workdir) / "org.yaml").write_text(org_pack("org", version="7"))
    report = evaluate(write_spec())
    assert _rules(report)["org.only-acme"] == "passed"
    assert [(p["name"], p["version"], p["source"]) for p in report.packs] == [
        ("default", "1", "default"),
        ("org", "7", ".flows/policies"),
    ]
    assert report.packs[1]["file"] == os.path.join(".flows", "policies", "org.yaml")


def test_org_rule_failure_fails_the_report(workdir: Path, tmp_path: Path) -> None:
    (_org_dir(workdir) / "org.yaml").write_text(org_pack("org", provider_allowed="stripe"))
    (tmp_path / "c").mkdir()
    report = evaluate(write_connector(tmp_path / "c"))
    failed = [r for r in report.results if r.status == "failed"]
    assert [(r.rule, r.message, r.hint) for r in failed] == [
        ("org.only-stripe", "acme is not allowed by org", "ask the platform team")
    ]
    assert not report.passed


def test_flows_policy_dir_lists_directories_and_replaces_dot_flows(
    workdir: Path, tmp_path: Path, write_spec: SpecWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    (_org_dir(workdir) / "ignored.yaml").write_text(org_pack("ignored"))
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "one.yaml").write_text(org_pack("one"))
    (second / "two.yml").write_text(org_pack("two"))
    monkeypatch.setenv("FLOWS_POLICY_DIR", os.pathsep.join([str(first), "", str(second)]))
    assert [d for d, _ in org_pack_dirs()] == [first, second]
    report = evaluate(write_spec())
    assert [(p["name"], p["source"]) for p in report.packs] == [
        ("default", "default"),
        ("one", "$FLOWS_POLICY_DIR"),
        ("two", "$FLOWS_POLICY_DIR"),
    ]
    monkeypatch.setenv("FLOWS_POLICY_DIR", "")  # set but empty: no organisation packs
    assert [p["name"] for p in evaluate(write_spec()).packs] == ["default"]


def test_a_missing_flows_policy_dir_is_an_error(
    workdir: Path, tmp_path: Path, write_spec: SpecWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWS_POLICY_DIR", str(tmp_path / "typo"))
    with pytest.raises(InputError, match=r"typo: no such policy pack directory") as caught:
        evaluate(write_spec())
    assert caught.value.exit_code == 2
    assert "FLOWS_POLICY_DIR" in caught.value.diagnostics()


def test_no_dot_flows_policies_means_only_the_default(workdir: Path) -> None:
    assert [(p.name, s) for p, s in applicable_packs()] == [("default", "default")]
    (workdir / ".flows").mkdir()
    (workdir / ".flows" / "policies").write_text("not a directory")
    with pytest.raises(InputError, match="not a directory"):
        applicable_packs()


def test_discovery_can_be_switched_off_and_follows_workdir(
    workdir: Path, tmp_path: Path, write_spec: SpecWriter
) -> None:
    (_org_dir(workdir) / "org.yaml").write_text(org_pack("org"))
    assert [p["name"] for p in evaluate(write_spec(), discover=False).packs] == ["default"]
    other = tmp_path / "other"
    (other / ".flows" / "policies").mkdir(parents=True)
    (other / ".flows" / "policies" / "elsewhere.yaml").write_text(org_pack("elsewhere"))
    names = [p["name"] for p in evaluate(write_spec(), workdir=other).packs]
    assert names == ["default", "elsewhere"]


def test_a_pack_both_discovered_and_given_applies_once(
    workdir: Path, write_spec: SpecWriter
) -> None:
    folder = _org_dir(workdir)
    (folder / "org.yaml").write_text(org_pack("org"))
    report = evaluate(write_spec(), packs=[folder.resolve()])
    assert [p["name"] for p in report.packs] == ["default", "org"]
    assert list(_rules(report)).count("org.only-acme") == 1


def test_a_broken_org_pack_is_a_located_error(workdir: Path, write_spec: SpecWriter) -> None:
    (_org_dir(workdir) / "broken.yaml").write_text(BROKEN)
    with pytest.raises(PolicyPackError) as caught:
        evaluate(write_spec())
    item = caught.value.items[0]
    assert (item.file, item.line) == (os.path.join(".flows", "policies", "broken.yaml"), 8)
    assert caught.value.exit_code == 2


def test_evidence_names_packs_without_local_files(workdir: Path, write_spec: SpecWriter) -> None:
    (_org_dir(workdir) / "org.yaml").write_text(org_pack("org"))
    policy = report_for_evidence(evaluate(write_spec()))
    assert [sorted(p) for p in policy["packs"]] == [["digest", "name", "version"]] * 2
    assert [p["name"] for p in policy["packs"]] == ["default", "org"]


# --- the CLI -----------------------------------------------------------------------------------


def test_policy_check_shows_the_packs_it_applied(workdir: Path, write_spec: SpecWriter) -> None:
    (_org_dir(workdir) / "org.yaml").write_text(org_pack("org", version="3"))
    loaded = write_spec()
    result = runner.invoke(app, ["policy", "check", str(loaded.path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    default = next(line for line in lines if line.startswith("pack default 1"))
    assert default.endswith(str(Path("policies/packs/default/default.yaml")) + " (default)")
    org_file = os.path.join(".flows", "policies", "org.yaml")
    assert f"pack org 3  {org_file} (.flows/policies)" in lines
    data = json.loads(runner.invoke(app, ["policy", "check", str(loaded.path), "--json"]).stdout)
    assert [(p["name"], p["file"], p["source"]) for p in data["packs"]][1:] == [
        ("org", org_file, ".flows/policies")
    ]


def test_policy_check_fails_on_an_org_rule_and_a_broken_org_pack_exits_2(
    workdir: Path, tmp_path: Path
) -> None:
    folder = _org_dir(workdir)
    (folder / "org.yaml").write_text(org_pack("org", provider_allowed="stripe"))
    (tmp_path / "c").mkdir()
    loaded = write_connector(tmp_path / "c")
    failed = runner.invoke(app, ["policy", "check", str(loaded.path)])
    assert failed.exit_code == 1
    assert "FAIL   org.only-stripe" in failed.stdout
    assert "acme is not allowed by org" in failed.stdout
    (folder / "broken.yaml").write_text(BROKEN)
    broken = runner.invoke(app, ["policy", "check", str(loaded.path)])
    assert broken.exit_code == 2
    assert os.path.join(".flows", "policies", "broken.yaml") + ":8:16: " in broken.output
    assert "CEL type error" in broken.output and "Traceback" not in broken.output


def test_policy_rules_lists_org_packs_with_their_source(workdir: Path) -> None:
    (_org_dir(workdir) / "org.yaml").write_text(org_pack("org"))
    data = json.loads(runner.invoke(app, ["policy", "rules", "--json"]).stdout)
    assert [(p["name"], p["source"]) for p in data["packs"]] == [
        ("default", "default"),
        ("org", ".flows/policies"),
    ]
    assert "org 1 (" in runner.invoke(app, ["policy", "rules"]).stdout


def test_policy_check_defaults_to_the_evidence_certify_wrote(workdir: Path, tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    loaded = write_connector(tmp_path / "c")
    without = runner.invoke(app, ["policy", "check", str(loaded.path), "--json"])
    assert json.loads(without.stdout)["inputs"]["evidence"] is None
    folder = workdir / ".flows" / "evidence" / "acme-1.0.0"
    folder.mkdir(parents=True)
    statement = folder / "statement.json"
    statement.write_text(json.dumps(evidence_for(loaded, level="basic")))
    result = runner.invoke(app, ["policy", "check", str(loaded.path)])
    assert result.exit_code == 1  # the evidence was read: basic is below certified
    shown = os.path.join(".flows", "evidence", "acme-1.0.0", "statement.json")
    assert f"evidence {shown}  (written by `flows certify connector`" in result.stdout
    assert "certification level is 'basic'" in result.stdout
    data = json.loads(runner.invoke(app, ["policy", "check", str(loaded.path), "--json"]).stdout)
    assert data["inputs"]["evidence"] == shown
    other = tmp_path / "other.json"
    other.write_text(json.dumps(evidence_for(loaded)))
    chosen = runner.invoke(app, ["policy", "check", str(loaded.path), "--evidence", str(other)])
    assert chosen.exit_code == 0, chosen.output
    assert "written by `flows certify connector`" not in chosen.stdout
