"""Publish one connector: validate → generate → build → certify → policy gate → sign → write.

The pipeline composes the library packages and owns no logic of theirs: ``connector_spec``
loads and renders, :mod:`flows.packaging` builds the wheel, ``certify`` runs the contract
matrix, ``policies`` gates, ``registry`` signs and commits in one transaction. Nothing touches
the registry (not even creating it) until every check has passed, so a refused publish leaves
the registry and the working tree exactly as they were.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from certify import CertificationResult, certify_connector
from connector_spec.codegen import GeneratedPackage, render_package
from connector_spec.digests import sha256_hex
from connector_spec.errors import CheckFailed, InputError
from connector_spec.loader import LoadedSpec, load_spec
from flows.gate import gate_certification
from flows.notice import Notice
from flows.packaging import BuiltWheel, build_wheel
from policies import PolicyReport
from registry import KeylessSigner, Publication, PublishRefused, Registry, StatementSigner
from registry.client import default_registry, local_path

#: Evidence files stored beside each version (the statement itself is stored and signed).
EVIDENCE_EXTRAS = ("summary.md", "connector.dot")


class CertificationRefused(CheckFailed):
    """Certification failed, so the connector was not published."""


class PolicyRefused(CheckFailed):
    """A policy pack rule with severity ``error`` failed, so the connector was not published."""


@dataclass
class PublishOutcome:
    """What ``publish_connector`` did."""

    status: str  # "published" | "unchanged"
    name: str
    version: str
    registry: Path
    digest: str
    files: tuple[str, ...]
    level: str | None
    seconds: float
    certification: CertificationResult | None = None
    policy: PolicyReport | None = None

    def to_json(self) -> dict[str, Any]:
        """The machine-readable result (``--json``)."""
        return {
            "ok": True,
            "status": self.status,
            "name": self.name,
            "version": self.version,
            "registry": str(self.registry),
            "digest": self.digest,
            "files": list(self.files),
            "level": self.level,
            "seconds": round(self.seconds, 3),
            "checks": self.certification.statement["predicate"]["summary"]
            if self.certification
            else None,
            "policy": self.policy.counts() if self.policy else None,
        }


def registry_root(location: str | Path | None) -> Path:
    """The local directory of ``location`` (default ``$FLOWS_REGISTRY`` or .flows/registry)."""
    chosen = str(location) if location is not None else default_registry()
    path = local_path(chosen)
    if path is None:
        raise InputError(
            f"{chosen}: publishing writes files and needs a local registry PATH, not a URL",
            hint="publish into a local checkout of the registry, then serve or sync it",
        )
    return path


def _version_place(loaded: LoadedSpec) -> str:
    """``file:line:col: provider.version`` of ``loaded`` (where a version refusal points)."""
    from connector_spec.yaml_source import parse_yaml

    position = parse_yaml(loaded.raw, str(loaded.path)).source_map.position(("provider", "version"))
    line, column = position or (1, 1)
    return f"{loaded.path}:{line}:{column}: provider.version"


def _located(loaded: LoadedSpec, error: PublishRefused) -> PublishRefused:
    """``error`` pointing at the spec's ``provider.version``, where the fix goes."""
    return PublishRefused(f"{_version_place(loaded)}: {error}", hint=error.hint)


def unchanged_outcome(
    loaded: LoadedSpec, wheel: BuiltWheel, root: Path, key_dir: Path | None
) -> PublishOutcome | None:
    """The outcome of an identical republish, or None when the version is not published.

    Raises :class:`PublishRefused` when the version holds different content: versions are
    immutable, so there is nothing to certify.
    """
    if not Registry.exists_at(root):
        return None
    name, version = loaded.spec.provider.name, loaded.spec.provider.version
    stored = Registry(root, key_dir=key_dir).stored_version(name, version)
    if stored is None:
        return None
    mine = {"connector.yaml": sha256_hex(loaded.raw), wheel.filename: sha256_hex(wheel.content)}
    differing = sorted(f for f, digest in mine.items() if stored.file_hashes.get(f) != digest)
    if differing:
        raise PublishRefused(
            f"{_version_place(loaded)}: {name}@{version} is already published in {root} with a "
            f"different {' and '.join(differing)}",
            hint="versions are immutable: bump provider.version in the spec and publish again",
        )
    return PublishOutcome(
        "unchanged",
        name,
        version,
        root,
        stored.digest,
        tuple(sorted(stored.file_hashes)),
        None,
        0.0,
    )


def check_version_early(loaded: LoadedSpec, root: Path, key_dir: Path | None) -> None:
    """Refuse a version the registry would refuse, before spending time on certification."""
    if not Registry.exists_at(root):
        return
    spec = loaded.spec
    try:
        Registry(root, key_dir=key_dir).check_new_version(
            spec.provider.name, spec.provider.version, loaded.raw
        )
    except PublishRefused as error:
        raise _located(loaded, error) from None


