"""``flows registry site --out DIR``: the catalog of a verified registry, written anywhere.

The registry (a directory, ``file://`` or HTTP(S) URL) is verified first; the site is built
from the verified files with the same code the writer uses for the registry's own ``site/``
(:mod:`registry.catalog`, :mod:`registry.site.render`) and replaces ``DIR`` in one rename.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connector_spec.atomic import check_replaceable_dir, replace_dir
from connector_spec.digests import sha256_hex
from registry import catalog, layout
from registry.catalog import Entry
from registry.client import local_path
from registry.errors import RegistryInputError
from registry.site import render
from registry.verify import RegistryReader, VerifyReport, VersionInfo

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SiteResult:
    """What ``write_site`` wrote."""

    out: Path
    connectors: int
    versions: int
    files: int

    def to_json(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "ok": True,
            "out": str(self.out),
            "connectors": self.connectors,
            "versions": self.versions,
            "files": self.files,
        }


def registry_url(location: str) -> str:
    """The public URL of the registry at ``location`` (``file://`` for a directory)."""
    path = local_path(location)
    return path.resolve().as_uri() + "/" if path is not None else location.rstrip("/") + "/"


def entry_of(info: VersionInfo) -> Entry:
    """The catalog entry of a verified version (``info`` must hold its contents)."""
    hashes = {name: sha256_hex(data) for name, data in info.contents.items()}
    record = {
        "digest": info.digest,
        "files": info.files,
        "signature": info.signature_file,
        "published": info.published,
    }
    return catalog.version_entry(
        info.name,
        info.version,
        record,
        hashes,
        info.contents.__getitem__,
        statement=info.statement,
        signer=info.signer,
    )


def build_site(
    connectors: Mapping[str, list[tuple[Entry, Any, bytes | None]]],
    links: render.Links,
    *,
    graphs: bool = True,
    progress: Progress | None = None,
) -> dict[str, bytes]:
    """Every file of a site over ``{name: [(entry, yanked, dot bytes)]}``.

    ``graphs`` renders each DOT file to SVG with Graphviz when it is installed.
    """
    files: dict[str, bytes] = dict(render.static_files())
    summaries: list[Entry] = []
    total = len(connectors)
    for done, (name, versions) in enumerate(sorted(connectors.items()), start=1):
        pairs = [(entry, yanked) for entry, yanked, _ in versions]
        svgs: dict[str, bytes] = {}
        for entry, _, dot in versions if graphs else []:
            svg = render.render_graph(dot) if dot is not None else None
            if svg is not None:
                svgs[entry["version"]] = svg
        files.update(render.connector_files(name, pairs, links, svgs))
        summaries.append(catalog.summary(name, pairs))
        if progress is not None:
            progress(done, total)
    files.update(render.index_files(summaries, links))
    return files


def site_from_report(
    report: VerifyReport, links: render.Links, *, graphs: bool, progress: Progress | None = None
) -> dict[str, bytes]:
    """The site of a verified registry (``report`` from ``verify(keep_contents=True)``)."""
    connectors = {
        name: [
            (entry_of(info), info.yanked, info.contents.get("connector.dot"))
            for info in versions.values()
        ]
        for name, versions in report.connectors.items()
        if versions
    }
    return build_site(connectors, links, graphs=graphs, progress=progress)


def write_files(files: Mapping[str, bytes], out: Path) -> None:
    """Write ``files`` into a staging directory beside ``out``, then replace ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    for rel, data in files.items():
        if not all(layout.is_safe_filename(part) for part in rel.split("/")):
            raise ValueError(f"unsafe site path {rel!r}")  # a bug: names come from the registry
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    replace_dir(staging, out)


def write_site(
    reader: RegistryReader,
    location: str,
    out: Path,
    *,
    base_url: str | None = None,
    graphs: bool = True,
    progress: Progress | None = None,
) -> SiteResult:
    """Verify the registry and write its catalog site into ``out`` (replaced as a whole)."""
    check_replaceable_dir(
        out, marker=render.CATALOG_JS, what="catalog site", error=RegistryInputError
    )
    report = reader.verify(keep_contents=True)
    report.raise_for_problems()
    links = render.Links(registry_url=base_url or registry_url(location))
    files = site_from_report(report, links, graphs=graphs, progress=progress)
    write_files(files, out)
    versions = sum(len(v) for v in report.connectors.values())
    return SiteResult(out, len(report.connectors), versions, len(files))
