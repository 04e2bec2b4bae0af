"""Paths and small helpers shared by the harvest tests."""

from __future__ import annotations

import json
import os
import tarfile
from pathlib import Path
from typing import Any

from tests.conftest import REPO

FIXTURE = REPO / "tests" / "harvest" / "data" / "n8n-catalog"


def real_package() -> Path | None:
    """The full n8n-nodes-base package (dir or .tgz) named by $FLOWS_N8N_CATALOG, if present."""
    value = os.environ.get("FLOWS_N8N_CATALOG")
    if value and Path(value).exists():
        return Path(value)
    return None


def make_tgz(source: Path, target: Path) -> Path:
    """Pack ``source`` the way ``npm pack`` does (every path under ``package/``)."""
    with tarfile.open(target, "w:gz") as archive:
        for file in sorted(source.rglob("*")):
            if file.is_file():
                archive.add(file, arcname="package/" + file.relative_to(source).as_posix())
    return target


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def acme_node(operations: list[dict[str, Any]], fields: list[dict[str, Any]]) -> dict[str, Any]:
    """A declarative node ``acme`` with one resource ``item`` and an API key credential."""
    return {
        "name": "acme",
        "displayName": "Acme",
        "description": "Acme items",
        "version": 1,
        "credentials": [{"name": "acmeApi"}],
        "requestDefaults": {"baseURL": "={{$credentials.domain}}/v1"},
        "properties": [
            {"name": "resource", "type": "options", "options": [{"name": "Item", "value": "item"}]},
            {
                "name": "operation",
                "type": "options",
                "displayOptions": {"show": {"resource": ["item"]}},
                "options": operations,
            },
            *fields,
        ],
    }


ACME_API = {
    "acmeApi": {
        "name": "acmeApi",
        "properties": [{"name": "domain", "type": "string", "default": ""}],
        "authenticate": {
            "type": "generic",
            "properties": {"headers": {"X-Api-Key": "={{$credentials.apiKey}}"}},
        },
        "test": {"request": {"baseURL": "={{$credentials.domain}}/v1", "url": "/me"}},
    }
}


def route(name: str, method: str, url: str) -> dict[str, Any]:
    """An operation option routed to ``method url``."""
    return {"name": name, "value": name, "routing": {"request": {"method": method, "url": url}}}


def complete_acme_node() -> dict[str, Any]:
    """``acme`` with read, write and delete operations the harvest derives completely.

    No ``__schema__`` files (any JSON, a warning) and a host without a default.
    """
    return acme_node(
        [
            route("get", "GET", '={{"/items/" + $parameter.id}}'),
            route("create", "POST", "/items"),
            route("delete", "DELETE", "=/items/{{$parameter.id}}"),
        ],
        [
            {"name": "id", "type": "string", "required": True},
            {
                "name": "title",
                "type": "string",
                "required": True,
                "displayOptions": {"show": {"operation": ["create"]}},
                "routing": {"send": {"type": "body", "property": "title"}},
            },
        ],
    )


def write_catalog(
    root: Path, nodes: list[dict[str, Any]], credentials: dict[str, dict[str, Any]]
) -> Path:
    """A minimal unpacked n8n-nodes-base package at ``root`` holding ``nodes``."""
    (root / "dist" / "types").mkdir(parents=True)
    (root / "package.json").write_text('{"name": "n8n-nodes-base", "version": "0.0.1"}\n')
    (root / "dist" / "types" / "nodes.json").write_text(json.dumps(nodes))
    (root / "dist" / "types" / "credentials.json").write_text(
        json.dumps(list(credentials.values()))
    )
    return root
