"""Cut a provider's OpenAPI description down to the operations a seed connector uses.

    python scripts/extract_provider_openapi.py SOURCE.json OUT.json \
        --op 'POST /v1/refunds' --op 'GET /v1/charges' [--max-depth 2]

Keeps ``openapi``, ``info``, ``servers``, the security schemes, the named operations (with
their path-level parameters) and every component they reach through ``$ref``. Past
``--max-depth`` reference hops a referenced schema is replaced by a stub that keeps only its
``type`` and ``nullable`` (``{"type": "string", "x-flows-pruned": "<the original $ref>"}``;
no type: any value), so an extract of a huge description (Stripe's reaches 485 schemas from
one charge) stays small; a stub accepts every value of its type, so the extract never
describes less than the original does. The output is
deterministic (sorted keys, two-space indent) so re-running it gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def _target(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for token in ref.removeprefix("#/").split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, list):
        for value in node:
            yield from _refs(value)
    elif isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            yield ref
        for key, value in node.items():
            if key != "$ref":
                yield from _refs(value)


def extract(
    document: dict[str, Any], operations: list[tuple[str, str]], max_depth: int
) -> dict[str, Any]:
    """The extract of ``document`` holding ``operations`` (method, path) and what they reach.

    A component is kept when a chain of at most ``max_depth`` references reaches it from the
    operations (schemas; every other kind of component is always kept); a reference to a
    schema that is not kept becomes a stub object.
    """
    paths: dict[str, Any] = {}
    for method, path in operations:
        item = document["paths"][path]
        kept = paths.setdefault(path, {k: v for k, v in item.items() if k not in METHODS})
        kept[method.lower()] = item[method.lower()]
    hops: dict[str, int] = {}
    frontier = sorted(set(_refs(paths)))
    depth = 1
    while frontier:
        following: set[str] = set()
        for ref in frontier:
            if ref in hops:
                continue
            hops[ref] = depth
            following.update(r for r in _refs(_target(document, ref)) if r not in hops)
        frontier = sorted(following)
        depth += 1

    def keep(ref: str) -> bool:
        return not ref.startswith("#/components/schemas/") or hops[ref] <= max_depth

    def stub(ref: str) -> dict[str, Any]:
        # only the type (and nullability) of what is pruned: never narrower than the original
        original = _target(document, ref)
        kept = {k: original[k] for k in ("type", "nullable") if k in original}
        return {**kept, "x-flows-pruned": ref}

    def rewrite(node: Any) -> Any:
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref in hops and not keep(ref):
            return stub(ref)
        return {k: rewrite(v) for k, v in node.items()}

    components: dict[str, dict[str, Any]] = {}
    for ref in sorted(hops):
        if keep(ref):
            _, _, section, name = ref.split("/", 3)
            components.setdefault(section, {})[name] = rewrite(_target(document, ref))
    schemes = document.get("components", {}).get("securitySchemes")
    if schemes:
        components["securitySchemes"] = schemes
    out: dict[str, Any] = {"openapi": document["openapi"], "info": document["info"]}
    for key in ("servers", "security"):
        if key in document:
            out[key] = document[key]
    out["paths"] = rewrite(paths)
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
