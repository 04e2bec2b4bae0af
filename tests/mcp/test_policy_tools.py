"""policy_check and connector_certify over MCP: organisation packs under the first root, the
policy report in the evidence, and the evidence connector_certify wrote used by default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.mcp import FlowsMcp, Sandbox
from tests.mcp.conftest import make_root

SPEC = "connectors/stripe/connector.yaml"
NO_STRIPE = (
    "apiVersion: flows.dev/v1\nkind: PolicyPack\nname: org\nversion: '2'\nrules:\n"
    "  - id: org.no-stripe\n    description: no stripe\n    applies_to: provider\n"
    "    condition: provider.name != 'stripe'\n    message: stripe is not allowed here\n"
)


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A root holding the stripe seed; the process works elsewhere; no $FLOWS_POLICY_DIR."""
    monkeypatch.delenv("FLOWS_POLICY_DIR", raising=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return make_root(tmp_path)


def test_certify_records_the_policy_and_policy_check_reads_that_evidence(root: Path) -> None:
    server = FlowsMcp(Sandbox.create([root]))
    certified = server.call("connector_certify", {"spec": SPEC})
    assert certified.ok, certified.data
    assert certified.data["policy"]["passed"] is True
    statement_path = root / ".flows" / "evidence" / "stripe-1.0.0" / "statement.json"
    statement = json.loads(statement_path.read_bytes())
    assert statement["predicate"]["policy"]["passed"] is True
    checked = server.call("policy_check", {"spec": SPEC})
    assert checked.ok, checked.data
    assert checked.data["inputs"]["evidence"] == str(statement_path)
    levels = [r for r in checked.data["results"] if r["rule"] == "default.certified-min-level"]
    assert [r["status"] for r in levels] == ["passed"]


def test_org_packs_under_the_first_root_apply(root: Path) -> None:
    (root / ".flows" / "policies").mkdir(parents=True)
    (root / ".flows" / "policies" / "org.yaml").write_text(NO_STRIPE)
    server = FlowsMcp(Sandbox.create([root]))
    checked = server.call("policy_check", {"spec": SPEC})
    assert not checked.ok
    assert [(p["name"], p["version"], p["source"]) for p in checked.data["packs"]][1:] == [
        ("org", "2", ".flows/policies")
    ]
    failed = [r for r in checked.data["results"] if r["status"] == "failed"]
    assert [r["rule"] for r in failed] == ["org.no-stripe"]
    certified = server.call("connector_certify", {"spec": SPEC})
    assert not certified.ok
    assert certified.data["summary"]["failed"] == 0
    assert certified.data["policy"]["passed"] is False
    # every check passed: the evidence is written and records the failed gate
    statement = root / ".flows" / "evidence" / "stripe-1.0.0" / "statement.json"
    assert str(statement) in certified.data["evidence"]
    assert json.loads(statement.read_bytes())["predicate"]["policy"]["passed"] is False
