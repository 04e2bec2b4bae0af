"""One mutant of the mutation run: a realistic bug as an edit of a generated package."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    """One realistic bug: replace ``old`` by ``new`` in ``file`` of ``target``'s package."""

    name: str
    family: str
    target: str  # a seed provider or "coverage"
    file: str  # relative to the package folder, e.g. "_runtime/retry.py" or "client.py"
    old: str
    new: str
    kills: str  # the check (id or prefix) expected to catch it


E, R, P = "_runtime/engine.py", "_runtime/retry.py", "_runtime/pagination.py"
S = "_runtime/servers.py"
