"""Binding n8n parameters to connector operation inputs (flows.n8n.binding)."""

from __future__ import annotations

from flows.ir.catalog import CatalogOperation, InMemoryCatalog
from flows.n8n.binding import bind_params
from tests.n8n.helpers import node, one


def test_top_level_names_match_whatever_the_case_and_id_suffix() -> None:
    bound, unbound = bind_params(
        {"chatId": "1", "text": "hi", "channelId": "C1", "userIds": ["U1"], "extra": 3},
        ("chat_id", "text", "channel", "user"),
    )
    assert bound == {"chat_id": "1", "text": "hi", "channel": "C1", "user": ["U1"]}
    assert unbound == ["extra"]


def test_an_input_named_with_id_takes_a_parameter_named_without() -> None:
    bound, _ = bind_params({"database": "db1", "page": "p"}, ("database_id", "page_id"))
    assert bound == {"database_id": "db1", "page_id": "p"}


def test_resource_locators_bind_their_value_at_any_depth() -> None:
    locator = {"__rl": True, "value": "={{ $json.sheet }}", "mode": "list", "cachedResultName": "S"}
    bound, unbound = bind_params(
        {"sheetName": locator, "options": {"folder": {"__rl": True, "value": "F1", "mode": "id"}}},
        ("sheet_name", "folder"),
    )
    assert bound["sheet_name"].ref == "input.item.sheet"
    assert bound["folder"] == "F1"
    assert unbound == []
    _, unbound = bind_params({"documentId": locator}, ("range",))
    assert unbound == ["documentId"]  # a locator is one value: it binds whole or not at all


def test_collections_are_bound_field_by_field_and_top_level_wins() -> None:
    params = {
        "text": "top",
        "additionalFields": {"text": "nested", "thread_ts": "1.2", "unfurl_links": True},
        "updateFields": {"name": "n"},
        "filters": {"status": "open", "deep": {"labels": ["a"]}},
        "options": {},
    }
    bound, unbound = bind_params(params, ("text", "thread_ts", "name", "status", "labels"))
    assert bound == {
        "text": "top",
        "thread_ts": "1.2",
        "name": "n",
        "status": "open",
        "labels": ["a"],
    }
    # the nested text has nowhere to go once the top-level one is bound: reported, not dropped
    assert unbound == ["additionalFields.unfurl_links", "additionalFields.text"]


def test_a_collection_whose_own_name_is_an_input_binds_whole() -> None:
    bound, unbound = bind_params({"filter": {"status": "open"}}, ("filter", "status"))
    assert bound == {"filter": {"status": "open"}} and unbound == []


def test_fixed_collections_bind_name_value_rows_and_single_rows() -> None:
    params = {
        "fieldsUi": {"fieldValues": [{"name": "email", "value": "a@b"}, {"name": "x", "value": 1}]},
        "sort": {"sortValue": [{"field": "created", "direction": "desc"}]},
        "attachments": [{"fallback": "f"}, {"fallback": "g"}],
    }
    bound, unbound = bind_params(params, ("email", "field", "direction", "attachments"))
    assert bound == {
        "email": "a@b",
        "field": "created",
        "direction": "desc",
        "attachments": [{"fallback": "f"}, {"fallback": "g"}],
    }
    assert unbound == ["fieldsUi.fieldValues.x"]
    _, unbound = bind_params({"rows": {"row": [{"a": 1}, {"a": 2}]}}, ("b",))
    assert unbound == ["rows.row"]  # several rows of other shapes only bind whole


def test_empty_values_and_n8n_settings_are_neither_bound_nor_reported() -> None:
    params = {
        "resource": "message",
        "operation": "post",
        "authentication": "oAuth2",
        "text": "",
        "options": {},
        "blocks": [],
        "x": None,
    }
    assert bind_params(params, ("text", "options", "blocks", "x")) == ({}, [])


def test_deep_nesting_is_bounded() -> None:
    deep: dict[str, object] = {"v": 1}
    for level in range(50):
        deep = {f"k{level}": deep}
    bound, unbound = bind_params({"root": deep}, ("v",))
    assert bound == {} and len(unbound) == 1


def test_a_mapped_node_lists_every_unbound_parameter_by_path() -> None:
    catalog = InMemoryCatalog(
        operations=[
            CatalogOperation(
                provider="sheets",
                version="1.0.0",
                operation_id="append_values",
                effects="write",
                determinism="nondeterministic",
                auth_type="oauth2_refresh_token",
                inputs=("spreadsheet_id", "range", "values"),
                required=("spreadsheet_id", "range"),
                n8n=("n8n-nodes-base.googleSheets", "sheet", "append"),
            )
        ]
    )
    params = {
        "operation": "append",
        "documentId": {"__rl": True, "value": "D1", "mode": "list"},
        "sheetName": {"__rl": True, "value": "gid=0", "mode": "list"},
        "columns": {"mappingMode": "autoMapInputData", "value": {}},
        "options": {"cellFormat": "RAW"},
    }
    ir, rep = one(node("Add", "googleSheets", 4.5, params), catalog)
    # documentId is the spreadsheet's id, but no name says so: only a link that names the
    # n8n parameter of each input binds it (see test_explicit_parameter_links_bind_first)
    assert (ir.kind, ir.operation, ir.params) == ("connector", "append_values", {})
    assert rep.status == "lossy"
    assert [line.split("'")[1] for line in rep.lost] == [
        "documentId",
        "sheetName",
        "columns",
        "options.cellFormat",
    ]


