"""Build ``flows/n8n/data/n8n_nodes.json``: what the importer must know about each n8n node type.

Read from the node descriptions n8n publishes (``dist/types/nodes.json`` of the unpacked
``n8n-nodes-base`` and ``@n8n/n8n-nodes-langchain`` npm packages; data only, no n8n code is run).
It keeps, minimally:

- for every node type: its typeVersions (so a type n8n ships is told apart from an unknown one)
  and, for triggers, whether n8n polls (``"polling"``) or listens for a webhook (``"webhook"``);
- for the node types translated by a parameter family (``flows/n8n/nodes/utility.py`` and
  ``database.py``) and every LangChain node:
  per typeVersion where it changes, the names of the top-level parameters n8n documents and the
  defaults of those shown unconditionally; and the (non-empty) defaults of those n8n shows only
  for some values of other parameters, with n8n's ``displayOptions`` conditions;
- for LangChain nodes with a ``resource`` parameter, the default resource and the default
  operation of each resource;
- for LangChain nodes with a static connection list: the ``ai_*`` kinds they output, and their
  ``ai_*`` inputs (kind, at most how many, required).

n8n is licensed under the Sustainable Use License (see ``flows/n8n/data/README.md``).

Usage::

    python scripts/build_n8n_nodes.py /work/data/n8n-nodes-base /work/data/n8n-nodes-langchain \\
        [--out flows/n8n/data/n8n_nodes.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from build_n8n_defaults import _applies, _fmt, _resource_defaults

from connector_spec.atomic import replace_file

BASE = "n8n-nodes-base."
LANGCHAIN = "@n8n/n8n-nodes-langchain."


def _family_types() -> set[str]:
    """The n8n-nodes-base types the parameter families translate (flows/n8n/nodes/...)."""
    from flows.n8n.nodes import database, utility

    names = {*utility.CONVERTERS, *database.CONVERTERS}
    return {name.removeprefix(BASE) for name in names}


_SKIP_TYPES = {"notice", "callout"}


def _params(props: list[dict[str, Any]], version: float) -> dict[str, Any]:
    names: list[str] = []
    found: dict[str, Any] = {}
    for prop in props:
        name = prop.get("name")
        if not isinstance(name, str) or prop.get("type") in _SKIP_TYPES:
            continue
        if not _applies(prop, version):
            continue
        if name not in names:
            names.append(name)
        show = dict((prop.get("displayOptions") or {}).get("show") or {})
        show.pop("@version", None)
        hide = (prop.get("displayOptions") or {}).get("hide")
        if not show and not hide and name not in found:
            found[name] = prop.get("default")
    return {"names": sorted(names), "defaults": found}


def _conditional(props: list[dict[str, Any]], versions: list[Any] | None) -> list[list[Any]]:
    """``[name, default, show, hide]`` of the parameters shown only for some values of other
    parameters, in n8n's order (empty defaults left out: a missing value is as good).

    ``versions``: when n8n describes the node type in several parts, the typeVersions this
    part covers, added as an ``@version`` condition where the parameter has none."""
    rows = []
    for prop in props:
        name, default = prop.get("name"), prop.get("default")
        if not isinstance(name, str) or prop.get("type") in _SKIP_TYPES:
            continue
        if default in ("", {}, [], None):
            continue
        options = prop.get("displayOptions") or {}
        show, hide = options.get("show") or {}, options.get("hide") or {}
        if not [k for k in (*show, *hide) if k != "@version"]:
            continue  # unconditional, or by version only: in "params"
        if versions is not None and "@version" not in show:
            show = {**show, "@version": versions}
        rows.append([name, default, show or None, hide or None])
    return rows


def _ai_inputs(value: Any) -> list[dict[str, Any]] | None:
    if not isinstance(value, list):
        return None
    out = []
    for item in value:
        if isinstance(item, dict) and str(item.get("type", "")).startswith("ai_"):
            out.append(
                {
                    "type": item["type"],
                    "max": item.get("maxConnections"),
                    "required": bool(item.get("required")),
                }
            )
        elif isinstance(item, str) and item.startswith("ai_"):
            out.append({"type": item, "max": None, "required": False})
    return out


def _ai_outputs(value: Any) -> list[str] | None:
    if not isinstance(value, list):
        return None
    kinds = [item.get("type") if isinstance(item, dict) else item for item in value]
    return [str(k) for k in kinds if isinstance(k, str)]


def build(base: list[dict[str, Any]], langchain: list[dict[str, Any]]) -> dict[str, Any]:
    """The extract, keyed by full node type."""
    result: dict[str, dict[str, Any]] = {}
    family = _family_types()
    seen = Counter(
        prefix + str(node.get("name", ""))
        for prefix, nodes in ((BASE, base), (LANGCHAIN, langchain))
        for node in nodes
    )
    split = {name for name, count in seen.items() if count > 1}
    for prefix, nodes in ((BASE, base), (LANGCHAIN, langchain)):
        for node in nodes:
            name = str(node.get("name", ""))
            full = prefix + name
            versions = node.get("version")
            listed = versions if isinstance(versions, list) else [versions or 1]
            entry = result.setdefault(full, {"versions": []})
            entry["versions"] = sorted({*entry["versions"], *(float(v) for v in listed)})
            if name.endswith("Trigger") or "trigger" in (node.get("group") or []):
                entry["trigger"] = (
                    "polling"
                    if node.get("polling")
                    else "webhook"
                    if node.get("webhooks")
                    else "event"
                )
            if prefix == LANGCHAIN:
                outputs = _ai_outputs(node.get("outputs"))
                inputs = _ai_inputs(node.get("inputs"))
                if outputs is not None:
                    entry["outputs"] = outputs
                if inputs is not None:
                    entry["ai_inputs"] = inputs
            if prefix == LANGCHAIN or name in family:
                parts = listed if full in split else None
                rows = _conditional(node.get("properties") or [], parts)
                if rows:
                    entry.setdefault("conditional", []).extend(rows)
                table = entry.setdefault("params", {})
                for version in listed:
                    props = node.get("properties") or []
                    table[_fmt(float(version))] = _params(props, float(version))
                    resources = _resource_defaults(props, float(version))
                    if prefix == LANGCHAIN and resources is not None:
                        entry.setdefault("resources", {})[_fmt(float(version))] = resources
    for entry in result.values():
        entry["versions"] = [_fmt(v) for v in entry["versions"]]
        for key in ("params", "resources"):
            if key in entry:
                entry[key] = _dedupe(entry[key])
    return dict(sorted(result.items()))


def _dedupe(table: dict[str, Any]) -> dict[str, Any]:
    """Keep a version only where its entry differs from the previous version's."""
    out: dict[str, Any] = {}
    previous = None
    for key in sorted(table, key=float):
        if table[key] != previous:
            out[key] = table[key]
        previous = table[key]
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``build_n8n_nodes.py BASE_PACKAGE LANGCHAIN_PACKAGE [--out FILE]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("base", type=Path, help="the unpacked n8n-nodes-base package")
    parser.add_argument("langchain", type=Path, help="the unpacked @n8n/n8n-nodes-langchain")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "flows/n8n/data/n8n_nodes.json",
    )
    args = parser.parse_args(argv)
    loaded = []
    for package in (args.base, args.langchain):
        source = package / "dist/types/nodes.json"
        if not source.is_file():
            print(
                f"error: {source} not found; pass the unpacked package directory", file=sys.stderr
            )
            return 2
        meta = json.loads((package / "package.json").read_text())
        loaded.append((f"{meta.get('name')}@{meta.get('version')}", json.loads(source.read_text())))
    data = {
        "source": [f"{name} dist/types/nodes.json" for name, _ in loaded],
        "license": "Sustainable Use License (n8n); see README.md",
        "nodes": build(loaded[0][1], loaded[1][1]),
    }
    text = json.dumps(data, indent=None, sort_keys=True, separators=(",", ":")) + "\n"
    replace_file(args.out, text.encode())
    print(f"wrote {args.out} ({len(text)} bytes, {len(data['nodes'])} node types)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
