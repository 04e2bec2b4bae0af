"""Merge staged shard outputs into the registry: check everything first, then commit each.

Before anything is written: the shard set must be complete and consistent (same specs, every
shard ``1..N`` exactly once) and every staged file must match the SHA-256 its shard report
recorded. Then each staged publication is versioned again against the registry as it is now
(a shard may have run against an older copy): when that still gives the staged version it is
published (one registry transaction each, signed with the registry key or keylessly); when the
registry already holds the same spec it is ``unchanged``; otherwise it is an error naming the
stale version, and the other publications go on.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from connector_spec.digests import sha256_hex
from connector_spec.errors import FlowsError, argument
from connector_spec.model import ConnectorSpec
from flows.farm.errors import FarmInputError, StagedIntegrityError
from flows.farm.progress import NoProgress, Progress
from flows.farm.report import FORMAT, FarmReport, SpecOutcome
from flows.farm.select import parse_shard
from flows.farm.shard import SHARD_REPORT
from flows.notice import Notice
from registry import Publication, PublishRefused, Registry, RegistryInputError, StatementSigner


@dataclass
class StagedItem:
    """A staged publication read back and checked, with the outcome it will update."""

    outcome: SpecOutcome
    publication: Publication
    spec: ConnectorSpec


def find_shard_dirs(dirs: Sequence[Path]) -> list[Path]:
    """Each ``--merge DIR`` is a shard output, or a directory whose subdirectories are."""
    found: list[Path] = []
    for directory in dirs:
        if not directory.is_dir():
            raise FarmInputError(f"{argument('merge')} {directory}: no such directory")
        if (directory / SHARD_REPORT).is_file():
            found.append(directory)
            continue
        inner = sorted(
            child
            for child in directory.iterdir()
            if child.is_dir() and (child / SHARD_REPORT).is_file()
        )
        if not inner:
            raise FarmInputError(
                f"{argument('merge')} {directory}: no shard output here ({SHARD_REPORT} in it "
                "or in its subdirectories)",
                hint="pass the output directories of `flows farm --shard I/N`, or their parent",
            )
        found += inner
    return found


def read_shard(directory: Path) -> FarmReport:
    """The shard report in ``directory``."""
    path = directory / SHARD_REPORT
    try:
        data = json.loads(path.read_bytes())
        if data.get("format") != FORMAT or data.get("mode") != "shard":
            raise ValueError(f"not a {FORMAT} shard report")
        report = FarmReport.from_json(data)
        if report.shard is None:
            raise ValueError("no shard label")
        parse_shard(report.shard)
    except (OSError, ValueError, KeyError, TypeError, FlowsError) as exc:
        text = exc.diagnostics() if isinstance(exc, FlowsError) else str(exc)
        raise FarmInputError(
            f"{path}: unreadable shard report ({text})",
            hint="merge only what `flows farm --shard I/N --out DIR` wrote",
        ) from None
    return report


def check_shard_set(shards: list[tuple[Path, FarmReport]]) -> None:
    """Refuse a shard set that is incomplete, mixed from different runs, or overlapping."""
    labels = [parse_shard(report.shard or "") for _, report in shards]
    counts = {s.count for s in labels}
    if len(counts) != 1:
        raise FarmInputError(
            "the shards disagree on the number of shards: "
            + ", ".join(f"{d} is {s.label()}" for (d, _), s in zip(shards, labels, strict=True))
        )
    count = counts.pop()
    seen: dict[int, Path] = {}
    for (directory, _), shard in zip(shards, labels, strict=True):
        if shard.index in seen:
            raise FarmInputError(
                f"shard {shard.label()} is given twice ({seen[shard.index]} and {directory})"
            )
        seen[shard.index] = directory
    missing = sorted(set(range(1, count + 1)) - set(seen))
    if missing:
        raise FarmInputError(
            f"shard(s) {', '.join(f'{i}/{count}' for i in missing)} missing: merging only some "
            "shards would leave their specs out",
            hint="pass every shard's output directory (a shard that failed must be rerun)",
        )
    digests = {report.specs_digest for _, report in shards}
    if len(digests) != 1:
        raise FarmInputError(
            "the shards were prepared from different specs (their specs_digest differ)",
            hint=f"run every shard on the same {argument('specs')} directory",
        )
    keys: dict[str, str] = {}
    for _, report in shards:
        for outcome in report.outcomes:
            if outcome.key in keys:
                raise FarmInputError(
                    f"spec {outcome.spec} appears in shards {keys[outcome.key]} and {report.shard}"
                )
            keys[outcome.key] = report.shard or ""
    total = shards[0][1].specs_total
    if total is not None and len(keys) != total:
        raise FarmInputError(
            f"the shards report {len(keys)} specs; the specs directory has {total}"
        )


def read_staged(outcome: SpecOutcome, base_dir: Path, problems: list[str]) -> StagedItem | None:
    """Read and check one staged publication; append what is wrong to ``problems``."""
    from connector_spec.errors import SpecError
    from connector_spec.loader import parse_spec_bytes
    from registry import layout
    from registry.signing import canonical_statement

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
    contents: dict[str, bytes] = {}
    for filename, digest in files.items():
        if filename not in present:
            problems.append(f"{where}/{filename}: missing")
            continue
        data = (directory / filename).read_bytes()
        if sha256_hex(data) != digest:
            problems.append(f"{where}/{filename}: SHA-256 differs from the shard report")
        contents[filename] = data
    problems += [
        f"{where}/{extra}: not in the shard report" for extra in sorted(present - set(files))
    ]
    needed = (layout.SPEC_FILE, layout.STATEMENT_FILE, wheel)
    if any(f not in contents for f in needed):
        if all(f in files for f in needed):
            return None  # already reported as missing
        problems.append(f"{where}: the shard report lists no {', '.join(needed)}")
        return None
    try:
        statement = json.loads(contents[layout.STATEMENT_FILE])
        if canonical_statement(statement) != contents[layout.STATEMENT_FILE]:
            raise ValueError("not in canonical (RFC 8785) form")
        spec = parse_spec_bytes(contents[layout.SPEC_FILE], f"{where}/{layout.SPEC_FILE}")
    except (ValueError, SpecError) as exc:
        text = exc.diagnostics() if isinstance(exc, SpecError) else str(exc)
        problems.append(f"{where}: {text}")
        return None
    if (spec.provider.name, spec.provider.version) != (name, version):
        problems.append(
            f"{where}/{layout.SPEC_FILE}: declares {spec.provider.name}@{spec.provider.version}"
        )
        return None
    extras = {f: d for f, d in contents.items() if f not in needed}
    publication = Publication(
        name=name,
        version=version,
        spec_bytes=contents[layout.SPEC_FILE],
        wheel_filename=wheel,
        wheel_bytes=contents[wheel],
        statement=statement,
        extra_files=extras,
    )
    return StagedItem(outcome, publication, spec)


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
        shown = "\n".join(problems[:20])
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise StagedIntegrityError(
            f"staged publications failed their integrity check; nothing was published:\n"
            f"{shown}{more}",
            hint="rerun the shards; never edit their output",
        )
    return items


def _duplicates(items: list[StagedItem]) -> list[StagedItem]:
    by_name: dict[str, list[StagedItem]] = defaultdict(list)
    for item in items:
        by_name[item.publication.name].append(item)
    keep: list[StagedItem] = []
    for name, group in by_name.items():
        if len(group) == 1:
            keep += group
            continue
        specs = ", ".join(i.outcome.spec for i in group)
        for item in group:
            item.outcome.status = "error"
            item.outcome.message = f"provider name {name!r} is used by several specs: {specs}"
    return keep


def commit_staged(
    items: list[StagedItem],
    root: Path,
    *,
    key_dir: Path | None = None,
    signer: StatementSigner | None = None,
    notice: Notice | None = None,
    progress: Progress | None = None,
) -> None:
    """Publish each item into the registry at ``root`` (updating its outcome in place)."""
    from flows.farm.versioning import decide_version, published_base

    progress = progress or NoProgress()
    items = _duplicates(sorted(items, key=lambda i: i.outcome.key))
    progress.phase("publish", len(items))
    target: Registry | None = None
    for item in items:
        outcome, publication = item.outcome, item.publication
        try:
            base = published_base(root, publication.name)
            decision = decide_version(publication.spec_bytes, item.spec, base)
            if decision.status == "unchanged":
                outcome.status = "unchanged"
                outcome.version, outcome.version_note = decision.version, decision.note
            elif decision.version != publication.version:
                outcome.status = "error"
                outcome.refused_by = "registry"
                outcome.message = (
                    f"{publication.name}@{publication.version} is stale: the registry changed "
                    f"since the shard ran (it now holds {base.version if base else 'nothing'}; "
                    f"this spec now needs {decision.version})"
                )
            else:
                if target is None:
                    target = Registry.open_or_init(root, key_dir=key_dir, notice=notice)
                result = target.publish(publication, signer=signer)
                outcome.status = "published" if result.status == "published" else "unchanged"
                outcome.digest = result.digest
                outcome.staged = None
        except PublishRefused as error:
            outcome.status, outcome.refused_by = "error", "registry"
            outcome.message = error.diagnostics()
        except RegistryInputError:
            raise  # the registry itself is unusable (no key, locked): stop, change nothing more
        except FlowsError as error:
            outcome.status = "error"
            outcome.message = error.diagnostics()
        except Exception as error:  # e.g. the keyless signer's network failed
            outcome.status = "error"
            outcome.message = f"publishing failed: {type(error).__name__}: {error}"
        progress.done(outcome)
