"""The pieces of provider conformance: schema comparison, form decoding, generated bodies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from certify.provider.instances import OPEN_STRING, Generator, valid
from certify.provider.match import match_operations
from certify.provider.schemas import Comparison, Loc, Side, read
from certify.provider.wire import Validators, parse_form, request_problems
from connector_spec.diff import diff_files
from connector_spec.loader import parse_spec_bytes
from connector_spec.openapi import parse_openapi
from tests.certify.helpers import CONNECTORS


def _side(name: str, defs: dict[str, Any] | None = None) -> Side:
    table = defs or {}

    def resolve(raw: dict[str, Any], loc: Loc) -> tuple[dict[str, Any], Loc]:
        ref = raw.get("$ref")
        if isinstance(ref, str):
            key = ref.rsplit("/", 1)[-1]
            return table[key], ("defs", key)
        return raw, loc

    return Side(name, resolve)


def _findings(wide: dict[str, Any], narrow: dict[str, Any], defs: Any = None) -> list[str]:
    comparison = Comparison(_side("W", defs), _side("N", defs))
    comparison.covers(read(comparison.wide, wide, ("w",)), read(comparison.narrow, narrow, ("n",)))
    return [f"{f.kind} {f.field}" for f in comparison.findings]


def test_required_null_enum_and_type_disagreements_are_found() -> None:
    spec = {
        "type": "object",
        "required": ["status", "id"],
        "properties": {
            "id": {"type": "string"},
            "status": {"type": "string", "enum": ["a", "b"]},
            "charge": {"type": "string"},
        },
    }
    provider = {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "string"},
            "status": {"type": "string", "nullable": True},
            "charge": {"anyOf": [{"type": "string"}, {"type": "object"}]},
        },
    }
    assert sorted(_findings(spec, provider)) == [
        "enum status",
        "null status",
        "required status",
        "type charge",
    ]


def test_agreeing_schemas_have_no_findings() -> None:
    spec = {
        "type": "object",
        "properties": {
            "charge": {"anyOf": [{"type": "string"}, {"$ref": "#/defs/Obj"}], "nullable": True},
            "n": {"type": "number"},
            "kind": {"type": "string"},
        },
    }
    provider = {
        "type": "object",
        "required": ["charge"],
        "properties": {
            "charge": {"anyOf": [{"type": "string"}, {"type": "object"}], "nullable": True},
            "n": {"type": "integer"},
            "kind": {"type": "string", "enum": ["x", "y"]},
            "extra": {"type": "boolean"},
        },
    }
    assert _findings(spec, provider, {"Obj": {"type": "object"}}) == []


def test_a_recursive_schema_is_compared_without_looping() -> None:
    defs = {"Node": {"type": "object", "properties": {"next": {"$ref": "#/defs/Node"}}}}
    assert _findings({"$ref": "#/defs/Node"}, {"$ref": "#/defs/Node"}, defs) == []


def test_closed_objects_refuse_unknown_properties() -> None:
    provider = {"type": "object", "additionalProperties": False, "properties": {"a": {}}}
    spec = {"type": "object", "properties": {"a": {}, "b": {"type": "string"}}}
    assert _findings(provider, spec) == ["closed b"]


def test_form_bodies_decode_deep_objects_and_lists() -> None:
    assert parse_form("charge=ch_1&metadata[order]=6735&expand[0]=customer&x=") == {
        "charge": "ch_1",
        "metadata": {"order": "6735"},
        "expand": {"0": "customer"},
        "x": "",
    }


def test_generated_bodies_cover_nulls_unknown_values_and_expansions() -> None:
    schema = {
        "type": "object",
        "required": ["id", "status"],
        "properties": {
            "id": {"type": "string", "pattern": "^re_[a-z]{3}$"},
            "status": {"type": "string", "nullable": True},
            "charge": {"anyOf": [{"type": "string"}, {"type": "object"}]},
            "email": {"type": "string", "format": "email"},
        },
    }
    generator = Generator(_side("provider"))
    minimal = generator.instance(schema, ("s",), "minimal").value
    full = generator.instance(schema, ("s",), "full").value
    assert minimal["status"] is None and set(minimal) == {"id", "status"}
    assert full["status"] == OPEN_STRING and full["charge"] == {"flows_unknown_field": OPEN_STRING}
    assert full["email"] == "user@example.com"
    bundled = {**schema, "properties": {**schema["properties"]}}
    bundled["properties"]["status"] = {"type": ["string", "null"]}
    assert valid(bundled, minimal) and valid(bundled, full)


def test_spec_diff_reports_a_changed_provider_description(tmp_path: Path) -> None:
    old = CONNECTORS / "sendgrid" / "connector.yaml"
    text = old.read_text()
    new = tmp_path / "connector.yaml"
    new.write_text(text.replace("    version: 1.0.0\nbase_url", "    version: 1.0.1\nbase_url"))
    diff = diff_files(old, new)
    assert [(c.kind, c.where) for c in diff.changes] == [("patch", "provider.openapi.version")]
    gone = tmp_path / "gone.yaml"
    start = text.index("  openapi:\n")
    gone.write_text(text[:start] + text[text.index("base_url:") :])
    (removed,) = diff_files(old, gone).changes
    assert "certification can no longer check the spec against the provider" in removed.message


# ------------------------------------------------------------------ found on real descriptions


def test_anyof_alternatives_are_matched_by_shape_not_by_order() -> None:
    # apache.org/airflow: ScheduleInterval is anyOf three objects; comparing it with itself
    # used to pair the nullable third alternative with the first one
    defs = {
        "Every": {"type": "object", "required": ["days"], "properties": {"days": {}}},
        "Cron": {"type": "object", "nullable": True, "properties": {"value": {}}},
    }
    interval = {"anyOf": [{"$ref": "#/defs/Every"}, {"$ref": "#/defs/Cron"}]}
    assert _findings(interval, interval, defs) == []


def test_a_pattern_python_cannot_compile_is_never_a_traceback() -> None:
    # patterns in other regex dialects (\p{L}) occur in real descriptions
    schema = {"type": "object", "properties": {"name": {"type": "string", "pattern": r"^\p{L}+$"}}}
    body = Generator(_side("provider")).instance(schema, ("s",), "full").value
    assert valid(schema, body) is False  # cannot be judged: never used as evidence


def test_allof_of_a_scalar_and_a_description_is_that_scalar() -> None:
    # AWS descriptions: allOf [{$ref: a string schema}, {description: ...}]
    defs = {"Status": {"type": "string", "enum": ["ON", "OFF"]}}
    schema = {
        "type": "object",
        "required": ["status"],
        "properties": {"status": {"allOf": [{"$ref": "#/defs/Status"}, {"description": "x"}]}},
    }
    body = Generator(_side("provider", defs)).instance(schema, ("s",), "full").value
    assert body["status"] == "OFF"


def test_allof_objects_are_merged_with_their_required_fields() -> None:
    # Azure descriptions: allOf [{$ref: Resource (required location)}, {properties: ...}]
    defs = {
        "Resource": {
            "type": "object",
            "required": ["location"],
            "properties": {"location": {"type": "string"}},
        }
    }
    schema = {"allOf": [{"$ref": "#/defs/Resource"}, {"properties": {"size": {"type": "integer"}}}]}
    generator = Generator(_side("provider", defs))
    assert generator.instance(schema, ("s",), "minimal").value == {"location": "x"}
    assert generator.instance(schema, ("s",), "full").value["size"] == 1


def test_a_node_with_its_own_keywords_and_alternatives_matches_itself() -> None:
    # nytimes.com GeoFacet: enum [""] beside oneOf [array, string]; bbc.com image_link.image:
    # a closed object beside anyOf alternatives that add properties
    geo = {"enum": [""], "nullable": True, "oneOf": [{"type": "array"}, {"type": "string"}]}
    image = {
        "type": "object",
        "additionalProperties": False,
        "anyOf": [
            {"properties": {"deprecated": {"type": "boolean"}}},
            {"properties": {"pid": {"type": "string"}}, "required": ["pid"]},
        ],
    }
    assert _findings(geo, geo) == []
    assert _findings(image, image) == []
    # the alternatives still count: a spec that only takes strings refuses null here
    assert _findings({"type": "string"}, geo) == ["null <body>"]


def test_an_array_query_parameter_sent_without_brackets_is_named_for_deep_objects() -> None:
    # found certifying a spec imported from Stripe's description: `expand` is deepObject
    described = {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": {
            "/v1/things": {
                "get": {
                    "parameters": [
                        {
                            "name": "expand",
                            "in": "query",
                            "style": "deepObject",
                            "explode": True,
                            "schema": {"type": "array", "items": {"type": "string"}},
                        }
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }
    document = parse_openapi(json.dumps(described).encode(), "t.json")
    spec = parse_spec_bytes(
        b"""apiVersion: flows.dev/v1
kind: ConnectorSpec
provider: {name: things, version: 1.0.0, description: T., docs_url: 'https://example.com'}
base_url: https://api.example.com
auth: {type: none}
operations:
  - {id: list_things, resource: things, summary: L., method: GET, path: /v1/things,
     effects: none, determinism: {mode: nondeterministic}}
""",
        "spec.yaml",
    )
    (match,), _ = match_operations(spec, document)
    problems = request_problems(
        match,
        Validators(document),
        method="GET",
        url="https://api.example.com/v1/things?expand=customer",
        headers={},
        content=b"",
        carried=set(),
    )
    assert [m for m, _ in problems] == [
        "query parameter `expand` was sent as `expand=...`; the description serializes it as a "
        "deep object (`expand[0]=...`)"
    ]
    indexed = "https://api.example.com/v1/things?expand%5B0%5D=customer&expand%5B1%5D=invoice"
    problems = request_problems(
        match,
        Validators(document),
        method="GET",
        url=indexed,
        headers={},
        content=b"",
        carried=set(),
    )
    assert problems == []  # what the runtime sends: read whole, as the provider reads it
