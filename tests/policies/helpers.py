"""Helpers for policy tests: a small valid connector, fixtures and evidence."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from connector_spec import LoadedSpec, load_spec

BASE_SPEC: dict[str, Any] = {
    "apiVersion": "flows.dev/v1",
    "kind": "ConnectorSpec",
    "provider": {
        "name": "acme",
        "version": "1.0.0",
        "description": "Acme items.",
        "docs_url": "https://docs.acme.example",
    },
    "base_url": "https://api.acme.example",
    "environments": {"sandbox": {"base_url": "https://sandbox.acme.example"}},
    "auth": {"type": "bearer", "secret": {"env": "ACME_TOKEN"}},
    "capabilities": [
        {"name": "acme.items:read"},
        {"name": "acme.items:write", "implies": ["acme.items:read"]},
        {"name": "acme.items:delete", "implies": ["acme.items:read"]},
    ],
    "operations": [
        {
            "id": "list_items",
            "resource": "items",
            "summary": "List items.",
            "method": "GET",
            "path": "/v1/items",
            "effects": "read",
            "determinism": {"mode": "nondeterministic"},
            "capabilities": ["acme.items:read"],
        },
        {
            "id": "create_item",
            "resource": "items",
            "summary": "Create an item.",
            "method": "POST",
            "path": "/v1/items",
            "effects": "write",
            "determinism": {"mode": "strict"},
            "idempotency": {"kind": "key", "header": "Idempotency-Key"},
            "capabilities": ["acme.items:write"],
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
            "capabilities": ["acme.items:delete"],
        },
    ],
}


def base_spec() -> dict[str, Any]:
    """A fresh copy of the valid base spec."""
    return copy.deepcopy(BASE_SPEC)


def fixture(operation: str = "list_items", **changes: Any) -> dict[str, Any]:
    """A valid fixture for ``operation`` (docs/formats.md shape)."""
    data: dict[str, Any] = {
        "fixture_version": 1,
        "operation": operation,
        "scenario": "happy_path",
        "description": "It works.",
        "source": "recorded",
        "call": {},
        "environment": None,
        "request": {
            "method": "GET",
            "url": "https://api.acme.example/v1/items",
            "headers": {"Authorization": "<redacted>"},
        },
        "responses": [{"status": 200, "json": {"data": []}}],
        "expect": {"result": {"data": []}, "attempts": 1},
        "digest": "sha256:" + "0" * 64,
    }
    data.update(changes)
    return data


def evidence_for(
    loaded: LoadedSpec, checks: list[dict[str, Any]] | None = None, level: str = "certified"
) -> dict[str, Any]:
    """An in-toto statement certifying ``loaded`` (docs/formats.md shape)."""
    if checks is None:
        checks = [
            {"id": "determinism.replay", "operation": "create_item", "status": "passed",
             "duration_ms": 0.1, "message": "", "fixture_backed": True},
            {"id": "contract.auth_401", "operation": "list_items", "status": "passed",
             "duration_ms": 0.1, "message": "", "fixture_backed": False},
        ]  # fmt: skip
    return {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [
            {"name": "connector.yaml", "digest": {"sha256": hashlib.sha256(loaded.raw).hexdigest()}}
        ],
        "predicateType": "https://flows.dev/certification/v1",
        "predicate": {
            "checks": checks,
            "summary": {},
            "level": level,
            "policy": None,
            "waivers": [],
        },
    }


SpecWriter = Callable[..., LoadedSpec]


def write_connector(
    directory: Path,
    spec: dict[str, Any] | None = None,
    fixtures: list[dict[str, Any]] | None = None,
    manifest: dict[str, Any] | None = None,
) -> LoadedSpec:
    """Write a spec (and fixtures / a manifest next to it) into ``directory``; load it."""
    data = base_spec() if spec is None else spec
    path = directory / "connector.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    for item in fixtures or []:
        folder = directory / "fixtures" / item["operation"]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{item['scenario']}.yaml").write_text(yaml.safe_dump(item))
    if manifest is not None:
        folder = directory / f"flows_{data['provider']['name']}"
        folder.mkdir(exist_ok=True)
        (folder / "manifest.json").write_text(json.dumps(manifest))
    return load_spec(path)
