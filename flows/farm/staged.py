"""Staged publications read back from shard outputs: checked before anything is written.

:func:`read_all_staged` checks every staged publication of every shard first (each file the
shard report lists is there, has the SHA-256 it recorded, and nothing else is there) and
raises when one fails, so a damaged or mixed-up artifact publishes nothing. It keeps only the
digests, not the bytes: a farm of thousands of connectors is committed in batches, and
:func:`load_publication` reads one publication's bytes when its batch is committed (checking
them against the same digests again).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from connector_spec.digests import sha256_hex
from connector_spec.errors import CheckFailed
from flows.farm.errors import StagedIntegrityError
from flows.farm.report import FarmReport, SpecOutcome
from registry import Publication, RegistryInputError

MAX_PROBLEMS_SHOWN = 20


@dataclass
class StagedItem:
    """A staged publication whose files passed their digest check, and its outcome."""

    outcome: SpecOutcome
    directory: Path  # OUT/<name>/<version>
    name: str
    version: str
    wheel: str
    files: dict[str, str]  # file name -> SHA-256 recorded by the shard

    @property
    def where(self) -> str:
        """The staged directory, for messages."""
        return str(self.directory)


class StagedItemError(CheckFailed):
    """One staged publication cannot be published as it is (its other checks failed)."""


def read_staged(outcome: SpecOutcome, base_dir: Path, problems: list[str]) -> StagedItem | None:
    """Check one staged publication's files; append what is wrong to ``problems``."""
    from registry import layout

    staged = outcome.staged or {}
    where = f"{base_dir}/{outcome.key}"
    try:
        name = layout.check_name(str(outcome.name))
        version = str(outcome.version)
        layout.semver_key(version)
        files = {layout.check_filename(str(f)): str(h) for f, h in dict(staged["files"]).items()}
        wheel = str(staged["wheel"])
    except (RegistryInputError, KeyError, TypeError, ValueError) as exc:
        problems.append(f"{where}: the shard report's staged entry is malformed ({exc})")
        return None
    directory = base_dir / name / version
    where = str(directory)
    if staged.get("dir") != f"{name}/{version}":
        problems.append(f"{where}: the shard report names {staged.get('dir')!r}")
        return None
    present = {p.name for p in directory.iterdir()} if directory.is_dir() else set()
    fine = True
    for filename, digest in files.items():
        if filename not in present:
            problems.append(f"{where}/{filename}: missing")
            fine = False
        elif sha256_hex((directory / filename).read_bytes()) != digest:
            problems.append(f"{where}/{filename}: SHA-256 differs from the shard report")
    problems += [
        f"{where}/{extra}: not in the shard report" for extra in sorted(present - set(files))
    ]
    needed = (layout.SPEC_FILE, layout.STATEMENT_FILE, wheel)
    if any(f not in files for f in needed):
        problems.append(f"{where}: the shard report lists no {', '.join(needed)}")
        return None
    if not fine:
        return None
    return StagedItem(outcome, directory, name, version, wheel, files)


def read_all_staged(shards: Sequence[tuple[Path, FarmReport]]) -> list[StagedItem]:
    """Every staged publication of ``shards``, checked; raise when any check fails."""
    problems: list[str] = []
    items: list[StagedItem] = []
    for directory, report in shards:
        for outcome in report.outcomes:
            if outcome.status != "staged":
                continue
            item = read_staged(outcome, directory, problems)
            if item is not None:
                items.append(item)
    if problems:
        shown = "\n".join(problems[:MAX_PROBLEMS_SHOWN])
        more = len(problems) - MAX_PROBLEMS_SHOWN
        raise StagedIntegrityError(
            f"staged publications failed their integrity check; nothing was published:\n"
            f"{shown}" + (f"\n... and {more} more" if more > 0 else ""),
            hint="rerun the shards; never edit their output",
        )
    return items


def load_publication(item: StagedItem) -> Publication:
    """The publication of ``item``, read now; :class:`StagedItemError` when it is unusable.

    The bytes must still have the recorded digests and the statement must be canonical JSON
    (the bytes that get signed). That the spec names this name and version, and is a valid
    spec, the registry checks when it publishes.
    """
    from registry import layout
    from registry.signing import canonical_statement

    contents: dict[str, bytes] = {}
    for filename, digest in item.files.items():
        data = (item.directory / filename).read_bytes()
        if sha256_hex(data) != digest:
            raise StagedIntegrityError(
                f"{item.where}/{filename}: SHA-256 differs from the shard report (changed "
                "during the merge)",
                hint="rerun the shards; never edit their output",
            )
        contents[filename] = data
    statement_bytes = contents[layout.STATEMENT_FILE]
    try:
        statement = json.loads(statement_bytes)
        if not isinstance(statement, dict):
            raise ValueError("not a JSON object")
        if canonical_statement(statement) != statement_bytes:
            raise ValueError("not in canonical (RFC 8785) form")
    except ValueError as exc:
        raise StagedItemError(f"{item.where}/{layout.STATEMENT_FILE}: {exc}") from None
    needed = (layout.SPEC_FILE, layout.STATEMENT_FILE, item.wheel)
    return Publication(
        name=item.name,
        version=item.version,
        spec_bytes=contents[layout.SPEC_FILE],
        wheel_filename=item.wheel,
        wheel_bytes=contents[item.wheel],
        statement=statement,
        extra_files={f: d for f, d in contents.items() if f not in needed},
        statement_bytes=statement_bytes,
    )
