"""The policy gate of `flows publish connector`, end to end: a default rule refuses a publish,
organisation packs apply without --pack, and a waiver recorded in the evidence is shown by
`flows registry show`."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from tests.conftest import SMALL_SEEDS

runner = CliRunner()
STRIPE_CREATE_IDEMPOTENCY = (
    "    idempotency: {kind: key, header: Idempotency-Key, ttl_seconds: 86400}\n"
)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path → bytes)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh working directory; registry, keys and packs only where the test puts them."""
    monkeypatch.chdir(tmp_path)
    for name in ("FLOWS_REGISTRY", "FLOWS_KEY_DIR", "FLOWS_POLICY_DIR", "FLOWS_TRUST_DIR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def copy_seed(workdir: Path, provider: str) -> Path:
    target = workdir / provider
    shutil.copytree(SMALL_SEEDS / provider, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target / "connector.yaml"


def publish(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["publish", "connector", *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_default_rule_refuses_a_write_without_idempotency(workdir: Path) -> None:
    spec = copy_seed(workdir, "stripe")
    text = spec.read_text()
    assert text.count(STRIPE_CREATE_IDEMPOTENCY) == 2  # create_charge, create_refund
    # the spec must declare idempotency; 'unsupported' without a waiver is what the rule refuses
    unsupported = "    idempotency: {kind: unsupported, reason: Stripe keys are not used here.}\n"
    spec.write_text(text.replace(STRIPE_CREATE_IDEMPOTENCY, unsupported, 1))
    shutil.rmtree(spec.parent / "flows_stripe")  # certify the package the spec renders
    shutil.rmtree(spec.parent / "fixtures" / "create_charge")  # it sends an Idempotency-Key
    registry = workdir / "registry"
    before = snapshot(workdir)
    code, out, err = publish(str(spec), "--registry", str(registry))
    assert code == 1, out + err
    assert "policy gate failed, nothing was published" in err
    assert "default.write-idempotency (operations[0] create_charge)" in err
    assert "write operation create_charge has no idempotency mechanism" in err
    assert "certification failed" not in err  # the checks passed; the default pack refused
    assert "add a waiver with a reason" in err
    assert "Traceback" not in out + err
    assert snapshot(workdir) == before  # no registry, no key, no evidence
    assert not registry.exists()


def test_a_default_rule_refusal_leaves_an_existing_registry_untouched(workdir: Path) -> None:
    registry = workdir / "registry"
    assert publish(str(copy_seed(workdir, "sendgrid")), "--registry", str(registry))[0] == 0
    spec = copy_seed(workdir, "slack")
    text = spec.read_text()
    spec.write_text(text[: text.index("waivers:")])  # post_message loses its waiver
    shutil.rmtree(spec.parent / "flows_slack")
    before = snapshot(registry)
    code, out, _err = publish(str(spec), "--registry", str(registry), "--json")
    assert code == 1
    payload = json.loads(out)
    assert payload["error"] == "PolicyRefused"
    assert "default.write-idempotency (operations[0] post_message)" in payload["message"]
    assert snapshot(registry) == before


def test_waiver_recorded_by_publish_is_shown_by_registry_show(workdir: Path) -> None:
    registry = workdir / "registry"
    code, out, err = publish(str(copy_seed(workdir, "slack")), "--registry", str(registry))
    assert code == 0, out + err
    statement = json.loads(
        (registry / "targets" / "slack" / "1.0.0" / "statement.json").read_bytes()
    )
    waived = [r for r in statement["predicate"]["policy"]["results"] if r["status"] == "waived"]
    assert [r["rule"] for r in waived] == ["default.write-idempotency"]
    shown = runner.invoke(app, ["registry", "show", "slack", "--registry", str(registry), "--json"])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    reason = "Slack offers no idempotency key for chat.postMessage; the generated client never"
    assert [w["rule"] for w in data["waivers"]] == ["default.write-idempotency"]
    assert data["waivers"][0]["reason"].startswith(reason)
    text = runner.invoke(app, ["registry", "show", "slack@1.0.0", "--registry", str(registry)])
    assert text.exit_code == 0, text.output
    assert f"waiver default.write-idempotency: {reason}" in text.stdout


def test_org_packs_in_dot_flows_policies_gate_publish(workdir: Path) -> None:
    spec = copy_seed(workdir, "stripe")
    (workdir / ".flows" / "policies").mkdir(parents=True)
    org = workdir / ".flows" / "policies" / "org.yaml"
    org.write_text(
        "apiVersion: flows.dev/v1\nkind: PolicyPack\nname: org\nrules:\n"
        "  - id: org.no-stripe\n    description: no stripe\n    applies_to: provider\n"
        "    condition: provider.name != 'stripe'\n    message: stripe is not allowed here\n"
    )
    before = snapshot(workdir)
    code, _out, err = publish(str(spec))
    assert code == 1
    assert "org.no-stripe (provider stripe): stripe is not allowed here" in err
    assert snapshot(workdir) == before
    org.write_text("apiVersion: flows.dev/v1\nkind: PolicyPack\nname: org\nrules: [\n")
    code, _out, err = publish(str(spec))
    assert code == 2
    assert os.path.join(".flows", "policies", "org.yaml") + ":" in err
    assert "Traceback" not in err
    assert not (workdir / ".flows" / "registry").exists()


def test_certify_and_publish_record_the_same_policy(workdir: Path) -> None:
    spec = copy_seed(workdir, "sendgrid")
    assert runner.invoke(app, ["certify", "connector", str(spec)]).exit_code == 0
    certified = json.loads(
        (workdir / ".flows" / "evidence" / "sendgrid-1.0.0" / "statement.json").read_bytes()
    )
    registry = workdir / "registry"
    assert publish(str(spec), "--registry", str(registry))[0] == 0
    published = json.loads(
        (registry / "targets" / "sendgrid" / "1.0.0" / "statement.json").read_bytes()
    )
    assert certified["predicate"]["policy"] is not None
    assert certified["predicate"]["policy"] == published["predicate"]["policy"]
