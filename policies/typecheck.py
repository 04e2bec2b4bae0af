"""Type-check rules when a pack is loaded, by evaluating them on sample connectors.

CEL has no static types for our JSON data, so each expression is run on representative
inputs (:mod:`policies.samples`): complete ones, and ones lacking the manifest, the evidence
or the fixtures. An operand type mismatch, a misspelt field, a non-bool condition or a read of
an input the rule does not ``require`` is reported at the expression's place in the pack.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Sequence
from typing import Any

from connector_spec.errors import Diagnostic
from policies import celenv
from policies.compiled import Expr, Rule
from policies.context import FixtureDoc, PolicyInputs, Subject, build_base, subjects


@functools.cache
def _sample_cases() -> tuple[tuple[PolicyInputs, dict[str, Any], str | None], ...]:
    """Sample inputs: complete ones, and ones lacking the manifest, evidence or fixtures."""
    from policies import samples

    cases: list[tuple[PolicyInputs, dict[str, Any], str | None]] = []
    for spec in samples.sample_specs():
        fixtures = [
            FixtureDoc(f"fixtures/{f['operation']}/{f['scenario']}.yaml", f)
            for f in samples.sample_fixtures()
        ]
        for absent in (None, "manifest", "evidence", "fixtures"):
            inputs = PolicyInputs(
                spec=spec,
                spec_file="sample/connector.yaml",
                spec_digest="a" * 64,
                manifest=None if absent == "manifest" else samples.sample_manifest(spec),
                evidence=None if absent == "evidence" else samples.sample_evidence(),
                fixtures=[] if absent == "fixtures" else fixtures,
            )
            cases.append((inputs, build_base(inputs), absent))
    return tuple(cases)


@functools.cache
def _sample_keys() -> frozenset[str]:
    keys: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                keys.add(str(key))
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    for _, base, _ in _sample_cases():
        walk(base)
    return frozenset(keys)


def dry_run(rules: Sequence[Rule], name: str) -> list[Diagnostic]:
    """Evaluate every expression on the samples; report type errors and misspelt fields.

    ``condition`` is evaluated only where ``when`` holds, as in a real check. Inputs a rule
    does not ``require`` may be absent, so the rule must also work without them.
    """
    problems: list[Diagnostic] = []
    for rule in rules:
        found: list[tuple[Expr, str, str | None]] = []
        for inputs, base, absent in _sample_cases():
            if absent is not None and absent in rule.requires:
                continue
            samples: list[Subject] = []
            for subject in subjects(rule.applies_to, inputs, base):
                variables = {**base, **subject.variables}
                if rule.when is not None:
                    problem = _check_on_samples(rule.when, True, [Subject("", variables)])
                    if problem is not None:
                        found.append((rule.when, *problem))
                        continue
                    if not celenv.run(rule.when.program, _pick(rule.when, variables)):
                        continue
                samples.append(Subject(subject.name, variables))
            if not samples:
                continue
            checks: list[tuple[Expr, str | None]] = [(rule.condition, None)]
            checks += [(p, "message") for p in rule.message if isinstance(p, Expr)]
            for expr, kind in checks:
                problem = _check_on_samples(expr, kind is None, samples, lenient=kind is not None)
                if problem is None:
                    continue
                message, hint = problem
                if absent is not None:
                    message = f"fails when the {absent} is absent: {message}"
                    hint = f"add 'requires: [{absent}]' to the rule, or guard with has()/!= null"
                found.append((expr, message, hint))
        reported: set[str] = set()
        for expr, message, hint in found:
            if expr.place not in reported:  # one problem per expression is enough
                reported.add(expr.place)
                problems.append(Diagnostic(name, expr.line, expr.column, expr.place, message, hint))
    return problems


def _pick(expr: Expr, variables: dict[str, Any]) -> dict[str, Any]:
    return {k: variables[k] for k in expr.variables}


def _check_on_samples(
    expr: Expr, must_be_bool: bool, samples: Sequence[Subject], lenient: bool = False
) -> tuple[str, str | None] | None:
    """A problem of ``expr`` on ``samples``, or None.

    ``lenient`` (message placeholders): an error counts only if the expression never works.
    """
    missing: str | None = None
    failure: str | None = None
    succeeded = False
    for sample in samples:
        try:
            value = celenv.run(expr.program, _pick(expr, sample.variables))
        except KeyError as exc:
            key = str(exc.args[0]) if exc.args else ""
            if key not in _sample_keys():
                missing = key
            continue
        except Exception as exc:  # the CEL runtime raises TypeError, RuntimeError, ...
            failure = f"CEL type error: {celenv.describe_eval_error(exc)}"
            if not lenient:
                return failure, None
            continue
        succeeded = True
        if must_be_bool and not isinstance(value, bool):
            return (
                f"expression must give a bool, but gives {type(value).__name__} {value!r}"[:200],
                "compare the value, e.g. 'size(x) > 0' or \"x == 'write'\"",
            )
    if succeeded:
        return None
    if failure is not None:
        return failure, None
    if missing is not None:
        close = difflib.get_close_matches(missing, sorted(_sample_keys()), n=1, cutoff=0.7)
        if close:
            return f"CEL type error: no field {missing!r}", f"did you mean {close[0]!r}?"
    return None
