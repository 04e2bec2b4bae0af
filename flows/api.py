"""The library API: what the CLI does, as typed functions (``from flows import ...``).

Each function imports its implementation when called, so ``import flows`` stays cheap.
Errors are :class:`connector_spec.errors.FlowsError` subclasses, as in the CLI: bad input
raises ``InputError``/``SpecError`` (the CLI's exit 2), a failed check ``CheckFailed``
(exit 1). Documented in ``docs/api.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connector_spec.codegen.writer import GenerationResult
    from connector_spec.validate import ValidationReport
    from flows.gate import GatedCertification
    from flows.n8n.importer import ImportResult
    from flows.publish import PublishOutcome
    from registry.query import ShowResult
    from registry.site.generate import SiteResult
    from registry.verify import RegistryReader, VerifyReport, VersionInfo

PathLike = str | Path


def validate(*paths: PathLike) -> ValidationReport:
    """Validate spec files; ``report.ok``, and per file ``result.error_text`` when not ok."""
    from connector_spec.validate import validate_files

    return validate_files([Path(p) for p in paths])


def generate(
    spec: PathLike, out: PathLike | None = None, *, check: bool = False
) -> GenerationResult:
    """Generate the typed client package of ``spec`` into ``out`` (default: beside it).

    With ``check``, nothing is written and ``result.up_to_date`` says whether it is current.
    """
    from connector_spec.codegen import generate_to_directory

    return generate_to_directory(spec, out, check=check)


def certify(
    spec: PathLike,
    *,
    only: Sequence[str] | None = None,
    out: PathLike | None = None,
    packs: Sequence[PathLike] = (),
) -> GatedCertification:
    """Certify ``spec`` offline and gate it with the policy packs; ``result.passed``."""
    from certify import default_out_dir
    from flows.gate import certify_and_gate

    target = out if out is not None else default_out_dir(Path(spec))
    return certify_and_gate(spec, only=only, out=target, packs=packs)


def publish_connector(
    spec: PathLike,
    *,
    registry: PathLike | None = None,
    packs: Sequence[PathLike] = (),
    key_dir: PathLike | None = None,
    keyless: bool = False,
) -> PublishOutcome:
    """Validate, generate, build, certify, gate, sign and publish ``spec`` into ``registry``.

    (Named after ``flows publish connector``: ``flows.publish`` is the pipeline's module.)
    """
    from flows.publish import publish_connector as run

    return run(spec, registry=registry, packs=packs, key_dir=key_dir, keyless=keyless)


def open_registry(
    location: str | None = None, *, trust_dir: PathLike | None = None
) -> RegistryReader:
    """A verifying reader of a registry directory, ``file://`` or HTTP(S) URL.

    Default location: ``$FLOWS_REGISTRY`` or ``.flows/registry``.
    """
    from registry.client import default_registry
    from registry.query import open_reader

    return open_reader(
        location or default_registry(),
        trust_dir=Path(trust_dir) if trust_dir is not None else None,
    )


def verify(ref: str | None = None, *, registry: str | None = None) -> VerifyReport:
    """Verify the whole registry or ``NAME[@VERSION]``; ``report.ok``, ``report.problems``."""
    from registry.layout import parse_ref

    name, version = parse_ref(ref) if ref else (None, None)
    return open_registry(registry).verify(name, version)


def search(query: str, *, registry: str | None = None) -> list[dict[str, Any]]:
    """Connectors whose name or description contains ``query`` (verified first)."""
    from registry.query import search as run

    return run(open_registry(registry), query)


def show(ref: str, *, registry: str | None = None) -> ShowResult:
    """Versions, level, checks, capabilities, signer and waivers of ``NAME[@VERSION]``."""
    from registry.layout import parse_ref
    from registry.query import show as run

    name, version = parse_ref(ref)
    return run(open_registry(registry), name, version)


def pull(ref: str, to: PathLike, *, registry: str | None = None) -> tuple[VersionInfo, list[Path]]:
    """Verify ``NAME[@VERSION]`` and write its files into ``to`` (nothing on failure)."""
    from registry.layout import parse_ref
    from registry.query import pull as run

    name, version = parse_ref(ref)
    return run(open_registry(registry), name, version, Path(to))


def lock(refs: Sequence[str], *, registry: str | None = None) -> str:
    """A pip requirements file pinning each verified connector wheel by its SHA-256."""
    from registry.client import default_registry
    from registry.lock import lock as run
    from registry.lock import render_lock

    location = registry or default_registry()
    return render_lock(run(open_registry(location), list(refs)), location)


def build_site(
    out: PathLike, *, registry: str | None = None, base_url: str | None = None
) -> SiteResult:
    """Verify the registry and write its static catalog site into ``out``."""
    from registry.client import default_registry
    from registry.site.generate import write_site

    location = registry or default_registry()
    return write_site(open_registry(location), location, Path(out), base_url=base_url)


def import_n8n(workflow: PathLike, *, connectors: PathLike | None = None) -> ImportResult:
    """Import one n8n workflow export into Flow IR, with its lossy-conversion report.

    ``connectors`` is a directory of connector specs to check the workflow against.
    """
    from flows.ir.catalog import resolve_catalog
    from flows.n8n import import_workflow

    return import_workflow(workflow, resolve_catalog(connectors))
