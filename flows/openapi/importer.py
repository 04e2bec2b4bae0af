"""``flows import openapi``: one OpenAPI description → spec file(s) and a conversion report.

The conversion itself is :func:`connector_spec.openapi.convert.convert_openapi`; this module
reads the description, names where the specs go, writes them (all or nothing) and the report.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector_spec.atomic import replace_file
from connector_spec.errors import CheckFailed, InputError
from connector_spec.model import SLUG_PATTERN
from connector_spec.openapi import load_openapi
from connector_spec.openapi.convert import Conversion, ConvertedSpec, convert_openapi
from connector_spec.openapi.report import (
    conversion_json,
    conversion_markdown,
    conversion_summary,
)

SPEC_FILE = "connector.yaml"


class ConversionFailed(CheckFailed):
    """The description was read, but no valid spec could be made of it (exit 1)."""


@dataclass
class ImportResult:
    """A finished import: the conversion, the YAML of each spec, and what was written."""

    conversion: Conversion
    files: dict[str, bytes]
    written: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        """One line for people."""
        return conversion_summary(self.conversion)


def spec_header(conversion: Conversion, spec: ConvertedSpec, tool: str) -> str:
    """The ``#`` comment header of a written spec: origin, and the operations lost."""
    lines = [
        f"# Imported by '{tool}' from {conversion.source}",
        f"# ({conversion.title}, API version {conversion.api_version or '?'}, OpenAPI "
        f"{conversion.openapi_version}, sha256 {conversion.sha256[:16]}...).",
        "# Generated: re-import rather than edit by hand.",
    ]
    lost = conversion.total - conversion.kept
    if lost:
        reasons = ", ".join(f"{c} {n}" for c, n in conversion.lost_by_reason().items())
        lines.append(
            f"# PARTIAL: {conversion.kept} of {conversion.total} operations kept; lost: {reasons}"
            " (every loss is in the conversion report)."
        )
    if len(conversion.specs) > 1:
        lines.append(
            f"# Split: resources {', '.join(spec.resources[:8])}"
            + (" ..." if len(spec.resources) > 8 else "")
            + f" of {conversion.provider} (the whole description exceeds one spec file)."
        )
    return "\n".join(lines) + "\n"


def import_openapi(
    description: str | Path,
    *,
    provider: str | None = None,
    select: Sequence[str] = (),
    out_dir: Path | None = None,
    report: Path | None = None,
) -> ImportResult:
    """Convert one description; with ``out_dir`` write ``<out_dir>/<spec>/connector.yaml``.

    Raises ``OpenApiError`` (exit 2) for an unreadable description, :class:`InputError` for a
    bad provider name or output, :class:`ConversionFailed` (exit 1) when no spec results.
    Nothing is written unless everything is.
    """
    if provider is not None and not re.match(SLUG_PATTERN, provider):
        raise InputError(
            f"--provider {provider!r} is not a provider slug",
            hint="lowercase letters and digits, single '-' or '_' between them, e.g. acme-crm",
        )
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir}: exists and is not a directory")
    if report is not None and not report.resolve().parent.is_dir():
        raise InputError(f"--report {report}: directory {report.parent} does not exist")
    path = Path(description)
    doc = load_openapi(path)
    provenance: dict[str, Any] = {"source": path.name}
    if out_dir is not None:
        # provider.openapi.path is relative to the spec's folder (certification reads it)
        provenance = {"path": _relative(path, out_dir)}
    conversion = convert_openapi(doc, provider=provider, select=select, provenance=provenance)
    files = {
        f"{spec.name}/{SPEC_FILE}": spec.to_yaml(
            spec_header(conversion, spec, "flows import openapi")
        )
        for spec in conversion.specs
    }
    result = ImportResult(conversion, files)
    if not conversion.specs:
        raise ConversionFailed(
            f"{path}: no spec could be made: {conversion_summary(conversion)}",
            hint="see the report (--report FILE.md) for every operation's reason",
        )
    if out_dir is not None:
        result.written = _write_all(out_dir, files)
    if report is not None:
        write_conversion_report(report, conversion)
        result.written.append(report)
    return result


def write_conversion_report(path: Path, conversion: Conversion) -> None:
    """The report as Markdown (``.md``) or JSON (anything else), atomically."""
    if path.suffix == ".md":
        data = conversion_markdown(conversion).encode()
    else:
        data = (json.dumps(conversion_json(conversion), indent=2) + "\n").encode()
    replace_file(path.resolve(), data)


def _relative(target: Path, out_dir: Path) -> str:
    """``target`` relative to a spec folder ``<out_dir>/<spec>/``."""
    inside = os.path.relpath(target.resolve(), out_dir.resolve()).replace(os.sep, "/")
    return f"../{inside}"


def _write_all(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Write every file or none: stage beside ``out_dir``, then move each into place."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".import-openapi-", dir=out_dir))
    written: list[Path] = []
    try:
        for rel, data in files.items():
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            (staging / rel).write_bytes(data)
        for rel in files:
            target = out_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, target)
            written.append(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written
