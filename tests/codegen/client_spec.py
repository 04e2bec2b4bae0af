"""A Stripe-shaped test spec for the client-quality tests: names that stutter, a declared
``CardError`` with an error envelope, pagination, a ``list`` method, keyword-named resources."""

from __future__ import annotations

from typing import Any

from tests.codegen.specs import minimal_spec

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An error envelope.",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "type": {"type": "string", "description": "The kind of error."},
                "code": {"type": "string", "description": "A short code."},
                "decline_code": {"type": "string", "description": "Why the card was declined."},
                "message": {"type": "string"},
                "param": {"type": "string", "description": "The argument at fault."},
            },
        }
    },
}

CHARGE: dict[str, Any] = {
    "type": "object",
    "description": "A charge moves money from a card to your account.",
    "required": ["id", "amount"],
    "properties": {
        "id": {"type": "string", "description": "Unique identifier of the charge."},
        "amount": {"type": "integer", "description": "Amount in the smallest currency unit."},
    },
}


def _op(op_id: str, method: str, path: str, **extra: Any) -> dict[str, Any]:
    effects = "read" if method == "GET" else "write"
    op: dict[str, Any] = {
        "id": op_id,
        "resource": "charges",
        "summary": f"{op_id.replace('_', ' ').capitalize()}.",
        "method": method,
        "path": path,
        "effects": effects,
        "determinism": {"mode": "strict"},
        **extra,
    }
    if effects == "write":
        op.setdefault("idempotency", {"kind": "key", "header": "Idempotency-Key"})
    return op


def payco_spec() -> dict[str, Any]:
    """The spec of the ``payco`` test provider."""
    spec = minimal_spec(
        "payco",
        {"Charge": CHARGE, "Error": ERROR_SCHEMA},
        [
            _op(
                "create_charge",
                "POST",
                "/v1/charges",
                description="Charges a card. The card is declined with HTTP 402.",
                body={
                    "encoding": "form",
                    "schema": {
                        "type": "object",
                        "required": ["amount"],
                        "properties": {
                            "amount": {"type": "integer", "description": "How much to charge."},
                            "list": {"type": "string", "description": "A field named list."},
                        },
                    },
                },
                response={"schema": {"$ref": "#/schemas/Charge"}, "description": "The charge."},
                errors=[
                    {"status": 400, "description": "Invalid parameters."},
                    {
                        "status": 402,
                        "name": "CardError",
                        "description": "The card was declined.",
                        "schema": {"$ref": "#/schemas/Error"},
                    },
                ],
            ),
            _op(
                "retrieve_charge",
                "GET",
                "/v1/charges/{charge}",
                params=[
                    {"name": "charge", "in": "path", "required": True},
                    {
                        "name": "expand",
                        "in": "query",
                        "description": "Fields to expand.",
                        "schema": {"type": "array", "items": {"type": "string"}},
                    },
                ],
                response={"schema": {"$ref": "#/schemas/Charge"}},
                errors=[{"status": 404, "description": "No such charge."}],
            ),
            _op(
                "list_charges",
                "GET",
                "/v1/charges",
                params=[
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    {"name": "starting_after", "in": "query"},
                ],
                response={
                    "schema": {
                        "type": "object",
                        "required": ["data", "has_more"],
                        "properties": {
                            "data": {"type": "array", "items": {"$ref": "#/schemas/Charge"}},
                            "has_more": {"type": "boolean"},
                        },
                    }
                },
                pagination="cursor",
            ),
            _op(
                "download_receipt",
                "GET",
                "/v1/charges/{id}/receipt",
                response={"content": "binary"},
                params=[{"name": "id", "in": "path", "required": True}],
            ),
            {
                **_op("import", "POST", "/v1/import", response={"status": 204}),
                "resource": "global",
            },
            _op(
                "stream_charge_events",
                "GET",
                "/v1/charges/events",
                response={
                    "content": "sse",
                    "description": "One change to a charge.",
                    "schema": {
                        "type": "object",
                        "required": ["type"],
                        "properties": {
                            "type": {"type": "string", "description": "What happened."},
                            "charge": {"$ref": "#/schemas/Charge"},
                        },
                    },
                },
            ),
            _op(
                "export_charges",
                "GET",
                "/v1/charges/export",
                response={"content": "ndjson", "schema": {"$ref": "#/schemas/Charge"}},
            ),
        ],
    )
    spec["pagination"] = {
        "cursor": {
            "type": "cursor",
            "items": "/data",
            "cursor_param": "starting_after",
            "cursor_from_last_item": "/id",
            "has_more": "/has_more",
        }
    }
    spec["transport"] = {"retry": {"max_attempts": 3, "backoff_base": 0.1}}
    return spec
