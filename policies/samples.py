"""Representative inputs used to type-check rule expressions when a pack is loaded.

Every optional field is present somewhere in these samples, so an expression that fails on
all of them with a type error (or a misspelt field) would fail on real data too.
"""

from __future__ import annotations

import functools
from typing import Any

from connector_spec.model import ConnectorSpec

_OPERATIONS: list[dict[str, Any]] = [
    {
        "id": "create_item",
        "resource": "items",
        "summary": "Create an item.",
        "description": "Creates one item.",
        "method": "POST",
        "path": "/v1/{tenant}/items",
        "params": [
            {"name": "tenant", "in": "path", "required": True, "description": "Tenant."},
            {"name": "X-Trace", "in": "header", "secret": False},
        ],
        "body": {
            "encoding": "json",
            "schema": {"type": "object", "properties": {"name": {"type": "string"}}},
        },
        "response": {"status": 201, "schema": {"$ref": "#/schemas/Item"}, "description": "ok"},
        "errors": [{"status": 400, "description": "Bad input."}],
        "effects": "write",
        "determinism": {"mode": "strict"},
        "idempotency": {"kind": "key", "header": "Idempotency-Key", "ttl_seconds": 3600},
        "capabilities": ["sample.items:write"],
        "sources": {
            "n8n": {"node": "n8n-nodes-base.sample", "resource": "item", "operation": "create"}
        },
    },
    {
        "id": "list_items",
        "resource": "items",
        "summary": "List items.",
        "method": "GET",
        "path": "/v1/items",
        "params": [{"name": "cursor", "in": "query"}],
        "effects": "read",
        "determinism": {"mode": "stable", "volatile": ["/next"]},
        "capabilities": ["sample.items:read"],
        "pagination": "cursor",
        "deprecated": True,
    },
    {
        "id": "delete_item",
        "resource": "items",
        "summary": "Delete an item.",
        "method": "DELETE",
        "path": "/v1/items/{item}",
        "params": [{"name": "item", "in": "path", "required": True}],
        "effects": "delete",
        "determinism": {"mode": "nondeterministic"},
        "idempotency": {"kind": "natural", "natural_key": ["item"]},
        "capabilities": ["sample.items:delete"],
    },
    {
        "id": "send_item",
        "resource": "items",
        "summary": "Send an item.",
        "method": "POST",
        "path": "/v1/send",
        "effects": "write",
        "determinism": {"mode": "nondeterministic"},
        "idempotency": {"kind": "unsupported", "reason": "The provider has no idempotency key."},
        "capabilities": ["sample.items:write"],
    },
]


def _spec(auth: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "flows.dev/v1",
        "kind": "ConnectorSpec",
        "provider": {
            "name": "sample",
            "version": "1.0.0",
            "display_name": "Sample",
            "description": "A sample provider.",
            "docs_url": "https://docs.sample.example",
            "maintainers": [{"name": "m", "email": "m@example.com", "url": "https://m.example"}],
            "license": "Apache-2.0",
        },
        "base_url": "https://{region}.api.sample.example",
        "variables": {
            "region": {
                "description": "Region.",
                "kind": "region",
                "default": "eu",
                "enum": ["eu", "us"],
                "pattern": "^[a-z]+$",
            }
        },
        "environments": {
            "sandbox": {
                "description": "Sandbox.",
                "base_url": "https://sandbox.sample.example",
                "variables": {"region": "us"},
            }
        },
        "auth": auth,
        "transport": {"rate_limit": {"requests": 10, "window_seconds": 1}},
        "pagination": {
            "cursor": {
                "type": "cursor",
                "items": "/data",
                "cursor_param": "cursor",
                "next_cursor": "/next",
                "has_more": "/more",
                "page_size": 10,
                "limit_param": "limit",
            }
        },
        "body_errors": {
            "success_pointer": "/ok",
            "code_pointer": "/error",
            "auth_codes": ["invalid_auth"],
            "rate_limit_codes": ["ratelimited"],
            "server_codes": ["fatal"],
        },
        "capabilities": [
            {"name": "sample.items:read", "description": "Read."},
            {
                "name": "sample.items:write",
                "description": "Write.",
                "implies": ["sample.items:read"],
            },
            {"name": "sample.items:delete", "implies": ["sample.items:read"]},
        ],
        "schemas": {"Item": {"type": "object", "properties": {"id": {"type": "string"}}}},
        "operations": _OPERATIONS,
        "waivers": [{"rule": "default.write-idempotency", "reason": "A sample waiver reason."}],
    }


