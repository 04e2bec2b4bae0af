"""``flows farm`` entry points: a local run (parallel shards, then merge) and the merge step.

:func:`farm_shard` (in :mod:`flows.farm.shard`) prepares one CI shard; :func:`farm_merge`
commits shard outputs; :func:`farm_local` does both on one machine, preparing specs in
``jobs`` worker processes into a private temporary directory.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from connector_spec.errors import argument
from flows.farm.buglog import log_internal_errors
from flows.farm.errors import FarmInputError
from flows.farm.memo import RefusalMemo, memo_path
from flows.farm.merge import (
    check_shard_set,
    commit_staged,
    find_shard_dirs,
    read_all_staged,
    read_shard,
)
from flows.farm.progress import Progress
from flows.farm.report import FarmReport
from flows.farm.select import discover, specs_digest
from flows.farm.shard import check_jobs, prepare_candidates
from flows.notice import Notice
from registry import StatementSigner


def keyless_identities(root: Path) -> list[dict[str, str]]:
    """The keyless identities the registry at ``root`` trusts (from its newest root)."""
    from registry import layout
    from registry import tuf_metadata as tm
    from registry.tuf_metadata import Metadata, Root

    _, data = layout.newest_root(root)
    return list(tm.policy_of(Metadata[Root].from_bytes(data).signed)["identities"])


def statement_signer(
    root: Path, *, keyless: bool, signer: StatementSigner | None
) -> StatementSigner | None:
    """The statement signer (``None``: the registry's key); keyless needs a trusting registry."""
    if signer is not None or not keyless:
        return signer
    from registry import KeylessSigner, Registry

    if not Registry.exists_at(root) or not keyless_identities(root):
        raise FarmInputError(
            f"{argument('keyless')}: the registry at {root} "
            + ("does not exist" if not Registry.exists_at(root) else "trusts no keyless identity")
            + ", so keyless signatures would not verify",
            hint="create it once with `flows registry init --identity WORKFLOW_IDENTITY "
            "--issuer https://token.actions.githubusercontent.com` and commit it",
        )
    return KeylessSigner.from_environment()


def farm_merge(
    shard_dirs: Sequence[Path],
    *,
    registry: str | Path | None = None,
    key_dir: Path | None = None,
    keyless: bool = False,
    signer: StatementSigner | None = None,
    notice: Notice | None = None,
    progress: Progress | None = None,
) -> FarmReport:
    """Commit the staged publications of every shard in ``shard_dirs`` into the registry."""
    from flows.publish import registry_root

    started = time.perf_counter()
    root = registry_root(registry)
    if not shard_dirs:
        raise FarmInputError(f"{argument('merge')} needs at least one shard output directory")
    shards = [(d, read_shard(d)) for d in find_shard_dirs(shard_dirs)]
    check_shard_set(shards)
    chosen = statement_signer(root, keyless=keyless, signer=signer)
    items = read_all_staged(shards)
    commit_staged(items, root, key_dir=key_dir, signer=chosen, notice=notice, progress=progress)
    first = shards[0][1]
    outcomes = sorted((o for _, r in shards for o in r.outcomes), key=lambda o: o.key)
    ordered = sorted(shards, key=lambda s: s[1].shard or "")
    return FarmReport(
        mode="merge",
        outcomes=outcomes,
        specs_dir=first.specs_dir,
        registry=str(root),
        specs_total=first.specs_total,
        specs_digest=first.specs_digest,
        shards=[f"{r.shard} ({d})" for d, r in ordered],
        seconds=time.perf_counter() - started,
    )


def farm_local(
    specs_dir: Path,
    *,
    registry: str | Path | None = None,
    jobs: int | None = None,
    packs: Sequence[str | Path] = (),
    key_dir: Path | None = None,
    keyless: bool = False,
    signer: StatementSigner | None = None,
    notice: Notice | None = None,
    progress: Progress | None = None,
) -> FarmReport:
    """Farm every complete spec of ``specs_dir`` into the registry on this machine."""
    from flows.publish import registry_root

    started = time.perf_counter()
    root = registry_root(registry)
    workers = check_jobs(jobs)
    candidates = discover(specs_dir)
    chosen = statement_signer(root, keyless=keyless, signer=signer)
    with tempfile.TemporaryDirectory(prefix="flows-farm-") as tmp:
        staging = Path(tmp)
        outcomes = prepare_candidates(
            candidates,
            staging,
            registry=root,
            packs=packs,
            jobs=workers,
            progress=progress,
            memo=RefusalMemo(memo_path(root)),
        )
        log_internal_errors(outcomes, root.parent)  # next to the registry
        report = FarmReport(
            mode="local",
            outcomes=outcomes,
            specs_dir=str(specs_dir),
            registry=str(root),
            jobs=workers,
            specs_total=len(candidates),
            specs_digest=specs_digest(candidates),
        )
        items = read_all_staged([(staging, report)])
        commit_staged(items, root, key_dir=key_dir, signer=chosen, notice=notice, progress=progress)
    report.seconds = time.perf_counter() - started
    return report
