"""Errors of ``flows farm``: bad input (exit 2) and staged output that fails its checks (exit 1)."""

from __future__ import annotations

from connector_spec.errors import CheckFailed, InputError


class FarmInputError(InputError):
    """The farm was asked something it must refuse before doing any work (exit 2)."""


class StagedIntegrityError(CheckFailed):
    """A shard's staged publication does not match the digests its shard report recorded."""
