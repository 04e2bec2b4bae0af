"""Every default rule: a passing case and a failing case with its message asserted."""

from __future__ import annotations

from typing import Any

from policies import PolicyReport, RuleResult, evaluate
from tests.policies.helpers import SpecWriter, base_spec, evidence_for, fixture


def results(report: PolicyReport, rule: str) -> list[RuleResult]:
    found = [r for r in report.results if r.rule == rule]
    assert found, f"no result for {rule}"
    return found


def only(report: PolicyReport, rule: str) -> RuleResult:
    found = results(report, rule)
    assert len(found) == 1, found
    return found[0]


def op(spec: dict[str, Any], op_id: str) -> dict[str, Any]:
    return next(o for o in spec["operations"] if o["id"] == op_id)


def test_base_spec_passes_every_default_rule(write_spec: SpecWriter) -> None:
    loaded = write_spec(fixtures=[fixture()])
    report = evaluate(loaded, evidence=evidence_for(loaded))
    assert report.passed
    statuses = {r.rule: r.status for r in report.results}
    assert set(statuses.values()) == {"passed"}, statuses
    assert len(statuses) == 11


# -------------------------------------------------------------- default.write-idempotency


def test_write_idempotency_passes_with_key_and_natural(write_spec: SpecWriter) -> None:
    result = only(evaluate(write_spec()), "default.write-idempotency")
    assert (result.status, result.subject) == ("passed", "operations (2)")


def test_write_idempotency_fails_for_unsupported(write_spec: SpecWriter) -> None:
    spec = base_spec()
    op(spec, "create_item")["idempotency"] = {
        "kind": "unsupported",
        "reason": "The provider has no idempotency key at all.",
    }
    report = evaluate(write_spec(spec))
    result = only(report, "default.write-idempotency")
    assert result.status == "failed"
    assert result.subject == "operations[1] create_item"
    assert result.message == (
        "write operation create_item has no idempotency mechanism (idempotency kind: unsupported)"
    )
    assert result.hint and "waive default.write-idempotency" in result.hint
    assert not report.passed


def test_write_idempotency_waived_with_reason(write_spec: SpecWriter) -> None:
    spec = base_spec()
    op(spec, "create_item")["idempotency"] = {
        "kind": "unsupported",
        "reason": "The provider has no idempotency key at all.",
    }
    spec["waivers"] = [
        {"rule": "default.write-idempotency", "reason": "Acme never dedupes; we never retry."}
    ]
    report = evaluate(write_spec(spec))
    result = only(report, "default.write-idempotency")
    assert result.status == "waived"
    assert result.waiver_reason == "Acme never dedupes; we never retry."
    assert result.message.endswith("(waived: Acme never dedupes; we never retry.)")
    assert report.passed


# ---------------------------------------------------- default.strict-determinism-replayed


def test_strict_determinism_passes_with_fixture_backed_replay(write_spec: SpecWriter) -> None:
    loaded = write_spec()
    result = only(
        evaluate(loaded, evidence=evidence_for(loaded)), "default.strict-determinism-replayed"
    )
    assert (result.status, result.subject) == ("passed", "operations (1)")


def test_strict_determinism_fails_without_fixture_backed_replay(write_spec: SpecWriter) -> None:
    loaded = write_spec()
    checks = [
        {"id": "determinism.replay", "operation": "create_item", "status": "passed",
         "duration_ms": 0.1, "message": "", "fixture_backed": False},
    ]  # fmt: skip
    report = evaluate(loaded, evidence=evidence_for(loaded, checks))
    result = only(report, "default.strict-determinism-replayed")
    assert result.status == "failed"
    assert result.subject == "operations[1] create_item"
    assert result.message == (
        "operation create_item declares strict determinism, but no fixture-backed "
        "determinism replay passed in the evidence"
    )


def test_strict_determinism_not_applicable_without_evidence(write_spec: SpecWriter) -> None:
    result = only(evaluate(write_spec()), "default.strict-determinism-replayed")
    assert result.status == "not_applicable"
    assert "or pass argument 'evidence'" in result.message


# ------------------------------------------------------------------- default.https-only


def test_https_only_passes(write_spec: SpecWriter) -> None:
    assert only(evaluate(write_spec()), "default.https-only").status == "passed"


def test_https_only_fails_for_loopback_http(write_spec: SpecWriter) -> None:
    spec = base_spec()
    spec["environments"]["local"] = {"base_url": "http://127.0.0.1:8080"}
    spec["allow_insecure_loopback"] = True
    result = only(evaluate(write_spec(spec)), "default.https-only")
    assert result.status == "failed"
    assert result.subject == "provider acme"
    assert result.message == (
        "plain-HTTP URLs: environments.local.base_url = http://127.0.0.1:8080"
    )


# ---------------------------------------------------------------- default.fixture-hosts


