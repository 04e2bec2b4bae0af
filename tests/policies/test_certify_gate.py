"""`flows certify connector` gates with the policy packs and records the report in the evidence
(``predicate.policy``), as `flows publish` does."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connector_spec.codegen import generate_to_directory
from flows.cli.app import app
from tests.conftest import SMALL_SEEDS

runner = CliRunner()
SLACK_WAIVER = "waivers:\n  - rule: default.write-idempotency\n"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory (evidence goes to its .flows/evidence); $FLOWS_POLICY_DIR unset."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FLOWS_POLICY_DIR", raising=False)
    return tmp_path


def copy_seed(workdir: Path, provider: str, *, drop_waivers: bool = False) -> Path:
    """A copy of a seed connector; without its waivers, regenerated."""
    target = workdir / provider
    shutil.copytree(SMALL_SEEDS / provider, target, ignore=shutil.ignore_patterns("__pycache__"))
    spec = target / "connector.yaml"
    if drop_waivers:
        text = spec.read_text()
        assert SLACK_WAIVER in text
        spec.write_text(text[: text.index("waivers:")])
        generate_to_directory(spec, target)
    return spec


def statement_of(workdir: Path, name: str) -> dict[str, object]:
    path = workdir / ".flows" / "evidence" / name / "statement.json"
    data: dict[str, object] = json.loads(path.read_bytes())
    return data


def test_certify_fills_predicate_policy(workdir: Path) -> None:
    spec = copy_seed(workdir, "slack")
    result = runner.invoke(app, ["certify", "connector", str(spec)])
    assert result.exit_code == 0, result.output
    assert "policy gate passed: " in result.stdout
    predicate = statement_of(workdir, "slack-1.0.0")["predicate"]
    assert isinstance(predicate, dict)
    policy = predicate["policy"]
    assert policy is not None and policy["passed"] is True
    assert [p["name"] for p in policy["packs"]] == ["default"]
    waived = [r for r in policy["results"] if r["status"] == "waived"]
    assert [r["rule"] for r in waived] == ["default.write-idempotency"]
    assert predicate["waivers"][0]["reason"].startswith("Slack offers no idempotency key")


def test_a_failed_policy_gate_exits_1_and_writes_evidence_recording_it(workdir: Path) -> None:
    spec = copy_seed(workdir, "slack", drop_waivers=True)
    result = runner.invoke(app, ["certify", "connector", str(spec)])
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "level certified: " in out  # every check passed; the gate refused
    assert "policy gate failed: " in out
    assert "FAILED default.write-idempotency (operations[0] post_message)" in out
    assert "wrote .flows/evidence/slack-1.0.0/statement.json" in out
    assert "`flows publish` refuses this version until each failed rule is fixed or waived" in out
    assert "Traceback" not in result.output
    policy = statement_of(workdir, "slack-1.0.0")["predicate"]["policy"]  # type: ignore[index]
    assert policy["passed"] is False
    # the tutorial's next step works: the policy check reads that evidence
    check = runner.invoke(
        app,
        ["policy", "check", str(spec), "--evidence", ".flows/evidence/slack-1.0.0/statement.json"],
    )
    assert check.exit_code == 1
    assert "run `flows certify connector` first" not in check.output
    assert "FAIL   default.write-idempotency" in check.output


def test_a_failed_gate_replaces_earlier_evidence_with_a_record_of_it(workdir: Path) -> None:
    spec = copy_seed(workdir, "slack")
    assert runner.invoke(app, ["certify", "connector", str(spec)]).exit_code == 0
    (workdir / ".flows" / "policies").mkdir()
    (workdir / ".flows" / "policies" / "org.yaml").write_text(
        "apiVersion: flows.dev/v1\nkind: PolicyPack\nname: org\nrules:\n"
        "  - id: org.no-slack\n    description: no slack\n    applies_to: provider\n"
        "    condition: provider.name != 'slack'\n    message: slack is not allowed\n"
    )
    result = runner.invoke(app, ["certify", "connector", str(spec), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["evidence"]
    assert data["summary"]["failed"] == 0
    assert data["policy"]["passed"] is False
    assert [p["name"] for p in data["policy"]["packs"]] == ["default", "org"]
    failed = [r for r in data["policy"]["results"] if r["status"] == "failed"]
    assert [(r["rule"], r["message"]) for r in failed] == [("org.no-slack", "slack is not allowed")]
    recorded = statement_of(workdir, "slack-1.0.0")["predicate"]["policy"]  # type: ignore[index]
    assert recorded["passed"] is False


def test_a_broken_org_pack_stops_certify_with_exit_2(workdir: Path) -> None:
    spec = copy_seed(workdir, "slack")
    (workdir / ".flows" / "policies").mkdir(parents=True)
    (workdir / ".flows" / "policies" / "bad.yaml").write_text(
        "apiVersion: flows.dev/v1\nkind: PolicyPack\nname: bad\nrulez: []\n"
    )
    result = runner.invoke(app, ["certify", "connector", str(spec)])
    assert result.exit_code == 2
    assert os.path.join(".flows", "policies", "bad.yaml") + ":4:1: " in result.output
    assert "Traceback" not in result.output
    assert not (workdir / ".flows" / "evidence").exists()


def test_extra_pack_option(workdir: Path, tmp_path: Path) -> None:
    spec = copy_seed(workdir, "slack")
    pack = tmp_path / "strict.yaml"
    pack.write_text(
        "apiVersion: flows.dev/v1\nkind: PolicyPack\nname: strict\nrules:\n"
        "  - id: strict.none\n    description: nothing passes\n    applies_to: provider\n"
        "    condition: 'false'\n    message: refused\n"
    )
    result = runner.invoke(app, ["certify", "connector", str(spec), "--pack", str(pack)])
    assert result.exit_code == 1
    assert "FAILED strict.none (provider slack): refused" in result.stdout


def test_an_only_run_is_not_gated(workdir: Path) -> None:
    # --only earns no level, so there is nothing to gate: exit 0, policy stays null.
    spec = copy_seed(workdir, "slack", drop_waivers=True)
    result = runner.invoke(app, ["certify", "connector", str(spec), "--only", "contract"])
    assert result.exit_code == 0, result.output
    assert "policy gate not applied: --only" in result.stdout
    predicate = statement_of(workdir, "slack-1.0.0")["predicate"]
    assert isinstance(predicate, dict)
    assert predicate["policy"] is None and predicate["level"] == "none"
    data = json.loads(
        runner.invoke(
            app, ["certify", "connector", str(spec), "--only", "contract", "--json"]
        ).stdout
    )
    assert data["ok"] is True and data["policy"] is None
