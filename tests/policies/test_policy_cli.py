"""`flows policy ...` as a user runs it: output, --json, exit codes, no tracebacks."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from typer.testing import CliRunner

from flows.cli.app import app
from tests.conftest import SMALL_SEEDS
from tests.policies.helpers import SpecWriter, base_spec, evidence_for

runner = CliRunner()

BAD_PACK = """\
apiVersion: flows.dev/v1
kind: PolicyPack
name: acme
rules:
  - id: acme.rule
    description: a rule
    applies_to: operation
    condition: op.effects + 1
    message: "{op.id}"
"""


def test_seed_connectors_pass(tmp_path: Path) -> None:
    for provider in ("stripe", "slack", "sendgrid"):
        result = runner.invoke(
            app, ["policy", "check", str(SMALL_SEEDS / provider / "connector.yaml")]
        )
        assert result.exit_code == 0, result.output
        assert "passed:" in result.output


def test_waiver_is_shown_with_its_reason() -> None:
    result = runner.invoke(
        app, ["policy", "check", str(SMALL_SEEDS / "slack" / "connector.yaml"), "--json"]
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    waived = [r for r in data["results"] if r["status"] == "waived"]
    assert [r["rule"] for r in waived] == ["default.write-idempotency"]
    assert waived[0]["waiver_reason"].startswith("Slack offers no idempotency key")


def test_failed_rule_exits_1_with_message(write_spec: SpecWriter) -> None:
    spec = base_spec()
    spec["operations"][1]["capabilities"] = ["acme.items:read"]
    loaded = write_spec(spec)
    before = loaded.path.read_bytes()
    result = runner.invoke(app, ["policy", "check", str(loaded.path)])
    assert result.exit_code == 1
    assert "FAIL" in result.output
    assert "write operation create_item needs a capability that covers 'write'" in result.output
    assert "failed: " in result.output
    assert loaded.path.read_bytes() == before


def test_json_report(write_spec: SpecWriter, tmp_path: Path) -> None:
    loaded = write_spec()
    evidence = tmp_path / "evidence.json"
    evidence.write_text(json.dumps(evidence_for(loaded)))
    result = runner.invoke(
        app, ["policy", "check", str(loaded.path), "--evidence", str(evidence), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["passed"] is True
    assert data["inputs"]["evidence"] == str(evidence)
    assert data["summary"]["failed"] == 0
    assert {r["rule"] for r in data["results"]} >= {"default.certified-min-level"}


def test_dsse_envelope_evidence_is_read(write_spec: SpecWriter, tmp_path: Path) -> None:
    loaded = write_spec()
    statement = evidence_for(loaded, level="basic")
    envelope = {
        "payloadType": "application/vnd.in-toto+json",
        "payload": base64.b64encode(json.dumps(statement).encode()).decode(),
        "signatures": [],
    }
    path = tmp_path / "evidence.dsse.json"
    path.write_text(json.dumps(envelope))
    result = runner.invoke(app, ["policy", "check", str(loaded.path), "--evidence", str(path)])
    assert result.exit_code == 1
    assert "certification level is 'basic'" in result.output


def test_bad_pack_exits_2_naming_file_and_line(write_spec: SpecWriter, tmp_path: Path) -> None:
    folder = tmp_path / "org"
    folder.mkdir()
    (folder / "acme.yaml").write_text(BAD_PACK)
    loaded = write_spec()
    result = runner.invoke(app, ["policy", "check", str(loaded.path), "--pack", str(folder)])
    assert result.exit_code == 2
    assert f"{folder / 'acme.yaml'}:8:16: rules[0].condition: CEL type error" in result.output
    assert "Traceback" not in result.output
    json_result = runner.invoke(
        app, ["policy", "check", str(loaded.path), "--pack", str(folder), "--json"]
    )
    data = json.loads(json_result.stdout)
    assert data["ok"] is False and data["exit_code"] == 2
    assert data["diagnostics"][0]["line"] == 8


def test_bad_evidence_json_exits_2(write_spec: SpecWriter, tmp_path: Path) -> None:
    loaded = write_spec()
    path = tmp_path / "evidence.json"
    path.write_text('{"predicate": {"level": "certified",}}')
    result = runner.invoke(app, ["policy", "check", str(loaded.path), "--evidence", str(path)])
    assert result.exit_code == 2
    assert f"{path}:1:" in result.output and "invalid JSON" in result.output


def test_not_evidence_exits_2(write_spec: SpecWriter, tmp_path: Path) -> None:
    loaded = write_spec()
    path = tmp_path / "evidence.json"
    path.write_text("[1, 2]")
    result = runner.invoke(app, ["policy", "check", str(loaded.path), "--evidence", str(path)])
    assert result.exit_code == 2
    assert "not certification evidence" in result.output


def test_bad_fixture_yaml_exits_2(write_spec: SpecWriter) -> None:
    loaded = write_spec()
    folder = loaded.path.parent / "fixtures" / "list_items"
    folder.mkdir(parents=True)
    (folder / "broken.yaml").write_text("operation: list_items\nrequest: [unclosed\n")
    result = runner.invoke(app, ["policy", "check", str(loaded.path)])
    assert result.exit_code == 2
    assert "broken.yaml:" in result.output and "YAML syntax error" in result.output


def test_invalid_spec_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "connector.yaml"
    path.write_text("apiVersion: flows.dev/v1\nkind: ConnectorSpec\n")
    result = runner.invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == 2
    assert "required field" in result.output


def test_missing_pack_dir_exits_2(write_spec: SpecWriter, tmp_path: Path) -> None:
    loaded = write_spec()
    result = runner.invoke(
        app, ["policy", "check", str(loaded.path), "--pack", str(tmp_path / "nope")]
    )
    assert result.exit_code == 2
    assert "no such policy pack" in result.output


def test_rules_lists_default_and_org_packs(tmp_path: Path) -> None:
    result = runner.invoke(app, ["policy", "rules", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    ids = [r["id"] for r in data["packs"][0]["rules"]]
    assert "default.write-idempotency" in ids and len(ids) == 11
    text = runner.invoke(app, ["policy", "rules"])
    assert "default.fixture-hosts" in text.output
    (tmp_path / "acme.yaml").write_text(BAD_PACK)
    bad = runner.invoke(app, ["policy", "rules", "--pack", str(tmp_path)])
    assert bad.exit_code == 2


def test_manifest_option(write_spec: SpecWriter, tmp_path: Path) -> None:
    loaded = write_spec()
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"base_url": "http://api.acme.example"}))
    result = runner.invoke(
        app, ["policy", "check", str(loaded.path), "--manifest", str(manifest), "--json"]
    )
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["inputs"]["manifest"] == str(manifest)
    failed = [r for r in data["results"] if r["status"] == "failed"]
    assert [r["rule"] for r in failed] == ["default.https-only"]
    assert failed[0]["hint"].startswith("use https://")
