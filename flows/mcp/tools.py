"""The MCP tools: pydantic input models and the functions that wrap the flows libraries.

Each tool takes its validated input model and the :class:`~flows.mcp.paths.Sandbox`, confines
every path through the sandbox, calls the library function the CLI calls (imported lazily) and
returns a :class:`ToolResult` whose ``data`` is the same JSON the CLI prints with ``--json``.
Library errors (:class:`~connector_spec.errors.FlowsError`) propagate; the server turns them into
MCP tool errors. Publishing is deliberately not a tool.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from flows.mcp.paths import Sandbox

MAX_PATHS = 100
SVG_TIMEOUT_SECONDS = 20.0


@dataclass(frozen=True)
class ToolResult:
    """What a tool returns: JSON-ready ``data``; ``ok`` False when a check found problems."""

    data: dict[str, Any]
    ok: bool = True
    text: str | None = None


class ToolInput(BaseModel):
    """Base of every tool's input: unknown arguments are refused."""

    model_config = ConfigDict(extra="forbid")


# --- inputs -----------------------------------------------------------------------------------


class SpecValidateInput(ToolInput):
    """Validate connector specs given by path, or one spec given inline."""

    paths: list[str] = Field(
        default_factory=list,
        max_length=MAX_PATHS,
        description="Spec files (connector.yaml) to validate, inside the server's roots.",
    )
    text: str | None = Field(
        default=None, description="A whole ConnectorSpec YAML document to validate inline."
    )
    name: str = Field(
        default="connector.yaml",
        max_length=200,
        description="The file name used for the inline text in diagnostics.",
    )


class SpecSchemaInput(ToolInput):
    """No arguments."""


class SpecDiffInput(ToolInput):
    """Compare two spec files."""

    old: str = Field(description="The published (old) spec file.")
    new: str = Field(description="The proposed (new) spec file.")


class ConnectorGenerateInput(ToolInput):
    """Generate the client package of a spec."""

    spec: str = Field(description="The connector spec (connector.yaml).")
    out: str | None = Field(
        default=None,
        description="Directory to generate into (default: the spec's directory); it must be "
        "inside the server's roots and nothing is written outside it.",
    )
    check: bool = Field(
        default=False, description="Write nothing; report which files on disk are stale."
    )


class ConnectorCertifyInput(ToolInput):
    """Certify a connector offline."""

    spec: str = Field(description="The connector spec (connectors/<provider>/connector.yaml).")
    only: list[str] | None = Field(
        default=None,
        max_length=MAX_PATHS,
        description="Run only these checks: an id, a prefix or a glob.",
    )
    out: str | None = Field(
        default=None,
        description="Evidence directory (default .flows/evidence/<provider>-<version>/ under "
        "the first root).",
    )


class PolicyCheckInput(ToolInput):
    """Check a connector against policy packs."""

    spec: str = Field(description="The connector spec (connector.yaml).")
    packs: list[str] = Field(
        default_factory=list,
        max_length=MAX_PATHS,
        description="Extra policy pack directories or files; the default pack always applies.",
    )
    evidence: str | None = Field(
        default=None,
        description="Certification evidence (in-toto statement or DSSE envelope JSON).",
    )
    manifest: str | None = Field(
        default=None,
        description="Generated manifest.json (default: flows_<provider>/ next to the spec).",
    )


class RegistryInput(ToolInput):
    """Where the registry is (a local directory)."""

    registry: str | None = Field(
        default=None,
        description="Registry directory (default .flows/registry under the first root).",
    )
    trust_dir: str | None = Field(
        default=None,
        description="Where verified metadata is remembered (default .flows/trusted under the "
        "first root).",
    )


class RegistrySearchInput(RegistryInput):
    """Search a registry."""

    query: str = Field(max_length=500, description="Text to look for in names and descriptions.")


class RegistryShowInput(RegistryInput):
    """Describe one connector version."""

    ref: str = Field(max_length=200, description="NAME or NAME@VERSION.")


class RegistryVerifyInput(RegistryInput):
    """Verify a registry."""

    ref: str | None = Field(
        default=None, max_length=200, description="NAME or NAME@VERSION; default everything."
    )


class N8nImportInput(ToolInput):
    """Import one n8n workflow."""

    path: str | None = Field(default=None, description="An n8n workflow export (.json) file.")
    workflow: dict[str, Any] | str | None = Field(
        default=None,
        description="The workflow inline: the exported JSON object, or its text.",
    )
    connectors: str | None = Field(
        default=None,
        description="Directory of <provider>/connector.yaml specs used to map nodes to "
        "connectors (default: connectors/ under the first root, when it exists).",
    )


class GraphVisualizeInput(ToolInput):
    """Draw a flow."""

    flow_path: str | None = Field(default=None, description="A Flow IR JSON file.")
    flow: dict[str, Any] | str | None = Field(
        default=None, description="A Flow IR document inline (object or JSON text)."
    )
    svg: bool = Field(
        default=True, description="Also render SVG when Graphviz (`dot`) is installed."
    )


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
    trust = sandbox.resolve(
        args.trust_dir or sandbox.home / ".flows" / "trusted", field="trust_dir"
    )
    return str(path), trust


