"""Fixture files (digest, located errors) and the recorder (scrubbing, canary refusal)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import yaml

from certify import certify_connector, load_fixtures
from certify.errors import CertifyInputError, FixtureError, RecordRefused
from certify.fixtures import fixture_digest
from certify.record import record_fixture
from tests.certify.helpers import CONNECTORS, copy_connector, patch_file

CANARY = "sk_test_canary4242424242424242"


def test_seed_fixtures_are_valid_and_honest() -> None:
    for provider in ("stripe", "slack", "sendgrid"):
        fixtures = load_fixtures(CONNECTORS / provider / "fixtures")
        assert fixtures, provider
        for fixture in fixtures:
            assert fixture.source == "synthesized"  # written from the docs, not recorded
            assert fixture.request.headers["authorization"] == "<redacted>"
            data = yaml.safe_load(fixture.raw)
            assert fixture.digest == fixture_digest(data)


def test_edited_fixture_without_rehash_is_located(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    path = spec.parent / "fixtures" / "create_charge" / "happy_path.yaml"
    patch_file(path, "amount: 1099\n  currency", "amount: 1098\n  currency")
    with pytest.raises(FixtureError) as info:
        certify_connector(spec)
    text = info.value.diagnostics()
    line = next(
        i for i, row in enumerate(path.read_text().splitlines(), 1) if row.startswith("digest:")
    )
    assert f"{path}:{line}:1: digest: digest does not match the content" in text
    assert "flows record rehash" in text
    assert info.value.exit_code == 2


def test_fixture_schema_errors_are_located(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "sendgrid")
    path = spec.parent / "fixtures" / "send_mail" / "happy_path.yaml"
    patch_file(path, "source: synthesized", "source: guessed")
    with pytest.raises(FixtureError) as info:
        certify_connector(spec)
    assert f"{path}:5:1: source: Input should be 'recorded' or 'synthesized'" in (
        info.value.diagnostics()
    )


def _stripe_mock(body: dict[str, object], seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=body, headers={"Set-Cookie": "session=abc123"})

    return httpx.MockTransport(handler)


CHARGE = {
    "id": "ch_1",
    "object": "charge",
    "amount": 500,
    "currency": "eur",
    "created": 1,
    "livemode": False,
    "paid": True,
    "status": "succeeded",
}


def test_record_writes_a_scrubbed_fixture_that_certifies(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    seen: list[httpx.Request] = []
    result = record_fixture(
        spec,
        "create_charge",
        call={"amount": 500, "currency": "eur"},
        scenario="small_charge",
        transport=_stripe_mock(CHARGE, seen),
        credentials={"STRIPE_API_KEY": CANARY},
        known_secrets=[CANARY],
    )
    assert seen[0].headers["authorization"] == f"Bearer {CANARY}"  # the real call had it
    text = result.path.read_text()
    assert result.path == spec.parent / "fixtures" / "create_charge" / "small_charge.yaml"
    assert CANARY not in text and "abc123" not in text
    data = yaml.safe_load(text)
    assert data["request"]["headers"]["authorization"] == "<redacted>"
    assert data["request"]["headers"]["idempotency-key"] == "<any>"
    assert data["responses"][0]["headers"]["set-cookie"] == "<redacted>"
    assert data["source"] == "synthesized"
    assert data["expect"] == {"attempts": 1, "result": CHARGE}
    certified = certify_connector(spec, only=["contract.fixture"])
    assert certified.check("contract.fixture.small_charge").status == "passed"


def test_record_refuses_a_fixture_that_still_holds_the_canary(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    echoed = {**CHARGE, "description": f"charged with key {CANARY}"}
    target = spec.parent / "fixtures" / "create_charge" / "echo.yaml"
    with pytest.raises(RecordRefused) as info:
        record_fixture(
            spec,
            "create_charge",
            call={"amount": 500, "currency": "eur"},
            scenario="echo",
            transport=_stripe_mock(echoed, []),
            credentials={"STRIPE_API_KEY": CANARY},
        )
    assert info.value.exit_code == 1
    assert str(info.value).startswith(f"{target}:")
    assert "a known secret value is still in the recording after scrubbing" in str(info.value)
    assert not target.exists()


def test_record_scrubs_fields_the_spec_marks_secret(tmp_path: Path) -> None:
    spec = copy_connector(
        tmp_path,
        "stripe",
        spec_edit=(
            "      status: {type: string, enum: [succeeded, pending, failed]}",
            "      status: {type: string, enum: [succeeded, pending, failed]}\n"
            "      client_secret: {type: string, secret: true}",
        ),
    )
    body = {**CHARGE, "client_secret": "pi_secret_canary_777777"}
    result = record_fixture(
        spec,
        "retrieve_charge",
        call={"charge": "ch_1"},
        scenario="secret",
        transport=_stripe_mock(body, []),
        credentials={"STRIPE_API_KEY": CANARY},
        known_secrets=["pi_secret_canary_777777"],
    )
    data = yaml.safe_load(result.path.read_text())
    assert data["responses"][0]["json"]["client_secret"] == "<redacted>"
    assert data["expect"]["result"]["client_secret"] == "<redacted>"


def test_record_scrubs_an_api_key_query_parameter(tmp_path: Path) -> None:
    spec = copy_connector(
        tmp_path,
        "sendgrid",
        fixtures=False,
        spec_edit=(
            "  type: bearer\n  secret: {env: SENDGRID_API_KEY}",
            "  type: api_key\n  in: query\n  name: api_key\n  secret: {env: SENDGRID_API_KEY}",
        ),
    )
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202)

    result = record_fixture(
        spec,
        "send_mail",
        call={
            "personalizations": [{"to": [{"email": "a@example.com"}]}],
            "from_": {"email": "b@example.com"},
            "subject": "Hi",
            "content": [{"type": "text/plain", "value": "Hello"}],
        },
        transport=httpx.MockTransport(handler),
        credentials={"SENDGRID_API_KEY": CANARY},
    )
    assert seen[0].url.params["api_key"] == CANARY
    data = yaml.safe_load(result.path.read_text())
    assert data["request"]["url"] == "https://api.sendgrid.com/v3/mail/send?api_key=%3Credacted%3E"
    assert CANARY not in result.path.read_text()
    assert certify_connector(spec).passed


def test_record_needs_live_or_a_transport(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "slack", fixtures=False)
    with pytest.raises(CertifyInputError, match="pass argument 'live' to confirm"):
        record_fixture(spec, "post_message", call={"channel": "C1"})
    with pytest.raises(CertifyInputError, match="the spec has no operation 'nope'"):
        record_fixture(spec, "nope", transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    assert not (spec.parent / "fixtures").exists()


def test_recorded_fixtures_earn_the_recorded_level(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "sendgrid")
    path = spec.parent / "fixtures" / "send_mail" / "happy_path.yaml"
    data = yaml.safe_load(path.read_text())
    data["source"] = "recorded"
    from certify.fixtures import dump_fixture

    path.write_bytes(dump_fixture(data))
    result = certify_connector(spec)
    assert result.check("contract.fixture.happy_path").fixture_backed
    assert result.level == "recorded"
    assert json.loads(result.statement_bytes)["predicate"]["level"] == "recorded"
