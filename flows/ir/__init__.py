"""Flow IR v1: typed flow models, JSON Schema, the graph check and DOT output."""

from flows.ir.catalog import CatalogOperation, ConnectorCatalog, DirectoryCatalog, InMemoryCatalog
from flows.ir.check import Finding, check_flow, load_flow
from flows.ir.model import IR_VERSION, Edge, Flow

__all__ = [
    "IR_VERSION",
    "CatalogOperation",
    "ConnectorCatalog",
    "DirectoryCatalog",
    "Edge",
    "Finding",
    "Flow",
    "InMemoryCatalog",
    "check_flow",
    "load_flow",
]
