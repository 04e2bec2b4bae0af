"""Build ``flows/n8n/data/n8n_defaults.json``: the slice of n8n's node catalog the importer needs.

n8n omits parameters that equal their defaults when it exports a workflow, so the importer
re-applies them. This script reads ``dist/types/nodes.json`` from an unpacked
``n8n-nodes-base`` package and keeps only:

- for the core nodes the importer translates, the defaults of the parameters it reads and the
  names of their outputs, per typeVersion;
- for every node with a ``resource`` parameter, the default resource and the default operation
  of each resource (needed to find the connector operation a node corresponds to);
- for every node with a ``resource`` or ``operation`` parameter, each variant of those
  parameters with its default and its ``displayOptions`` (``choices``), and the defaults of the
  parameters those ``displayOptions`` depend on (``steer``, e.g. Discord's ``authentication``:
  with a webhook it has no resource and its operation is ``sendLegacy``).

Usage::

    cd /tmp && npm pack n8n-nodes-base@2.41.2 && tar xzf n8n-nodes-base-2.41.2.tgz
    python scripts/build_n8n_defaults.py /tmp/package [--out flows/n8n/data/n8n_defaults.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

PREFIX = "n8n-nodes-base."

CORE_PARAMS: dict[str, list[str]] = {
    "httpRequest": [
        "method",
        "requestMethod",
        "url",
        "authentication",
        "sendQuery",
        "sendHeaders",
        "sendBody",
        "contentType",
        "specifyBody",
        "responseFormat",
        "jsonParameters",
    ],
    "webhook": ["httpMethod", "path", "responseMode", "authentication"],
    "merge": ["mode", "combineBy", "combinationMode", "join", "output", "chooseBranchMode"],
    "wait": ["resume", "amount", "unit"],
    "splitInBatches": ["batchSize"],
    "switch": ["mode", "dataType", "fallbackOutput", "numberOutputs"],
    "if": ["combineOperation"],
    "filter": [],
    "set": ["mode", "include", "keepOnlySet"],
    "code": ["mode", "language"],
    "function": [],
    "scheduleTrigger": ["rule"],
    "cron": ["triggerTimes"],
    "respondToWebhook": ["respondWith"],
    "executeWorkflow": ["source", "mode"],
    "noOp": [],
    "manualTrigger": [],
    "executeWorkflowTrigger": [],
}


def _version_matches(condition: list[Any], version: float) -> bool:
    for item in condition:
        if isinstance(item, int | float) and float(item) == version:
            return True
        if isinstance(item, dict) and "_cnd" in item:
            cnd = item["_cnd"]
            checks = {
                "gte": lambda v, b: v >= b,
                "lte": lambda v, b: v <= b,
                "gt": lambda v, b: v > b,
                "lt": lambda v, b: v < b,
                "eq": lambda v, b: v == b,
            }
            if all(checks[k](version, float(b)) for k, b in cnd.items() if k in checks):
                return True
    return False


def _applies(prop: dict[str, Any], version: float) -> bool:
    """Whether the ``@version`` part of ``displayOptions`` lets this property exist."""
    options = prop.get("displayOptions") or {}
    show = (options.get("show") or {}).get("@version")
    hide = (options.get("hide") or {}).get("@version")
    if show is not None and not _version_matches(show, version):
        return False
    return not (hide is not None and _version_matches(hide, version))


def _defaults_for(props: list[dict[str, Any]], names: list[str], version: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for prop in props:
        name = prop.get("name")
        if name in names and name not in out and _applies(prop, version):
            out[name] = prop.get("default")
    return out


def _resource_defaults(props: list[dict[str, Any]], version: float) -> dict[str, Any] | None:
    resource = _defaults_for(props, ["resource"], version)
    if "resource" not in resource:
        return None
    operations: dict[str, Any] = {}
    for prop in props:
        if prop.get("name") != "operation" or not _applies(prop, version):
            continue
        shown = ((prop.get("displayOptions") or {}).get("show") or {}).get("resource") or []
        for res in shown:
            operations.setdefault(str(res), prop.get("default"))
    return {"resource": resource["resource"], "operation_by_resource": operations}


def _without_version(options: Any) -> dict[str, Any] | None:
    kept = {k: v for k, v in (options or {}).items() if k != "@version"}
    return kept or None


def _choices(props: list[dict[str, Any]], version: float) -> dict[str, Any] | None:
    """Every resource/operation variant at ``version`` as ``[name, default, show, hide]``
    (``@version`` already applied), and the defaults of what they depend on."""
    choices: list[list[Any]] = []
    steer: set[str] = set()
    for prop in props:
        name = prop.get("name")
        if name not in ("resource", "operation") or not _applies(prop, version):
            continue
        options = prop.get("displayOptions") or {}
        show = _without_version(options.get("show"))
        hide = _without_version(options.get("hide"))
        choices.append([name, prop.get("default"), show, hide])
        steer |= {k.lstrip("/") for k in {**(show or {}), **(hide or {})}}
    if not choices:
        return None
    steer -= {"resource", "operation"}
    steered = _defaults_for(props, sorted(steer), version)
    return {"choices": choices, **({"steer": steered} if steered else {})}


def build(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    """The slice, keyed by full node type, one entry per typeVersion."""
    result: dict[str, dict[str, Any]] = {}
    for node in nodes:
        name = str(node.get("name", ""))
        versions = node.get("version")
        version_list: list[Any] = versions if isinstance(versions, list) else [versions or 1]
        props = node.get("properties") or []
        for version in version_list:
            v = float(version)
            entry: dict[str, Any] = {}
            if name in CORE_PARAMS:
                entry["defaults"] = _defaults_for(props, CORE_PARAMS[name], v)
                names = node.get("outputNames")
                if isinstance(names, list):
                    entry["output_names"] = names
            chosen = _choices(props, v)  # supersedes resource/operation_by_resource
            res = _resource_defaults(props, v) if chosen is None else chosen
            if res is not None:
                entry.update(res)
            result.setdefault(PREFIX + name, {})[_fmt(v)] = entry
    return {
        "source": "n8n-nodes-base dist/types/nodes.json",
        "nodes": {
            name: _deduplicated(_no_choices_said(result[name]))
            for name in sorted(result)
            if any(result[name].values())
        },
    }


def _no_choices_said(versions: dict[str, Any]) -> dict[str, Any]:
    """A version without resource/operation of a type that has them in other versions says
    so (``choices: []``: Discord 1, a webhook node, is not Discord 2's channel/create)."""
    if not any("choices" in entry for entry in versions.values()):
        return {v: e for v, e in versions.items() if e}
    return {v: e if "choices" in e else {**e, "choices": []} for v, e in versions.items()}


def _deduplicated(versions: dict[str, Any]) -> dict[str, Any]:
    """Versions whose entry equals the previous version's are left out (the importer uses the
    highest version at or below a node's, so the answer is the same), except the newest one
    (the newest version the importer knows)."""
    ordered = sorted(versions, key=float)
    kept: dict[str, Any] = {}
    previous = None
    for version in ordered:
        if versions[version] != previous or version == ordered[-1]:
            kept[version] = previous = versions[version]
    return kept


def _fmt(version: float) -> str:
    return str(int(version)) if version == int(version) else str(version)


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``build_n8n_defaults.py PACKAGE_DIR [--out FILE]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("package", type=Path, help="the unpacked n8n-nodes-base package")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "flows/n8n/data/n8n_defaults.json",
    )
    args = parser.parse_args(argv)
    source = args.package / "dist/types/nodes.json"
    if not source.is_file():
        print(f"error: {source} not found; pass the unpacked package directory", file=sys.stderr)
        return 2
    meta = json.loads((args.package / "package.json").read_text())
    data = build(json.loads(source.read_text()))
    data["source"] = f"n8n-nodes-base@{meta.get('version')} dist/types/nodes.json"
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    fd, tmp = tempfile.mkstemp(dir=args.out.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, args.out)
    print(f"wrote {args.out} ({len(text)} bytes, {len(data['nodes'])} node types)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
