"""One list of credential formats, used by certification's leak check and the policy gate.

Each kind has one sample in its real format (made up, never a live credential). Both
consumers must recognise every sample: they once disagreed (certify missed STS keys,
``github_pat_``, GitLab, Google, JWT, PEM and ``xoxo-`` tokens).
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import pytest

from certify.fixtures import load_fixture
from certify.leaks import fixture_leaks
from connector_spec.loader import load_spec
from connector_spec.secrets import TOKEN_PATTERNS, find_token
from policies import evaluate
from policies.secrets import secret_reason
from tests.conftest import SMALL_SEEDS
from tests.policies.helpers import SpecWriter, base_spec, write_connector

SAMPLES: list[tuple[str, str]] = [
    ("Stripe secret key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
    ("Stripe secret key", "rk_test_51H8xYzAbCdEfGhIjKlMnOp"),
    ("Stripe webhook secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
    ("Slack token", "xoxb-2401834234-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"),
    ("Slack token", "xoxp-2401834234-2401834234-1234567890123-0123456789abcdef"),
    ("Slack token", "xoxo-2401834234-0123456789abcdef"),
    ("Slack app token", "xapp-1-A0123456789-1234567890123-0123456789abcdef"),
    ("GitHub token", "ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
    ("GitHub token", "github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz0123456789ABCDEFGHIJKLMN"),
    ("GitLab token", "glpat-xxxxXXXX1234abcd5678"),
    ("npm token", "npm_abcdefghijklmnopqrstuvwxyz0123456789"),
    ("AWS access key id", "AKIAIOSFODNN7EXAMPLE"),
    ("AWS access key id", "ASIAIOSFODNN7EXAMPLE"),  # an STS temporary key
    ("SendGrid API key", "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"),
    ("Google API key", "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe"),
    ("private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow"),
    ("private key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl"),
    (
        "JSON web token",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ),
    ("credential in an Authorization value", "Bearer abcdefghijklmnop1234567890"),
    ("credential in an Authorization value", "Basic dXNlcm5hbWU6cGFzc3dvcmQxMjM0"),
    ("password in a URL", "https://ann:hunter2secret@db.example.com/x"),
]


def test_every_kind_has_a_sample() -> None:
    assert {kind for kind, _ in TOKEN_PATTERNS} == {kind for kind, _ in SAMPLES}


@pytest.mark.parametrize(("kind", "sample"), SAMPLES)
def test_the_shared_list_finds_each_kind(kind: str, sample: str) -> None:
    assert find_token(f"value: {sample} end") == (kind, find_token(sample)[1])  # type: ignore[index]


@pytest.mark.parametrize(("kind", "sample"), SAMPLES)
def test_the_policy_gate_finds_each_kind(kind: str, sample: str) -> None:
    assert secret_reason(f"x {sample}") == kind


@pytest.mark.parametrize(("kind", "sample"), SAMPLES)
def test_the_certification_leak_check_finds_each_kind(kind: str, sample: str) -> None:
    spec = load_spec(SMALL_SEEDS / "stripe" / "connector.yaml").spec
    fixture = load_fixture(
        SMALL_SEEDS / "stripe" / "fixtures" / "create_charge" / "happy_path.yaml"
    )
    assert fixture_leaks(spec, fixture, []) == []
    leaky = copy.copy(fixture)
    leaky.raw = fixture.raw + f"\nnote: {sample}\n".encode()
    found = fixture_leaks(spec, leaky, [])
    assert found == [
        f"fixture create_charge/happy_path: holds what looks like a live credential "
        f"({kind}: {find_token(sample)[1][:7]}...)"  # type: ignore[index]
    ]


@pytest.mark.parametrize("text", ["ch_3MmlLrLkdIwHu7ix0snN0B15", "Bearer <redacted>", "tok_visa"])
def test_ordinary_values_are_not_credentials(text: str) -> None:
    assert find_token(text) is None


# -- schema strings are not secrets (issue 12: 20 false positives on real OpenAPI specs) --


def _with_schema(schema: dict[str, Any]) -> dict[str, Any]:
    spec = base_spec()
    spec["schemas"] = {"Item": schema}
    spec["operations"][0]["response"] = {"schema": {"$ref": "#/schemas/Item"}}
    return spec


def _no_secret_values(write_spec: SpecWriter, spec: dict[str, Any]) -> Any:
    report = evaluate(write_spec(spec))
    return next(r for r in report.results if r.rule == "default.no-secret-values")


@pytest.fixture
def write_spec(tmp_path: Path) -> SpecWriter:
    return functools.partial(write_connector, tmp_path)


def test_high_entropy_schema_strings_are_not_secrets(write_spec: SpecWriter) -> None:
    # Shaped like real descriptions: opaque enum codes, an id pattern, a sample hash.
    schema = {
        "type": "object",
        "properties": {
            "region_code": {"type": "string", "enum": ["Xk9fQ2mZ7pL4vR8sT1wY6bN3", "EU"]},
            "etag": {
                "type": "string",
                "pattern": '^W/"[A-Za-z0-9]{27}"$',
                "examples": ['W/"5d41402abc4b2a76B9719d911017c592"'],
            },
            "checksum": {"type": "string", "default": "q8Zr2LmX7vTn4PwK9sYb3HdJ6fGc1"},
        },
    }
    assert _no_secret_values(write_spec, _with_schema(schema)).status == "passed"


def test_schema_names_and_schema_descriptions_are_not_secrets(write_spec: SpecWriter) -> None:
    # From googleapis.com/cloudbilling.json: long generated schema names in $ref pointers
    # were 858 of 940 false positives in a sample of 400 real descriptions.
    name = "GoogleCloudBillingBillingaccountpricesV1betaPriceReason"
    spec = _with_schema(
        {
            "type": "object",
            "description": "Price of a SKU (see sku_6F3D9A2B7C1E4F5A8B0C2D4E6F8A0B1C).",
            "properties": {"reason": {"$ref": f"#/schemas/{name}"}},
        }
    )
    spec["schemas"][name] = {"type": "string", "title": "Tier q8Zr2LmX7vTn4PwK9sYb3HdJ6fGc1"}
    assert _no_secret_values(write_spec, spec).status == "passed"


def test_a_real_credential_in_a_schema_example_is_still_found(write_spec: SpecWriter) -> None:
    schema = {"type": "string", "examples": ["sk_live_4eC39HqLyjWDarjtT1zdp7dc"]}
    result = _no_secret_values(write_spec, _with_schema(schema))
    assert result.status == "failed"
    assert "schemas.Item.examples[0] (Stripe secret key)" in result.message
