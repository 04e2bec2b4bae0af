"""Compiled rules and packs, and the all-subjects-at-once form of a rule."""

from __future__ import annotations

from dataclasses import dataclass

import cel


@dataclass(frozen=True)
class Expr:
    """One compiled CEL expression and where it is written."""

    text: str
    program: cel.Program
    file: str
    place: str
    line: int | None
    column: int | None
    variables: frozenset[str]


@dataclass(frozen=True)
class Rule:
    """A rule ready to evaluate."""

    id: str
    description: str
    severity: str
    applies_to: str
    requires: frozenset[str]
    when: Expr | None
    condition: Expr
    message: tuple[str | Expr, ...]
    hint: str | None
    pack: str
    file: str

    @property
    def variables(self) -> frozenset[str]:
        """Every variable any of the rule's expressions reads."""
        names = set(self.condition.variables)
        if self.when is not None:
            names |= self.when.variables
        for part in self.message:
            if isinstance(part, Expr):
                names |= part.variables
        return frozenset(names)


@dataclass(frozen=True)
class PolicyPack:
    """A loaded, checked policy pack."""

    name: str
    version: str
    description: str | None
    file: str
    digest: str
    rules: tuple[Rule, ...]

    def info(self) -> dict[str, str]:
        """``{"name", "version", "digest"}``: how reports and evidence name the pack."""
        return {"name": self.name, "version": self.version, "digest": self.digest}


FAIL, PASS, SKIP = 0, 1, 2
BATCH_VARIABLE = "flows_subjects"


def batch_text(rule: Rule, own: set[str] | frozenset[str]) -> str:
    """One CEL expression evaluating ``rule`` for every subject of its scope at once.

    Each subject's own variables (``op``, ``fixture``, ...) are bound with a one-element
    ``map``; the result is a list of codes: 0 failed, 1 passed, 2 not applicable (``when``).
    """
    body = f"(({rule.condition.text}) ? {PASS} : {FAIL})"
    if rule.when is not None:
        body = f"(({rule.when.text}) ? {body} : {SKIP})"
    for name in sorted(rule.variables & own):
        body = f"[flows_s.{name}].map({name}, {body})[0]"
    return f"{BATCH_VARIABLE}.map(flows_s, {body})"
