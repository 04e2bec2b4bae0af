"""Policy packs: organisation rules, written in CEL, that gate certification and publishing.

Public API::

    from connector_spec import load_spec
    from policies import evaluate, report_for_evidence
    report = evaluate(load_spec("connectors/stripe/connector.yaml"), evidence="evidence.json",
                      packs=["org-policies/"])
    report.passed, report.results, report.to_json()
    statement["predicate"]["policy"] = report_for_evidence(report)
"""

from policies.compiled import PolicyPack, Rule
from policies.context import PolicyInputs, load_evidence, load_inputs, load_manifest
from policies.engine import (
    PolicyReport,
    RuleResult,
    evaluate,
    evaluate_inputs,
    render_value,
    report_for_evidence,
)
from policies.errors import PolicyEvaluationError, PolicyInputError, PolicyPackError
from policies.loader import (
    DEFAULT_PACK_DIR,
    default_packs,
    load_pack_dir,
    load_pack_file,
    load_packs,
    parse_pack_bytes,
)

__all__ = [
    "DEFAULT_PACK_DIR",
    "PolicyEvaluationError",
    "PolicyInputError",
    "PolicyInputs",
    "PolicyPack",
    "PolicyPackError",
    "PolicyReport",
    "Rule",
    "RuleResult",
    "default_packs",
    "evaluate",
    "evaluate_inputs",
    "load_evidence",
    "load_inputs",
    "load_manifest",
    "load_pack_dir",
    "load_pack_file",
    "load_packs",
    "parse_pack_bytes",
    "render_value",
    "report_for_evidence",
]
