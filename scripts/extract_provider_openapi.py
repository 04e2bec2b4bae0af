"""Cut a provider's OpenAPI description down to the operations a seed connector uses.

    python scripts/extract_provider_openapi.py SOURCE.json OUT.json \
        --op 'POST /v1/refunds' --op 'GET /v1/charges' [--max-depth 2]

Keeps ``openapi``, ``info``, ``servers``, the security schemes, the named operations (with
their path-level parameters) and every component they reach through ``$ref``. Past
``--max-depth`` reference hops a referenced schema is replaced by a stub object
(``{"type": "object", "x-flows-pruned": "<the original $ref>"}``), so an extract of a huge
description (Stripe's reaches 485 schemas from one charge) stays small; a stub accepts any
object, so the extract never describes less than the original does. The output is
deterministic (sorted keys, two-space indent) so re-running it gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def _target(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for token in ref.removeprefix("#/").split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def extract(
    document: dict[str, Any], operations: list[tuple[str, str]], max_depth: int
) -> dict[str, Any]:
    """The extract of ``document`` holding ``operations`` (method, path) and what they reach."""
    paths: dict[str, Any] = {}
    for method, path in operations:
        item = document["paths"][path]
        kept = paths.setdefault(path, {k: v for k, v in item.items() if k not in METHODS})
        kept[method.lower()] = item[method.lower()]
    components: dict[str, dict[str, Any]] = {}

    def walk(node: Any, depth: int) -> Any:
        if isinstance(node, list):
            return [walk(v, depth) for v in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            _, _, section, name = ref.split("/", 3)
            if section == "schemas" and depth >= max_depth:
                return {"type": "object", "x-flows-pruned": ref}
            bucket = components.setdefault(section, {})
            if name not in bucket:
                bucket[name] = {}  # placeholder: cycles end here
                bucket[name] = walk(_target(document, ref), depth + 1)
            return dict(node)
        return {k: walk(v, depth) for k, v in node.items()}

    paths = walk(paths, 0)
    schemes = document.get("components", {}).get("securitySchemes")
    if schemes:
        components["securitySchemes"] = schemes
    out: dict[str, Any] = {"openapi": document["openapi"], "info": document["info"]}
    for key in ("servers", "security"):
        if key in document:
            out[key] = document[key]
    out["paths"] = paths
    out["components"] = components
    return out


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--op", action="append", required=True, help="'METHOD /path'")
    parser.add_argument("--max-depth", type=int, default=1000)
    args = parser.parse_args()
    document = json.loads(args.source.read_text(encoding="utf-8"))
    operations = [(op.split(" ", 1)[0], op.split(" ", 1)[1]) for op in args.op]
    result = extract(document, operations, args.max_depth)
    text = json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"{args.out}: {len(text):,} bytes")


if __name__ == "__main__":
    main()
