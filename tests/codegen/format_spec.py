"""A spec with the shapes that broke ruff-stable output on real descriptions (Asana, OpenAI,
Stripe from the OpenAPI directory): long names, one-value enums, long field annotations with
descriptions, quotes in descriptions, and names whose import order is case-sensitive."""

from __future__ import annotations

from typing import Any

from tests.codegen.specs import minimal_spec, read_op

LONG = "get_custom_field_settings_for_portfolio_membership_records"


def format_spec() -> dict[str, Any]:
    """The spec of the ``shapes`` test provider."""
    schemas: dict[str, Any] = {
        "N": {"type": "object", "properties": {"n": {"type": "integer"}}},
        "DeletedThing": {"type": "object", "properties": {"id": {"type": "string"}}},
        "DeleteThingResult": {"type": "object", "properties": {"ok": {"type": "boolean"}}},
        "Item2": {"type": "object", "properties": {"a": {"type": "string"}}},
        "Item10": {"type": "object", "properties": {"a": {"type": "string"}}},
        "Subtype": {"type": "string", "enum": ["number"], "description": "Only one value."},
        "CustomFieldSettingResponseCustomField": {
            "type": "object",
            "properties": {
                "asana_created_field": {
                    "type": ["string", "null"],
                    "enum": ["a_field", "b_field", None],
                    "description": "A unique identifier to associate this field with the template.",
                },
                "completed_at": {
                    "type": ["string", "null"],
                    "description": "The time at which this project was completed, or null if "
                    "the project is not completed.",
                },
                "quoted": {
                    "type": "string",
                    "description": 'It is shown in the assignee\'s "My Tasks" list as a "header".',
                },
            },
        },
    }
    long_response = {
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": {
                "type": "array",
                "items": {"$ref": "#/schemas/CustomFieldSettingResponseCustomField"},
            },
            "n": {"$ref": "#/schemas/N"},
            "d": {"$ref": "#/schemas/DeletedThing"},
            "r": {"$ref": "#/schemas/DeleteThingResult"},
            "i2": {"$ref": "#/schemas/Item2"},
            "i10": {"$ref": "#/schemas/Item10"},
            "s": {"$ref": "#/schemas/Subtype"},
        },
    }
    spec = minimal_spec(
        "shapes",
        schemas,
        [
            read_op(
                LONG,
                "/records",
                long_response,
                params=[{"name": "offset", "in": "query", "schema": {"type": "integer"}}],
                pagination="offsets",
            )
        ],
    )
    spec["pagination"] = {"offsets": {"type": "offset", "items": "/data"}}
    return spec
