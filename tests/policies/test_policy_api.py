"""The Python API: inputs found next to the spec, evidence shape, secrets helpers, batching."""

from __future__ import annotations

import pytest

from connector_spec import load_spec
from policies import evaluate, report_for_evidence
from policies.celenv import host_allowed, url_host
from policies.engine import projection
from policies.secrets import entropy, looks_secret, secrets_in
from tests.conftest import SMALL_SEEDS
from tests.policies.helpers import SpecWriter, base_spec, evidence_for, fixture


def test_report_for_evidence_has_the_documented_shape(write_spec: SpecWriter) -> None:
    spec = base_spec()
    spec["operations"][1]["idempotency"] = {"kind": "unsupported", "reason": "No key at Acme."}
    spec["waivers"] = [{"rule": "default.write-idempotency", "reason": "Acme never dedupes."}]
    loaded = write_spec(spec)
    policy = report_for_evidence(evaluate(loaded, evidence=evidence_for(loaded)))
    assert set(policy) == {"packs", "results", "passed"}
    assert policy["passed"] is True
    assert policy["packs"][0]["name"] == "default"
    assert policy["packs"][0]["digest"].startswith("sha256:")
    for result in policy["results"]:
        assert set(result) == {"rule", "severity", "status", "message", "subject"}
    waived = [r for r in policy["results"] if r["status"] == "waived"]
    assert waived[0]["message"].endswith("(waived: Acme never dedupes.)")


def test_fixtures_and_manifest_are_found_next_to_the_spec(write_spec: SpecWriter) -> None:
    loaded = write_spec(fixtures=[fixture()], manifest={"base_url": "http://api.acme.example"})
    report = evaluate(loaded)
    assert report.inputs["fixtures"] == 1
    assert report.inputs["manifest"].endswith("flows_acme/manifest.json")
    https = next(r for r in report.results if r.rule == "default.https-only")
    assert https.message == "plain-HTTP URLs: manifest.base_url = http://api.acme.example"


def test_fixtures_given_as_data_replace_the_directory(write_spec: SpecWriter) -> None:
    loaded = write_spec(fixtures=[fixture()])
    bad = fixture(scenario="x")
    bad["request"]["url"] = "https://other.example/"
    report = evaluate(loaded, fixtures=[bad])
    result = next(r for r in report.results if r.rule == "default.fixture-hosts")
    assert (result.status, result.subject) == ("failed", "fixtures/list_items/x.yaml")


def test_unused_waiver_is_reported(write_spec: SpecWriter) -> None:
    spec = base_spec()
    spec["waivers"] = [{"rule": "default.no-such-rule", "reason": "A reason long enough."}]
    assert evaluate(write_spec(spec)).unused_waivers == ["default.no-such-rule"]


def test_many_failures_are_each_reported(write_spec: SpecWriter) -> None:
    spec = base_spec()
    for op in spec["operations"]:
        op["capabilities"] = []
    report = evaluate(write_spec(spec))
    failed = [r for r in report.results if r.rule == "default.capabilities-cover-effects"]
    assert [r.subject for r in failed] == [
        "operations[0] list_items",
        "operations[1] create_item",
        "operations[2] delete_item",
    ]


@pytest.mark.parametrize(
    ("value", "secret"),
    [
        ("xoxb-1234567890-abcdefghijkl", True),
        ("AKIAIOSFODNN7EXAMPLE", True),
        ("SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", True),
        ("-----BEGIN RSA PRIVATE KEY-----", True),
        ("https://user:hunter2@example.com/", True),
        ("q8Zr2LmX7vTn4PwK9sYb3HdJ6fGc1", True),
        ("ch_3MmlLrLkdIwHu7ix0snN0B15", False),  # provider object id
        ("n8n-nodes-base.facebookGraphApi", False),  # an n8n node type (sources.n8n.node)
        ("n8n-nodes-base.theHiveProject", False),
        ("x-q8Zr2LmX7vTn4PwK9sYb3HdJ6fGc1.theHiveProject", True),
        ("https://api.stripe.com/v1/charges/{charge}", False),
        ("Create a charge for the customer's default card.", False),
        ("sha256:" + "ab" * 32, False),
    ],
)
def test_looks_secret(value: str, secret: bool) -> None:
    assert looks_secret(value) is secret


def test_secrets_in_reports_paths_and_respects_redaction() -> None:
    data = {"headers": {"Authorization": "<redacted>", "Cookie": "sid=abc"}, "list": ["ok"]}
    assert secrets_in(data) == ["headers.Cookie: value of 'Cookie' is not redacted"]
    assert entropy("") == 0.0 and entropy("aaaa") == 0.0 and entropy("ab") == 1.0


def test_host_helpers() -> None:
    assert url_host("https://User@API.Example.com:443/x") == "api.example.com"
    assert host_allowed("acme.auth0.com", ["{tenant}.auth0.com"])
    assert not host_allowed("auth0.com.evil.example", ["{tenant}.auth0.com"])
    assert not host_allowed("", ["a"])


def test_projection_keeps_only_selected_fields() -> None:
    assert projection("op", ["has(op.idempotency) && op.id != ''"]) == {"idempotency", "id"}
    assert projection("op", ["f(op)"]) is None
    assert projection("op", ["spec.op.x == 1"]) == frozenset()


def test_seed_specs_pass_the_default_pack() -> None:
    for provider in ("stripe", "slack", "sendgrid"):
        assert evaluate(load_spec(SMALL_SEEDS / provider / "connector.yaml")).passed


def test_fixture_without_request_fails_fixture_hosts(write_spec: SpecWriter) -> None:
    broken = fixture(scenario="norequest")
    del broken["request"]
    report = evaluate(write_spec(fixtures=[broken]))
    result = next(r for r in report.results if r.rule == "default.fixture-hosts")
    assert result.status == "failed"
    assert result.message.startswith(
        "fixtures/list_items/norequest.yaml sends its request to (no request.url),"
    )
