"""The mutation run, fast subset: realistic runtime bugs are each caught by the check written
for them (``benchmarks/bench_mutation.py`` runs every mutant and prints the kill rate)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from certify import certify_connector
from certify.results import UNCHECKED_LEVEL
from flows.cli.app import app
from tests.certify.mutation import (
    MUTANTS,
    PACKAGES,
    Mutant,
    apply,
    prepare_target,
    run_mutant,
)

FAMILIES = {"retry", "4xx", "arguments", "pagination", "async", "settings", "body errors", "fault"}
#: One or two mutants of every family (the whole set runs in the benchmark).
FAST = [
    "retry 5xx without bound",
    "jitter on the first wait only",
    "Retry-After honoured on 429 only",
    "404 returns None",
    "falsy values dropped from a form",
    "path parameter '..' left as a dot segment",
    "filters and limit dropped after page 1",
    "page numbers start one too low",
    "next-page link to another host followed",
    "async iterator yields unvalidated items",
    "environment variables ignored",
    "configured timeout not applied",
    "client-side rate limiter disabled",
    "body-level 'ratelimited' is a client error",
]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("targets")
    return {t: prepare_target(t, base) for t in sorted({m.target for m in MUTANTS})}


def test_the_mutants_cover_every_family_and_are_at_least_thirty() -> None:
    assert len(MUTANTS) >= 30
    assert {m.family for m in MUTANTS} == FAMILIES
    assert len({m.name for m in MUTANTS}) == len(MUTANTS)
    assert set(FAST) <= {m.name for m in MUTANTS}


def test_every_target_certifies_before_mutation(prepared: dict[str, Path]) -> None:
    for target, spec in prepared.items():
        result = certify_connector(spec)
        assert result.passed, (target, [(c.id, c.operation, c.message) for c in result.failed])
        # a seed names its provider's description; the synthetic target has none
        expected = "certified" if target != "coverage" else UNCHECKED_LEVEL
        assert result.level == expected, (target, result.level)


def test_every_mutant_still_applies_to_its_target(prepared: dict[str, Path]) -> None:
    # a runtime change can move the code a mutant edits; the mutant must then be updated
    for mutant in MUTANTS:
        path = prepared[mutant.target].parent / PACKAGES[mutant.target] / mutant.file
        assert mutant.old in path.read_text(), (mutant.name, str(path))


@pytest.mark.parametrize("name", FAST)
def test_a_mutant_is_killed_by_its_check(
    name: str, prepared: dict[str, Path], tmp_path: Path
) -> None:
    mutant = next(m for m in MUTANTS if m.name == name)
    result = run_mutant(mutant, tmp_path, prepared)
    assert result.killed_as_expected, (mutant.kills, sorted(result.failed), result.messages[:3])


def test_falsy_arguments_message_names_the_dropped_field(
    prepared: dict[str, Path], tmp_path: Path
) -> None:
    mutant = next(m for m in MUTANTS if m.name == "falsy values dropped from a form")
    result = run_mutant(mutant, tmp_path, prepared)
    assert any(
        "contract.arguments_falsy create_charge: with falsy arguments" in m
        and 'the client dropped form customer=""' in m
        for m in result.messages
    ), result.messages


def test_a_runtime_fault_is_a_failed_check_exit_1_naming_the_exception(
    prepared: dict[str, Path], tmp_path: Path
) -> None:
    fault: Mutant = next(m for m in MUTANTS if m.family == "fault")
    copy = tmp_path / "coverage"
    copy.mkdir()
    for name in ("connector.yaml",):
        (copy / name).write_bytes((prepared["coverage"].parent / name).read_bytes())
    spec = copy / "connector.yaml"
    import shutil

    shutil.copytree(prepared["coverage"].parent / "flows_coverage", copy / "flows_coverage")
    shutil.copy(prepared["coverage"].parent / "pyproject.toml", copy / "pyproject.toml")
    apply(fault, spec)
    out = CliRunner().invoke(app, ["certify", "connector", str(spec), "--json"])
    assert out.exit_code == 1, out.output  # a failed check, never "fix your spec" (exit 2)
    report = json.loads(out.output)
    failed = [
        c for c in report["checks"] if c["status"] == "failed" and c["id"] != "codegen.reproducible"
    ]
    assert failed
    assert all("runtime fault" in c["message"] and "AttributeError" in c["message"] for c in failed)
    assert "Traceback" not in out.output
