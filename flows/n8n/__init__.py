"""Import n8n workflows into Flow IR, with a lossy-conversion report."""

from flows.n8n.importer import ImportResult, import_directory, import_raw, import_workflow
from flows.n8n.reader import read_workflow

__all__ = ["ImportResult", "import_directory", "import_raw", "import_workflow", "read_workflow"]
