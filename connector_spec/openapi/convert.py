"""An OpenAPI description → ConnectorSpec document(s) and a per-operation conversion report.

:func:`convert_openapi` maps the provider-level parts (servers, auth, provenance), every
operation (kept / lossy / lost, with reasons), assembles and validates the spec with the
spec's own rules, and splits a description too large for one spec file by resource (tag).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from connector_spec.openapi.assemble import SpecAssemblyError, reachable
from connector_spec.openapi.document import OpenApiDocument
from connector_spec.openapi.losses import KeywordLosses, Loss
from connector_spec.openapi.mapper import MappingContext, OperationResult, map_operation
from connector_spec.openapi.naming import slug
from connector_spec.openapi.schema_map import SchemaMapper
from connector_spec.openapi.security import choose_auth
from connector_spec.openapi.servers import map_servers, path_secret
from connector_spec.openapi.split import ConvertedSpec, build_specs
from connector_spec.openapi.views import OperationView

SPEC_VERSION = "0.1.0"


@dataclass
class Conversion:
    """Everything one conversion produced and lost."""

    provider: str
    source: str
    sha256: str
    openapi_version: str
    api_version: str | None
    title: str
    specs: list[ConvertedSpec] = field(default_factory=list)
    results: list[OperationResult] = field(default_factory=list)
    unselected: int = 0
    provider_losses: list[Loss] = field(default_factory=list)
    warnings: list[Loss] = field(default_factory=list)
    keywords: KeywordLosses = field(default_factory=KeywordLosses)

    @property
    def total(self) -> int:
        """Operations considered (the selected ones)."""
        return len(self.results)

    @property
    def kept(self) -> int:
        """Operations in a written spec."""
        return sum(1 for r in self.results if r.operation is not None)

    def lost_by_reason(self) -> dict[str, int]:
        """Lost operations by reason code (an operation counts once per code)."""
        counts: dict[str, int] = {}
        for result in self.results:
            for code in dict.fromkeys(r.code for r in result.reasons):
                counts[code] = counts.get(code, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def losses_by_code(self) -> dict[str, int]:
        """Losses of kept operations by code."""
        counts: dict[str, int] = {}
        for result in self.results:
            if result.operation is None:
                continue
            for code in dict.fromkeys(loss.code for loss in result.losses):
                counts[code] = counts.get(code, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def provider_name(doc: OpenApiDocument) -> str:
    """A stable provider slug: APIs.guru's provider + service names, else host + title."""
    info = doc.info
    provider, service = info.get("x-providerName"), info.get("x-serviceName")
    if isinstance(provider, str) and provider:
        return slug(f"{provider} {service}" if isinstance(service, str) and service else provider)
    host = ""
    for server in doc.servers:
        concrete = re.sub(r"\{[^{}]*\}\.?", "", str(server["url"]))
        host = (urlsplit(concrete).hostname or "").strip(".")
        if host:
            break
    return slug(f"{host} {doc.title}" if host else doc.title)


def select_operations(
    operations: Sequence[OperationView], patterns: Sequence[str]
) -> list[OperationView]:
    """Operations matching any pattern: an operationId (glob), ``tag:NAME`` or ``GET /path``."""
    chosen = []
    for op in operations:
        for pattern in patterns:
            if pattern.startswith("tag:"):
                if any(fnmatch.fnmatchcase(t, pattern[4:]) for t in op.tags):
                    break
            elif re.match(r"^[A-Za-z]+ /", pattern):
                method, _, path = pattern.partition(" ")
                if method.lower() == op.method and fnmatch.fnmatchcase(op.path, path):
                    break
            elif op.operation_id and fnmatch.fnmatchcase(op.operation_id, pattern):
                break
        else:
            continue
        chosen.append(op)
    return chosen


def convert_openapi(
    doc: OpenApiDocument,
    *,
    provider: str | None = None,
    select: Sequence[str] = (),
    provenance: dict[str, Any] | None = None,
    spec_version: str = SPEC_VERSION,
) -> Conversion:
    """Convert ``doc``; ``provenance`` is the spec's ``provider.openapi`` (default: source)."""
    name = provider or provider_name(doc)
    conversion = Conversion(
        provider=name,
        source=doc.source,
        sha256=doc.sha256,
        openapi_version=doc.openapi_version,
        api_version=doc.api_version,
        title=doc.title,
    )
    operations = list(doc.operations())
    if select:
        chosen = select_operations(operations, select)
        conversion.unselected = len(operations) - len(chosen)
        operations = chosen
    servers = map_servers(doc.servers)
    auth = choose_auth(name, doc.security_schemes(), doc.security, operations)
    if auth.auth == {"type": "none"}:
        path_key = path_secret(name, servers)
        if path_key is not None:
            auth.auth, warning = path_key
            conversion.warnings.append(warning)
    conversion.provider_losses += servers.losses + (auth.losses if auth.auth is None else [])
    conversion.warnings += servers.warnings + auth.warnings
    if auth.auth is not None:
        conversion.warnings += [
            Loss("auth-alternative", loss.detail, loss.pointer) for loss in auth.losses
        ]
    schemas = SchemaMapper(doc)
    context = MappingContext(
        schemas=schemas,
        auth=auth,
        server_urls=frozenset(str(s["url"]).rstrip("/") for s in doc.servers),
    )
    conversion.results = [map_operation(context, op) for op in operations]
    conversion.keywords = schemas.keywords
    if servers.base_url is None or auth.auth is None:
        return conversion
    head = _head(doc, name, spec_version, provenance)
    head["base_url"] = servers.base_url
    if servers.variables:
        head["variables"] = servers.variables
    if servers.environments:
        head["environments"] = servers.environments
    head["auth"] = auth.auth
    try:
        conversion.specs = build_specs(head, conversion.results, schemas)
    except SpecAssemblyError as exc:
        conversion.provider_losses.append(Loss("spec-refused", str(exc)[:500]))
    return conversion


def _head(
    doc: OpenApiDocument, name: str, version: str, provenance: dict[str, Any] | None
) -> dict[str, Any]:
    info = doc.info
    raw_description = info.get("description")
    description = raw_description.strip() if isinstance(raw_description, str) else ""
    description = description.split("\n\n")[0].strip()[:1000] or doc.title
    reference: dict[str, Any] = dict(provenance or {"source": doc.source})
    reference.setdefault("sha256", doc.sha256)
    if doc.api_version:
        reference.setdefault("version", doc.api_version)
    return {
        "apiVersion": "flows.dev/v1",
        "kind": "ConnectorSpec",
        "provider": {
            "name": name,
            "version": version,
            "display_name": doc.title[:200],
            "description": description,
            "docs_url": _docs_url(doc),
            "openapi": reference,
        },
    }


def _docs_url(doc: OpenApiDocument) -> str:
    candidates: list[Any] = []
    docs = doc.data.get("externalDocs")
    if isinstance(docs, dict):
        candidates.append(docs.get("url"))
    contact = doc.info.get("contact")
    if isinstance(contact, dict):
        candidates.append(contact.get("url"))
    origins = doc.info.get("x-origin")
    if isinstance(origins, list):
        candidates += [o.get("url") for o in origins if isinstance(o, dict)]
    candidates += [s.get("url") for s in doc.servers]
    for url in candidates:
        if isinstance(url, str) and re.match(r"^https://[^\s{}/]+", url) and " " not in url:
            return url
    return "https://spec.openapis.org/oas/v3.1.0"


__all__ = ["Conversion", "ConvertedSpec", "convert_openapi", "provider_name", "reachable"]
