"""Evaluate policy packs over a spec, its manifest, fixtures and certification evidence."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import cel

from connector_spec.errors import Diagnostic, argument
from connector_spec.loader import LoadedSpec
from policies import celenv
from policies.compiled import BATCH_VARIABLE, FAIL, PASS, SKIP, Expr, PolicyPack, Rule, batch_text
from policies.context import (
    SCOPE_VARIABLES,
    PolicyInputs,
    build_base,
    load_evidence,
    load_inputs,
    load_manifest,
    subjects,
)
from policies.errors import PolicyEvaluationError
from policies.loader import check_unique, default_packs, discover_packs, load_packs

Status = Literal["passed", "failed", "waived", "not_applicable"]
SCOPE_NOUNS = {"operation": "operations", "fixture": "fixtures", "evidence": "evidence"}
INPUT_HINTS = {
    "evidence": "no certification evidence was given (run 'flows certify connector' first, "
    "or pass {evidence})",
    "manifest": "no generated manifest was found (run 'flows generate connector' first)",
    "fixtures": "no contract fixtures were found under fixtures/",
}


@dataclass(frozen=True)
class RuleResult:
    """The outcome of one rule for one subject (or for all of its subjects when it passed)."""

    rule: str
    severity: str
    status: Status
    message: str
    subject: str
    pack: str
    hint: str | None = None
    waiver_reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "status": self.status,
            "message": self.message,
            "subject": self.subject,
            "pack": self.pack,
            "hint": self.hint,
            "waiver_reason": self.waiver_reason,
        }


@dataclass
class PolicyReport:
    """Every rule's results for one connector.

    ``packs``: the packs applied, in order, as ``{name, version, digest, file, source}``
    (``source``: ``default``, ``$FLOWS_POLICY_DIR``, ``.flows/policies`` or ``given``).
    """

    spec: str
    packs: list[dict[str, str]]
    results: list[RuleResult]
    inputs: dict[str, Any] = field(default_factory=dict)
    unused_waivers: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True unless an error-severity rule failed (waived failures do not count)."""
        return not any(r.status == "failed" and r.severity == "error" for r in self.results)

    @property
    def exit_code(self) -> int:
        """0 when passed, 1 when an error-severity rule failed."""
        return 0 if self.passed else 1

    def counts(self) -> dict[str, int]:
        """How many results have each status."""
        counts = {"passed": 0, "failed": 0, "waived": 0, "not_applicable": 0}
        for result in self.results:
            counts[result.status] += 1
        return counts

    def failures(self) -> list[RuleResult]:
        """The failed results, errors first."""
        failed = [r for r in self.results if r.status == "failed"]
        return sorted(failed, key=lambda r: r.severity != "error")

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping of the whole report."""
        return {
            "ok": self.passed,
            "passed": self.passed,
            "spec": self.spec,
            "packs": self.packs,
            "inputs": self.inputs,
            "summary": self.counts(),
            "results": [r.to_json() for r in self.results],
            "unused_waivers": self.unused_waivers,
        }


def pack_entry(pack: PolicyPack, source: str) -> dict[str, str]:
    """How a report lists an applied pack: ``{name, version, digest, file, source}``."""
    return {**pack.info(), "file": pack.file, "source": source}


def report_for_evidence(report: PolicyReport) -> dict[str, Any]:
    """The ``predicate.policy`` value of certification evidence (see docs/formats.md).

    Packs are named by name, version and digest (not by their local file).
    """
    return {
        "packs": [{key: p[key] for key in ("name", "version", "digest")} for p in report.packs],
        "results": [
            {
                "rule": r.rule,
                "severity": r.severity,
                "status": r.status,
                "message": r.message,
                "subject": r.subject,
            }
            for r in report.results
        ],
        "passed": report.passed,
    }


def applicable_packs(
    packs: Iterable[str | Path | PolicyPack] = (),
    *,
    workdir: str | Path | None = None,
    discover: bool = True,
) -> list[tuple[PolicyPack, str]]:
    """Every pack that applies, each with where it came from, in the order they apply.

    The default pack (``"default"``), the organisation packs found by
    :func:`~policies.loader.discover_packs` (``"$FLOWS_POLICY_DIR"`` or ``".flows/policies"``;
    skipped when ``discover`` is false), then ``packs`` (``"given"``: files, directories or
    loaded packs). A pack found twice (same name, same bytes) applies once.
    """
    found: list[tuple[PolicyPack, str]] = [(pack, "default") for pack in default_packs()]
    if discover:
        found += discover_packs(workdir)
    paths = [p for p in packs if not isinstance(p, PolicyPack)]
    found += [(pack, "given") for pack in load_packs(paths)]
    found += [(pack, "given") for pack in packs if isinstance(pack, PolicyPack)]
    unique: list[tuple[PolicyPack, str]] = []
    for pack, source in found:
        if all((pack.name, pack.digest) != (seen.name, seen.digest) for seen, _ in unique):
            unique.append((pack, source))
    check_unique([pack for pack, _ in unique])
    return unique


def evaluate(
    loaded_spec: LoadedSpec,
    manifest: dict[str, Any] | str | Path | None = None,
    evidence: dict[str, Any] | str | Path | None = None,
    fixtures: Sequence[dict[str, Any]] | None = None,
    packs: Iterable[str | Path | PolicyPack] = (),
    *,
    workdir: str | Path | None = None,
    discover: bool = True,
) -> PolicyReport:
    """Apply the default pack, the organisation packs and ``packs`` to a spec.

    ``packs`` are files, directories or loaded packs. Organisation packs are discovered in
    ``$FLOWS_POLICY_DIR`` or ``.flows/policies`` under ``workdir`` (default: the working
    directory) unless ``discover`` is false; see :func:`applicable_packs`.
    A manifest or fixtures that are not given are read from next to the spec when they exist;
    evidence is used only when given (a dict, or the path of a statement or DSSE envelope).
    Rules whose inputs are absent report ``not_applicable``.
    """
    applied = applicable_packs(packs, workdir=workdir, discover=discover)
    manifest_file = evidence_file = None
    if isinstance(manifest, (str, Path)):
        manifest_file, manifest = str(manifest), load_manifest(manifest)
    if isinstance(evidence, (str, Path)):
        evidence_file, evidence = str(evidence), load_evidence(evidence)
    inputs = load_inputs(loaded_spec, manifest=manifest, evidence=evidence, fixtures=fixtures)
    inputs.manifest_file = manifest_file or inputs.manifest_file
    inputs.evidence_file = evidence_file
    report = evaluate_inputs(inputs, [pack for pack, _ in applied])
    report.packs = [pack_entry(pack, source) for pack, source in applied]
    return report


def evaluate_inputs(inputs: PolicyInputs, packs: Sequence[PolicyPack]) -> PolicyReport:
    """Apply ``packs`` to already gathered inputs."""
    rules = [rule for pack in packs for rule in pack.rules]
    base = build_base(inputs, names={name for rule in rules for name in rule.variables})
    waivers = {w.rule: w.reason for w in inputs.spec.waivers}
    outcomes: dict[int, list[RuleResult]] = {}
    for scope in dict.fromkeys(rule.applies_to for rule in rules):
        in_scope = [(i, r) for i, r in enumerate(rules) if r.applies_to == scope]
        outcomes.update(_evaluate_scope(scope, in_scope, inputs, base, waivers))
    known = {rule.id for rule in rules}
    return PolicyReport(
        spec=inputs.spec_file,
        packs=[pack_entry(p, "given") for p in packs],
        results=[result for index in range(len(rules)) for result in outcomes[index]],
        inputs={
            "manifest": inputs.manifest_file or (None if inputs.manifest is None else "<given>"),
            "evidence": inputs.evidence_file or (None if inputs.evidence is None else "<given>"),
            "fixtures": len(inputs.fixtures),
        },
        unused_waivers=sorted(set(waivers) - known),
    )


def _evaluate_scope(
    scope: str,
    rules: list[tuple[int, Rule]],
    inputs: PolicyInputs,
    base: dict[str, Any],
    waivers: dict[str, str],
) -> dict[int, list[RuleResult]]:
    """Evaluate the rules of one scope: one CEL call per rule covers all of its subjects."""
    noun = SCOPE_NOUNS.get(scope, "provider")
    done: dict[int, list[RuleResult]] = {}
    active: list[tuple[int, Rule]] = []
    for index, rule in rules:
        missing = sorted(name for name in rule.requires if not inputs.has(name))
        if missing:
            message = "; ".join(
                INPUT_HINTS[m].replace("{evidence}", argument("evidence")) for m in missing
            )
            done[index] = [_result(rule, "not_applicable", message, noun)]
        else:
            active.append((index, rule))
    if not active:
        return done
    needed: set[str] = set()
    for _, rule in active:
        needed |= rule.variables
    checked = {index: 0 for index, _ in active}
    failures: dict[int, list[RuleResult]] = {index: [] for index, _ in active}
    items = subjects(scope, inputs, base)
    own = set(SCOPE_VARIABLES[scope])
    texts = [e.text for _, rule in active for e in _expressions(rule)]
    keep = {name: projection(name, texts) for name in needed}
    records = [
        {name: _project(s.variables[name], keep[name]) for name in needed & own} for s in items
    ]
    shared = {name: _project(base[name], keep[name]) for name in needed - own}
    context = celenv.make_context({**shared, BATCH_VARIABLE: records})
    contexts: dict[int, cel.Context] = {}

    def subject_context(position: int) -> cel.Context:
        if position not in contexts:
            contexts[position] = celenv.make_context({**shared, **records[position]})
        return contexts[position]

    for index, rule in active:
        codes = _batch(rule, context, len(items), own)
        for position, subject in enumerate(items):
            if codes is not None:
                code = codes[position]
            else:  # evaluate one by one to report exactly which subject broke the rule
                local = subject_context(position)
                code = SKIP
                if rule.when is None or _run(rule.when, local, subject.name, rule):
                    code = PASS if _run(rule.condition, local, subject.name, rule) else FAIL
            if code == SKIP:
                continue
            checked[index] += 1
            if code == PASS:
                continue
            message = _render(rule.message, subject_context(position))
            reason = waivers.get(rule.id)
            if reason is not None:
                failures[index].append(
                    _result(
                        rule, "waived", f"{message} (waived: {reason})", subject.name,
                        waiver_reason=reason,
                    )
                )  # fmt: skip
            else:
                failures[index].append(
                    _result(rule, "failed", message, subject.name, hint=rule.hint)
                )
    for index, rule in active:
        if checked[index] == 0:
            done[index] = [_result(rule, "not_applicable", f"no {noun} this rule applies to", noun)]
        elif failures[index]:
            done[index] = failures[index]
        else:
            single = scope in ("provider", "evidence")
            where = items[0].name if single else f"{noun} ({checked[index]})"
            done[index] = [_result(rule, "passed", rule.description, where)]
    return done


def _expressions(rule: Rule) -> list[Expr]:
    found = [rule.condition] + ([rule.when] if rule.when is not None else [])
    return found + [p for p in rule.message if isinstance(p, Expr)]


def projection(name: str, texts: Sequence[str]) -> frozenset[str] | None:
    """The fields of variable ``name`` the expressions select, or None if used otherwise.

    When every use of ``name`` is a field selection (``op.id``, ``has(op.idempotency)``),
    only those fields need converting to CEL, which is most of the cost of an evaluation.
    """
    fields: set[str] = set()
    pattern = re.compile(rf"(?<![\w.]){re.escape(name)}\b(\s*\.\s*([A-Za-z_]\w*))?")
    for text in texts:
        for match in pattern.finditer(text):
            if match.group(2) is None:
                return None
            fields.add(match.group(2))
    return frozenset(fields)


def _project(value: Any, keep: frozenset[str] | None) -> Any:
    if keep is None or not isinstance(value, dict):
        return value
    return {key: item for key, item in value.items() if key in keep}


def _batch(rule: Rule, context: cel.Context, count: int, own: set[str]) -> list[int] | None:
    """Codes for every subject, or None when an expression errs (then evaluate one by one)."""
    try:
        codes = celenv.run(celenv.compile_cel(batch_text(rule, own)), context)
    except Exception:  # any CEL error: the per-subject path reports it with its location
        return None
    if not isinstance(codes, list) or len(codes) != count:
        return None
    return [int(c) for c in codes]


def _result(rule: Rule, status: Status, message: str, subject: str, **extra: Any) -> RuleResult:
    return RuleResult(rule.id, rule.severity, status, message, subject, rule.pack, **extra)


def _run(expr: Expr, context: cel.Context, subject: str, rule: Rule) -> bool:
    try:
        value = celenv.run(expr.program, context)
    except Exception as exc:  # the CEL runtime raises KeyError, TypeError, RuntimeError, ...
        raise PolicyEvaluationError(
            [
                Diagnostic(
                    expr.file,
                    expr.line,
                    expr.column,
                    expr.place,
                    f"rule {rule.id} could not be evaluated for {subject}: "
                    f"{celenv.describe_eval_error(exc)}",
                    "guard optional fields with has(...), e.g. has(op.idempotency) && ...",
                )
            ]
        ) from None
    if not isinstance(value, bool):
        raise PolicyEvaluationError(
            [
                Diagnostic(
                    expr.file, expr.line, expr.column, expr.place,
                    f"rule {rule.id} gave {type(value).__name__} for {subject}, not a bool", None,
                )
            ]
        )  # fmt: skip
    return value


def _render(parts: Sequence[str | Expr], context: cel.Context) -> str:
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        try:
            out.append(render_value(celenv.run(part.program, context)))
        except Exception as exc:  # a broken placeholder must not hide the failure itself
            out.append(f"<{{{part.text}}}: {celenv.describe_eval_error(exc)}>")
    return "".join(out)


def render_value(value: Any) -> str:
    """How a placeholder's value appears in a message (lists joined with ', ')."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (list, tuple)):
        flat: list[str] = []
        for item in value:
            text = render_value(item)
            if text:
                flat.append(text)
        return ", ".join(flat) if flat else "(none)"
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)
