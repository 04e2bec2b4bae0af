"""The implementations of the MCP tools, imported on the first tool call (not at start-up).

Each tool takes its validated input model (:mod:`flows.mcp.tools`) and the
:class:`~flows.mcp.paths.Sandbox`, confines every path through the sandbox, calls the library
function the CLI calls (imported lazily) and returns a :class:`~flows.mcp.tools.ToolResult`
whose ``data`` is the same JSON the CLI prints with ``--json``. Library errors
(:class:`~connector_spec.errors.FlowsError`) propagate; the server turns them into MCP tool
errors.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows.mcp.tools import (
    ConnectorCertifyInput,
    ConnectorGenerateInput,
    GraphVisualizeInput,
    N8nImportInput,
    PolicyCheckInput,
    RegistryInput,
    RegistrySearchInput,
    RegistryShowInput,
    RegistryVerifyInput,
    SpecDiffInput,
    SpecSchemaInput,
    SpecValidateInput,
    ToolResult,
)

if TYPE_CHECKING:
    from flows.mcp.paths import Sandbox

SVG_TIMEOUT_SECONDS = 20.0
TRUST_DIR_ENV = "FLOWS_TRUST_DIR"


# --- helpers ----------------------------------------------------------------------------------


def _one_of(first: object, second: object, names: str) -> None:
    from connector_spec.errors import InputError

    if (first is None) == (second is None):
        raise InputError(f"give exactly one of {names}", hint="see the tool's input schema")


def _inline_bytes(value: dict[str, Any] | str, sandbox: Sandbox, field: str) -> bytes:
    text = value if isinstance(value, str) else json.dumps(value)
    return sandbox.check_text(text, field=field)


def _json_from_bytes(raw: bytes, name: str) -> Any:
    from connector_spec.errors import Diagnostic
    from flows.n8n.errors import FlowFileError

    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FlowFileError(
            [
                Diagnostic(
                    name,
                    getattr(exc, "lineno", None),
                    getattr(exc, "colno", None),
                    "",
                    f"not valid JSON: {exc}",
                )
            ]
        ) from None


def _flow_from_data(data: Any, name: str) -> Any:
    from pydantic import ValidationError

    from connector_spec.errors import Diagnostic
    from flows.ir.model import Flow
    from flows.n8n.errors import FlowFileError

    try:
        return Flow.model_validate(data)
    except ValidationError as exc:
        raise FlowFileError(
            [
                Diagnostic(
                    name,
                    None,
                    None,
                    ".".join(str(p) for p in err["loc"]),
                    err["msg"],
                    "see `flows graph schema` for the format",
                )
                for err in exc.errors()[:50]
            ]
        ) from None


def _registry_paths(args: RegistryInput, sandbox: Sandbox) -> tuple[str, Path]:
    from connector_spec.errors import InputError

    location = args.registry or str(sandbox.home / ".flows" / "registry")
    if location.startswith(("http://", "https://")):
        raise InputError(
            f"registry: {location}: only a local registry directory can be used over MCP",
            hint="pull or mirror the registry into a directory inside the server's roots",
        )
    if location.startswith("file://"):
        from registry.client import local_path

        location = str(local_path(location))
    path = sandbox.resolve(location, field="registry")
    if not path.is_dir():
        raise InputError(
            f"registry: {location}: no such directory",
            hint="pass the directory created by `flows registry init`",
        )
    return str(path), trust_dir(sandbox)


@functools.cache
def trust_dir(sandbox: Sandbox) -> Path:
    """Where the registry tools remember verified metadata; never inside the server's roots.

    ``$FLOWS_TRUST_DIR``, else ``$XDG_STATE_HOME/flows/trusted`` (``XDG_STATE_HOME`` defaults
    to ``~/.local/state``), so the tools stay read-only for the project while a registry that
    later serves older metadata is still refused. When that directory would be inside a root,
    or cannot be created, a temporary directory is used instead (removed when the server
    exits; rollback protection then lasts one server session).
    """
    configured = os.environ.get(TRUST_DIR_ENV)
    candidate: Path | None = Path(configured) if configured else None
    if candidate is None:
        state = os.environ.get("XDG_STATE_HOME")
        try:
            base = Path(state) if state else Path.home() / ".local" / "state"
        except RuntimeError:  # no home directory known
            base = None
        candidate = base / "flows" / "trusted" if base is not None else None
    if candidate is not None:
        real = Path(os.path.realpath(candidate))
        if not sandbox.inside(real):
            try:
                real.mkdir(parents=True, exist_ok=True)
            except OSError:
                pass
            else:
                return real
    temporary = Path(tempfile.mkdtemp(prefix="flows-mcp-trusted-"))
    atexit.register(shutil.rmtree, temporary, ignore_errors=True)
    return temporary


def _reader(args: RegistryInput, sandbox: Sandbox) -> Any:
    from registry.query import open_reader

    location, trust = _registry_paths(args, sandbox)
    return open_reader(location, trust_dir=trust)


def check_connector_inputs(sandbox: Sandbox, spec: Path) -> None:
    """Walk what the certify and policy tools read beside ``spec`` before they read it.

    ``fixtures/`` (every file inside the roots and within the size limit), the generated
    ``flows_*`` package folders (imported and hashed by certification; their files inside the
    roots), ``pyproject.toml`` and the generated ``README.md``.
    """
    folder = spec.parent
    for entry in sorted(folder.iterdir()):
        what = f"{entry.name} next to {spec.name}"
        if entry.name == "fixtures":
            sandbox.check_tree(sandbox.resolve(entry, field=what), what=what)
        elif entry.name.startswith("flows_"):
            sandbox.check_tree(sandbox.resolve(entry, field=what), what=what, sizes=False)
        elif entry.name in ("pyproject.toml", "README.md"):
            sandbox.input_file(entry, field=what)


def check_org_packs(sandbox: Sandbox) -> None:
    """Walk the organisation pack directory under the first root (``.flows/policies``).

    Directories named in ``$FLOWS_POLICY_DIR`` are the server's own configuration (set by
    whoever started it) and are read as they are.
    """
    from policies import ORG_PACK_DIR, POLICY_DIR_ENV

    if os.environ.get(POLICY_DIR_ENV) is not None:
        return
    folder = sandbox.home / ORG_PACK_DIR
    if os.path.lexists(folder):
        sandbox.input_tree(folder, field="organisation policy packs")


def _catalog_dir(sandbox: Sandbox, value: str | Path) -> Path:
    """A connectors directory whose ``*/connector.yaml`` files are all inside the roots."""
    directory = sandbox.resolve(value, field="connectors")
    for spec in sorted(directory.glob("*/connector.yaml")):
        sandbox.input_file(spec, field="connectors")
    return directory


def render_svg(dot_text: str) -> str | None:
    """SVG of ``dot_text`` through Graphviz's ``dot``; ``None`` when it is not installed."""
    from connector_spec.errors import CheckFailed

    binary = shutil.which("dot")
    if binary is None:
        return None
    try:
        done = subprocess.run(
            [binary, "-Tsvg"],
            input=dot_text.encode("utf-8"),
            capture_output=True,
            timeout=SVG_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CheckFailed(f"Graphviz took longer than {SVG_TIMEOUT_SECONDS:.0f} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise CheckFailed(f"Graphviz could not render the flow: {message}")
    return done.stdout.decode("utf-8", "replace")


# --- tools ------------------------------------------------------------------------------------


def spec_validate(args: SpecValidateInput, sandbox: Sandbox) -> ToolResult:
    """Validate spec files and/or one inline spec; every problem with line, column, field."""
    from connector_spec.errors import DiagnosticError, InputError
    from connector_spec.loader import parse_spec_bytes
    from connector_spec.validate import FileResult, ValidationReport, validate_files

    if not args.paths and args.text is None:
        raise InputError("give `paths` or `text`", hint="see the tool's input schema")
    files = [sandbox.input_file(p, field="paths") for p in args.paths]
    report = validate_files(files)
    if args.text is not None:
        raw = sandbox.check_text(args.text, field="text")
        try:
            spec = parse_spec_bytes(raw, args.name)
        except DiagnosticError as error:
            result = FileResult(
                Path(args.name),
                False,
                diagnostics=list(error.items),
                error_text=error.diagnostics(),
            )
        else:
            summary = (
                f"{spec.provider.name} {spec.provider.version}, {len(spec.operations)} operations"
            )
            result = FileResult(Path(args.name), True, summary=summary)
        report = ValidationReport([*report.results, result])
    text = "\n".join(f"ok {r.path} ({r.summary})" if r.ok else r.error_text for r in report.results)
    return ToolResult(report.to_json(), ok=report.ok, text=text)


def spec_schema(args: SpecSchemaInput, sandbox: Sandbox) -> ToolResult:
    """The JSON Schema of ConnectorSpec v1."""
    from connector_spec.schema_export import schema_dict

    return ToolResult({"ok": True, "schema": schema_dict()})


def spec_diff(args: SpecDiffInput, sandbox: Sandbox) -> ToolResult:
    """Classify the changes between two specs and name the semver bump they need."""
    from connector_spec.diff import diff_files

    old = sandbox.input_file(args.old, field="old")
    new = sandbox.input_file(args.new, field="new")
    result = diff_files(old, new)
    text = result.version_problem
    return ToolResult(result.to_json(), ok=text is None, text=text)


def connector_generate(args: ConnectorGenerateInput, sandbox: Sandbox) -> ToolResult:
    """Generate (or check) the typed client package of a spec into a confined directory."""
    from connector_spec.codegen import generate_to_directory

    spec = sandbox.input_file(args.spec, field="spec")
    out = sandbox.output_dir(args.out if args.out is not None else spec.parent, field="out")
    result = generate_to_directory(spec, out, check=args.check)
    data: dict[str, Any] = result.to_json()
    return ToolResult(data, ok=not args.check or bool(result.up_to_date))


def connector_certify(args: ConnectorCertifyInput, sandbox: Sandbox) -> ToolResult:
    """Certify and policy-gate a connector: checks, level, policy and the evidence written."""
    from certify import default_out_dir
    from flows.gate import certify_and_gate

    spec = sandbox.input_file(args.spec, field="spec")
    check_connector_inputs(sandbox, spec)
    check_org_packs(sandbox)
    target = args.out if args.out is not None else sandbox.home / default_out_dir(spec)
    out = sandbox.output_dir(target, field="out")
    gated = certify_and_gate(spec, only=args.only, out=out, workdir=sandbox.home)
    return ToolResult(gated.to_json(), ok=gated.passed)


def policy_check(args: PolicyCheckInput, sandbox: Sandbox) -> ToolResult:
    """Evaluate the default pack, the organisation packs and any extra packs over a spec."""
    from certify import default_out_dir
    from certify.evidence import STATEMENT_FILE
    from connector_spec import load_spec
    from policies import evaluate

    spec = sandbox.input_file(args.spec, field="spec")
    check_connector_inputs(sandbox, spec)
    check_org_packs(sandbox)
    packs = [sandbox.input_tree(p, field="packs") for p in args.packs]
    loaded = load_spec(spec)
    evidence: Path | None = None
    if args.evidence is not None:
        evidence = sandbox.input_file(args.evidence, field="evidence")
    else:  # what connector_certify wrote, when it exists
        candidate = sandbox.home / default_out_dir(spec) / STATEMENT_FILE
        if candidate.is_file():
            evidence = sandbox.input_file(candidate, field="evidence")
    manifest = (
        sandbox.input_file(args.manifest, field="manifest") if args.manifest is not None else None
    )
    report = evaluate(
        loaded, manifest=manifest, evidence=evidence, packs=packs, workdir=sandbox.home
    )
    return ToolResult(report.to_json(), ok=report.passed)


def registry_search(args: RegistrySearchInput, sandbox: Sandbox) -> ToolResult:
    """Find connectors in a (verified) local registry."""
    from registry.query import search

    hits = search(_reader(args, sandbox), args.query)
    return ToolResult({"ok": True, "results": hits})


def registry_show(args: RegistryShowInput, sandbox: Sandbox) -> ToolResult:
    """Versions, certification level, checks, capabilities, signer and waivers of a version."""
    from registry.layout import parse_ref
    from registry.query import show

    name, version = parse_ref(args.ref)
    result = show(_reader(args, sandbox), name, version)
    return ToolResult({"ok": True, **result.to_json()})


def registry_verify(args: RegistryVerifyInput, sandbox: Sandbox) -> ToolResult:
    """Check every signature, digest, metadata version and expiry, and the log."""
    from registry.layout import parse_ref

    name, version = parse_ref(args.ref) if args.ref else (None, None)
    report = _reader(args, sandbox).verify(name, version)
    return ToolResult(report.to_json(), ok=report.ok)


def n8n_import(args: N8nImportInput, sandbox: Sandbox) -> ToolResult:
    """Import an n8n workflow: the Flow IR and the lossy-conversion report."""
    from connector_spec.files import read_input_file
    from flows.ir.catalog import DirectoryCatalog, InMemoryCatalog
    from flows.n8n.importer import import_raw
    from flows.n8n.reader import parse_workflow_bytes

    _one_of(args.path, args.workflow, "`path` or `workflow`")
    if args.path is not None:
        path = sandbox.input_file(args.path, field="path")
        raw, name = read_input_file(path, max_bytes=sandbox.max_bytes), args.path
    else:
        assert args.workflow is not None
        raw, name = _inline_bytes(args.workflow, sandbox, "workflow"), "workflow.json"
    catalog: InMemoryCatalog | None
    if args.connectors is not None:
        catalog = DirectoryCatalog(_catalog_dir(sandbox, args.connectors))
    elif (sandbox.home / "connectors").is_dir():
        catalog = DirectoryCatalog(_catalog_dir(sandbox, sandbox.home / "connectors"))
    else:  # the verified local registry under the root, else none (the report says so)
        from flows.ir.catalog import resolve_catalog

        catalog = resolve_catalog(
            None,
            base=sandbox.home,
            registry=str(sandbox.home / ".flows" / "registry"),
            trust_dir=trust_dir(sandbox),
        )
    result = import_raw(parse_workflow_bytes(raw, name), catalog)
    return ToolResult(
        {"ok": True, "flow": result.flow.to_json(), "report": result.report.to_json()},
        text=result.report.summary(),
    )


def graph_visualize(args: GraphVisualizeInput, sandbox: Sandbox) -> ToolResult:
    """A flow as Graphviz DOT, and as SVG when Graphviz is installed."""
    from flows.ir.dot import to_dot

    _one_of(args.flow_path, args.flow, "`flow_path` or `flow`")
    if args.flow_path is not None:
        from flows.ir.check import load_flow

        flow = load_flow(sandbox.input_file(args.flow_path, field="flow_path"))
    else:
        assert args.flow is not None
        raw = _inline_bytes(args.flow, sandbox, "flow")
        data = args.flow if isinstance(args.flow, dict) else _json_from_bytes(raw, "flow")
        flow = _flow_from_data(data, "flow")
    dot = to_dot(flow)
    svg = render_svg(dot) if args.svg else None
    return ToolResult({"ok": True, "dot": dot, "svg": svg}, text=dot)