@functools.cache
def sample_specs() -> tuple[ConnectorSpec, ...]:
    """Two valid specs (bearer and OAuth 2.0 client credentials) covering optional fields."""
    bearer = {"type": "bearer", "secret": {"env": "SAMPLE_TOKEN"}}
    oauth = {
        "type": "oauth2_client_credentials",
        "token_url": "https://auth.sample.example/token",
        "client_id": {"env": "SAMPLE_ID"},
        "client_secret": {"store": "sample/secret"},
        "scopes": ["items"],
    }
    return tuple(ConnectorSpec.model_validate(_spec(auth)) for auth in (bearer, oauth))


def sample_fixtures() -> list[dict[str, Any]]:
    """A recorded and a synthesized fixture in the shape of docs/formats.md."""
    return [
        {
            "fixture_version": 1,
            "operation": "create_item",
            "scenario": "happy_path",
            "description": "Creates an item.",
            "source": "recorded",
            "call": {"tenant": "t1", "name": "n"},
            "environment": "sandbox",
            "request": {
                "method": "POST",
                "url": "https://eu.api.sample.example/v1/t1/items",
                "headers": {"Authorization": "<redacted>", "Content-Type": "application/json"},
                "json": {"name": "n"},
                "body": "name=n",
            },
            "responses": [
                {
                    "status": 201,
                    "headers": {"Content-Type": "application/json"},
                    "json": {"id": "i1"},
                },
                {"status": 200, "headers": {}, "text": "ok"},
            ],
            "expect": {"result": {"id": "i1"}, "attempts": 1},
            "digest": "sha256:" + "0" * 64,
        },
        {
            "fixture_version": 1,
            "operation": "list_items",
            "scenario": "timeout",
            "description": "Times out.",
            "source": "synthesized",
            "call": {},
            "environment": None,
            "request": {
                "method": "GET",
                "url": "https://eu.api.sample.example/v1/items",
                "headers": {},
            },
            "responses": [{"error": "timeout"}],
            "expect": {"error": "TimeoutError", "attempts": 3},
            "digest": "sha256:" + "1" * 64,
        },
    ]


def sample_evidence() -> dict[str, Any]:
    """An in-toto statement in the shape of docs/formats.md."""
    return {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [
            {"name": "connector.yaml", "digest": {"sha256": "a" * 64}},
            {"name": "package:flows_sample", "digest": {"sha256": "b" * 64}},
            {"name": "fixtures", "digest": {"sha256": "c" * 64}},
        ],
        "predicateType": "https://flows.dev/certification/v1",
        "predicate": {
            "harness": {"name": "flows-certify", "version": "0.1.0"},
            "connector": {"provider": "sample", "version": "1.0.0"},
            "checks": [
                {
                    "id": "determinism.replay",
                    "operation": "create_item",
                    "status": "passed",
                    "duration_ms": 0.4,
                    "message": "",
                    "fixture_backed": True,
                },
                {
                    "id": "contract.auth_401",
                    "operation": "list_items",
                    "status": "failed",
                    "duration_ms": 0.2,
                    "message": "no AuthError",
                    "fixture_backed": False,
                },
            ],
            "summary": {"passed": 1, "failed": 1, "skipped": 0},
            "level": "basic",
            "environment": {"python": "3.11.7", "platform": "linux-x86_64", "packages": {}},
            "policy": None,
            "waivers": [{"rule": "default.write-idempotency", "reason": "A sample waiver reason."}],
        },
    }


def sample_manifest(spec: ConnectorSpec) -> dict[str, Any]:
    """A generated manifest for ``spec`` in the shape of docs/formats.md."""
    name = spec.provider.python_name
    return {
        "manifest_version": 1,
        "provider": spec.provider.name,
        "version": spec.provider.version,
        "package": f"flows_{name}",
        "distribution": f"flows-connector-{spec.provider.name}",
        "spec_digest": "sha256:" + "a" * 64,
        "generator": {"name": "flows", "version": "0.1.0"},
        "base_url": spec.base_url,
        "hosts": ["{region}.api.sample.example", "sandbox.sample.example"],
        "auth": {"type": spec.auth.type},
        "capabilities": [{"name": c.name, "implies": list(c.implies)} for c in spec.capabilities],
        "operations": [
            {
                "id": op.id,
                "resource": op.resource,
                "method": op.method,
                "path": op.path,
                "effects": op.effects,
                "determinism": op.determinism.model_dump(mode="json"),
                "idempotency": op.idempotency.model_dump(mode="json") if op.idempotency else None,
                "capabilities": list(op.capabilities),
                "pagination": None,
                "retry_safe": op.is_retry_safe(),
                "sources": {
                    "n8n": {"node": "n8n-nodes-base.sample", "resource": "r", "operation": "o"}
                },
            }
            for op in spec.operations
        ],
    }
