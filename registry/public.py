"""The registry's public views, kept current by every commit: package index and catalog site.

Called by the writer just before it signs a new snapshot (:meth:`Registry._commit`), this
module writes ``simple/`` (PEP 503/691, see :mod:`registry.simple_index`), ``site/`` (see
:mod:`registry.site`) and the PEP 658 core metadata file beside each wheel, and lists every
one of them in the top-level targets metadata, so ``flows registry verify`` covers them like
any other target.

Crash safety follows the registry's rule that new content gets new names: see
:mod:`registry.views` (groups of view files under new names, listed in the metadata, and
symbolic links switched after the commit point). View files are derived data and are not
fsync'd one by one: after a power loss that damaged some, ``flows registry refresh``
rebuilds every view.

Work is incremental: only the connectors whose roles changed are re-rendered, plus the
index pages, over the summaries in ``site/index.json``. A version's catalog entry is cached
in ``site/c/<name>/<version>.json`` (versions are immutable). Everything is rebuilt when
there is no usable previous index and on ``refresh``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from connector_spec.atomic import replace_file
from registry import catalog, layout, simple_index, views
from registry import tuf_metadata as tm
from registry.catalog import Entry
from registry.site import render as site
from registry.tuf_metadata import Metadata, Root, Snapshot, TargetFile, Targets

SITE_DIR = "site"


class WriterState(Protocol):
    """The committed metadata a writer holds (``registry.publish._State``)."""

    root: Metadata[Root]
    snapshot: Metadata[Snapshot]
    targets: Metadata[Targets]


class _Context:
    def __init__(self, root: Path, state: WriterState) -> None:
        self.root = root
        self.state = state
        self.targets = state.targets.signed
        self.policy = tm.policy_of(state.root.signed)
        self._keys: dict[str, Any] | None = None
        self.views = views.Views(root, views.committed_groups(self.targets.targets))

    def role(self, name: str, changed: Mapping[str, Metadata[Targets]]) -> Metadata[Targets]:
        role = layout.role_name(name)
        if role in changed:
            return changed[role]
        meta = self.state.snapshot.signed.meta[f"{role}.json"]
        data = (self.root / layout.metadata_file(role, meta.version)).read_bytes()
        return Metadata[Targets].from_bytes(data)

    def current(self, rel: str) -> bytes | None:
        """The committed bytes of public file ``rel`` when they match the signed metadata."""
        group, file = views.split(rel)
        version = self.views.committed.get(group)
        if version is None:
            return None
        path_name = views.target_path(group, version, file)
        target = self.targets.targets.get(path_name)
        path = self.root / layout.TARGETS / path_name
        if target is None or not path.is_file():
            return None
        data = path.read_bytes()
        try:
            target.verify_length_and_hashes(data)
        except Exception:
            return None
        return data

    def signer(self, sig_name: str, data: bytes) -> str | None:
        from registry.signing import SignatureError, verify_dsse_envelope, verify_sigstore_bundle
        from registry.tuf_metadata import Key

        try:
            if sig_name == layout.DSSE_FILE:
                if self._keys is None:
                    self._keys = {
                        k: Key.from_dict(k, dict(v)) for k, v in self.policy["keys"].items()
                    }
                return verify_dsse_envelope(data, self._keys).signer
            trust = [p for p in self.targets.targets if p.startswith(layout.TRUST_DIR + "/")]
            if sig_name == layout.SIGSTORE_FILE and trust:
                path = self.root / layout.TARGETS / trust[0]
                return verify_sigstore_bundle(data, path, self.policy["identities"]).signer
        except SignatureError:
            return None
        return None

    def entries(
        self, name: str, role_md: Metadata[Targets]
    ) -> tuple[list[tuple[Entry, Any]], dict[str, bytes]]:
        """``(entry, yanked)`` of every version, and the SVG graph of each version."""
        versions: dict[str, Any] = role_md.signed.unrecognized_fields.get(tm.VERSIONS_FIELD, {})
        pairs: list[tuple[Entry, Any]] = []
        graphs: dict[str, bytes] = {}
        for version, record in versions.items():
            base = self.root / layout.TARGETS / name / version
            cache_rel = f"{SITE_DIR}/c/{name}/{version}.json"
            cached = self.current(cache_rel)
            entry = _cached_entry(cached, record)
            if entry is None:
                prefix = f"{name}/{version}/"
                hashes = {
                    path[len(prefix) :]: t.hashes["sha256"]
                    for path, t in role_md.signed.targets.items()
                    if path.startswith(prefix)
                }
                statement = _json((base / layout.STATEMENT_FILE).read_bytes())
                sig = str(record.get("signature", ""))
                signer = self.signer(sig, (base / sig).read_bytes()) if sig else None
                entry = catalog.version_entry(
                    name,
                    version,
                    record,
                    hashes,
                    _reader_of(base),
                    statement=statement if isinstance(statement, dict) else None,
                    signer=signer,
                )
            svg_rel = f"{SITE_DIR}/c/{name}/{version}.svg"
            svg = self.current(svg_rel) if cached is not None else None
            if svg is None and entry["has_dot"]:
                svg = site.render_graph((base / "connector.dot").read_bytes())
            if svg is not None:
                graphs[version] = svg
            pairs.append((entry, record.get("yanked")))
        return pairs, graphs

    def core_metadata_files(
        self, name: str, pairs: Iterable[tuple[Entry, Any]]
    ) -> dict[str, bytes]:
        """PEP 658 metadata beside each wheel that does not have one listed yet."""
        out: dict[str, bytes] = {}
        for entry, _ in pairs:
            wheel = entry.get("wheel")
            if not wheel or not wheel.get("metadata_sha256"):
                continue
            path = f"{name}/{entry['version']}/{wheel['filename']}{simple_index.METADATA_SUFFIX}"
            if path in self.targets.targets:
                continue
            whl = self.root / layout.TARGETS / name / entry["version"] / wheel["filename"]
            data = catalog.core_metadata(whl.read_bytes())
            if data is not None:
                out[path] = data
        return out


def _reader_of(base: Path) -> Callable[[str], bytes]:
    def read(fname: str) -> bytes:
        return (base / fname).read_bytes()

    return read


def _json(data: bytes | None) -> Any:
    if data is None:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


def _cached_entry(data: bytes | None, record: Mapping[str, Any]) -> Entry | None:
    entry = _json(data)
    if (
        isinstance(entry, dict)
        and entry.get("format") == catalog.ENTRY_FORMAT
        and entry.get("digest") == record.get("digest")
    ):
        return entry
    return None


def _previous_summaries(ctx: _Context) -> dict[str, Entry] | None:
    data = _json(ctx.current(f"{SITE_DIR}/{site.INDEX_JSON}"))
    if not isinstance(data, dict) or not isinstance(data.get("connectors"), list):
        return None
    return {str(row["name"]): row for row in data["connectors"] if isinstance(row, dict)}


def update(
    root: Path, state: WriterState, changed: Mapping[str, Metadata[Targets]]
) -> Callable[[], None]:
    """Write the views for the connectors in ``changed`` (all, when that is empty).

    Records them in ``state.targets`` (the caller commits that) and returns the function
    that switches the public links to them, to be called after the commit.
    """
    ctx = _Context(root, state)
    committed_targets = state.snapshot.signed.meta["targets.json"].version
    ctx.views.recover(committed_targets)
    delegations = ctx.targets.delegations
    known = {
        role[2:] for role in ((delegations.roles or {}) if delegations else {}) if role[:2] == "c."
    }
    known |= {role[2:] for role in changed}
    previous = _previous_summaries(ctx) if changed else None
    names = sorted(known) if previous is None else sorted(role[2:] for role in changed)
    summaries = {} if previous is None else {k: v for k, v in previous.items() if k in known}
    links = site.Links()
    files: dict[str, bytes] = {}
    for name in names:
        pairs, graphs = ctx.entries(name, ctx.role(name, changed))
        if not pairs:
            continue
        summaries[name] = catalog.summary(name, pairs)
        files.update(simple_index.project_pages(name, pairs))
        pages = site.connector_files(name, pairs, links, graphs)
        files.update({f"{SITE_DIR}/{rel}": data for rel, data in pages.items()})
        for entry, _ in pairs:
            cache = json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()
            files[f"{SITE_DIR}/c/{name}/{entry['version']}.json"] = cache
        for path, data in ctx.core_metadata_files(name, pairs).items():
            replace_file(root / layout.TARGETS / path, data, durable=True)
            ctx.targets.targets[path] = TargetFile.from_data(path, data, ["sha256"])
    files.update(simple_index.root_pages([str(s["project"]) for s in summaries.values()]))
    index = site.index_files(summaries.values(), links)
    files.update({f"{SITE_DIR}/{rel}": data for rel, data in index.items()})
    files.update({f"{SITE_DIR}/{rel}": data for rel, data in site.static_files().items()})
    groups: dict[str, dict[str, bytes]] = {}
    for rel, data in files.items():
        group, file = views.split(rel)
        groups.setdefault(group, {})[file] = data
    version = str(committed_targets + 1)
    _list_views(ctx, version, groups, full=previous is None)
    ctx.views.write(version, groups)
    ctx.views.begin(committed_targets + 1, version, groups)
    return lambda: ctx.views.switch(version, groups)


def _list_views(
    ctx: _Context, version: str, groups: Mapping[str, Mapping[str, bytes]], *, full: bool
) -> None:
    """Replace the target entries of the rewritten groups (of every group when ``full``)."""
    targets = ctx.targets.targets
    prefix = views.VIEWS_DIR + "/"
    for path in [p for p in targets if p.startswith(prefix)]:
        parts = path.split("/")
        group = parts[1] if parts[1] == views.GLOBAL else f"{parts[1]}/{parts[2]}"
        if full or group in groups:
            del targets[path]
    for group, files in groups.items():
        for file, data in files.items():
            path = views.target_path(group, version, file)
            targets[path] = TargetFile.from_data(path, data, ["sha256"])
