"""Errors raised while reading an n8n workflow export."""

from __future__ import annotations

from connector_spec.errors import DiagnosticError


class WorkflowError(DiagnosticError):
    """The file is not a workflow the importer can read (bad JSON, wrong shape, ...)."""

    kind = "the n8n workflow"


class FlowFileError(DiagnosticError):
    """A Flow IR file is not valid."""

    kind = "the flow file"
