"""Harvest the n8n node catalog into ConnectorSpec files (``flows harvest n8n``).

Public API::

    from flows.harvest import harvest_n8n, load_catalog
    result = harvest_n8n("n8n-nodes-base-2.41.2.tgz", out_dir=Path("harvested"))
    result.report.by_status()
"""

from flows.harvest.catalog import Catalog, load_catalog
from flows.harvest.errors import CatalogError, OutputDirError, UsageDirError
from flows.harvest.harvest import HarvestResult, harvest_n8n
from flows.harvest.report import (
    OPERATION_REASONS,
    REASONS,
    Finding,
    HarvestReport,
    NodeEntry,
    OmittedOperation,
)
from flows.harvest.usage import Usage, load_usage

__all__ = [
    "OPERATION_REASONS",
    "REASONS",
    "Catalog",
    "CatalogError",
    "Finding",
    "HarvestReport",
    "HarvestResult",
    "NodeEntry",
    "OmittedOperation",
    "OutputDirError",
    "Usage",
    "UsageDirError",
    "harvest_n8n",
    "load_catalog",
    "load_usage",
]
