"""Policy packs: organisation rules, written in CEL, that gate certification and publishing.

Public API::

    from connector_spec import load_spec
    from policies import evaluate, report_for_evidence
    report = evaluate(load_spec("connectors/stripe/connector.yaml"), evidence="evidence.json",
                      packs=["org-policies/"])   # + $FLOWS_POLICY_DIR or .flows/policies/
    report.passed, report.results, report.to_json()
    statement["predicate"]["policy"] = report_for_evidence(report)
"""

from policies.compiled import PolicyPack, Rule
from policies.context import PolicyInputs, load_evidence, load_inputs, load_manifest
from policies.engine import (
    PolicyReport,
    RuleResult,
    applicable_packs,
    evaluate,
    evaluate_inputs,
    render_value,
    report_for_evidence,
)
from policies.errors import PolicyEvaluationError, PolicyInputError, PolicyPackError
from policies.loader import (
    DEFAULT_PACK_DIR,
    ORG_PACK_DIR,
    POLICY_DIR_ENV,
    default_packs,
    discover_packs,
    load_pack_dir,
    load_pack_file,
    load_packs,
    org_pack_dirs,
    pack_files,
    parse_pack_bytes,
)

__all__ = [
    "DEFAULT_PACK_DIR",
    "ORG_PACK_DIR",
    "POLICY_DIR_ENV",
    "PolicyEvaluationError",
    "PolicyInputError",
    "PolicyInputs",
    "PolicyPack",
    "PolicyPackError",
    "PolicyReport",
    "Rule",
    "RuleResult",
    "applicable_packs",
    "default_packs",
    "discover_packs",
    "evaluate",
    "evaluate_inputs",
    "load_evidence",
    "load_inputs",
    "load_manifest",
    "load_pack_dir",
    "load_pack_file",
    "load_packs",
    "org_pack_dirs",
    "pack_files",
    "parse_pack_bytes",
    "render_value",
    "report_for_evidence",
]
