"""Connector certification: contract-fixture replay, a synthesized contract matrix,
determinism, idempotency and secret checks, and in-toto evidence bundles.

    from certify import certify_connector
    result = certify_connector("connectors/stripe/connector.yaml")
    result.passed, result.level, result.statement_bytes
"""

from certify.api import CertificationResult, certify_connector, default_out_dir
from certify.evidence import HARNESS_VERSION
from certify.fixtures import Fixture, load_fixtures, rehash
from certify.results import CheckResult, derive_level

__all__ = [
    "HARNESS_VERSION",
    "CertificationResult",
    "CheckResult",
    "Fixture",
    "certify_connector",
    "default_out_dir",
    "derive_level",
    "load_fixtures",
    "rehash",
]
