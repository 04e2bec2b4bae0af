"""The catalog-defaults slice: the generator and the shipped file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from flows.n8n import defaults
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
import build_n8n_defaults

FAKE_NODES = [
    {
        "name": "wait",
        "version": [1, 1.1],
        "properties": [
            {"name": "resume", "default": "timeInterval"},
            {"name": "amount", "default": 1, "displayOptions": {"show": {"@version": [1]}}},
            {"name": "amount", "default": 5, "displayOptions": {"hide": {"@version": [1]}}},
            {
                "name": "unit",
                "default": "hours",
                "displayOptions": {"show": {"@version": [{"_cnd": {"lt": 1.1}}]}},
            },
            {
                "name": "unit",
                "default": "seconds",
                "displayOptions": {"show": {"@version": [{"_cnd": {"gte": 1.1}}]}},
            },
            {"name": "notNeeded", "default": "x"},
        ],
    },
    {
        "name": "acme",
        "version": 2,
        "properties": [
            {"name": "resource", "default": "widget"},
            {
                "name": "operation",
                "default": "get",
                "displayOptions": {"show": {"resource": ["widget"]}},
            },
            {
                "name": "operation",
                "default": "create",
                "displayOptions": {"show": {"resource": ["gadget"]}},
            },
        ],
    },
    {"name": "unrelated", "version": 1, "properties": [{"name": "x", "default": 1}]},
]


def test_build_keeps_only_the_slice() -> None:
    data = build_n8n_defaults.build(FAKE_NODES)
    assert data["nodes"] == {
        "n8n-nodes-base.acme": {
            "2": {
                "choices": [
                    ["resource", "widget", None, None],
                    ["operation", "get", {"resource": ["widget"]}, None],
                    ["operation", "create", {"resource": ["gadget"]}, None],
                ]
            }
        },
        "n8n-nodes-base.wait": {
            "1": {"defaults": {"resume": "timeInterval", "amount": 1, "unit": "hours"}},
            "1.1": {"defaults": {"resume": "timeInterval", "amount": 5, "unit": "seconds"}},
        },
    }


def test_script_writes_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    package = tmp_path / "package"
    (package / "dist" / "types").mkdir(parents=True)
    (package / "dist" / "types" / "nodes.json").write_text(json.dumps(FAKE_NODES))
    (package / "package.json").write_text('{"version": "9.9.9"}')
    out = tmp_path / "d.json"
    assert build_n8n_defaults.main([str(package), "--out", str(out)]) == 0
    written = json.loads(out.read_text())
    assert written["source"] == "n8n-nodes-base@9.9.9 dist/types/nodes.json"
    assert build_n8n_defaults.main([str(tmp_path / "missing")]) == 2


def test_shipped_slice_is_small_and_has_what_the_importer_reads() -> None:
    path = REPO / "flows" / "n8n" / "data" / "n8n_defaults.json"
    assert path.stat().st_size < 200_000
    assert json.loads(path.read_text())["source"].startswith("n8n-nodes-base@2.41.2")
    assert defaults.output_names("n8n-nodes-base.splitInBatches", 2) == ["loop", "done"]
    assert defaults.output_names("n8n-nodes-base.splitInBatches", 3) == ["done", "loop"]
    assert defaults.with_defaults("n8n-nodes-base.wait", 1, {}) == {
        "resume": "timeInterval",
        "amount": 1,
        "unit": "hours",
    }
    assert defaults.resource_operation("n8n-nodes-base.slack", 2.2, {}) == ("message", "post")
    assert defaults.resource_operation("n8n-nodes-base.sendGrid", 1, {"resource": "mail"}) == (
        "mail",
        "send",
    )
    # an unknown version falls back to the nearest lower one
    assert defaults.with_defaults("n8n-nodes-base.wait", 1.05, {})["unit"] == "hours"


def test_identical_versions_are_stored_once_but_the_newest_is_kept() -> None:
    same = {"choices": [["operation", "get", None, None]]}
    other = {"choices": [["operation", "list", None, None]]}
    versions = {"1": same, "2": same, "2.1": other, "3": other, "3.1": other}
    assert build_n8n_defaults._deduplicated(versions) == {"1": same, "2.1": other, "3.1": other}
