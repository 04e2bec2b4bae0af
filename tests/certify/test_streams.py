"""Certification of streamed responses (``content: sse`` / ``ndjson``): the matrix serves a
stream of events and consumes what the method yields; a client that skips event validation or
retries mid-stream is caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from certify import certify_connector
from connector_spec.codegen import generate_to_directory
from tests.certify.helpers import failed_ids, patch_file
from tests.codegen.client_spec import payco_spec
from tests.codegen.specs import write_spec

STREAMS = ("stream_charge_events", "export_charges")


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = write_spec(tmp_path, payco_spec())
    generate_to_directory(path)
    return path


def test_streamed_operations_certify(spec: Path) -> None:
    result = certify_connector(spec, connector_dir=spec.parent)
    failed = [f"{c.id} {c.operation}: {c.message}" for c in result.checks if c.failed]
    assert failed == []
    ran = {(c.id, c.operation) for c in result.checks if c.status == "passed"}
    for op in STREAMS:
        assert ("contract.auth_401", op) in ran
        assert ("contract.server_503", op) in ran
        assert ("schema.response", op) in ran
        assert ("contract.malformed_json", op) in ran


def test_a_client_that_yields_unvalidated_events_fails(spec: Path) -> None:
    engine = spec.parent / "flows_payco" / "_runtime" / "engine.py"
    old = "yield self.decode_event(op, event, adapter)"
    patch_file(engine, old, "yield event  # type: ignore[misc]")
    result = certify_connector(spec, connector_dir=spec.parent)
    broken = {(c.id, c.operation) for c in result.checks if c.failed}
    for op in STREAMS:
        assert ("schema.response", op) in broken
    assert "schema.response" in failed_ids(result)


def test_a_streamed_response_cannot_be_paginated(tmp_path: Path) -> None:
    from connector_spec.errors import SpecError
    from connector_spec.loader import load_spec

    data = payco_spec()
    stream = next(op for op in data["operations"] if op["id"] == "export_charges")
    stream["pagination"] = "cursor"
    with pytest.raises(SpecError) as caught:
        load_spec(write_spec(tmp_path, data))
    assert "cannot be paginated" in caught.value.diagnostics()


def test_turning_a_json_response_into_a_stream_is_breaking() -> None:
    from connector_spec.diff import diff_specs
    from connector_spec.loader import parse_spec_bytes
    from tests.codegen.specs import dump_spec

    old = payco_spec()
    new = payco_spec()
    op = next(o for o in new["operations"] if o["id"] == "retrieve_charge")
    op["response"] = {"content": "ndjson", "schema": {"$ref": "#/schemas/Charge"}}
    result = diff_specs(
        parse_spec_bytes(dump_spec(old), "old.yaml"),
        parse_spec_bytes(dump_spec(new), "new.yaml"),
    )
    assert ("breaking", "operations.retrieve_charge.response") in [
        (c.kind, c.where) for c in result.changes
    ]
