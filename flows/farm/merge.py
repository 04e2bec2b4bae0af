"""Merge staged shard outputs into the registry: check everything first, then commit.

Before anything is written: the shard set must be complete and consistent (same specs, every
shard ``1..N`` exactly once) and every staged file must match the SHA-256 its shard report
recorded (:mod:`flows.farm.staged`). Then, in batches, each staged publication is versioned
again against the registry as it is now (a shard may have run against an older copy): when
that still gives the staged version it is published (one registry transaction per batch,
signed with the registry key or keylessly); when the registry already holds the same spec it
is ``unchanged``; otherwise it is an error naming the stale version, and the others go on.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from connector_spec.errors import FlowsError, argument
from flows.farm.errors import FarmInputError
from flows.farm.progress import NoProgress, Progress
from flows.farm.report import FORMAT, FarmReport, SpecOutcome
from flows.farm.select import parse_shard
from flows.farm.shard import SHARD_REPORT
from flows.farm.staged import StagedItem, load_publication, read_all_staged
from flows.farm.versioning import PublishedIndex
from flows.notice import Notice
from registry import (
    Publication,
    PublishRefused,
    PublishResult,
    Registry,
    StatementSigner,
    layout,
)

#: staged publications committed per registry transaction (bounds the memory a batch holds)
BATCH = 100

__all__ = ["BATCH", "commit_staged", "read_all_staged", "read_shard"]


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


def _duplicates(items: list[StagedItem]) -> list[StagedItem]:
    by_name: dict[str, list[StagedItem]] = defaultdict(list)
    for item in items:
        by_name[item.name].append(item)
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
    """Publish the items into the registry at ``root`` (updating their outcomes in place).

    In batches of :data:`BATCH`: each batch is versioned against the registry as it is then
    and committed by one registry transaction (:meth:`Registry.publish_many`), so the commit
    cost (re-signing the metadata, the index pages) does not grow with every connector.
    """
    progress = progress or NoProgress()
    items = _duplicates(sorted(items, key=lambda i: i.outcome.key))
    progress.phase("publish", len(items))
    target: Registry | None = None
    for start in range(0, len(items), BATCH):
        published = PublishedIndex(root)
        ready: list[tuple[StagedItem, Publication]] = []
        for item in items[start : start + BATCH]:
            publication = _to_publish(item, published)
            if publication is None:
                progress.done(item.outcome)
            else:
                ready.append((item, publication))
        if not ready:
            continue
        if target is None:
            target = Registry.open_or_init(root, key_dir=key_dir, notice=notice)
        # a RegistryInputError (no key, locked) stops the run: the registry is unusable
        answers = target.publish_many([p for _, p in ready], signer=signer)
        for (item, _), answer in zip(ready, answers, strict=True):
            _record(item.outcome, answer)
            progress.done(item.outcome)


def _to_publish(item: StagedItem, published: PublishedIndex) -> Publication | None:
    """The publication of ``item`` when its version is still right, else None (outcome set)."""
    from connector_spec.loader import parse_spec_bytes
    from flows.farm.versioning import decide_version

    outcome = item.outcome
    try:
        publication = load_publication(item)
        same = published.unchanged(publication.spec_bytes)
        base = published.base(item.name) if same is None else None
        if same is None and base is None:
            return publication  # the first version: the spec's own (the registry checks it)
        if same is not None:
            outcome.status, outcome.version = "unchanged", same[1]
            outcome.version_note = f"same as {same[0]}@{same[1]} in the registry"
            return None
        where = f"{item.where}/{layout.SPEC_FILE}"
        spec = parse_spec_bytes(publication.spec_bytes, where)
        decision = decide_version(publication.spec_bytes, spec, base)
    except FlowsError as error:
        outcome.status = "error"
        outcome.message = error.diagnostics()
        return None
    if decision.status == "unchanged":
        outcome.status = "unchanged"
        outcome.version, outcome.version_note = decision.version, decision.note
        return None
    if decision.version != item.version:
        outcome.status = "error"
        outcome.refused_by = "registry"
        outcome.message = (
            f"{item.name}@{item.version} is stale: the registry changed since the shard ran "
            f"(it now holds {base.version if base else 'nothing'}; this spec now needs "
            f"{decision.version})"
        )
        return None
    return publication


def _record(outcome: SpecOutcome, answer: PublishResult | Exception) -> None:
    """Update ``outcome`` with what the registry answered."""
    if isinstance(answer, PublishResult):
        outcome.status = "published" if answer.status == "published" else "unchanged"
        outcome.digest = answer.digest
        outcome.staged = None
    elif isinstance(answer, PublishRefused):
        outcome.status, outcome.refused_by = "error", "registry"
        outcome.message = answer.diagnostics()
    elif isinstance(answer, FlowsError):
        outcome.status = "error"
        outcome.message = answer.diagnostics()
    else:  # e.g. the keyless signer's network failed
        outcome.status = "error"
        outcome.message = f"publishing failed: {type(answer).__name__}: {answer}"
