"""Generation over synthetic specs: every auth kind, every pagination kind, awkward names."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import yaml

from connector_spec.codegen import generate_to_directory


def _spec(name: str, auth: dict[str, Any], **extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "apiVersion": "flows.dev/v1",
        "kind": "ConnectorSpec",
        "provider": {
            "name": name,
            "version": "0.1.0",
            "description": "Synthetic test provider.",
            "docs_url": "https://example.com/docs",
        },
        "base_url": "https://{tenant}.example.com/api",
        "variables": {"tenant": {"kind": "host", "pattern": "[a-z]+", "default": "demo"}},
        "auth": auth,
        "capabilities": [{"name": f"{name}.things:read"}],
        "pagination": {
            "links": {"type": "link_header", "items": ""},
            "pages": {
                "type": "page",
                "items": "/results",
                "page_size": 2,
                "limit_param": "per_page",
            },
            "offsets": {"type": "offset", "items": "/rows", "total": "/total"},
        },
        "schemas": {
            "Thing": {
                "type": "object",
                "required": ["id", "class"],
                "properties": {
                    "id": {"type": "integer"},
                    "class": {"type": "string", "enum": ["a", "b"]},
                    "from": {"type": ["string", "null"]},
                    "nested": {"type": "object", "properties": {"deep": {"type": "boolean"}}},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "value": {"oneOf": [{"type": "string"}, {"type": "number"}]},
                },
            }
        },
        "operations": [
            {
                "id": "list_things",
                "resource": "things",
                "summary": "List things by Link header.",
                "method": "GET",
                "path": "/things",
                "params": [{"name": "X-Trace", "in": "header"}],
                "response": {"schema": {"type": "array", "items": {"$ref": "#/schemas/Thing"}}},
                "effects": "read",
                "determinism": {"mode": "strict"},
                "pagination": "links",
                "capabilities": [f"{name}.things:read"],
            },
            {
                "id": "search_things",
                "resource": "things",
                "summary": "Search things by page number.",
                "method": "GET",
                "path": "/search",
                "params": [{"name": "q", "in": "query", "required": True}],
                "response": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "results": {"type": "array", "items": {"$ref": "#/schemas/Thing"}}
                        },
                    }
                },
                "effects": "read",
                "determinism": {"mode": "strict"},
                "pagination": "pages",
            },
            {
                "id": "put_thing",
                "resource": "things",
                "summary": "Replace a thing.",
                "method": "PUT",
                "path": "/things/{id}",
                "params": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "body": {
                    "schema": {
                        "type": "object",
                        "properties": {"class": {"type": "string"}, "import": {"type": "boolean"}},
                    }
                },
                "response": {"status": 204},
                "effects": "write",
                "determinism": {"mode": "strict"},
                "idempotency": {"kind": "natural", "natural_key": ["id"]},
            },
        ],
        **extra,
    }
    return spec


def _generate(tmp_path: Path, spec: dict[str, Any], load: Callable[..., ModuleType]) -> ModuleType:
    path = tmp_path / "connector.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    generate_to_directory(path)
    return load(tmp_path, f"flows_{spec['provider']['name']}")


THING = {"id": 1, "class": "a", "from": None, "nested": {"deep": True}, "tags": ["x"], "value": 2.5}


def test_api_key_in_query_and_link_pagination(tmp_path: Path, generated: Any) -> None:
    pkg = _generate(
        tmp_path,
        _spec(
            "synth_q",
            {"type": "api_key", "in": "query", "name": "key", "secret": {"env": "SYNTH_KEY"}},
        ),
        generated,
    )
    seen: list[httpx.Request] = []
    pages = [
        httpx.Response(
            200,
            json=[THING],
            headers={"Link": '<https://acme.example.com/api/things?page=2>; rel="next"'},
        ),
        httpx.Response(200, json=[dict(THING, id=2)]),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return pages.pop(0)

    client = pkg.SynthQClient(
        credentials={"SYNTH_KEY": "k-123456"},
        variables={"tenant": "acme"},
        transport=httpx.MockTransport(handler),
    )
    things = list(client.things.iter(x_trace="t1"))
    assert [t.id for t in things] == [1, 2]
    assert things[0].class_ == "a" and things[0].nested.deep is True
    assert seen[0].url.params["key"] == "k-123456"
    assert seen[0].headers["X-Trace"] == "t1"
    assert seen[1].url.params["page"] == "2"


def test_basic_auth_and_page_numbers(tmp_path: Path, generated: Any) -> None:
    pkg = _generate(
        tmp_path,
        _spec(
            "synth_b",
            {"type": "basic", "username": {"env": "U"}, "password": {"store": "vault/pw"}},
        ),
        generated,
    )
    seen: list[httpx.Request] = []
    pages = [{"results": [THING, THING]}, {"results": [THING]}]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=pages.pop(0))

    client = pkg.SynthBClient(
        credentials={"U": "user"},
        secret_store={"vault/pw": "pw"}.get,
        transport=httpx.MockTransport(handler),
    )
    assert len(list(client.things.iter_search(q="x"))) == 3
    expected = "Basic " + base64.b64encode(b"user:pw").decode()
    assert seen[0].headers["Authorization"] == expected
    assert [r.url.params["page"] for r in seen] == ["1", "2"]


def test_oauth2_client_credentials_fetches_and_caches_a_token(
    tmp_path: Path, generated: Any
) -> None:
    auth = {
        "type": "oauth2_client_credentials",
        "token_url": "https://auth.example.com/token",
        "client_id": {"env": "CID"},
        "client_secret": {"env": "CSECRET"},
        "scopes": ["read"],
    }
    pkg = _generate(tmp_path, _spec("synth_o", auth), generated)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "auth.example.com":
            return httpx.Response(200, json={"access_token": "at-1", "expires_in": 3600})
        return httpx.Response(204)

    clock = pkg.VirtualClock()
    client = pkg.SynthOClient(
        credentials={"CID": "id", "CSECRET": "secret"},
        transport=httpx.MockTransport(handler),
        clock=clock,
    )
    assert client.things.put(id=7, class_="b", import_=True) is None
    client.things.put(id=8)
    assert [r.url.host for r in seen] == [
        "auth.example.com",
        "demo.example.com",
        "demo.example.com",
    ]
    assert b"grant_type=client_credentials" in seen[0].content
    assert seen[1].headers["Authorization"] == "Bearer at-1"
    assert seen[1].content == b'{"class":"b","import":true}'
    assert seen[1].url.path == "/api/things/7"


def test_natural_key_put_is_retried_after_503(tmp_path: Path, generated: Any) -> None:
    pkg = _generate(tmp_path, _spec("synth_n", {"type": "none"}), generated)
    answers = [httpx.Response(503), httpx.Response(204)]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers.pop(0)

    client = pkg.SynthNClient(transport=httpx.MockTransport(handler), clock=pkg.VirtualClock())
    client.things.put(id=1)
    assert len(seen) == 2


def test_unknown_tenant_pattern_is_refused(tmp_path: Path, generated: Any) -> None:
    pkg = _generate(tmp_path, _spec("synth_t", {"type": "none"}), generated)
    with pytest.raises(pkg.ConfigurationError, match="does not match"):
        pkg.SynthTClient(variables={"tenant": "evil.com#"})


def test_argument_name_collision_is_a_spec_error(tmp_path: Path) -> None:
    spec = _spec("synth_c", {"type": "none"})
    spec["operations"][2]["body"]["schema"]["properties"]["id"] = {"type": "integer"}
    path = tmp_path / "connector.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    from connector_spec.errors import SpecError

    # refused by the spec rules, located at the body field, before anything is generated
    with pytest.raises(SpecError, match="body field 'id' becomes the argument 'id'") as info:
        generate_to_directory(path)
    assert "operations[2].body.schema.properties.id" in info.value.diagnostics()
    assert not (tmp_path / "flows_synth_c").exists()


def test_any_json_responses_and_null_typed_fields(tmp_path: Path, generated: Any) -> None:
    spec = _spec("synth_any", {"type": "none"})
    read = {"effects": "read", "determinism": {"mode": "nondeterministic"}}
    spec["operations"] = [
        {"id": "get_any", "resource": "things", "summary": "Any JSON.", "method": "GET"}
        | {"path": "/any", "response": {"schema": {}}}
        | read,
        {"id": "get_obj", "resource": "things", "summary": "An object.", "method": "GET"}
        | {"path": "/obj"}
        | {
            "response": {
                "schema": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {"id": {"type": "integer"}, "gone": {"type": "null"}},
                }
            }
        }
        | read,
    ]
    pkg = _generate(tmp_path, spec, generated)  # `gone: None | None` used not to import
    answers = [
        httpx.Response(200, json={"a": [1]}),
        httpx.Response(200, json="text"),
        httpx.Response(204),  # no body at all: None, not a DecodeError
        httpx.Response(200, json={"id": 3, "gone": None}),
        httpx.Response(200),  # the schema wants an object
    ]
    client = pkg.SynthAnyClient(
        transport=httpx.MockTransport(lambda _: answers.pop(0)), clock=pkg.VirtualClock()
    )
    assert client.things.get_any() == {"a": [1]}
    assert client.things.get_any() == "text"
    assert client.things.get_any() is None
    assert client.things.get_obj().gone is None
    with pytest.raises(pkg.DecodeError, match="does not match the schema"):
        client.things.get_obj()
