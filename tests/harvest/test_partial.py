"""Operation-level completeness: a blocked operation is left out, the rest can be complete.

An operation with a hook, an untranslatable expression, a param conflict or no route is
omitted from the spec (listed in the sidecar, the report and the YAML header); the spec is
complete when its auth and base URL are sound and at least one real operation remains.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from connector_spec import load_spec
from flows.harvest import harvest_n8n
from flows.harvest.catalog import Catalog
from flows.harvest.report import OPERATION_REASONS, REASONS
from tests.harvest.helpers import ACME_API, acme_node, route, tree
from tests.harvest.test_code_harvest import CODE_KINDS

GOOD = route("get", "GET", "=/items/{{$parameter.id}}")
ID_FIELD = {"name": "id", "type": "string", "required": True}


def _bad(kind: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """An operation ``bad`` (and its fields) blocked for reason ``kind``."""
    op = route("bad", "POST", "/bad")
    fields: list[dict[str, Any]] = []
    shown = {"show": {"operation": ["bad"]}}
    if kind == "pre-send-hook":
        op["routing"]["send"] = {"preSend": [None]}
    elif kind == "post-receive-hook":
        op["routing"]["output"] = {"postReceive": [None]}
    elif kind == "url-expression":
        op["routing"]["request"]["url"] = '={{"/bad/" + $parameter.id.toUpperCase()}}'
    elif kind == "no-route":
        del op["routing"]["request"]["url"]
    elif kind == "static-expression":
        op["routing"]["request"]["qs"] = {"at": "={{Date.now()}}"}
    elif kind == "field-expression":
        fields.append(
            {
                "name": "tags",
                "type": "string",
                "displayOptions": shown,
                "routing": {
                    "send": {"type": "body", "property": "tags", "value": "={{$value.split(',')}}"}
                },
            }
        )
    elif kind == "param-conflict":
        op["routing"]["request"]["url"] = "=/bad/{{$parameter.key}}"
        fields.append(
            {
                "name": "key",
                "type": "string",
                "required": True,
                "displayOptions": shown,
                "routing": {"send": {"type": "query", "property": "key"}},
            }
        )
    elif kind == "pagination-expression":
        op = route("bad", "GET", "/bad")
        op["routing"]["operations"] = {"pagination": {"type": "generic", "properties": {}}}
    else:  # pragma: no cover - the parametrization lists every kind
        raise AssertionError(kind)
    return op, fields


def _harvest(
    tmp_path: Path, node: dict[str, Any], credentials: dict[str, Any] | None = None
) -> tuple[Any, Path]:
    catalog = Catalog(
        source="synthetic",
        version="0.0.1",
        nodes=[node],
        credentials=copy.deepcopy(ACME_API if credentials is None else credentials),
    )
    out = tmp_path / "out"
    result = harvest_n8n(catalog, out_dir=out)
    return result.report.entries[0], out / "acme"


def test_every_operation_reason_is_tested() -> None:
    kinds = set(KINDS) | set(CODE_KINDS)  # the code-level ones: tests/harvest/test_code_harvest.py
    assert kinds == OPERATION_REASONS
    assert kinds <= set(REASONS)


KINDS = [
    "pre-send-hook",
    "post-receive-hook",
    "url-expression",
    "no-route",
    "static-expression",
    "field-expression",
    "param-conflict",
    "pagination-expression",
]


@pytest.mark.parametrize("kind", KINDS)
def test_a_blocked_operation_is_omitted_and_the_spec_is_complete(tmp_path: Path, kind: str) -> None:
    bad, fields = _bad(kind)
    entry, spec_dir = _harvest(tmp_path, acme_node([GOOD, bad], [ID_FIELD, *fields]))
    assert (entry.status, entry.missing) == ("complete", [])
    assert [(o.label, o.reason_codes()) for o in entry.omitted] == [("item/bad", [kind])]
    spec = load_spec(spec_dir / "connector.yaml").spec
    assert [op.id for op in spec.operations] == ["check_connection", "item_get"]
    assert spec.provider.description.endswith(
        f"Partial: 1 of 2 n8n operations; omitted: item/bad ({kind})."
    )
    header = (spec_dir / "connector.yaml").read_text().split("apiVersion:")[0].splitlines()
    assert "# PARTIAL: 1 of 2 n8n operations; omitted (details in harvest.json):" in header
    assert f"# Omitted: item/bad ({kind})" in header
    assert not any("INCOMPLETE" in line for line in header)
    sidecar = json.loads((spec_dir / "harvest.json").read_text())
    assert (sidecar["status"], sidecar["reasons"]) == ("complete", [])
    assert sidecar["coverage"] == {
        "n8n_operations": 2,
        "kept": 1,
        "omitted": 1,
        "omitted_by_reason": {kind: 1},
    }
    [omitted] = sidecar["omitted_operations"]
    assert (omitted["resource"], omitted["operation"], omitted["reasons"]) == (
        "item",
        "bad",
        [kind],
    )
    assert omitted["details"] and all(d.startswith("item/bad") for d in omitted["details"])


def test_a_provider_level_blocker_keeps_the_spec_incomplete(tmp_path: Path) -> None:
    credentials = copy.deepcopy(ACME_API)
    headers = credentials["acmeApi"]["authenticate"]["properties"]["headers"]
    headers["X-Source"] = "n8n"  # every request carries it; a spec cannot state it
    bad, fields = _bad("pre-send-hook")
    entry, spec_dir = _harvest(tmp_path, acme_node([GOOD, bad], [ID_FIELD, *fields]), credentials)
    assert (entry.status, entry.reason_codes()) == ("incomplete", ["auth-extra-headers"])
    assert [o.label for o in entry.omitted] == ["item/bad"]  # listed, still left out
    text = (spec_dir / "connector.yaml").read_text()
    assert "# INCOMPLETE" in text and "# Omitted: item/bad (pre-send-hook)" in text
    assert json.loads((spec_dir / "harvest.json").read_text())["reasons"] == ["auth-extra-headers"]


def test_the_connection_check_alone_is_not_enough(tmp_path: Path) -> None:
    first, fields = _bad("post-receive-hook")
    second, _ = _bad("no-route")
    second["value"] = second["name"] = "other"
    node = acme_node([first, second], fields)
    entry, spec_dir = _harvest(tmp_path, node)
    assert entry.status == "incomplete"
    assert entry.reason_codes() == ["post-receive-hook", "no-route"]
    assert (entry.kept, len(entry.omitted)) == (0, 2)
    spec = load_spec(spec_dir / "connector.yaml").spec
    assert [op.id for op in spec.operations] == ["check_connection"]
    assert "Partial" not in spec.provider.description


def test_programmatic_node_without_code_stays_incomplete(tmp_path: Path) -> None:
    node = acme_node([{"name": "Get", "value": "get"}], [])
    del node["requestDefaults"]
    entry, _ = _harvest(tmp_path, node)
    assert (entry.kind, entry.status) == ("programmatic", "incomplete")
    assert entry.reason_codes() == ["no-code"]
    assert [o.label for o in entry.omitted] == ["-/get"] or len(entry.omitted) == 1


def test_a_fully_derived_spec_is_not_partial(tmp_path: Path) -> None:
    entry, spec_dir = _harvest(tmp_path, acme_node([GOOD], [ID_FIELD]))
    assert entry.status == "complete" and entry.omitted == []
    assert entry.coverage() == {
        "n8n_operations": 1,
        "kept": 1,
        "omitted": 0,
        "omitted_by_reason": {},
    }
    text = (spec_dir / "connector.yaml").read_text()
    assert "PARTIAL" not in text and "Partial" not in text


def test_partial_specs_are_byte_identical_across_runs(tmp_path: Path) -> None:
    bad, fields = _bad("pre-send-hook")
    node = acme_node([GOOD, bad], [ID_FIELD, *fields])
    _, first = _harvest(tmp_path / "a", node)
    _, second = _harvest(tmp_path / "b", copy.deepcopy(node))
    assert tree(first) == tree(second)
