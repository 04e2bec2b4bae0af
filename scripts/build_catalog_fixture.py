"""Build the small n8n catalog fixture in tests/harvest/data/ from the real npm package.

Usage::

    npm pack n8n-nodes-base@2.41.2 && tar xzf n8n-nodes-base-2.41.2.tgz
    python scripts/build_catalog_fixture.py package tests/harvest/data/n8n-catalog

It copies, as data, a handful of node descriptions chosen to cover every harvest path
(declarative with pagination, declarative with OAuth2 and __schema__ files, programmatic with a
templated host, programmatic with OAuth2, a declarative node without credentials, a versioned
node, a declarative node with concatenated URLs and a session token, a trigger and a core
node), the credential types they use (with the types those extend),
their __schema__ files and the package version.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

NODES = [
    "adalo",  # declarative, offset pagination, {{$credentials.appId}} in the base URL
    "googleAds",  # declarative, OAuth2 (googleAdsOAuth2Api → googleOAuth2Api → oAuth2Api)
    "mailgun",  # programmatic, basic auth with a fixed user, https://{{$credentials.apiDomain}}
    "bitly",  # programmatic, API key or OAuth2
    "postBin",  # declarative without credentials
    "todoist",  # two versioned descriptions: the newest is harvested
    "metabase",  # declarative: "/api/card/" + $parameter.x URLs, a host without default,
    # an expirable session token (preAuthentication), a postReceive hook on one operation
    "acuitySchedulingTrigger",  # trigger: skipped
    "noOp",  # core node: skipped
]


def _ancestors(name: str, credentials: dict[str, dict[str, Any]]) -> list[str]:
    seen: list[str] = []
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen or current not in credentials:
            continue
        seen.append(current)
        parents = credentials[current].get("extends") or []
        pending.extend(p for p in parents if isinstance(p, str))
    return seen


def build(package: Path, out: Path) -> int:
    """Write the fixture under ``out``; return its total size in bytes."""
    nodes = json.loads((package / "dist/types/nodes.json").read_text())
    credentials = {
        c["name"]: c for c in json.loads((package / "dist/types/credentials.json").read_text())
    }
    chosen = [n for n in nodes if n["name"] in NODES]
    missing = set(NODES) - {n["name"] for n in chosen}
    if missing:
        raise SystemExit(f"not in this package: {sorted(missing)}")
    cred_names: list[str] = []
    for node in chosen:
        for ref in node.get("credentials") or []:
            for name in _ancestors(ref["name"], credentials):
                if name not in cred_names:
                    cred_names.append(name)
    version = json.loads((package / "package.json").read_text())["version"]
    if out.exists():
        shutil.rmtree(out)
    (out / "dist/types").mkdir(parents=True)
    (out / "package.json").write_text(
        json.dumps({"name": "n8n-nodes-base", "version": version}, indent=2) + "\n"
    )
    (out / "dist/types/nodes.json").write_text(json.dumps(chosen, indent=1) + "\n")
    (out / "dist/types/credentials.json").write_text(
        json.dumps([credentials[n] for n in sorted(cred_names)], indent=1) + "\n"
    )
    for node in chosen:
        icon = node.get("iconUrl")
        icon = icon.get("light") if isinstance(icon, dict) else icon
        if not isinstance(icon, str) or "dist/nodes/" not in icon:
            continue
        node_dir = icon.split("dist/nodes/", 1)[1].rsplit("/", 1)[0]
        schema_root = package / "dist/nodes" / node_dir / "__schema__"
        if schema_root.is_dir():
            target = out / "dist/nodes" / node_dir / "__schema__"
            shutil.copytree(schema_root, target, dirs_exist_ok=True)
    return sum(f.stat().st_size for f in out.rglob("*") if f.is_file())


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("package", type=Path, help="unpacked n8n-nodes-base package directory")
    parser.add_argument("out", type=Path, help="fixture directory to (re)write")
    args = parser.parse_args(argv)
    size = build(args.package, args.out)
    print(f"wrote {args.out} ({size} bytes)")
    return 0 if size < 200_000 else 1


if __name__ == "__main__":
    sys.exit(main())
