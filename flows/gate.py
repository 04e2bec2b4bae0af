"""Certification plus the policy gate: the evidence ``flows certify`` and ``flows publish`` write.

``certify`` knows nothing of policies and leaves ``predicate.policy`` null; this module (on top
of both) evaluates the policy packs over the spec with the certification statement as evidence
and fills ``predicate.policy`` with :func:`policies.report_for_evidence`. ``flows certify
connector``, the MCP ``connector_certify`` tool and the publish pipeline all go through
:func:`gate_certification`, so their evidence has the same shape. A run restricted with
``--only`` earns no level and is not gated.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from certify import CertificationResult, CheckResult, certify_connector
from certify.canonical import canonical_bytes
from certify.evidence import STATEMENT_FILE
from connector_spec.loader import LoadedSpec, load_spec
from policies import PolicyReport, evaluate, report_for_evidence


@dataclass
class GatedCertification:
    """A certification, the policy report over it, and the evidence recording both.

    ``policy`` is None when the gate was not applied: a run restricted with ``only`` earns no
    level, so there is no certification to gate (its evidence keeps ``predicate.policy``
    null).
    """

    certification: CertificationResult
    policy: PolicyReport | None

    @property
    def passed(self) -> bool:
        """True when every check passed and no error-severity rule failed."""
        return self.certification.passed and (self.policy is None or self.policy.passed)

    def to_json(self) -> dict[str, Any]:
        """The certification report (``--json``) with the policy report under ``policy``."""
        data = self.certification.to_json()
        data["ok"] = self.passed
        data["policy"] = None if self.policy is None else self.policy.to_json()
        return data


def gate_certification(
    loaded: LoadedSpec,
    certification: CertificationResult,
    *,
    manifest: dict[str, Any] | str | Path | None = None,
    packs: Sequence[str | Path] = (),
    workdir: str | Path | None = None,
) -> tuple[CertificationResult, PolicyReport]:
    """Evaluate the policy packs over ``loaded`` with ``certification`` as evidence.

    Returns a copy of ``certification`` whose statement (and ``statement.json`` bytes) carry
    the report in ``predicate.policy``, and the report; nothing is written. ``packs`` and
    ``workdir`` are passed to :func:`policies.evaluate` (the default pack and the organisation
    packs always apply). A broken pack raises :class:`policies.PolicyPackError` (exit 2).
    """
    report = evaluate(
        loaded,
        manifest=manifest,
        evidence=certification.statement,
        packs=list(packs),
        workdir=workdir,
    )
    statement = copy.deepcopy(certification.statement)
    statement["predicate"]["policy"] = report_for_evidence(report)
    statement_bytes = canonical_bytes(statement)
    gated = copy.copy(certification)
    gated.statement = statement
    gated.statement_bytes = statement_bytes
    gated.files = {**certification.files, STATEMENT_FILE: statement_bytes}
    gated.written = []
    return gated, report


def certify_and_gate(
    spec_path: str | Path,
    *,
    only: Sequence[str] | None = None,
    out: str | Path | None = None,
    packs: Sequence[str | Path] = (),
    workdir: str | Path | None = None,
    progress: Callable[[CheckResult], None] | None = None,
    openapi: str | Path | None = None,
) -> GatedCertification:
    """Certify ``spec_path``, gate it, and write the evidence to ``out``.

    ``openapi`` is the provider's description to check the spec against (default: the
    spec's own ``provider.openapi``).

    The evidence is a record of what was checked: it is written whenever every check passed,
    whatever the policy outcome, and records that outcome in ``predicate.policy`` (the gate
    decides publishing, and ``flows policy check --evidence`` reads it). A failed check
    writes nothing and leaves earlier evidence in ``out`` as it was, like
    :func:`certify.certify_connector`. A run restricted with ``only`` is not gated (it earns
    no level; see :class:`GatedCertification`).
    """
    loaded = load_spec(spec_path)
    result = certify_connector(spec_path, only=only, progress=progress, openapi=openapi)
    if only:
        gated = GatedCertification(result, None)
        if out is not None and gated.passed:
            result.write(out)
        return gated
    gated = GatedCertification(*gate_certification(loaded, result, packs=packs, workdir=workdir))
    if out is not None and gated.certification.passed:
        gated.certification.write(out)
    return gated