def test_fixture_hosts_pass_for_declared_hosts(write_spec: SpecWriter) -> None:
    sandbox = fixture(scenario="sandbox")
    sandbox["request"]["url"] = "https://sandbox.acme.example/v1/items"
    result = only(evaluate(write_spec(fixtures=[fixture(), sandbox])), "default.fixture-hosts")
    assert (result.status, result.subject) == ("passed", "fixtures (2)")


def test_fixture_hosts_fail_for_other_host(write_spec: SpecWriter) -> None:
    bad = fixture(scenario="elsewhere")
    bad["request"]["url"] = "https://evil.example/v1/items"
    result = only(evaluate(write_spec(fixtures=[bad])), "default.fixture-hosts")
    assert result.status == "failed"
    assert result.subject == "fixtures/list_items/elsewhere.yaml"
    assert result.message == (
        "fixtures/list_items/elsewhere.yaml sends its request to https://evil.example/v1/items, "
        "not an https URL on a declared host (api.acme.example, sandbox.acme.example)"
    )


def test_fixture_hosts_fail_for_plain_http(write_spec: SpecWriter) -> None:
    bad = fixture(scenario="plain")
    bad["request"]["url"] = "http://api.acme.example/v1/items"
    result = only(evaluate(write_spec(fixtures=[bad])), "default.fixture-hosts")
    assert result.status == "failed"
    assert "sends its request to http://api.acme.example/v1/items" in result.message


def test_fixture_hosts_match_templated_hosts(write_spec: SpecWriter) -> None:
    spec = base_spec()
    spec["base_url"] = "https://{tenant}.acme.example"
    spec["variables"] = {"tenant": {"kind": "host", "default": "demo"}}
    good = fixture()
    good["request"]["url"] = "https://demo.acme.example/v1/items"
    result = only(evaluate(write_spec(spec, fixtures=[good])), "default.fixture-hosts")
    assert result.status == "passed"


def test_fixture_hosts_not_applicable_without_fixtures(write_spec: SpecWriter) -> None:
    result = only(evaluate(write_spec()), "default.fixture-hosts")
    assert result.status == "not_applicable"


# ------------------------------------------------------------- default.no-secret-values


def test_no_secret_values_passes_with_redacted_fixture(write_spec: SpecWriter) -> None:
    result = only(evaluate(write_spec(fixtures=[fixture()])), "default.no-secret-values")
    assert result.status == "passed"


def test_no_secret_values_fails_for_token_in_fixture(write_spec: SpecWriter) -> None:
    leaked = fixture(scenario="leak")
    leaked["request"]["headers"]["Authorization"] = "Bearer sk_live_4eC39HqLyjWDarjtT1zdp7dc"
    result = only(evaluate(write_spec(fixtures=[leaked])), "default.no-secret-values")
    assert result.status == "failed"
    assert result.message == (
        "secret-looking values: fixtures/list_items/leak.yaml at request.headers.Authorization "
        "(Stripe secret key)"
    )


def test_no_secret_values_fails_for_high_entropy_value_in_spec(write_spec: SpecWriter) -> None:
    spec = base_spec()
    spec["provider"]["description"] = "Key: q8Zr2LmX7vTn4PwK9sYb3HdJ6fGc1 for tests."
    loaded = write_spec(spec)
    result = only(evaluate(loaded), "default.no-secret-values")
    assert result.status == "failed"
    assert result.message == (
        f"secret-looking values: {loaded.path} at provider.description "
        "(high-entropy string (>= 4.0 bits/char))"
    )


def test_no_secret_values_fails_for_password_in_fixture_body(write_spec: SpecWriter) -> None:
    leaked = fixture(scenario="login")
    leaked["request"]["json"] = {"user": "ann", "password": "hunter2"}
    result = only(evaluate(write_spec(fixtures=[leaked])), "default.no-secret-values")
    assert result.status == "failed"
    assert "request.json.password (value of 'password' is not redacted)" in result.message


# ---------------------------------------------------- default.capabilities-cover-effects


def test_capabilities_cover_effects_passes(write_spec: SpecWriter) -> None:
    result = only(evaluate(write_spec()), "default.capabilities-cover-effects")
    assert (result.status, result.subject) == ("passed", "operations (3)")


def test_capabilities_cover_effects_fails_for_read_capability_on_write(
    write_spec: SpecWriter,
) -> None:
    spec = base_spec()
    op(spec, "create_item")["capabilities"] = ["acme.items:read"]
    result = only(evaluate(write_spec(spec)), "default.capabilities-cover-effects")
    assert result.status == "failed"
    assert result.subject == "operations[1] create_item"
    assert result.message == (
        "write operation create_item needs a capability that covers 'write'; "
        "it declares [acme.items:read]"
    )


def test_capabilities_cover_effects_fails_without_capabilities(write_spec: SpecWriter) -> None:
    spec = base_spec()
    op(spec, "list_items")["capabilities"] = []
    result = only(evaluate(write_spec(spec)), "default.capabilities-cover-effects")
    assert result.status == "failed"
    assert result.message == (
        "read operation list_items needs a capability that covers 'read'; it declares [(none)]"
    )


