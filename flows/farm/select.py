"""Which specs the farm sees: discovery in ``--specs DIR``, completeness, and sharding.

A spec is ``DIR/<key>/connector.yaml``. Its completeness comes from the harvest's sidecar
``DIR/<key>/harvest.json`` (``status`` and ``reasons``); without a sidecar the YAML's
``# INCOMPLETE`` comment header (also written by the harvest) decides, and a spec with neither
is a hand-written one and counts as complete. Only complete specs are farmed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connector_spec.errors import argument
from flows.farm.errors import FarmInputError

SPEC_FILE = "connector.yaml"
SIDECAR_FILE = "harvest.json"
MAX_SHARDS = 1000

_SHARD_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_HEADER_REASON = re.compile(r"^#\s{2,}([a-z][a-z0-9-]*):")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    def label(self) -> str:
        """``I/N``."""
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """``"2/4"`` → ``Shard(2, 4)``; anything else is a :class:`FarmInputError`."""
    match = _SHARD_RE.match(text)
    hint = f"give {argument('shard')} I/N with 1 <= I <= N, e.g. {argument('shard')} 1/4"
    if match is None:
        raise FarmInputError(f"{argument('shard')} {text!r} is not of the form I/N", hint=hint)
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or count > MAX_SHARDS:
        raise FarmInputError(
            f"{argument('shard')} {text}: the number of shards must be 1..{MAX_SHARDS}", hint=hint
        )
    if not 1 <= index <= count:
        raise FarmInputError(
            f"{argument('shard')} {text}: shard {index} does not exist of {count}", hint=hint
        )
    return Shard(index, count)


@dataclass(frozen=True)
class Candidate:
    """One spec found under ``--specs``, with what its harvest says about it."""

    key: str
    path: Path
    complete: bool
    reasons: tuple[str, ...] = ()
    source: str = "harvest"  # "harvest" (sidecar or header) | "hand-written"
    problem: str | None = None  # the sidecar could not be read: reported as an error
    #: the sidecar's ``coverage`` (n8n operations kept vs omitted), when it has one
    coverage: dict[str, Any] | None = None

    @property
    def rel(self) -> str:
        """The spec's path relative to ``--specs``."""
        return f"{self.key}/{SPEC_FILE}"


def discover(specs_dir: Path) -> list[Candidate]:
    """Every ``<key>/connector.yaml`` below ``specs_dir``, sorted by key."""
    if not specs_dir.exists():
        raise FarmInputError(
            f"{argument('specs')} {specs_dir}: no such directory",
            hint=f"point {argument('specs')} at a harvest output (`flows harvest n8n --out DIR`)",
        )
    if not specs_dir.is_dir():
        raise FarmInputError(f"{argument('specs')} {specs_dir}: not a directory")
    found = [
        _candidate(child)
        for child in sorted(specs_dir.iterdir(), key=lambda p: p.name)
        if child.is_dir() and (child / SPEC_FILE).is_file()
    ]
    if not found:
        raise FarmInputError(
            f"{argument('specs')} {specs_dir}: no connector specs here "
            f"(expected <provider>/{SPEC_FILE})",
            hint=f"point {argument('specs')} at a harvest output (`flows harvest n8n --out DIR`)",
        )
    return found


def _candidate(directory: Path) -> Candidate:
    key, spec = directory.name, directory / SPEC_FILE
    sidecar = directory / SIDECAR_FILE
    if sidecar.is_file():
        try:
            data = json.loads(sidecar.read_bytes())
            status = data["status"]
            reasons = tuple(str(r) for r in data.get("reasons") or ())
            coverage = _coverage(data.get("coverage"))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            return Candidate(
                key, spec, False, source="harvest", problem=f"{sidecar}: unreadable ({exc})"
            )
        if status == "complete" and not reasons:
            return Candidate(key, spec, True, coverage=coverage)
        return Candidate(key, spec, False, reasons or (f"status-{status}",), coverage=coverage)
    header = _header_reasons(spec)
    if header is not None:
        return Candidate(key, spec, False, header)
    return Candidate(key, spec, True, source="hand-written")


def _coverage(value: Any) -> dict[str, Any] | None:
    """The sidecar's coverage block, checked: counts are integers, reasons map to integers."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise TypeError(f"coverage is {type(value).__name__}, not an object")
    out: dict[str, Any] = {}
    if "n8n_operations" not in value and "operations" in value:
        value = {**value, "n8n_operations": value["operations"]}  # an OpenAPI harvest's
    for key in ("n8n_operations", "kept", "omitted"):
        count = value[key]
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise TypeError(f"coverage.{key} is not a count: {count!r}")
        out[key] = count
    reasons = value.get("omitted_by_reason") or {}
    out["omitted_by_reason"] = {str(k): int(v) for k, v in reasons.items()}
    return out


def _header_reasons(spec: Path) -> tuple[str, ...] | None:
    """Reason codes of a harvested spec's ``# INCOMPLETE`` header, or ``None`` without one."""
    reasons: list[str] = []
    incomplete = False
    with spec.open("rb") as stream:
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip()
            if not line.startswith("#"):
                break
            if line.startswith("# INCOMPLETE"):
                incomplete = True
            elif incomplete and (match := _HEADER_REASON.match(line)):
                reasons.append(match.group(1))
    if not incomplete:
        return None
    return tuple(dict.fromkeys(reasons)) or ("incomplete",)


def specs_digest(candidates: list[Candidate]) -> str:
    """``sha256:`` over every candidate's key, spec bytes and sidecar bytes (shards agree)."""
    digest = hashlib.sha256()
    for c in candidates:
        sidecar = c.path.parent / SIDECAR_FILE
        side = sidecar.read_bytes() if sidecar.is_file() else b""
        digest.update(f"{c.key}\0".encode())
        digest.update(hashlib.sha256(c.path.read_bytes()).digest())
        digest.update(hashlib.sha256(side).digest())
    return "sha256:" + digest.hexdigest()


def assign(candidates: list[Candidate], shard: Shard) -> list[Candidate]:
    """The candidates of ``shard``: round-robin over the sorted complete specs, and separately
    over the others, so each spec lands in exactly one shard and the costly work is balanced."""
    complete = [c for c in candidates if c.complete]
    others = [c for c in candidates if not c.complete]
    mine = [
        c
        for group in (complete, others)
        for i, c in enumerate(group)
        if i % shard.count == shard.index - 1
    ]
    return sorted(mine, key=lambda c: c.key)