def _certify(loaded: LoadedSpec, rendered: GeneratedPackage | None) -> CertificationResult:
    result = certify_connector(loaded.path, loaded=loaded, rendered=rendered)
    if not result.passed:
        failed = "; ".join(
            f"{c.id}{f' ({c.operation})' if c.operation else ''}: {c.message}"
            for c in result.failed[:5]
        )
        more = f" and {len(result.failed) - 5} more" if len(result.failed) > 5 else ""
        raise CertificationRefused(
            f"{loaded.path}: certification failed, nothing was published: {failed}{more}",
            hint=f"run `flows certify connector {loaded.path}` for the full report",
        )
    return result


def _refuse_on_policy(loaded: LoadedSpec, report: PolicyReport) -> None:
    if not report.passed:
        failed = [r for r in report.results if r.status == "failed" and r.severity == "error"]
        listed = "; ".join(
            f"{r.rule}{f' ({r.subject})' if r.subject else ''}: {r.message}" for r in failed[:5]
        )
        raise PolicyRefused(
            f"{loaded.path}: policy gate failed, nothing was published: {listed}",
            hint=f"run `flows policy check {loaded.path}` for the full report; fix the spec "
            "or add a waiver with a reason",
        )


@dataclass
class PreparedPublication:
    """A connector that passed certification and the policy gate, ready to commit."""

    loaded: LoadedSpec
    publication: Publication
    certification: CertificationResult
    policy: PolicyReport


def prepare_publication(
    loaded: LoadedSpec,
    wheel: BuiltWheel,
    manifest: dict[str, Any],
    packs: Sequence[str | Path],
    rendered: GeneratedPackage | None = None,
) -> PreparedPublication:
    """Certify and policy-gate ``loaded``; raise when either refuses. Touches no registry.

    ``rendered`` is the package the wheel was built from, when the caller has it (spares
    certification one rendering). The policy report goes into the statement's
    ``predicate.policy`` (:func:`flows.gate.gate_certification`, shared with ``flows certify
    connector``).
    """
    certification = _certify(loaded, rendered)
    result, report = gate_certification(loaded, certification, manifest=manifest, packs=packs)
    _refuse_on_policy(loaded, report)
    publication = Publication(
        name=loaded.spec.provider.name,
        version=loaded.spec.provider.version,
        spec_bytes=loaded.raw,
        wheel_filename=wheel.filename,
        wheel_bytes=wheel.content,
        statement=result.statement,
        extra_files={n: result.files[n] for n in EVIDENCE_EXTRAS if n in result.files},
        statement_bytes=result.statement_bytes,  # canonical already (gate_certification)
    )
    return PreparedPublication(loaded, publication, result, report)


def commit_publication(
    prepared: PreparedPublication,
    root: Path,
    *,
    key_dir: Path | None = None,
    signer: StatementSigner | None = None,
    notice: Notice | None = None,
    started: float | None = None,
) -> PublishOutcome:
    """Sign and write ``prepared`` into the registry at ``root`` (created on first use)."""
    started = time.perf_counter() if started is None else started
    target = Registry.open_or_init(root, key_dir=key_dir, notice=notice)
    try:
        published = target.publish(prepared.publication, signer=signer)
    except PublishRefused as error:
        raise _located(prepared.loaded, error) from None
    return PublishOutcome(
        published.status,
        published.name,
        published.version,
        root,
        published.digest,
        published.files,
        prepared.certification.level,
        time.perf_counter() - started,
        certification=prepared.certification,
        policy=prepared.policy,
    )


def publish_connector(
    spec_path: str | Path,
    *,
    registry: str | Path | None = None,
    packs: Sequence[str | Path] = (),
    key_dir: str | Path | None = None,
    signer: StatementSigner | None = None,
    keyless: bool = False,
    notice: Notice | None = None,
) -> PublishOutcome:
    """Publish the connector of ``spec_path`` into the registry at ``registry``.

    Identical content under a published version is a no-op (``status == "unchanged"``);
    anything else that stops the publish raises a :class:`~connector_spec.errors.FlowsError`
    and leaves the registry untouched. ``signer`` overrides the statement signer (default:
    the registry's offline key, or sigstore keyless when ``keyless`` is set).
    """
    started = time.perf_counter()
    root = registry_root(registry)
    keys = Path(key_dir) if key_dir is not None else None
    loaded = load_spec(spec_path)
    generated = render_package(loaded)
    wheel = build_wheel(generated, loaded.raw)
    same = unchanged_outcome(loaded, wheel, root, keys)
    if same is not None:
        same.seconds = time.perf_counter() - started
        return same
    check_version_early(loaded, root, keys)
    prepared = prepare_publication(loaded, wheel, generated.manifest, packs, generated)
    if signer is None and keyless:
        signer = KeylessSigner.from_environment()
    return commit_publication(
        prepared, root, key_dir=keys, signer=signer, notice=notice, started=started
    )
