"""Programmatic nodes harvested from their compiled code (tiny self-written JS, never run)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from connector_spec import load_spec
from flows.harvest import harvest_n8n
from flows.harvest.catalog import Catalog

CREDENTIALS = {
    "acmeApi": {
        "name": "acmeApi",
        "properties": [{"name": "apiKey", "type": "string", "typeOptions": {"password": True}}],
        "authenticate": {
            "type": "generic",
            "properties": {"headers": {"X-Api-Key": "={{$credentials.apiKey}}"}},
        },
        "test": {"request": {"baseURL": "https://api.acme.test/v2", "url": "/me"}},
    }
}

HELPER = b"""
async function acmeApiRequest(method, endpoint, body = {}, qs = {}) {
    const options = { method, body, qs, uri: `https://api.acme.test/v2${endpoint}`, json: true };
    return await this.helpers.requestWithAuthentication.call(this, 'acmeApi', options);
}
exports.acmeApiRequest = acmeApiRequest;
"""

#: One branch per operation; ``bad`` is shaped by the reason under test.
BRANCH = b"""
        if (operation === '%s') {
            %s
        }
"""
BAD = {
    "no-request": b"responseData = { ok: true };",
    "dynamic-method": b"await acmeApiRequest.call(this, someMethod(), '/x');",
    "dynamic-path": b"await acmeApiRequest.call(this, 'GET', lookup(responseData));",
    "other-host": b"await this.helpers.request({ method: 'GET', url: 'https://other.test/x' });",
}
CODE_KINDS = ["no-code", *BAD]

GOOD = (
    b"const contactId = this.getNodeParameter('contactId', i);\n"
    b"qs.fields = this.getNodeParameter('fields', i);\n"
    b"const additionalFields = this.getNodeParameter('additionalFields', i);\n"
    b"Object.assign(body, additionalFields);\n"
    b"responseData = await GenericFunctions_1.acmeApiRequest.call(this, 'PATCH', "
    b"`/contacts/${contactId}`, body, qs);"
)


def acme_code_node(operations: list[str]) -> dict[str, Any]:
    """A programmatic node ``acme`` (resource ``contact``) whose code lives in ``Acme/``."""
    shown = {"show": {"resource": ["contact"], "operation": ["update"]}}
    return {
        "name": "acme",
        "displayName": "Acme",
        "description": "Acme contacts",
        "version": [1, 1.1],
        "iconUrl": "icons/n8n-nodes-base/dist/nodes/Acme/acme.svg",
        "credentials": [{"name": "acmeApi"}],
        "properties": [
            {"name": "resource", "type": "options", "options": [{"value": "contact"}]},
            {
                "name": "operation",
                "type": "options",
                "displayOptions": {"show": {"resource": ["contact"]}},
                "options": [{"name": op.title(), "value": op} for op in operations],
            },
            {"name": "contactId", "type": "string", "required": True, "displayOptions": shown},
            {
                "name": "fields",
                "type": "options",
                "options": [{"value": "all"}, {"value": "basic"}],
                "displayOptions": shown,
            },
            {
                "name": "additionalFields",
                "type": "collection",
                "displayOptions": shown,
                "options": [{"name": "email", "type": "string"}, {"name": "age", "type": "number"}],
            },
        ],
    }


def node_code(branches: dict[str, bytes]) -> bytes:
    """``Acme.node.js``: an n8n-shaped execute() with one branch per operation."""
    body = b"".join(BRANCH % (op.encode(), code) for op, code in branches.items())
    return (
        b"class Acme { async execute() {\n"
        b"  const resource = this.getNodeParameter('resource', 0);\n"
        b"  const operation = this.getNodeParameter('operation', 0);\n"
        b"  for (let i = 0; i < items.length; i++) { const qs = {}; const body = {};\n"
        b"    if (resource === 'contact') {\n" + body + b"    }\n  }\n} }\n"
    )


def harvest(tmp_path: Path, branches: dict[str, bytes], operations: list[str]) -> tuple[Any, Path]:
    """Harvest a one-node synthetic catalog with ``Acme/Acme.node.js`` built from ``branches``."""
    catalog = Catalog(
        source="synthetic",
        version="0.0.1",
        nodes=[acme_code_node(operations)],
        credentials=copy.deepcopy(CREDENTIALS),
        code_files={"Acme/Acme.node.js": node_code(branches), "Acme/GenericFunctions.js": HELPER},
    )
    result = harvest_n8n(catalog, out_dir=tmp_path / "out")
    return result.report.entries[0], tmp_path / "out" / "acme"


def test_code_operation_becomes_a_typed_spec_operation(tmp_path: Path) -> None:
    entry, spec_dir = harvest(tmp_path, {"update": GOOD}, ["update"])
    assert (entry.kind, entry.status, entry.kept) == ("programmatic", "complete", 1)
    spec = load_spec(spec_dir / "connector.yaml").spec
    assert spec.base_url == "https://api.acme.test"
    assert spec.operation("check_connection").path == "/v2/me"
    op = spec.operation("contact_update")
    assert (op.method, op.path, op.effects) == ("PATCH", "/v2/contacts/{contact_id}", "write")
    params = {p.name: p for p in op.params}
    assert params["contact_id"].location == "path" and params["contact_id"].required
    assert params["fields"].location == "query"
    raw = json.loads(op.model_dump_json(by_alias=True, exclude_none=True))
    assert raw["params"][1]["schema"]["enum"] == ["all", "basic"]
    assert set(raw["body"]["schema"]["properties"]) == {"email", "age"}
    assert raw["body"]["schema"]["properties"]["age"]["type"] == "number"
    assert raw["sources"]["n8n"] == {
        "node": "n8n-nodes-base.acme",
        "resource": "contact",
        "operation": "update",
        "type_versions": [1.0, 1.1],
    }


@pytest.mark.parametrize("kind", list(BAD))
def test_each_code_reason_leaves_only_its_operation_out(tmp_path: Path, kind: str) -> None:
    entry, spec_dir = harvest(tmp_path, {"update": GOOD, "bad": BAD[kind]}, ["update", "bad"])
    assert entry.status == "complete"
    assert [(o.label, o.reason_codes()) for o in entry.omitted] == [("contact/bad", [kind])]
    sidecar = json.loads((spec_dir / "harvest.json").read_text())
    assert sidecar["coverage"]["omitted_by_reason"] == {kind: 1}
    assert "# Omitted: contact/bad" in (spec_dir / "connector.yaml").read_text()


def test_node_without_code_files_is_omitted_as_no_code(tmp_path: Path) -> None:
    catalog = Catalog(
        source="synthetic",
        version="0.0.1",
        nodes=[acme_code_node(["update"])],
        credentials=copy.deepcopy(CREDENTIALS),
    )
    entry = harvest_n8n(catalog).report.entries[0]
    assert entry.status == "incomplete" and entry.reason_codes() == ["no-code"]