def test_explicit_parameter_links_bind_first() -> None:
    params = {
        "documentId": {"__rl": True, "value": "D1", "mode": "list"},
        "sheetName": {"__rl": True, "value": "Sheet1", "mode": "name"},
        "options": {"cellFormat": "RAW", "range": "A:B"},
        "range": "ignored: the link names options.range",
    }
    links = (("spreadsheetId", "documentId"), ("valueInputOption", "options.cellFormat"))
    bound, unbound = bind_params(params, ("spreadsheetId", "valueInputOption", "range"), links)
    assert bound == {
        "spreadsheetId": "D1",
        "valueInputOption": "RAW",
        "range": "ignored: the link names options.range",
    }
    assert unbound == ["sheetName", "options.range"]
    # a linked parameter that the node does not set binds nothing
    assert bind_params({}, ("spreadsheetId",), links) == ({}, [])


def test_a_spec_link_with_parameters_binds_through_the_catalog() -> None:
    from connector_spec.loader import parse_spec_bytes
    from flows.ir.catalog import catalog_from_specs
    from tests.registry.helpers import spec_bytes

    text = spec_bytes("sheets").decode()
    old = "    sources: {n8n: {node: n8n-nodes-base.stripe, resource: charge, operation: create}}"
    new = (
        "    sources: {n8n: {node: n8n-nodes-base.stripe, resource: charge, operation: create,"
        " parameters: {customer: additionalFields.buyer, amount: total}}}"
    )
    assert old in text
    spec = parse_spec_bytes(text.replace(old, new).encode(), "sheets.yaml")
    catalog = catalog_from_specs([spec])
    params = {
        "resource": "charge",
        "operation": "create",
        "total": 5,
        "currency": "usd",
        "additionalFields": {"buyer": "={{ $json.id }}"},
    }
    ir, rep = one(node("Pay", "stripe", 1, params), catalog)
    assert ir.params["amount"] == 5 and ir.params["currency"] == "usd"
    assert ir.params["customer"].ref == "input.item.id"
    assert rep.status == "mapped"


def _mapper(mode: str, **extra: object) -> dict[str, object]:
    return {
        "mappingMode": mode,
        "value": {"Name": "={{ $json.name }}", "Email": "a@b"},
        "schema": [{"id": "Name", "displayName": "Name", "type": "string"}],
        "matchingColumns": [],
        **extra,
    }


def test_a_resource_mapper_binds_the_row_it_sends() -> None:
    bound, unbound = bind_params({"columns": _mapper("defineBelow")}, ("columns",))
    assert bound["columns"]["Email"] == "a@b"
    assert bound["columns"]["Name"].ref == "input.item.name"
    assert unbound == []  # the schema is n8n's cached column list, not a lost value
    bound, _ = bind_params(
        {"columns": _mapper("autoMapInputData")}, ("fields",), (("fields", "columns"),)
    )
    assert bound["fields"].ref == "input.item"  # the input item's own fields
    # the columns an upsert matches on do not carry over: reported
    upsert = _mapper("defineBelow", matchingColumns=["Email"])
    assert bind_params({"columns": upsert}, ("columns",))[1] == ["columns.matchingColumns"]
    assert bind_params({"columns": upsert}, ("f",), (("f", "columns"),))[1] == [
        "columns.matchingColumns"
    ]


def test_an_unbound_resource_mapper_is_one_lost_parameter() -> None:
    assert bind_params({"columns": _mapper("defineBelow")}, ("base", "table")) == (
        {},
        ["columns"],
    )


def test_url_locators_are_reduced_to_the_id_n8n_extracts() -> None:
    from flows.n8n.defaults import url_patterns

    patterns = url_patterns("n8n-nodes-base.googleSheets")
    url = "https://docs.google.com/spreadsheets/d/1AbC-_9/edit#gid=0"
    params = {
        "documentId": {"__rl": True, "mode": "url", "value": url},
        "sheetName": {"__rl": True, "mode": "url", "value": url.replace("#gid=0", "#gid=42")},
        "options": {"documentId": {"__rl": True, "mode": "url", "value": "=https://x/{{ 1 }}"}},
    }
    notes: list[str] = []
    bound, unbound = bind_params(
        params,
        ("spreadsheetId", "sheet"),
        (("spreadsheetId", "documentId"), ("sheet", "sheetName")),
        url_patterns=patterns,
        notes=notes,
    )
    assert bound == {"spreadsheetId": "1AbC-_9", "sheet": "42"}
    assert unbound == ["options.documentId"]
    assert len(notes) == 1 and notes[0].startswith(
        "parameter 'options.documentId' is a URL n8n reduces to an ID at run time"
    )
    # a URL that does not match, or one too long to try, is kept as it is, and said so
    odd = {
        "documentId": {"__rl": True, "mode": "url", "value": "https://example.com/" + "x" * 5000}
    }
    notes = []
    bound, _ = bind_params(odd, ("documentId",), url_patterns=patterns, notes=notes)
    assert bound["documentId"].startswith("https://example.com/") and len(notes) == 1


def test_a_mapped_node_reports_the_url_it_could_not_reduce() -> None:
    catalog = InMemoryCatalog(
        operations=[
            CatalogOperation(
                provider="drive",
                version="1.0.0",
                operation_id="download",
                effects="read",
                determinism="stable",
                auth_type="bearer",
                inputs=("file_id",),
                n8n=("n8n-nodes-base.googleDrive", "file", "download"),
            )
        ]
    )
    params = {"operation": "download", "fileId": {"__rl": True, "mode": "url", "value": "x"}}
    ir, rep = one(node("Get", "googleDrive", 3, params), catalog)
    assert ir.params == {"file_id": "x"}
    assert rep.lost[0].startswith("parameter 'fileId' is a URL n8n reduces to an ID")
    params["fileId"]["value"] = "https://drive.google.com/file/d/F1le/view"
    ir, rep = one(node("Get", "googleDrive", 3, params), catalog)
    assert (ir.params, rep.status) == ({"file_id": "F1le"}, "mapped")
