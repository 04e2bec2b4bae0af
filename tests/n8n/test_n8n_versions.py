"""typeVersion handling: numeric strings, versions newer than known, unreadable versions."""

from __future__ import annotations

from typing import Any

import pytest

from flows.n8n import defaults
from tests.n8n.helpers import node, one

SET_PARAMS = {
    "assignments": {"assignments": [{"id": "1", "name": "x", "type": "string", "value": "a"}]},
    "includeOtherFields": True,
}
SWITCH_PARAMS = {
    "rules": {
        "values": [
            {
                "conditions": {
                    "combinator": "and",
                    "conditions": [
                        {
                            "leftValue": "={{ $json.a }}",
                            "rightValue": "b",
                            "operator": {"type": "string", "operation": "equals"},
                        }
                    ],
                },
                "renameOutput": True,
                "outputKey": "b",
            }
        ]
    }
}
HTTP_PARAMS = {"method": "POST", "url": "https://example.com/x", "sendBody": True}


def test_numeric_string_versions_are_read_as_numbers() -> None:
    ir, rep = one(node("Set", "set", "3.4", SET_PARAMS))  # type: ignore[arg-type]
    assert ir.source.type_version == 3.4
    assert [(a.name, a.value) for a in ir.assignments] == [("x", "a")]
    assert ir.keep == "all"
    assert (rep.status, rep.lost) == ("built-in", [])
    ir, rep = one(node("Switch", "switch", " 3.2 ", SWITCH_PARAMS))  # type: ignore[arg-type]
    assert (ir.source.type_version, ir.outputs, rep.status) == (3.2, ["b"], "built-in")


@pytest.mark.parametrize(
    ("node_type", "version", "params", "newest"),
    [
        ("httpRequest", 5, HTTP_PARAMS, "4.5"),
        ("switch", 4, SWITCH_PARAMS, "3.4"),
        ("splitInBatches", 4, {}, "3"),
        ("set", 3.6, SET_PARAMS, "3.5"),
        ("set", "4", SET_PARAMS, "3.5"),
    ],
)
def test_versions_newer_than_known_use_the_newest_logic_and_are_lossy(
    node_type: str, version: Any, params: dict[str, Any], newest: str
) -> None:
    ir, rep = one(node("N", node_type, version, params))
    assert ir.source.type_version == float(version)
    assert rep.status == "lossy"
    assert rep.lost[0] == (
        f"typeVersion {float(version):g} is newer than the newest this importer knows "
        f"({newest}): converted as {newest}; check the result"
    )
    assert "lossy" in ir.flags
    if node_type == "httpRequest":
        assert (ir.kind, ir.method, ir.url, ir.body_type) == (
            "http",
            "POST",
            "https://example.com/x",
            "json",
        )
    elif node_type == "switch":
        assert (ir.kind, ir.outputs, [r.output for r in ir.rules]) == ("branch", ["b"], ["b"])
    elif node_type == "splitInBatches":
        assert (ir.kind, ir.outputs) == ("loop", ["done", "loop"])  # the v3 order
    else:
        assert [(a.name, a.value) for a in ir.assignments] == [("x", "a")]


@pytest.mark.parametrize("version", ["abc", "", True, None, -1, 0, float("nan"), [3]])
def test_unreadable_versions_use_the_newest_logic_and_are_lossy(version: Any) -> None:
    raw = node("Set", "set", 1, SET_PARAMS)
    raw["typeVersion"] = version
    ir, rep = one(raw)
    assert ir.source.type_version == 3.5  # the newest Set the importer knows
    assert [(a.name, a.value) for a in ir.assignments] == [("x", "a")]
    assert rep.status == "lossy"
    assert rep.lost[0].startswith("typeVersion ")
    assert "converted as version 3.5, the newest this importer knows" in rep.lost[0]


def test_missing_version_is_reported() -> None:
    raw = node("Set", "set", 1, SET_PARAMS)
    del raw["typeVersion"]
    _, rep = one(raw)
    assert rep.status == "lossy"
    assert rep.lost[0].startswith("typeVersion missing: converted as version 3.5")


def test_newer_connector_node_versions_are_mapped_but_lossy() -> None:
    newest = defaults.newest_version("n8n-nodes-base.slack")
    assert newest is not None
    params = {"channelId": "C1", "text": "hi"}
    ir, rep = one(node("Slack", "slack", 2.2, params))
    assert (ir.kind, rep.status) == ("connector", "mapped")
    ir, rep = one(node("Slack", "slack", newest + 1, params))
    assert ir.kind == "connector"
    assert rep.status == "lossy"
    assert "is newer than the newest this importer knows" in rep.lost[0]


def test_known_versions_are_not_flagged() -> None:
    for version in (3, 3.1, 3.2, 3.3, 3.4, 3.5):
        _, rep = one(node("Set", "set", version, {"options": {}}))
        assert not any("typeVersion" in item for item in rep.lost), (version, rep.lost)


def test_unsupported_reason_without_a_resource_names_only_the_operation() -> None:
    _, rep = one(node("Convert", "n8n-nodes-base.fooBar", 1, {"operation": "toBinary"}))
    assert rep.status == "unsupported"
    assert rep.reason == "no registry connector for n8n-nodes-base.fooBar toBinary"
    _, rep = one(node("Convert", "n8n-nodes-base.fooBar", 1, {"resource": "file"}))
    assert rep.reason == "no registry connector for n8n-nodes-base.fooBar file"
    _, rep = one(node("Convert", "n8n-nodes-base.fooBar", 1, {"resource": "a", "operation": "b"}))
    assert rep.reason == "no registry connector for n8n-nodes-base.fooBar a/b"
    _, rep = one(node("Convert", "n8n-nodes-base.fooBar", 1, {}))
    assert rep.reason == "no registry connector for n8n-nodes-base.fooBar"
