"""Base-URL variables without a default: certification makes up a value and says so.

Harvested specs put a customer's own host in a server variable with no default (every user
passes theirs). Certification used to crash on them with a ConfigurationError traceback; now
it certifies with a synthesized value recorded in the evidence, and a variable no value fits
is bad input located at the variable (exit 2), for `flows certify` and `flows publish` alike.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from certify import certify_connector, rehash
from flows.cli.app import app
from tests.certify.helpers import copy_connector, patch_file

runner = CliRunner()

SPEC = """\
apiVersion: flows.dev/v1
kind: ConnectorSpec
provider:
  name: tenant
  version: 0.1.0
  description: An API every customer hosts on their own domain.
  docs_url: https://example.com/docs
base_url: https://{instance}/api
variables:
  instance:
    kind: host
    description: The customer's own host.
auth:
  type: api_key
  in: header
  name: X-Api-Key
  secret: {env: TENANT_API_KEY}
capabilities:
  - name: tenant.connection:read
  - name: tenant.items:read
operations:
  - id: check_connection
    resource: connection
    summary: Check the connection.
    method: GET
    path: /me
    response: {schema: {}, description: any JSON}
    effects: read
    determinism: {mode: nondeterministic}
    capabilities: [tenant.connection:read]
  - id: get_item
    resource: items
    summary: One item.
    method: GET
    path: /items/{id}
    params:
      - {name: id, in: path, required: true}
    response: {schema: {}}
    effects: read
    determinism: {mode: nondeterministic}
    capabilities: [tenant.items:read]
"""


def _write(tmp_path: Path, text: str = SPEC) -> Path:
    spec = tmp_path / "tenant" / "connector.yaml"
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(text)
    return spec


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_host_without_default_is_certified_with_a_made_up_value(tmp_path: Path) -> None:
    spec, out = _write(tmp_path), tmp_path / "ev"
    result = runner.invoke(app, ["certify", "connector", str(spec), "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    payload = json.loads(result.stdout)
    assert payload["ok"] is True and payload["level"] == "self-consistent"
    made = [{"name": "instance", "value": "example.com", "from": "example"}]
    assert payload["synthesized_variables"] == made
    statement = json.loads((out / "statement.json").read_text())
    assert statement["predicate"]["synthesized_variables"] == made
    assert "`instance=example.com` (example)" in (out / "summary.md").read_text()
    checks = {(c["id"], c["operation"]): c["status"] for c in payload["checks"]}
    # "any JSON": nothing can violate the schema, but the body must still be JSON
    assert checks[("schema.response", "get_item")] == "skipped"
    assert checks[("contract.malformed_json", "get_item")] == "passed"

    table = runner.invoke(app, ["certify", "connector", str(spec), "--out", str(out)])
    assert table.exit_code == 0, table.output
    assert "certified with made-up values (instance=example.com)" in table.stdout


def test_an_enum_gives_its_first_value_and_requests_go_there(tmp_path: Path) -> None:
    text = SPEC.replace(
        "base_url: https://{instance}/api", "base_url: https://{tenant}.{region}.example.net"
    ).replace(
        "  instance:\n    kind: host\n    description: The customer's own host.\n",
        "  tenant: {kind: string}\n  region: {kind: region, enum: [eu, us]}\n",
    )
    result = certify_connector(_write(tmp_path, text))
    assert result.passed, [c.message for c in result.failed]
    assert [v.to_json() for v in result.synthesized] == [
        {"name": "tenant", "value": "example", "from": "example"},
        {"name": "region", "value": "eu", "from": "enum"},
    ]
    assert result.statement["predicate"]["synthesized_variables"][1]["value"] == "eu"


def test_a_variable_with_a_default_is_not_synthesized(tmp_path: Path) -> None:
    text = SPEC.replace("    kind: host\n", "    kind: host\n    default: api.tenant.example\n")
    result = certify_connector(_write(tmp_path, text))
    assert result.passed and result.synthesized == []
    assert "synthesized_variables" not in result.statement["predicate"]


def test_no_value_fits_the_pattern_is_a_located_error_exit_2(tmp_path: Path) -> None:
    text = SPEC.replace("    kind: host\n", '    kind: host\n    pattern: "^[0-9]{8}$"\n')
    spec = _write(tmp_path, text)
    where = f"{spec}:{_line_of(text, '  instance:')}:3: variables.instance"
    for args in (
        ["certify", "connector", str(spec), "--out", str(tmp_path / "ev")],
        ["publish", "connector", str(spec), "--registry", str(tmp_path / "reg")],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert not isinstance(result.exception, Exception) or isinstance(
            result.exception, SystemExit
        )
        assert f"{where}: server variable 'instance' has no default" in result.output
        assert "matching '^[0-9]{8}$'" in result.output
        assert "hint: give the variable a 'default:'" in result.output
    assert not (tmp_path / "ev").exists() and not (tmp_path / "reg").exists()


def test_a_default_the_client_refuses_is_a_located_error_exit_2(tmp_path: Path) -> None:
    text = SPEC.replace("    kind: host\n", "    kind: host\n    default: acme corp\n")
    spec = _write(tmp_path, text)
    result = runner.invoke(app, ["certify", "connector", str(spec), "--json"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    payload = json.loads(result.stdout)
    line = _line_of(text, "default: acme corp")
    assert payload["error"] == "CertifyInputError" and payload["ok"] is False
    assert payload["message"].startswith(
        f"{spec}:{line}:5: variables.instance.default: the default 'acme corp' of server "
        "variable 'instance' is not a value the client accepts"
    )


def test_a_fixture_naming_an_unknown_environment_is_bad_input(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    fixture = spec.parent / "fixtures" / "create_charge" / "happy_path.yaml"
    patch_file(fixture, "environment: null\n", "environment: nope\n")
    rehash(spec.parent / "fixtures")
    result = runner.invoke(app, ["certify", "connector", str(spec), "--out", str(tmp_path / "ev")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"{fixture}: environment 'nope' is not one of the spec's environments" in (
        result.output.replace("\n", "")
    )
