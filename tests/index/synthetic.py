"""A large, synthetic but valid set of verified connector versions for the catalog.

Each version is what :meth:`RegistryReader.verify(keep_contents=True)` hands the site
generator: a real spec (the Stripe seed renamed, its description varied, some with the
header the n8n harvester or an OpenAPI importer writes), a certification statement, a small
real wheel. Only the signing and verifying of thousands of publishes is skipped, so the site
code runs exactly as ``flows registry site`` runs it.
"""

from __future__ import annotations

import hashlib

from registry.verify import VerifyReport, VersionInfo
from tests.index.helpers import tiny_wheel
from tests.registry.helpers import spec_bytes, statement

TOPICS = ("payments", "email", "chat", "crm", "storage", "calendar", "issues", "analytics")
LEVELS = ("gold", "silver", "bronze")
HEADERS = (
    b"",
    b"# Harvested by 'flows harvest n8n' from n8n-nodes-base 2.41.2, node n8n-nodes-base.x.\n",
    b"# Imported by 'flows import openapi' from an OpenAPI 3.0 description.\n",
)


def connector_name(index: int) -> str:
    """The name of synthetic connector ``index``."""
    return f"conn{index:04d}"


def version_info(index: int) -> VersionInfo:
    """Verified version 1.0.0 of synthetic connector ``index``."""
    name = connector_name(index)
    topic = TOPICS[index % len(TOPICS)]
    spec = spec_bytes(name).replace(
        b"description: Create, read and list Stripe charges and create refunds.",
        f"description: {topic.title()} API number {index} ({topic}).".encode(),
        1,
    )
    spec = HEADERS[(index // 3) % len(HEADERS)] + spec
    stmt = statement(name, "1.0.0", level=LEVELS[index % len(LEVELS)])
    wheel_name, wheel = tiny_wheel(name, "1.0.0")
    contents = {"connector.yaml": spec, wheel_name: wheel, "statement.json": b"{}"}
    digest = hashlib.sha256(spec + wheel).hexdigest()
    return VersionInfo(
        name=name,
        version="1.0.0",
        digest=f"sha256:{digest}",
        files=sorted(contents),
        signature_file="statement.dsse.json",
        signer="ed25519 key 0123456789abcdef",
        published="2026-11-23T12:00:00Z",
        yanked=None,
        statement=stmt,
        contents=contents,
    )


def report(count: int) -> VerifyReport:
    """A verified report over ``count`` synthetic connectors."""
    result = VerifyReport("synthetic")
    for index in range(count):
        info = version_info(index)
        result.connectors[info.name] = {info.version: info}
    return result
