"""The seed connectors certify (provider conformance included), and their evidence is canonical
in-toto."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import rfc8785

from certify import certify_connector, derive_level
from certify.results import CheckResult
from tests.conftest import CONNECTORS

PACKAGES = {p: f"flows_{p}" for p in ("stripe", "slack", "sendgrid", "github", "sheets")}

FAMILIES = {
    "stripe": {
        "contract.auth_401",
        "contract.auth_403",
        "contract.retry_after_seconds",
        "contract.retry_after_date",
        "contract.rate_limit_exhausted",
        "contract.server_500",
        "contract.server_502",
        "contract.server_503",
        "contract.server_504",
        "contract.timeout",
        "contract.connection_reset",
        "contract.malformed_json",
        "schema.response",
        "contract.pagination",
        "contract.pagination_repeated_cursor",
        "determinism.replay",
        "idempotency.key_reuse",
        "secrets.no_leak",
        "codegen.reproducible",
        "manifest.capabilities",
        "contract.fixture.happy_path",
    },
    "slack": {"contract.body_error_auth", "idempotency.no_unsafe_retry", "contract.pagination"},
    "sendgrid": {"idempotency.no_unsafe_retry", "determinism.replay", "contract.environments"},
    "github": {"contract.pagination_cross_host", "contract.pagination", "determinism.replay"},
    "sheets": {"contract.auth_401", "idempotency.no_unsafe_retry"},
}
PROVIDER_CHECKS = {
    "contract.provider.description",
    "contract.provider.operation",
    "contract.provider.params",
    "contract.provider.body",
    "contract.provider.response",
    "contract.provider.requests",
    "contract.provider.responses",
}
# operations each seed must keep (issue 18: real size)
SIZES = {"stripe": 25, "slack": 15, "sendgrid": 10, "github": 25, "sheets": 10}


@pytest.mark.parametrize("provider", sorted(PACKAGES))
def test_seed_connector_is_certified(provider: str) -> None:
    spec = CONNECTORS / provider / "connector.yaml"
    result = certify_connector(spec)
    assert result.passed, [f"{c.id} {c.operation}: {c.message}" for c in result.failed]
    # synthesized-from-docs fixtures are not recordings: "recorded" is not earned; certified
    # means checked against the provider's own description (connectors/<p>/provider/)
    assert result.level == "certified"
    ids = {c.id for c in result.checks}
    assert FAMILIES[provider] <= ids
    assert ids >= PROVIDER_CHECKS
    provider_checks = [c for c in result.checks if c.id.startswith("contract.provider.")]
    assert all(c.status == "passed" for c in provider_checks if c.id in PROVIDER_CHECKS)
    operations = {c.operation for c in result.checks if c.id == "contract.provider.requests"}
    assert len(operations) >= SIZES[provider]
    statement = result.statement
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["predicateType"] == "https://flows.dev/certification/v1"
    subjects = {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}
    assert subjects["connector.yaml"] == hashlib.sha256(spec.read_bytes()).hexdigest()
    assert set(subjects) == {"connector.yaml", f"package:{PACKAGES[provider]}", "fixtures"}
    predicate = statement["predicate"]
    assert predicate["policy"] is None
    assert predicate["level"] == "certified"
    assert predicate["summary"]["failed"] == 0
    assert predicate["summary"]["passed"] + predicate["summary"]["skipped"] == len(result.checks)
    assert result.statement_bytes == rfc8785.dumps(statement)


def test_nondeterministic_operations_skip_replay() -> None:
    result = certify_connector(CONNECTORS / "stripe" / "connector.yaml", only=["determinism"])
    replay = result.check("determinism.replay", "list_charges")
    assert replay.status == "skipped"
    assert replay.message == "the operation is declared nondeterministic"
    assert result.check("determinism.replay", "create_charge").status == "passed"


def test_evidence_bundle_is_written(tmp_path: Path) -> None:
    out = tmp_path / "evidence"
    result = certify_connector(CONNECTORS / "stripe" / "connector.yaml", out=out)
    assert sorted(p.name for p in out.iterdir()) == [
        "connector.dot",
        "statement.json",
        "summary.md",
    ]
    assert (out / "statement.json").read_bytes() == result.statement_bytes
    assert json.loads(result.statement_bytes)["predicate"]["connector"] == {
        "provider": "stripe",
        "version": "2.0.0",
    }
    dot = (out / "connector.dot").read_text()
    assert '"op:create_refund" -> "cap:stripe.refunds:write";' in dot
    assert '"op:create_refund" -> "effect:write";' in dot
    summary = (out / "summary.md").read_text()
    assert "- level: **certified**" in summary
    assert "| `idempotency.key_reuse` | create_charge | passed |" in summary


def test_unwritable_out_dir_is_bad_input(tmp_path: Path) -> None:
    from connector_spec.errors import InputError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError) as info:
        certify_connector(CONNECTORS / "sendgrid" / "connector.yaml", out=blocker / "ev")
    assert "cannot write the evidence bundle" in info.value.diagnostics()
    assert blocker.read_text() == "x"


def _check(check_id: str, status: str, *, op: str = "op", backed: bool = False) -> CheckResult:
    return CheckResult(check_id, op, status, fixture_backed=backed)  # type: ignore[arg-type]


def test_level_is_derived_from_checks() -> None:
    checked = _check("contract.provider.description", "passed")
    ok = [_check("contract.auth_401", "passed"), _check("schema.response", "passed"), checked]
    assert derive_level(ok, ["op"]) == "certified"
    # without a provider description every check passing proves self-consistency only
    assert derive_level(ok[:2], ["op"]) == "self-consistent"
    unchecked = _check("contract.provider.description", "skipped")
    assert derive_level([*ok[:2], unchecked], ["op"]) == "self-consistent"
    assert (
        derive_level([*ok[:2], _check("contract.fixture.x", "passed", backed=True)], ["op"])
        == "self-consistent"
    )
    assert (
        derive_level([*ok, _check("contract.fixture.x", "passed", backed=True)], ["op"])
        == "recorded"
    )
    assert (
        derive_level([*ok, _check("contract.fixture.x", "passed", backed=True)], ["op", "other"])
        == "certified"
    )
    assert derive_level([*ok, _check("secrets.no_leak", "failed")], ["op"]) == "basic"
    assert derive_level([*ok, _check("determinism.replay", "failed")], ["op"]) == "basic"
    assert derive_level([*ok, _check("manifest.capabilities", "failed")], ["op"]) == "none"
    assert (
        derive_level(
            [_check("codegen.reproducible", "failed"), _check("contract.timeout", "failed")], ["op"]
        )
        == "none"
    )
    assert derive_level([*ok, _check("contract.x", "skipped")], ["op"]) == "certified"


def test_several_versions_load_side_by_side(tmp_path: Path) -> None:
    import sys

    before = set(sys.modules)
    first = certify_connector(CONNECTORS / "slack" / "connector.yaml")
    second = certify_connector(CONNECTORS / "slack" / "connector.yaml")
    assert first.passed and second.passed
    assert not [m for m in set(sys.modules) - before if m.startswith("flows_certify_")]


@pytest.mark.parametrize("pagination", ["cursor", "offset", "page", "link"])
def test_synthetic_connector_with_each_pagination_strategy(tmp_path: Path, pagination: str) -> None:
    from certify.synthetic import synthetic_spec

    spec = tmp_path / "connector.yaml"
    spec.write_text(synthetic_spec(8, pagination=pagination))
    result = certify_connector(spec)
    assert result.passed, [f"{c.id} {c.operation}: {c.message}" for c in result.failed]
    pages = [c for c in result.checks if c.id == "contract.pagination"]
    assert len(pages) == 2 and all(c.status == "passed" for c in pages)
    repeated = {c.id for c in result.checks} & {"contract.pagination_repeated_cursor"}
    assert bool(repeated) == (pagination in ("cursor", "link"))
    assert result.level == "self-consistent"  # no provider description to check against
