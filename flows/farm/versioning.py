"""Which version a farmed spec gets: compare it with the newest version the registry holds.

* the registry has no version of the provider: the spec's own version;
* the newest published spec says the same (``flows spec diff`` finds no change; comments
  and ``provider.version`` do not count): ``unchanged``, nothing is published;
* otherwise the higher of the spec's version and the minimum next version ``flows spec diff``
  requires, written into the spec's ``provider.version`` (only that scalar's bytes change).

The registry is only read here (committed metadata, read once per run: :class:`PublishedIndex`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from connector_spec.diff import diff_specs
from connector_spec.digests import sha256_hex
from connector_spec.errors import InputError
from connector_spec.loader import parse_spec_bytes
from connector_spec.model import ConnectorSpec
from registry import Registry, layout
from registry.errors import Problem, VerificationFailed
from registry.records import StoredVersion

MAX_CHANGES_SHOWN = 3


@dataclass(frozen=True)
class PublishedBase:
    """The newest version of a provider in the registry (yanked versions count)."""

    version: str
    spec_bytes: bytes
    digest: str


class PublishedIndex:
    """The newest published version of every connector of a registry, read once.

    A farm asks about every spec it sees; reading the registry's committed metadata once
    keeps that cost independent of how often it asks (and a rerun over thousands of
    unchanged specs cheap: see :meth:`unchanged`).
    """

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self._newest: dict[str, tuple[str, StoredVersion]] = {}
        if root is not None and Registry.exists_at(root):
            self._newest = Registry(root).newest_versions()
        self._by_spec = {
            stored.file_hashes.get(layout.SPEC_FILE, ""): (name, version)
            for name, (version, stored) in self._newest.items()
        }

    def unchanged(self, raw: bytes) -> tuple[str, str] | None:
        """``(name, version)`` whose newest published spec is exactly ``raw``, else None.

        Identical bytes are the same spec (``flows spec diff`` finds no change between a spec
        and itself), so the farm decides ``unchanged`` without parsing anything.
        """
        return self._by_spec.get(sha256_hex(raw))

    def base(self, name: str) -> PublishedBase | None:
        """The newest published version of ``name``, if any (its spec bytes checked)."""
        layout.check_name(name)
        found = self._newest.get(name)
        if found is None or self.root is None:
            return None
        version, stored = found
        spec_rel = f"{layout.TARGETS}/{name}/{version}/{layout.SPEC_FILE}"
        data = (self.root / spec_rel).read_bytes()
        if sha256_hex(data) != stored.file_hashes.get(layout.SPEC_FILE):
            raise VerificationFailed(
                [Problem(spec_rel, "does not match the SHA-256 the registry metadata records")],
                what=str(self.root),
            )
        return PublishedBase(version, data, stored.digest)


def published_base(root: Path | None, name: str) -> PublishedBase | None:
    """The newest published version of ``name`` in the registry at ``root``, if any."""
    return PublishedIndex(root).base(name)


def unchanged_decision(name: str, version: str, raw: bytes) -> VersionDecision:
    """The decision for a spec whose bytes the registry holds as ``name@version``."""
    return VersionDecision(
        "unchanged", version, raw, version, "none", f"same as {name}@{version} in the registry"
    )


@dataclass(frozen=True)
class VersionDecision:
    """What to publish: ``status`` ``new`` / ``bumped`` / ``unchanged``, the version and bytes."""

    status: str
    version: str
    spec_bytes: bytes
    base_version: str | None = None
    required_bump: str | None = None
    note: str = ""


def decide_version(raw: bytes, spec: ConnectorSpec, base: PublishedBase | None) -> VersionDecision:
    """The version ``spec`` (whose file bytes are ``raw``) is published under, given ``base``."""
    name, own = spec.provider.name, spec.provider.version
    if base is None:
        return VersionDecision("new", own, raw, note=f"first version of {name} in the registry")
    old = parse_spec_bytes(base.spec_bytes, f"{name}@{base.version}/{layout.SPEC_FILE}")
    result = diff_specs(old, spec)
    if not result.changes:
        return unchanged_decision(name, base.version, raw)
    minimum = result.minimum_next_version
    target = max(own, minimum, key=layout.semver_key)
    counts = ", ".join(
        f"{n} {kind}"
        for kind, n in (
            ("breaking", len(result.breaking)),
            ("additive", len(result.additive)),
            ("patch", len(result.changes) - len(result.breaking) - len(result.additive)),
        )
        if n
    )
    shown = [c for c in result.changes if c.kind == "breaking"] or list(result.changes)
    examples = "; ".join(f"{c.where or 'spec'}: {c.message}" for c in shown[:MAX_CHANGES_SHOWN])
    more = f" (+{len(shown) - MAX_CHANGES_SHOWN} more)" if len(shown) > MAX_CHANGES_SHOWN else ""
    why = (
        f"{counts} change(s) since {base.version} need a {result.required_bump} bump "
        f"(at least {minimum}): {examples}{more}"
    )
    if target == own:
        return VersionDecision(
            "new", own, raw, base.version, result.required_bump, f"{own} as the spec says; {why}"
        )
    return VersionDecision(
        "bumped",
        target,
        rewrite_version(raw, target, f"{name}/{layout.SPEC_FILE}"),
        base.version,
        result.required_bump,
        f"{own} -> {target}: {why}",
    )


def rewrite_version(raw: bytes, version: str, where: str) -> bytes:
    """``raw`` with the ``provider.version`` scalar replaced by ``version`` (nothing else)."""
    text = raw.decode("utf-8")
    node = _version_node(yaml.compose(text, Loader=yaml.SafeLoader))
    if node is None:
        raise InputError(f"{where}: no provider.version scalar to rewrite")
    start, end = node.start_mark.index, node.end_mark.index
    data = (text[:start] + version + text[end:]).encode("utf-8")
    if parse_spec_bytes(data, where).provider.version != version:
        raise InputError(f"{where}: rewriting provider.version to {version} failed")
    return data


def _version_node(root: Any) -> yaml.ScalarNode | None:
    provider = _child(root, "provider")
    version = _child(provider, "version")
    return version if isinstance(version, yaml.ScalarNode) else None


def _child(node: Any, key: str) -> Any:
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None
