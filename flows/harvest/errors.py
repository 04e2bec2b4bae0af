"""Errors of the n8n harvest: every one names the file or argument and what to do."""

from __future__ import annotations

from connector_spec.errors import InputError


class CatalogError(InputError):
    """The n8n catalog could not be read (missing file, not JSON, wrong shape)."""


class UsageDirError(InputError):
    """The ``--usage`` directory of workflow exports could not be read."""


class OutputDirError(InputError):
    """The ``--out`` directory cannot be used (not a harvest output, not writable)."""
