"""A token URL that is also an operation (Slack's ``oauth.access``) certifies.

Certification's mock served every request to the token URL as a token grant, so the
``oauth_access`` operation itself never reached its scenario and failed. Token grants are the
runtime's form POSTs with a ``grant_type``; the operation is an ordinary call.
"""

from __future__ import annotations

from pathlib import Path

from certify import certify_connector
from flows.openapi.importer import import_openapi

DATA = Path(__file__).parent / "data"


def test_token_url_that_is_also_an_operation_certifies(tmp_path: Path) -> None:
    result = import_openapi(DATA / "token-url-operation.yaml", out_dir=tmp_path)
    spec_path = tmp_path / result.conversion.provider / "connector.yaml"
    text = spec_path.read_text()
    assert "token_url: https://chat.example.com/api/oauth.access" in text
    certified = certify_connector(spec_path)
    failed = [(c.id, c.operation, c.message) for c in certified.failed]
    assert certified.passed, failed
    ran = {(c.id, c.operation) for c in certified.checks if c.status == "passed"}
    assert ("schema.response", "oauth_access") in ran
    # the other operation still authenticates with a token fetched from the same URL
    assert ("contract.auth_401", "conversations_list") in ran
    assert ("contract.auth_401", "oauth_access") in ran
