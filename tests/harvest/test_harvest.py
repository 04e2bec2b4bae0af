"""End to end on the small real-catalog fixture: specs, sidecars, report, ranking, safety."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from connector_spec import load_spec
from flows.harvest import OutputDirError, UsageDirError, harvest_n8n, load_catalog
from flows.harvest.catalog import Catalog
from tests.conftest import SHARED
from tests.harvest.helpers import (
    ACME_API,
    FIXTURE,
    acme_node,
    complete_acme_node,
    route,
    tree,
)


@pytest.fixture(scope="module")
def harvested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("harvest") / "out"
    result = harvest_n8n(FIXTURE, out_dir=out, markdown_report=True)
    return out, {e.node_type.removeprefix("n8n-nodes-base."): e for e in result.report.entries}


def test_every_written_spec_loads_and_links_back_to_n8n(harvested: tuple[Path, Any]) -> None:
    out, _ = harvested
    specs = sorted(out.glob("*/connector.yaml"))
    assert [p.parent.name for p in specs] == [
        "adalo",
        "google-ads",
        "mailgun",
        "metabase",
        "todoist",
    ]
    for path in specs:
        spec = load_spec(path).spec
        declared = {c.name for c in spec.capabilities}
        for op in spec.operations:
            assert op.sources is not None and op.sources.n8n is not None
            assert op.sources.n8n.node.startswith("n8n-nodes-base.")
            if op.effects in ("write", "delete"):
                assert op.idempotency is not None and op.idempotency.kind == "unsupported"
            # every operation needs the capability of its effects, declared by the spec
            assert op.capabilities == [f"{spec.provider.name}.{op.resource}:{op.effects}"]
            assert set(op.capabilities) <= declared
            assert op.response.schema_ is not None  # from __schema__, else any JSON
        writes = any(op.effects in ("write", "delete") for op in spec.operations)
        assert [w.rule for w in spec.waivers] == (["default.write-idempotency"] if writes else [])
        header = path.read_text().split("apiVersion:")[0]
        if path.parent.name == "adalo":  # complete, with two operations left out
            assert "INCOMPLETE" not in header
            assert "# PARTIAL: 3 of 5 n8n operations" in header
        else:
            assert "INCOMPLETE" in header


def test_statuses_and_reasons_per_node(harvested: tuple[Path, Any]) -> None:
    _, entries = harvested
    got = {name: (e.status, e.kind, sorted(e.reason_codes())) for name, e in entries.items()}
    assert got["noOp"] == ("skipped", "programmatic", ["not-an-api"])
    assert got["acuitySchedulingTrigger"][0] == "skipped"
    assert got["acuitySchedulingTrigger"][2] == ["trigger"]
    # two operations with preSend hooks are left out; the other three make a complete spec
    assert got["adalo"] == ("complete", "declarative", [])
    assert entries["adalo"].warning_codes() == ["response-schema-unknown"]
    assert [(o.label, o.reason_codes()) for o in entries["adalo"].omitted] == [
        ("collection/create", ["pre-send-hook"]),
        ("collection/update", ["pre-send-hook"]),
    ]
    # a session token n8n renews in code keeps it incomplete; the postReceive hook only
    # leaves its operation out
    assert got["metabase"] == ("incomplete", "declarative", ["auth-session"])
    assert [(o.label, o.reason_codes()) for o in entries["metabase"].omitted] == [
        ("questions/resultData", ["post-receive-hook"])
    ]
    # every operation has a hook or no route, and there is no connection check: no spec
    assert got["postBin"] == (
        "no-spec",
        "declarative",
        ["no-operations", "no-route", "post-receive-hook", "pre-send-hook"],
    )
    # both operations' URLs are code: only the connection check remains, incomplete
    assert got["googleAds"] == ("incomplete", "declarative", ["url-expression"])
    assert entries["googleAds"].kept == 0 and len(entries["googleAds"].omitted) == 2
    # the fixture holds no compiled code (n8n's code is not copied): every operation no-code
    assert got["bitly"] == ("no-spec", "programmatic", ["no-base-url", "no-code", "no-operations"])
    assert got["mailgun"][0] == "incomplete"
    assert "auth-constant" in got["mailgun"][2]
    assert entries["bitly"].spec_path is None


def test_declarative_node_yields_full_operations_with_pagination(
    harvested: tuple[Path, Any],
) -> None:
    out, _ = harvested
    spec = load_spec(out / "adalo" / "connector.yaml").spec
    assert spec.base_url == "https://api.adalo.com/v0/apps/{app_id}"
    assert spec.variables["app_id"].kind == "string"
    ops = {op.id: op for op in spec.operations}
    get_all = ops["collection_get_all"]
    assert (get_all.method, get_all.path, get_all.pagination) == (
        "GET",
        "/collections/{collectionId}",
        "offset",
    )
    pagination = spec.pagination["offset"]
    assert pagination.type == "offset" and pagination.items == "/records"
    delete = ops["collection_delete"]
    assert delete.path == "/collections/{collectionId}/{rowId}"
    assert {p.name for p in delete.params if p.location == "path"} == {"collectionId", "rowId"}
    # create and update have preSend hooks: left out of the spec
    assert set(ops) == {"collection_delete", "collection_get", "collection_get_all"}
    question = load_spec(out / "metabase" / "connector.yaml").spec.operation("questions_get")
    schema = question.response.schema_
    assert schema is not None and schema.properties  # from __schema__
    # no __schema__ file for it: any JSON (an empty schema), with a warning in the report
    got = ops["collection_get"].response
    assert got.schema_ is not None and got.schema_.model_dump(exclude_defaults=True) == {}
    assert got.description is not None and got.description.startswith("any JSON")
    capabilities = {c.name: c.implies for c in spec.capabilities}
    assert capabilities == {"adalo.collection:read": [], "adalo.collection:delete": []}
    assert delete.capabilities == ["adalo.collection:delete"]


def test_concatenated_urls_and_a_host_without_default(harvested: tuple[Path, Any]) -> None:
    out, entries = harvested
    spec = load_spec(out / "metabase" / "connector.yaml").spec
    assert spec.base_url == "https://{url}"
    assert spec.variables["url"].default is None  # certification makes one up
    ops = {op.id: op for op in spec.operations}
    # ={{"/api/database/" + $parameter.databaseId + "/fields"}}
    assert ops["databases_get_fields"].path == "/api/database/{databaseId}/fields"
    # its postReceive hook leaves questions/resultData out ("/api/card/{id}/query/{format}")
    assert "questions_result_data" not in ops
    assert entries["metabase"].stubs == []
    assert [f.code for f in entries["metabase"].missing] == ["auth-session"]
    assert any(f.detail.startswith("metabaseApi.sessionToken") for f in entries["metabase"].missing)


def test_oauth2_and_templated_host(harvested: tuple[Path, Any]) -> None:
    out, _ = harvested
    ads = load_spec(out / "google-ads" / "connector.yaml").spec
    assert ads.auth.type == "oauth2_refresh_token"
    assert ads.operation("check_connection").path == "/v25/customers:listAccessibleCustomers"
    mailgun = load_spec(out / "mailgun" / "connector.yaml").spec
    assert mailgun.base_url == "https://{api_domain}/v3"
    assert mailgun.variables["api_domain"].kind == "host"
    assert mailgun.auth.type == "basic"
    assert mailgun.operation("check_connection").path == "/domains"


def test_programmatic_node_lists_operations_from_the_newest_version(
    harvested: tuple[Path, Any],
) -> None:
    out, entries = harvested
    sidecar = json.loads((out / "todoist" / "harvest.json").read_text())
    assert sidecar["catalog_version"] == "2.41.2"
    assert sidecar["status"] == "incomplete"
    # without the compiled code in the fixture, each operation is omitted with "no-code"
    omitted = {(s["resource"], s["operation"]): s["reasons"] for s in sidecar["omitted_operations"]}
    assert omitted[("task", "create")] == ["no-code"]
    assert ("project", "archive") in omitted  # a v2-only resource
    assert len(omitted) == len(entries["todoist"].omitted)


def test_no_secret_value_is_inlined(harvested: tuple[Path, Any]) -> None:
    out, _ = harvested
    for path in out.glob("*/connector.yaml"):
        auth = yaml.safe_load(path.read_text())["auth"]
        secrets = [v for k, v in auth.items() if isinstance(v, dict)]
        assert all(set(s) == {"env"} for s in secrets)


def test_report_files_and_totals(harvested: tuple[Path, Any]) -> None:
    out, _ = harvested
    report = json.loads((out / "harvest-report.json").read_text())
    assert report["totals"]["by_status"] == {
        "complete": 1,
        "incomplete": 4,
        "no-spec": 2,
        "skipped": 2,
    }
    assert report["totals"]["complete_partial"] == 1
    assert report["totals"]["omitted_operations_by_reason"] == {"pre-send-hook": 2}
    # an unknown response is a warning, never a reason: the spec says "any JSON"
    assert "response-schema-unknown" not in report["totals"]["incomplete_by_reason"]
    assert report["totals"]["warnings_by_code"] == {"response-schema-unknown": 2}
    assert [n["rank"] for n in report["nodes"]] == list(range(1, 10))
    assert [n["status"] for n in report["nodes"]][-2:] == ["skipped", "skipped"]
    adalo = next(n for n in report["nodes"] if n["provider"] == "adalo")
    assert [w["code"] for w in adalo["warnings"]] == ["response-schema-unknown"]
    sidecar = json.loads((out / "adalo" / "harvest.json").read_text())
    assert (sidecar["status"], sidecar["reasons"]) == ("complete", [])
    assert sidecar["warnings"] == adalo["warnings"]
    assert sidecar["coverage"] == {
        "n8n_operations": 5,
        "kept": 3,
        "omitted": 2,
        "omitted_by_reason": {"pre-send-hook": 2},
    }
    assert [
        (o["resource"], o["operation"], o["reasons"]) for o in sidecar["omitted_operations"]
    ] == [("collection", "create", ["pre-send-hook"]), ("collection", "update", ["pre-send-hook"])]
    assert sidecar["omitted_operations"][0]["details"] == ["collection/create: operation preSend"]
    text = (out / "adalo" / "connector.yaml").read_text()
    header = text.split("apiVersion:")[0]
    assert "# Warning (not blocking): response-schema-unknown: 3 operations" in header
    assert "# Omitted: collection/create (pre-send-hook)" in header.splitlines()
    assert "# Omitted: collection/update (pre-send-hook)" in header.splitlines()
    description = load_spec(out / "adalo" / "connector.yaml").spec.provider.description
    assert description == (
        "Consume Adalo API. Partial: 3 of 5 n8n operations; omitted: collection/create "
        "(pre-send-hook), collection/update (pre-send-hook)."
    )
    markdown = (out / "harvest-report.md").read_text()
    assert "# n8n harvest report: n8n-nodes-base 2.41.2" in markdown
    assert "## Warnings (specs written; not blocking)" in markdown
    assert "| `response-schema-unknown` | 2 |" in markdown
    assert "`n8n-nodes-base.adalo`" in markdown
    assert "## Operation coverage of complete declarative specs" in markdown
    assert (
        "| `adalo` | 3 | 2 | collection/create (pre-send-hook), collection/update "
        "(pre-send-hook) |" in markdown
    )


def test_rerun_is_byte_identical(harvested: tuple[Path, Any], tmp_path: Path) -> None:
    out, _ = harvested
    again = tmp_path / "again"
    harvest_n8n(FIXTURE, out_dir=again, markdown_report=True)
    first, second = tree(out), tree(again)
    first_report = json.loads(first.pop("harvest-report.json"))
    second_report = json.loads(second.pop("harvest-report.json"))
    assert first == second
    first_report.pop("out_dir"), second_report.pop("out_dir")
    assert first_report == second_report


def test_complete_spec_when_nothing_is_missing(tmp_path: Path) -> None:
    node = {
        "name": "acme",
        "displayName": "Acme",
        "description": "Acme items",
        "version": 1,
        "iconUrl": "icons/n8n-nodes-base/dist/nodes/Acme/acme.svg",
        "requestDefaults": {"baseURL": "https://api.acme.test/v1"},
        "properties": [
            {"name": "resource", "type": "options", "options": [{"name": "Item", "value": "item"}]},
            {
                "name": "operation",
                "type": "options",
                "displayOptions": {"show": {"resource": ["item"]}},
                "options": [
                    {
                        "name": "Get",
                        "value": "get",
                        "routing": {
                            "request": {"method": "GET", "url": "=/items/{{$parameter.id}}"}
                        },
                    }
                ],
            },
            {"name": "id", "type": "string", "required": True, "displayName": "Item ID"},
        ],
    }
    schema = {"type": "object", "properties": {"id": {"type": "string"}}}
    catalog = Catalog(
        source="synthetic",
        version="0.0.1",
        nodes=[node],
        credentials={},
        schema_files={"Acme/__schema__/v1.0.0/item/get.json": json.dumps(schema).encode()},
    )
    result = harvest_n8n(catalog, out_dir=tmp_path / "out")
    entry = result.report.entries[0]
    assert (entry.status, entry.missing) == ("complete", [])
    text = (tmp_path / "out" / "acme" / "connector.yaml").read_text()
    assert "INCOMPLETE" not in text
    spec = load_spec(tmp_path / "out" / "acme" / "connector.yaml").spec
    assert spec.auth.type == "none"
    assert spec.operation("item_get").response.schema_ is not None


def test_usage_ranking_and_bad_workflow_files(tmp_path: Path) -> None:
    usage = tmp_path / "workflows"
    usage.mkdir()
    nodes = [{"type": "n8n-nodes-base.mailgun"}] * 3 + [{"type": "n8n-nodes-base.adalo"}]
    (usage / "a.json").write_text(json.dumps({"nodes": nodes}))
    (usage / "broken.json").write_text("{not json")
    (usage / "other.json").write_text("[1, 2]")
    result = harvest_n8n(FIXTURE, usage_dir=usage)
    ranked = [(e.node_type, e.usage) for e in result.report.entries[:2]]
    assert ranked == [("n8n-nodes-base.mailgun", 3), ("n8n-nodes-base.adalo", 1)]
    assert len(result.report.warnings) == 2
    assert any("broken.json" in w for w in result.report.warnings)
    assert result.report.usage_source == str(usage)


def test_missing_usage_dir_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(UsageDirError) as info:
        harvest_n8n(FIXTURE, out_dir=tmp_path / "out", usage_dir=tmp_path / "nope")
    assert info.value.exit_code == 2
    assert not (tmp_path / "out").exists()


def test_refuses_to_replace_a_directory_that_is_not_a_harvest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    with pytest.raises(OutputDirError) as info:
        harvest_n8n(FIXTURE, out_dir=out)
    assert "not a previous harvest output" in info.value.diagnostics()
    assert tree(out) == {"precious.txt": b"keep me"}


def test_failed_harvest_leaves_previous_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    harvest_n8n(FIXTURE, out_dir=out)
    before = tree(out)
    broken = tmp_path / "broken"
    shutil.copytree(FIXTURE, broken)
    (broken / "dist/types/nodes.json").write_text("[")
    with pytest.raises(Exception) as info:
        harvest_n8n(broken, out_dir=out)
    assert getattr(info.value, "exit_code", None) == 2
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken", "out"]  # no staging left


def test_rerun_replaces_stale_specs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    harvest_n8n(FIXTURE, out_dir=out)
    (out / "gone").mkdir()
    (out / "gone" / "connector.yaml").write_text("stale")
    harvest_n8n(load_catalog(FIXTURE), out_dir=out)
    assert not (out / "gone").exists()


def _synthetic(node: dict[str, Any], credentials: dict[str, dict[str, Any]]) -> Catalog:
    return Catalog(source="synthetic", version="0.0.1", nodes=[node], credentials=credentials)


OAUTH2_ROOT = {"name": "oAuth2Api", "properties": []}


def test_base_url_from_a_sibling_credential_test(tmp_path: Path) -> None:
    node = {
        "name": "acme",
        "displayName": "Acme",
        "version": 1,
        "credentials": [{"name": "acmeOAuth2Api"}, {"name": "acmeApi"}],
        "properties": [],
    }
    credentials = {
        "oAuth2Api": OAUTH2_ROOT,
        "acmeOAuth2Api": {
            "name": "acmeOAuth2Api",
            "extends": ["oAuth2Api"],
            "properties": [
                {"name": "accessTokenUrl", "type": "hidden", "default": "https://acme.test/token"},
                {"name": "grantType", "type": "hidden", "default": "clientCredentials"},
            ],
        },
        "acmeApi": {
            "name": "acmeApi",
            "properties": [],
            "test": {"request": {"baseURL": "https://api.acme.test/v2", "url": "/me?full=1"}},
        },
    }
    result = harvest_n8n(_synthetic(node, credentials), out_dir=tmp_path / "out")
    entry = result.report.entries[0]
    assert entry.credential == "acmeOAuth2Api"
    assert "base URL from the acmeApi credential test" in entry.derived
    spec = load_spec(tmp_path / "out" / "acme" / "connector.yaml").spec
    assert spec.auth.type == "oauth2_client_credentials"
    assert spec.base_url == "https://api.acme.test/v2"
    check = spec.operation("check_connection")
    assert check.path == "/me"
    assert [(p.name, p.location, p.schema_.const) for p in check.params] == [("full", "query", "1")]
    # the connection check's response is any JSON: neither a reason nor a warning
    assert check.response.schema_ is not None and check.capabilities == ["acme.connection:read"]
    assert (entry.reason_codes(), entry.warnings) == (["programmatic"], [])


def test_credential_test_under_the_declarative_base_url(tmp_path: Path) -> None:
    node = {
        "name": "acme",
        "displayName": "Acme",
        "version": 1,
        "credentials": [{"name": "acmeApi"}],
        "requestDefaults": {"baseURL": "={{$credentials.url}}"},
        "properties": [
            {
                "name": "operation",
                "type": "options",
                "options": [
                    {"name": "Ping", "value": "ping", "routing": {"request": {"url": "/ping"}}}
                ],
            }
        ],
    }
    credentials = {
        "acmeApi": {
            "name": "acmeApi",
            "properties": [{"name": "url", "type": "string", "default": ""}],
            "authenticate": {
                "type": "generic",
                "properties": {"headers": {"X-Api-Key": "={{$credentials.key}}"}},
            },
            "test": {"request": {"baseURL": "={{$credentials.url}}/api", "url": "/whoami"}},
        }
    }
    harvest_n8n(_synthetic(node, credentials), out_dir=tmp_path / "out")
    spec = load_spec(tmp_path / "out" / "acme" / "connector.yaml").spec
    assert spec.base_url == "https://{url}"
    assert spec.variables["url"].kind == "host"
    assert spec.auth.type == "api_key"
    assert spec.operation("check_connection").path == "/api/whoami"
    ping = spec.operation("ping")
    assert (ping.method, ping.path, ping.resource) == ("GET", "/ping", "default")
    assert ping.sources is not None and ping.sources.n8n is not None
    assert ping.sources.n8n.resource is None and ping.sources.n8n.operation == "ping"


def test_ranking_with_the_shared_workflow_corpus() -> None:
    corpus = SHARED / "n8n-corpus"
    if not corpus.is_dir():
        pytest.skip("../shared/n8n-corpus is not present")
    result = harvest_n8n(FIXTURE, usage_dir=corpus / "workflows")
    first = result.report.entries[0]
    assert (first.node_type, first.usage) == ("n8n-nodes-base.todoist", 2)
    assert result.report.warnings == []
    malformed = harvest_n8n(FIXTURE, usage_dir=corpus / "malformed").report
    assert len(malformed.warnings) == 7
    assert all(w.startswith("usage: skipped ") for w in malformed.warnings)
    assert all(e.usage == 0 for e in malformed.entries)


def test_unknown_responses_are_warnings_and_the_spec_is_complete(tmp_path: Path) -> None:
    node = complete_acme_node()
    result = harvest_n8n(_synthetic(node, ACME_API), out_dir=tmp_path / "out")
    entry = result.report.entries[0]
    assert (entry.status, entry.missing) == ("complete", [])
    assert entry.warning_codes() == ["response-schema-unknown"]
    assert "3 operations return any JSON" in entry.warnings[0].detail  # not check_connection
    path = tmp_path / "out" / "acme" / "connector.yaml"
    assert "INCOMPLETE" not in path.read_text()
    sidecar = json.loads((tmp_path / "out" / "acme" / "harvest.json").read_text())
    assert (sidecar["status"], sidecar["reasons"]) == ("complete", [])
    spec = load_spec(path).spec
    assert spec.variables["domain"].default is None
    assert [(c.name, c.implies) for c in spec.capabilities] == [
        ("acme.connection:read", []),
        ("acme.item:read", []),
        ("acme.item:write", ["acme.item:read"]),
        ("acme.item:delete", []),
    ]
    needs = {op.id: (op.capabilities, op.response.schema_) for op in spec.operations}
    assert needs["check_connection"][0] == ["acme.connection:read"]
    assert needs["item_get"][0] == ["acme.item:read"]
    assert needs["item_create"][0] == ["acme.item:write"]
    assert needs["item_delete"][0] == ["acme.item:delete"]
    assert all(schema is not None for _, schema in needs.values())
    assert spec.operation("item_get").path == "/items/{id}"
    assert [w.rule for w in spec.waivers] == ["default.write-idempotency"]


def test_a_field_sent_in_the_path_and_the_query_is_left_out_and_reported(tmp_path: Path) -> None:
    node = acme_node(
        [route("getAll", "GET", "=/projects/{{$parameter.projectId}}/items")],
        [
            {
                "name": "projectId",
                "type": "string",
                "required": True,
                "routing": {"send": {"type": "query", "property": "projectId"}},
            }
        ],
    )
    result = harvest_n8n(_synthetic(node, ACME_API), out_dir=tmp_path / "out")
    entry = result.report.entries[0]
    # the operation is left out; with no other operation, its reason keeps the spec incomplete
    assert (entry.status, entry.reason_codes()) == ("incomplete", ["param-conflict"])
    assert "query parameter 'projectId' left out" in entry.missing[0].detail
    assert [(o.label, o.reason_codes()) for o in entry.omitted] == [
        ("item/getAll", ["param-conflict"])
    ]
    spec = load_spec(tmp_path / "out" / "acme" / "connector.yaml").spec  # flows spec validate
    assert [op.id for op in spec.operations] == ["check_connection"]
