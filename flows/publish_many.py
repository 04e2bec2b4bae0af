"""Publish every connector of a directory (``connectors/<name>/connector.yaml``) at once.

All of them are validated, built, certified and gated before the registry is touched: one
refusal (a failed check, a failed policy rule, a version the registry would refuse) publishes
none of them and leaves the registry exactly as it was. Then each is committed in its own
registry transaction, in name order; connectors already published with identical content are
``unchanged``, so a rerun is a no-op.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from connector_spec.codegen import render_package
from connector_spec.errors import InputError
from connector_spec.loader import load_spec
from flows.notice import Notice
from flows.packaging import build_wheel
from flows.publish import (
    PreparedPublication,
    PublishOutcome,
    check_version_early,
    commit_publication,
    prepare_publication,
    registry_root,
    unchanged_outcome,
)
from registry import KeylessSigner, StatementSigner

SPEC_NAME = "connector.yaml"


def connector_specs(directory: Path) -> list[Path]:
    """The specs of ``directory``: ``<dir>/*/connector.yaml`` in name order (or its own)."""
    if (directory / SPEC_NAME).is_file():
        return [directory / SPEC_NAME]
    found = sorted(p for p in directory.glob(f"*/{SPEC_NAME}") if p.is_file())
    if not found:
        raise InputError(
            f"{directory}: no connector specs in this directory",
            hint=f"give a spec file, or a directory holding <name>/{SPEC_NAME} (e.g. connectors/)",
        )
    return found


def publish_directory(
    directory: str | Path,
    *,
    registry: str | Path | None = None,
    packs: Sequence[str | Path] = (),
    key_dir: str | Path | None = None,
    signer: StatementSigner | None = None,
    keyless: bool = False,
    notice: Notice | None = None,
) -> list[PublishOutcome]:
    """Publish every connector spec of ``directory``; one outcome per spec, in name order.

    Raises the first refusal (:class:`~connector_spec.errors.FlowsError`) before anything is
    written when any spec is refused.
    """
    root = registry_root(registry)
    keys = Path(key_dir) if key_dir is not None else None
    outcomes: dict[Path, PublishOutcome] = {}
    prepared: dict[Path, tuple[PreparedPublication, float]] = {}
    for path in connector_specs(Path(directory)):
        started = time.perf_counter()
        loaded = load_spec(path)
        generated = render_package(loaded)
        wheel = build_wheel(generated, loaded.raw)
        same = unchanged_outcome(loaded, wheel, root, keys)
        if same is not None:
            same.seconds = time.perf_counter() - started
            outcomes[path] = same
            continue
        check_version_early(loaded, root, keys)
        publication = prepare_publication(loaded, wheel, generated.manifest, packs)
        prepared[path] = (publication, time.perf_counter() - started)
    if prepared and signer is None and keyless:
        signer = KeylessSigner.from_environment()
    for path, (publication, spent) in prepared.items():
        outcomes[path] = commit_publication(
            publication,
            root,
            key_dir=keys,
            signer=signer,
            notice=notice,
            started=time.perf_counter() - spent,
        )
    return [outcomes[path] for path in sorted(outcomes)]
