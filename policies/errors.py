"""Errors of the policy engine: bad packs and bad inputs, each located in its file."""

from __future__ import annotations

from connector_spec.errors import DiagnosticError


class PolicyPackError(DiagnosticError):
    """A policy pack file is not valid: YAML, an unknown field, a CEL syntax or type error."""

    kind = "the policy pack"


class PolicyInputError(DiagnosticError):
    """A file a policy check reads (manifest, fixture, evidence) is not readable data."""

    kind = "the policy inputs"


class PolicyEvaluationError(PolicyPackError):
    """A rule's expression could not be evaluated on real data (a bug in the rule)."""

    kind = "the policy pack"
