"""The registry's public views, kept current by every commit: package index and catalog site.

Called by the writer just before it signs a new snapshot (:meth:`Registry._commit`), this
module writes ``simple/`` (PEP 503/691, see :mod:`registry.simple_index`), ``site/`` (see
:mod:`registry.site`) and the PEP 658 core metadata file beside each wheel, and lists every
one of them in the top-level targets metadata, so ``flows registry verify`` covers them like
any other target.

Crash safety follows the registry's rule that new content gets new names: the views of
targets version N live in ``targets/_views/N/{simple,site}`` (unchanged files hard-linked
from the previous version), and ``simple`` and ``site`` at the registry root are symbolic
links that are switched to the new directory right *after* the commit point. A writer
killed before the commit leaves an unreferenced directory (removed by the next writer);
killed after it, the links still point at the previous, complete views until the next
writer switches them. View files are derived data and are not fsync'd one by one: after a
power loss that damaged some, ``flows registry refresh`` rebuilds every view.

Work is incremental: only the connectors whose roles changed are re-rendered, plus the
index pages, over the summaries in ``site/index.json``. A version's catalog entry is cached
in ``site/c/<name>/<version>.json`` (versions are immutable). Everything is rebuilt when
there is no usable previous index and on ``refresh``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from connector_spec.atomic import replace_file
from registry import catalog, layout, simple_index
from registry import tuf_metadata as tm
from registry.catalog import Entry
from registry.site import render as site
from registry.tuf_metadata import Metadata, Root, Snapshot, TargetFile, Targets

VIEWS_DIR = "_views"
VIEW_LINKS = ("simple", "site")
SITE_DIR = "site"


class WriterState(Protocol):
    """The committed metadata a writer holds (``registry.publish._State``)."""

    root: Metadata[Root]
    snapshot: Metadata[Snapshot]
    targets: Metadata[Targets]


def committed_views(targets: Targets) -> str | None:
    """The name of the views directory the committed targets metadata lists, if any."""
    prefix = VIEWS_DIR + "/"
    for path in targets.targets:
        if path.startswith(prefix):
            return path.split("/", 2)[1]
    return None


class _Context:
    def __init__(self, root: Path, state: WriterState) -> None:
        self.root = root
        self.state = state
        self.targets = state.targets.signed
        self.policy = tm.policy_of(state.root.signed)
        self._keys: dict[str, Any] | None = None
        self.committed = committed_views(self.targets)
        self.views = root / layout.TARGETS / VIEWS_DIR

    def target_path(self, rel: str, views: str | None = None) -> str:
        """The target path of view file ``rel`` in views directory ``views``."""
        return f"{VIEWS_DIR}/{views or self.committed}/{rel}"

    def role(self, name: str, changed: Mapping[str, Metadata[Targets]]) -> Metadata[Targets]:
        role = layout.role_name(name)
        if role in changed:
            return changed[role]
        meta = self.state.snapshot.signed.meta[f"{role}.json"]
        data = (self.root / layout.metadata_file(role, meta.version)).read_bytes()
        return Metadata[Targets].from_bytes(data)

    def current(self, rel: str) -> bytes | None:
        """The committed bytes of public file ``rel`` when they match the signed metadata."""
        if self.committed is None:
            return None
        path_name = self.target_path(rel)
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


def _remove_stale_views(ctx: _Context, new: str) -> None:
    """Remove the leftover views directory ``new`` of a writer that died before committing."""
    shutil.rmtree(ctx.views / new, ignore_errors=True)


def update(
    root: Path, state: WriterState, changed: Mapping[str, Metadata[Targets]]
) -> Callable[[], None]:
    """Write the views for the connectors in ``changed`` (all, when that is empty).

    Records them in ``state.targets`` (the caller commits that) and returns the function
    that switches the ``simple`` and ``site`` links to them, to be called after the commit.
    """
    ctx = _Context(root, state)
    new = str(state.snapshot.signed.meta["targets.json"].version + 1)
    _remove_stale_views(ctx, new)
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
    extra_targets: dict[str, bytes] = {}
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
        extra_targets.update(ctx.core_metadata_files(name, pairs))
    files.update(simple_index.root_pages([str(s["project"]) for s in summaries.values()]))
    index = site.index_files(summaries.values(), links)
    files.update({f"{SITE_DIR}/{rel}": data for rel, data in index.items()})
    files.update({f"{SITE_DIR}/{rel}": data for rel, data in site.static_files().items()})
    _write_views(ctx, new, files, carry_over=previous is not None)
    for path, data in extra_targets.items():
        replace_file(root / layout.TARGETS / path, data, durable=True)
        ctx.targets.targets[path] = TargetFile.from_data(path, data, ["sha256"])
    return lambda: switch_links(root, new)


def _write_views(ctx: _Context, new: str, files: Mapping[str, bytes], *, carry_over: bool) -> None:
    """Fill views directory ``new`` and re-list the views in the targets metadata."""
    targets = ctx.targets.targets
    old_prefix = f"{VIEWS_DIR}/{ctx.committed}/"
    old = {p[len(old_prefix) :]: t for p, t in targets.items() if p.startswith(old_prefix)}
    for path in [p for p in targets if p.startswith(VIEWS_DIR + "/")]:
        del targets[path]
    base = ctx.views / new
    for rel, data in files.items():
        path_name = ctx.target_path(rel, new)
        target = base / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        targets[path_name] = TargetFile.from_data(path_name, data, ["sha256"])
    if carry_over:
        for rel, entry in old.items():
            if rel in files:
                continue
            target = base / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(ctx.views / str(ctx.committed) / rel, target)
            path_name = ctx.target_path(rel, new)
            targets[path_name] = TargetFile(entry.length, dict(entry.hashes), path_name)


def switch_links(root: Path, views: str) -> None:
    """Point ``simple`` and ``site`` at the views directory ``views`` (one rename each).

    Then remove the superseded views, as superseded metadata is removed after a commit (a
    reader that raced the writer retries, see :meth:`RegistryReader.verify`).
    """
    for name in VIEW_LINKS:
        link = root / name
        temporary = root / f".{name}.link"
        temporary.unlink(missing_ok=True)
        os.symlink(f"{layout.TARGETS}/{VIEWS_DIR}/{views}/{name}", temporary)
        if link.is_dir() and not link.is_symlink():
            shutil.rmtree(link)
        os.replace(temporary, link)
    for path in (root / layout.TARGETS / VIEWS_DIR).iterdir():
        if path.name != views:
            shutil.rmtree(path, ignore_errors=True)