def _reader(args: RegistryInput, sandbox: Sandbox) -> Any:
    from registry.query import open_reader

    location, trust = _registry_paths(args, sandbox)
    return open_reader(location, trust_dir=trust)


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
    """Certify a connector: check results, level and where the evidence was written."""
    from certify import certify_connector, default_out_dir

    spec = sandbox.input_file(args.spec, field="spec")
    target = args.out if args.out is not None else sandbox.home / default_out_dir(spec)
    out = sandbox.output_dir(target, field="out")
    result = certify_connector(spec, only=args.only, out=out)
    return ToolResult(result.to_json(), ok=result.passed)


def policy_check(args: PolicyCheckInput, sandbox: Sandbox) -> ToolResult:
    """Evaluate the default policy pack and any extra packs over a spec."""
    from connector_spec import load_spec
    from policies import evaluate

    spec = sandbox.input_file(args.spec, field="spec")
    packs = [sandbox.resolve(p, field="packs") for p in args.packs]
    evidence = (
        sandbox.input_file(args.evidence, field="evidence") if args.evidence is not None else None
    )
    manifest = (
        sandbox.input_file(args.manifest, field="manifest") if args.manifest is not None else None
    )
    report = evaluate(load_spec(spec), manifest=manifest, evidence=evidence, packs=packs)
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
    from flows.ir.catalog import DirectoryCatalog, InMemoryCatalog
    from flows.n8n.importer import import_raw
    from flows.n8n.reader import parse_workflow_bytes

    _one_of(args.path, args.workflow, "`path` or `workflow`")
    if args.path is not None:
        path = sandbox.input_file(args.path, field="path")
        raw, name = path.read_bytes(), args.path
    else:
        assert args.workflow is not None
        raw, name = _inline_bytes(args.workflow, sandbox, "workflow"), "workflow.json"
    catalog: InMemoryCatalog
    if args.connectors is not None:
        catalog = DirectoryCatalog(sandbox.resolve(args.connectors, field="connectors"))
    elif (sandbox.home / "connectors").is_dir():
        catalog = DirectoryCatalog(sandbox.home / "connectors")
    else:
        catalog = InMemoryCatalog()
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


# --- the catalogue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ToolSpec:
    """One MCP tool: its name, description, input model and implementation."""

    name: str
    description: str
    model: type[ToolInput]
    run: Callable[[Any, Sandbox], ToolResult]
    read_only: bool = True


TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        "spec_validate",
        "Validate ConnectorSpec YAML (files by path, or one document inline). Every problem "
        "comes with file, line, column and field path. Use it after every edit of a spec.",
        SpecValidateInput,
        spec_validate,
    ),
    ToolSpec(
        "spec_schema",
        "The JSON Schema of ConnectorSpec v1: every field a spec may have.",
        SpecSchemaInput,
        spec_schema,
    ),
    ToolSpec(
        "spec_diff",
        "Compare an old and a new spec: every change classified breaking/additive/patch and "
        "the minimum semver bump.",
        SpecDiffInput,
        spec_diff,
    ),
    ToolSpec(
        "connector_generate",
        "Generate the typed, self-contained client package of a spec into a directory "
        "(inside the server's roots), or check that the one on disk is up to date.",
        ConnectorGenerateInput,
        connector_generate,
        read_only=False,
    ),
    ToolSpec(
        "connector_certify",
        "Certify a connector offline (contract replay, matrix, determinism); returns every "
        "check, the level and where the evidence was written.",
        ConnectorCertifyInput,
        connector_certify,
        read_only=False,
    ),
    ToolSpec(
        "policy_check",
        "Evaluate the default policy pack (and extra packs) over a spec; failed rules come "
        "with a hint.",
        PolicyCheckInput,
        policy_check,
    ),
    ToolSpec(
        "registry_search",
        "Search a local connector registry (verified first). Read-only.",
        RegistrySearchInput,
        registry_search,
    ),
    ToolSpec(
        "registry_show",
        "Show one connector version of a local registry: versions, level, checks, "
        "capabilities, signer, waivers. Read-only.",
        RegistryShowInput,
        registry_show,
    ),
    ToolSpec(
        "registry_verify",
        "Verify a local registry: signatures, digests, metadata versions and expiry, the log. "
        "Read-only.",
        RegistryVerifyInput,
        registry_verify,
    ),
    ToolSpec(
        "n8n_import",
        "Import an n8n workflow (by path or inline JSON) into Flow IR, with the report of "
        "what was converted exactly, approximately or not at all. Writes nothing.",
        N8nImportInput,
        n8n_import,
    ),
    ToolSpec(
        "graph_visualize",
        "Draw a Flow IR document (by path or inline) as Graphviz DOT, plus SVG when Graphviz "
        "is installed.",
        GraphVisualizeInput,
        graph_visualize,
    ),
)
"""Every tool, in the order they are listed. Publishing is deliberately absent."""


def available_tools() -> list[ToolSpec]:
    """Every tool this server offers."""
    return list(TOOLS)
