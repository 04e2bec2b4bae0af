"""The MCP tools: their pydantic input models and the catalogue the server lists.

Listing tools needs only this module; the implementations (:mod:`flows.mcp.impl`) and the
libraries they call are imported on the first call of a tool. A tool takes its validated input
model and the :class:`~flows.mcp.paths.Sandbox` and returns a :class:`ToolResult` whose
``data`` is the same JSON the CLI prints with ``--json``. Publishing is deliberately not a tool.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from flows.mcp.paths import Sandbox

MAX_PATHS = 100
IMPLEMENTATIONS = "flows.mcp.impl"
"""The module holding the tool functions named in :data:`TOOLS` (imported on first call)."""


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
        description="Extra policy pack directories or files; the default pack and the "
        "organisation packs (.flows/policies under the first root, or the server's "
        "$FLOWS_POLICY_DIR) always apply.",
    )
    evidence: str | None = Field(
        default=None,
        description="Certification evidence (in-toto statement or DSSE envelope JSON); default "
        "the statement connector_certify wrote (.flows/evidence/<provider>-<version>/"
        "statement.json under the first root) when it exists.",
    )
    manifest: str | None = Field(
        default=None,
        description="Generated manifest.json (default: flows_<provider>/ next to the spec).",
    )


class RegistryInput(ToolInput):
    """Where the registry is (a local directory)."""

    registry: str | None = Field(
        default=None,
        description="Registry directory (default .flows/registry under the first root). "
        "Nothing is written inside the server's roots.",
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


# --- the catalogue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ToolSpec:
    """One MCP tool: its name, description, input model and implementation.

    ``run`` is the function, or the name of one in :data:`IMPLEMENTATIONS`, imported when the
    tool is first called.
    """

    name: str
    description: str
    model: type[ToolInput]
    run: Callable[[Any, Sandbox], ToolResult] | str
    read_only: bool = True

    def invoke(self, args: ToolInput, sandbox: Sandbox) -> ToolResult:
        """Run the implementation on validated ``args``."""
        run = self.run
        if isinstance(run, str):
            run = getattr(importlib.import_module(IMPLEMENTATIONS), run)
        result: ToolResult = run(args, sandbox)
        return result


TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        "spec_validate",
        "Validate ConnectorSpec YAML (files by path, or one document inline). Every problem "
        "comes with file, line, column and field path. Use it after every edit of a spec.",
        SpecValidateInput,
        "spec_validate",
    ),
    ToolSpec(
        "spec_schema",
        "The JSON Schema of ConnectorSpec v1: every field a spec may have.",
        SpecSchemaInput,
        "spec_schema",
    ),
    ToolSpec(
        "spec_diff",
        "Compare an old and a new spec: every change classified breaking/additive/patch and "
        "the minimum semver bump.",
        SpecDiffInput,
        "spec_diff",
    ),
    ToolSpec(
        "connector_generate",
        "Generate the typed, self-contained client package of a spec into a directory "
        "(inside the server's roots), or check that the one on disk is up to date.",
        ConnectorGenerateInput,
        "connector_generate",
        read_only=False,
    ),
    ToolSpec(
        "connector_certify",
        "Certify a connector offline (contract replay, matrix, determinism) and gate it with "
        "the policy packs; returns every check, the level, the policy report and where the "
        "evidence was written (when every check passed; it records the policy outcome).",
        ConnectorCertifyInput,
        "connector_certify",
        read_only=False,
    ),
    ToolSpec(
        "policy_check",
        "Evaluate the default policy pack, the organisation packs and extra packs over a "
        "spec; failed rules come with a hint.",
        PolicyCheckInput,
        "policy_check",
    ),
    ToolSpec(
        "registry_search",
        "Search a local connector registry (verified first). Read-only: writes nothing in the "
        "server's roots.",
        RegistrySearchInput,
        "registry_search",
    ),
    ToolSpec(
        "registry_show",
        "Show one connector version of a local registry: versions, level, checks, "
        "capabilities, signer, waivers. Read-only.",
        RegistryShowInput,
        "registry_show",
    ),
    ToolSpec(
        "registry_verify",
        "Verify a local registry: signatures, digests, metadata versions and expiry, the log. "
        "Read-only.",
        RegistryVerifyInput,
        "registry_verify",
    ),
    ToolSpec(
        "n8n_import",
        "Import an n8n workflow (by path or inline JSON) into Flow IR, with the report of "
        "what was converted exactly, approximately or not at all. Writes nothing.",
        N8nImportInput,
        "n8n_import",
    ),
    ToolSpec(
        "graph_visualize",
        "Draw a Flow IR document (by path or inline) as Graphviz DOT, plus SVG when Graphviz "
        "is installed.",
        GraphVisualizeInput,
        "graph_visualize",
    ),
)
"""Every tool, in the order they are listed. Publishing is deliberately absent."""


def available_tools() -> list[ToolSpec]:
    """Every tool this server offers."""
    return list(TOOLS)
