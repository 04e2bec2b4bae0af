"""Build ``flows/n8n/data/n8n_locators.json``: how n8n reduces a URL to an ID.

A resource locator (``{"__rl": true, "mode": "url", "value": "https://..."}``) in URL mode
holds a URL; n8n extracts the ID it sends with the mode's ``extractValue`` regex (its first
group). This script keeps, per node type and locator parameter name, that regex, from
``dist/types/nodes.json`` of an unpacked ``n8n-nodes-base`` package (Sustainable Use License;
see ``flows/n8n/data/README.md``).

Usage::

    python scripts/build_n8n_locators.py /work/data/n8n-nodes-base [--out FILE]
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


def _walk(props: Any, found: dict[str, str]) -> None:
    for prop in props if isinstance(props, list) else []:
        if not isinstance(prop, dict):
            continue
        if prop.get("type") == "resourceLocator":
            for mode in prop.get("modes") or []:
                extract = mode.get("extractValue") if isinstance(mode, dict) else None
                if mode.get("name") == "url" and isinstance(extract, dict):
                    regex = extract.get("regex")
                    if extract.get("type") == "regex" and isinstance(regex, str):
                        found.setdefault(str(prop.get("name")), regex)
        _walk(prop.get("options"), found)
        _walk(prop.get("values"), found)


def build(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    """``{"nodes": {node type: {locator name: regex}}}`` (newest description first)."""

    def newest(node: dict[str, Any]) -> float:
        raw = node.get("version")
        values = raw if isinstance(raw, list) else [raw]
        return max((float(v) for v in values if isinstance(v, int | float)), default=1.0)

    result: dict[str, dict[str, str]] = {}
    for node in sorted(nodes, key=newest, reverse=True):
        found = result.setdefault(PREFIX + str(node.get("name")), {})
        _walk(node.get("properties"), found)
    return {"nodes": {k: dict(sorted(v.items())) for k, v in sorted(result.items()) if v}}


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``build_n8n_locators.py PACKAGE_DIR [--out FILE]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("package", type=Path, help="the unpacked n8n-nodes-base package")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "flows/n8n/data/n8n_locators.json",
    )
    args = parser.parse_args(argv)
    source = args.package / "dist/types/nodes.json"
    if not source.is_file():
        print(f"error: {source} not found; pass the unpacked package directory", file=sys.stderr)
        return 2
    meta = json.loads((args.package / "package.json").read_text())
    data = {"source": f"n8n-nodes-base@{meta.get('version')} dist/types/nodes.json"}
    data.update(build(json.loads(source.read_text())))
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    fd, tmp = tempfile.mkstemp(dir=args.out.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, args.out)
    print(f"wrote {args.out} ({len(text)} bytes, {len(data['nodes'])} node types)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