# -------------------------------------------------- default.capability-hierarchy-acyclic


def test_capability_hierarchy_acyclic_passes(write_spec: SpecWriter) -> None:
    assert only(evaluate(write_spec()), "default.capability-hierarchy-acyclic").status == "passed"


def test_capability_hierarchy_cycle_fails(write_spec: SpecWriter) -> None:
    spec = base_spec()
    spec["capabilities"][0]["implies"] = ["acme.items:write"]
    result = only(evaluate(write_spec(spec)), "default.capability-hierarchy-acyclic")
    assert result.status == "failed"
    assert result.message == (
        "capability implication cycle through acme.items:read, acme.items:write"
    )


# ---------------------------------------------------- default.delete-distinct-capability


def test_delete_distinct_capability_passes(write_spec: SpecWriter) -> None:
    result = only(evaluate(write_spec()), "default.delete-distinct-capability")
    assert (result.status, result.subject) == ("passed", "operations (1)")


def test_delete_with_write_capability_fails(write_spec: SpecWriter) -> None:
    spec = base_spec()
    op(spec, "delete_item")["capabilities"] = ["acme.items:write"]
    result = only(evaluate(write_spec(spec)), "default.delete-distinct-capability")
    assert result.status == "failed"
    assert result.subject == "operations[2] delete_item"
    assert result.message == (
        "delete operation delete_item requires only [acme.items:write], which do not "
        "distinguish deleting from writing"
    )


def test_delete_with_capability_shared_by_a_write_fails(write_spec: SpecWriter) -> None:
    spec = base_spec()
    op(spec, "create_item")["capabilities"] = ["acme.items:delete"]
    result = only(evaluate(write_spec(spec)), "default.delete-distinct-capability")
    assert result.status == "failed"


# ------------------------------------------------------------ default.certified-min-level


def test_certified_min_level_passes_for_recorded(write_spec: SpecWriter) -> None:
    loaded = write_spec()
    report = evaluate(loaded, evidence=evidence_for(loaded, level="recorded"))
    assert only(report, "default.certified-min-level").status == "passed"


def test_certified_min_level_fails_for_basic(write_spec: SpecWriter) -> None:
    loaded = write_spec()
    checks = [
        {"id": "contract.auth_401", "operation": "list_items", "status": "failed",
         "duration_ms": 0.1, "message": "no AuthError", "fixture_backed": False},
    ]  # fmt: skip
    report = evaluate(loaded, evidence=evidence_for(loaded, checks, level="basic"))
    result = only(report, "default.certified-min-level")
    assert result.status == "failed"
    assert result.subject == "evidence"
    assert result.message == (
        "certification level is 'basic' with 1 failed check(s); publishing needs level "
        "'self-consistent', 'certified' or 'recorded'"
    )


def test_self_consistent_level_publishes_with_a_provider_conformance_warning(
    write_spec: SpecWriter,
) -> None:
    loaded = write_spec()
    report = evaluate(loaded, evidence=evidence_for(loaded, level="self-consistent"))
    assert report.passed  # every check passed: publishable
    assert only(report, "default.certified-min-level").status == "passed"
    warning = only(report, "default.provider-conformance")
    assert (warning.status, warning.severity) == ("failed", "warning")
    assert "never checked against the provider's own description" in warning.message
    checked = evaluate(loaded, evidence=evidence_for(loaded, level="certified"))
    assert only(checked, "default.provider-conformance").status == "passed"


def test_certified_level_contradicted_by_failed_check_fails(write_spec: SpecWriter) -> None:
    loaded = write_spec()
    checks = [
        {"id": "schema.response", "operation": "list_items", "status": "failed",
         "duration_ms": 0.1, "message": "", "fixture_backed": False},
    ]  # fmt: skip
    report = evaluate(loaded, evidence=evidence_for(loaded, checks, level="certified"))
    result = only(report, "default.certified-min-level")
    assert result.status == "failed"
    assert "'certified' with 1 failed check(s)" in result.message


# --------------------------------------------------------- default.evidence-matches-spec


def test_evidence_matches_spec_passes(write_spec: SpecWriter) -> None:
    loaded = write_spec()
    assert (
        only(
            evaluate(loaded, evidence=evidence_for(loaded)), "default.evidence-matches-spec"
        ).status
        == "passed"
    )


def test_evidence_for_another_spec_fails(write_spec: SpecWriter) -> None:
    loaded = write_spec()
    evidence = evidence_for(loaded)
    evidence["subject"][0]["digest"]["sha256"] = "0" * 64
    result = only(evaluate(loaded, evidence=evidence), "default.evidence-matches-spec")
    assert result.status == "failed"
    digest = loaded.digest.removeprefix("sha256:")
    assert result.message == (
        f"the evidence's connector.yaml digest does not match this spec (sha256 {digest}); "
        "it certifies another version of the file"
    )
