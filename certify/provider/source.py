"""Which provider description certification checks a spec against, and loading it.

The ``openapi`` argument wins; otherwise the spec's ``provider.openapi.path`` (relative to the
spec's folder, its bytes pinned by ``sha256`` when given). A spec that names only a URL, or
no description at all, is certified without one: its level is capped (see
:data:`certify.results.UNCHECKED_LEVEL`) and the evidence says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from certify.errors import CertifyInputError
from connector_spec.errors import argument
from connector_spec.loader import LoadedSpec
from connector_spec.model import AcceptedDisagreement
from connector_spec.openapi import OpenApiDocument, load_openapi
from connector_spec.yaml_source import parse_yaml


@dataclass
class ProviderDescription:
    """A loaded provider description and how it was chosen."""

    document: OpenApiDocument
    path: Path
    origin: str  # "argument" (the caller named it) or "provider.openapi.path"
    sha256: str
    pinned_sha256: str | None = None
    accepted: list[AcceptedDisagreement] = field(default_factory=list)
    shown: str = ""  # how evidence names it: as the spec or the caller gave it (reproducible)

    def to_json(self) -> dict[str, Any]:
        """The evidence form: what was checked, from where, and which bytes."""
        return {
            "source": self.shown or str(self.path),
            "origin": self.origin,
            "title": self.document.title,
            "version": self.document.api_version,
            "sha256": self.sha256,
            "pinned_sha256": self.pinned_sha256,
        }


def _where(loaded: LoadedSpec, *loc: str) -> str:
    position = parse_yaml(loaded.raw, str(loaded.path)).source_map.position(loc)
    return f"{loaded.path}:{position[0]}:{position[1]}" if position else str(loaded.path)


def find_description(
    loaded: LoadedSpec, openapi: str | Path | None
) -> tuple[ProviderDescription | None, str]:
    """The description to check against, or ``None`` and the reason there is none.

    Raises :class:`CertifyInputError` (exit 2) for a named file that is missing or whose
    bytes differ from the spec's pinned ``sha256``; the reader's own located errors (a file
    that is not an OpenAPI 3 description) pass through.
    """
    reference = loaded.spec.provider.openapi
    accepted = list(reference.accepted) if reference is not None else []
    pinned = reference.sha256 if reference is not None else None
    if openapi is not None:
        path = Path(openapi)
        if not path.is_file():
            what = "not a regular file" if path.exists() else "no such file"
            raise CertifyInputError(
                f"{argument('openapi')} {path}: {what}",
                hint="give the path of the provider's OpenAPI description (JSON or YAML)",
            )
        document = load_openapi(path)
        return ProviderDescription(
            document, path, "argument", document.sha256, pinned, accepted, str(openapi)
        ), ""
    if reference is None:
        return None, (
            "the spec names no provider description (provider.openapi) and no "
            f"{argument('openapi')} was given"
        )
    if reference.path is None:
        return None, (
            f"provider.openapi names only {reference.url or reference.source}; certification is "
            f"offline: give the description's file as {argument('openapi')} (checked against "
            "its sha256)"
        )
    path = loaded.path.parent / reference.path
    if not path.is_file():
        raise CertifyInputError(
            f"{_where(loaded, 'provider', 'openapi', 'path')}: provider.openapi.path "
            f"{reference.path!r} names no file ({path})",
            hint="the path is relative to the spec's folder; fix it or drop provider.openapi",
        )
    document = load_openapi(path)
    if pinned is not None and document.sha256 != pinned:
        raise CertifyInputError(
            f"{_where(loaded, 'provider', 'openapi', 'sha256')}: {path} has sha256 "
            f"{document.sha256}, not the {pinned} the spec pins",
            hint="the description changed: review the change, then update provider.openapi.sha256",
        )
    return ProviderDescription(
        document, path, "provider.openapi.path", document.sha256, pinned, accepted, reference.path
    ), ""
