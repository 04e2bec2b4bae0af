"""What a local farm run remembers of refused specs, so an unchanged refusal is not redone.

A published spec that did not change costs nothing on the next run (the registry holds its
bytes). A refused one is not in the registry; without a memory it would be generated,
built and certified again on every run. Certification is deterministic (virtual clock, fixed
seeds), so the same inputs are refused the same way: the memo maps a digest of everything a
refusal depends on (flows' version, every file of the spec's folder except the harvest
sidecar, i.e. the spec, its provider description and fixtures, and the policy packs that
apply), per spec, with the refused outcome. The memo is a JSON file beside the registry
(:data:`MEMO_FILE`); a changed input, another flows version or a deleted memo certifies again.
Only refusals are remembered: errors (bugs, stale versions) are always retried.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from connector_spec.atomic import replace_file
from flows.farm.report import SpecOutcome
from flows.farm.select import SIDECAR_FILE

MEMO_FILE = "farm-refused.json"
FORMAT = "flows-farm-refused/1"
REMEMBERED = (
    "(remembered from an earlier run: the spec, its description and fixtures, the policy "
    "packs and flows are unchanged; delete {memo} to certify it again)"
)


def memo_path(registry: Path) -> Path:
    """Where the memo of the farm into ``registry`` lives (beside it)."""
    return registry.parent / MEMO_FILE


def _files(folder: Path) -> Iterable[tuple[str, Path]]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != SIDECAR_FILE and "__pycache__" not in path.parts:
            yield path.relative_to(folder).as_posix(), path


def policy_digest(packs: Sequence[str | Path]) -> str:
    """SHA-256 over the policy packs that apply: the given ones and the organisation's."""
    from policies.loader import org_pack_dirs, pack_files

    digest = hashlib.sha256()
    folders = [Path(p) for p in packs] + [d for d, _ in org_pack_dirs(None) if d.is_dir()]
    for folder in folders:
        files = pack_files(folder) if folder.is_dir() else [folder]
        for path in files:
            digest.update(f"{path}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def input_key(spec_dir: Path, policies: str) -> str:
    """The digest of everything the certification of the spec in ``spec_dir`` depends on."""
    from flows import __version__

    digest = hashlib.sha256(f"{__version__}\0{policies}\0".encode())
    for rel, path in _files(spec_dir):
        digest.update(f"{rel}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class RefusalMemo:
    """The remembered refusals of a registry's farm runs (read once, written once)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, dict[str, Any]] = {}
        try:
            data = json.loads(path.read_bytes())
            if isinstance(data, dict) and data.get("format") == FORMAT:
                self.entries = dict(data.get("refused") or {})
        except (OSError, ValueError):
            pass  # no memo yet (or a damaged one): everything is certified

    def recall(self, key: str, outcome: SpecOutcome) -> bool:
        """Fill ``outcome`` from the remembered refusal of its spec when that was refused with
        the inputs ``key``; False otherwise."""
        entry = self.entries.get(outcome.key)
        if not isinstance(entry, dict) or entry.get("inputs") != key:
            return False
        outcome.status, outcome.refused_by = "refused", str(entry.get("refused_by"))
        outcome.name, outcome.version = entry.get("name"), entry.get("version")
        outcome.message = f"{entry.get('message')}\n{REMEMBERED.format(memo=self.path)}"
        return True

    def update(self, keys: dict[str, str], outcomes: Sequence[SpecOutcome]) -> None:
        """Remember this run's refusals (``keys``: spec key -> input key); a spec prepared
        with another result is forgotten."""
        changed = False
        for outcome in outcomes:
            key = keys.get(outcome.key)
            if key is None:
                continue
            if outcome.status == "refused" and outcome.message:
                self.entries[outcome.key] = {
                    "inputs": key,
                    "refused_by": outcome.refused_by,
                    "name": outcome.name,
                    "version": outcome.version,
                    "message": outcome.message,
                }
                changed = True
            elif self.entries.pop(outcome.key, None) is not None:
                changed = True
        if changed:
            data = {"format": FORMAT, "refused": dict(sorted(self.entries.items()))}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            replace_file(self.path, (json.dumps(data, indent=1) + "\n").encode())
