"""ConnectorSpec: the strict, versioned description of one provider's API.

Public API::

    from connector_spec import load_spec, ConnectorSpec, SpecError
    loaded = load_spec("connectors/stripe/connector.yaml")
    loaded.spec.operations[0].id
"""

from connector_spec.errors import (
    CheckFailed,
    Diagnostic,
    DiagnosticError,
    FlowsError,
    InputError,
    SpecError,
)
from connector_spec.loader import LoadedSpec, load_spec, parse_spec_bytes
from connector_spec.model import API_VERSION, KIND, ConnectorSpec, Operation

__all__ = [
    "API_VERSION",
    "KIND",
    "CheckFailed",
    "ConnectorSpec",
    "Diagnostic",
    "DiagnosticError",
    "FlowsError",
    "InputError",
    "LoadedSpec",
    "Operation",
    "SpecError",
    "load_spec",
    "parse_spec_bytes",
]
