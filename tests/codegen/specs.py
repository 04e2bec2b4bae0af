"""Small spec builders for codegen tests of schema shapes found in real API descriptions."""

from __future__ import annotations

import copy
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from connector_spec.codegen import generate_to_directory
from tests.conftest import import_generated


def minimal_spec(
    name: str, schemas: dict[str, Any], operations: list[dict[str, Any]]
) -> dict[str, Any]:
    """A valid spec of provider ``name`` with ``schemas`` and ``operations`` (bearer auth)."""
    read, write = f"{name}.things:read", f"{name}.things:write"
    operations = copy.deepcopy(operations)
    for op in operations:
        op.setdefault("capabilities", [read if op["effects"] in ("none", "read") else write])
    return {
        "apiVersion": "flows.dev/v1",
        "kind": "ConnectorSpec",
        "provider": {
            "name": name,
            "version": "0.1.0",
            "description": "Real-world-shaped test provider.",
            "docs_url": "https://example.com/docs",
        },
        "base_url": "https://api.example.com",
        "auth": {"type": "bearer", "secret": {"env": "TEST_TOKEN"}},
        "capabilities": [{"name": read}, {"name": write, "implies": [read]}],
        "schemas": copy.deepcopy(schemas),
        "operations": operations,
    }


def read_op(op_id: str, path: str, response: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A GET operation returning ``response``."""
    return {
        "id": op_id,
        "resource": "things",
        "summary": f"Read {op_id}.",
        "method": "GET",
        "path": path,
        "response": {"schema": response},
        "effects": "read",
        "determinism": {"mode": "strict"},
        **extra,
    }


def write_spec(directory: Path, spec: dict[str, Any]) -> Path:
    """``spec`` as ``directory/connector.yaml``."""
    path = directory / "connector.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def generate_and_import(directory: Path, spec: dict[str, Any]) -> ModuleType:
    """Generate ``spec`` into ``directory`` and import the package afresh."""
    generate_to_directory(write_spec(directory, spec))
    return import_generated(directory, f"flows_{spec['provider']['name']}")


def dump_spec(spec: dict[str, Any]) -> bytes:
    """``spec`` as connector.yaml bytes."""
    return yaml.safe_dump(spec, sort_keys=False, allow_unicode=True).encode()
