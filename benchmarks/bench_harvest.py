"""Benchmark: harvest of the full n8n catalog (target <= 5 s) and the counts issue 7 asks for.

Usage::

    npm pack n8n-nodes-base@2.41.2          # once, anywhere
    python benchmarks/bench_harvest.py n8n-nodes-base-2.41.2.tgz [--usage DIR] [--repeat 3]

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
    return 0 if worst <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
