"""Mutation testing of certification: realistic client bugs, each of which must fail a check.

A mutant is one edit of a generated package's own runtime copy (or of its generated client):
the kind of bug a runtime change could bring in. :func:`run_mutant` regenerates the target
connector in a scratch folder, applies the edit, certifies it and says whether a check other
than ``codegen.reproducible`` (which any edit fails) caught it. ``tests/certify/
test_mutation.py`` runs a fast subset; ``benchmarks/bench_mutation.py`` runs them all and
prints the kill rate.

The targets are the small seed connectors (``tests/data/small_seeds``) and ``COVERAGE``: a
small connector that has what they lack (offset, page-number and link pagination,
environments, a server variable with an enum, a capped backoff, a header parameter).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from certify import certify_connector
from connector_spec.codegen import generate_to_directory
from tests.certify.mutant import Mutant
from tests.certify.mutants_requests import REQUEST_MUTANTS
from tests.certify.mutants_transport import TRANSPORT_MUTANTS

REPO = Path(__file__).resolve().parents[2]
PACKAGES = {
    "stripe": "flows_stripe",
    "slack": "flows_slack",
    "sendgrid": "flows_sendgrid",
    "coverage": "flows_coverage",
}
STALE = "codegen.reproducible"

COVERAGE = (Path(__file__).parent / "data" / "coverage.yaml").read_text()
MUTANTS: list[Mutant] = [*TRANSPORT_MUTANTS, *REQUEST_MUTANTS]


@dataclass
class MutantResult:
    """What certification said about one mutant."""

    mutant: Mutant
    failed: set[str]
    messages: list[str]
    seconds: float

    @property
    def killed(self) -> bool:
        """A check other than ``codegen.reproducible`` failed."""
        return bool(self.failed - {STALE})

    @property
    def killed_as_expected(self) -> bool:
        """The check the mutant was written against is among the failed ones."""
        return any(f.startswith(self.mutant.kills) for f in self.failed)


def prepare_target(target: str, folder: Path) -> Path:
    """A freshly generated copy of ``target`` (spec, fixtures, package) in ``folder``."""
    where = folder / target
    where.mkdir(parents=True)
    spec = where / "connector.yaml"
    if target == "coverage":
        spec.write_text(COVERAGE)
    else:
        source = REPO / "tests" / "data" / "small_seeds" / target  # README there
        spec.write_bytes((source / "connector.yaml").read_bytes())
        shutil.copytree(source / "fixtures", where / "fixtures")
        if (source / "provider").is_dir():
            shutil.copytree(source / "provider", where / "provider")
    generate_to_directory(spec, where)
    return spec


def apply(mutant: Mutant, spec: Path) -> None:
    """Edit the package next to ``spec`` (every occurrence of ``old``)."""
    path = spec.parent / PACKAGES[mutant.target] / mutant.file
    text = path.read_text()
    if mutant.old not in text:
        raise AssertionError(f"mutant {mutant.name!r}: {mutant.old!r} not in {path.name}")
    path.write_text(text.replace(mutant.old, mutant.new))


def run_mutant(mutant: Mutant, folder: Path, prepared: dict[str, Path]) -> MutantResult:
    """Certify ``mutant`` in a copy of its prepared target under ``folder``."""
    import time

    original = prepared[mutant.target]
    copy = folder / f"m{len(list(folder.iterdir()))}" / mutant.target
    shutil.copytree(original.parent, copy)
    spec = copy / "connector.yaml"
    apply(mutant, spec)
    start = time.perf_counter()
    result = certify_connector(spec)
    seconds = time.perf_counter() - start
    failed = {c.id for c in result.failed}
    messages = [f"{c.id} {c.operation or ''}: {c.message}" for c in result.failed if c.id != STALE]
    shutil.rmtree(copy.parent, ignore_errors=True)
    return MutantResult(mutant, failed, messages, seconds)
