"""Reading verified content: search, show and pull (each verifies before it answers)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from connector_spec.atomic import replace_files
from registry import layout
from registry.client import default_trust_dir, open_source
from registry.errors import RegistryInputError
from registry.records import utcnow
from registry.site.render import INDEX_JSON
from registry.verify import RegistryReader, VerifyReport, VersionInfo


def open_reader(
    location: str,
    *,
    trust_dir: Path | None = None,
    transport: Any | None = None,
    now: Callable[[], datetime] = utcnow,
) -> RegistryReader:
    """A reader of the registry at ``location`` (path, ``file://`` or HTTP(S) URL)."""
    return RegistryReader(
        open_source(location, transport=transport),
        trust_dir=trust_dir if trust_dir is not None else default_trust_dir(),
        now=now,
    )


def _capabilities(spec_bytes: bytes | None) -> list[str]:
    if not spec_bytes:
        return []
    import yaml

    try:
        data = yaml.safe_load(spec_bytes)
    except yaml.YAMLError:
        return []
    caps = data.get("capabilities") if isinstance(data, dict) else None
    names: list[str] = []
    if isinstance(caps, list):
        for cap in caps:
            if isinstance(cap, dict) and isinstance(cap.get("name"), str):
                names.append(cap["name"])
            elif isinstance(cap, str):
                names.append(cap)
    elif isinstance(caps, dict):
        names = [str(k) for k in caps]
    return names


def _description(info: VersionInfo) -> str:
    connector = _predicate(info).get("connector") or {}
    return str(connector.get("description") or "")


def _predicate(info: VersionInfo) -> dict[str, Any]:
    predicate = (info.statement or {}).get("predicate")
    return predicate if isinstance(predicate, dict) else {}


def latest(versions: dict[str, VersionInfo], *, include_yanked: bool = False) -> VersionInfo:
    """The highest version (not yanked unless asked)."""
    candidates = [v for v in versions.values() if include_yanked or not v.yanked]
    if not candidates:
        raise RegistryInputError(
            "every version is yanked", hint="ask for a version explicitly: NAME@VERSION"
        )
    return max(candidates, key=lambda v: layout.semver_key(v.version))


def search(reader: RegistryReader, query: str) -> list[dict[str, Any]]:
    """Connectors whose name or description contain ``query``.

    ``latest`` is the highest version that is not yanked (the highest yanked one, flagged by
    ``latest_yanked``, when every version is yanked). The answer comes from the catalog
    index (``site/index.json``, a signed target every commit rewrites), verified against the
    signed metadata, so a search does not hash every artifact of the registry; a registry
    without the index is verified whole, as before.
    """
    index = reader.read_view(f"site/{INDEX_JSON}")
    rows = _index_rows(index) if index is not None else None
    if rows is None:
        return _search_verified(reader, query)
    needle = query.lower()
    hits = []
    for row in sorted(rows, key=lambda r: str(r.get("name"))):
        if needle in f"{row.get('name')} {row.get('description') or ''}".lower():
            hits.append(
                {
                    "name": row.get("name"),
                    "latest": row.get("latest"),
                    "latest_yanked": bool(row.get("latest_yanked")),
                    "level": row.get("level"),
                    "versions": list(row.get("versions") or []),
                    "yanked": sorted(row.get("yanked") or []),
                }
            )
    return hits


def _index_rows(data: bytes) -> list[dict[str, Any]] | None:
    try:
        parsed = json.loads(data)
    except ValueError:
        return None
    rows = parsed.get("connectors") if isinstance(parsed, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        return None
    return rows


def _search_verified(reader: RegistryReader, query: str) -> list[dict[str, Any]]:
    """:func:`search` over a whole verification (a registry without a catalog index)."""
    report = reader.verify()
    report.raise_for_problems()
    needle = query.lower()
    hits = []
    for name, versions in sorted(report.connectors.items()):
        if not versions:
            continue
        available = [v for v in versions.values() if not v.yanked]
        newest = latest(versions, include_yanked=not available)
        haystack = f"{name} {_description(newest)}".lower()
        if needle in haystack:
            hits.append(
                {
                    "name": name,
                    "latest": newest.version,
                    "latest_yanked": bool(newest.yanked),
                    "level": _predicate(newest).get("level"),
                    "versions": sorted(versions, key=layout.semver_key),
                    "yanked": sorted(v for v, i in versions.items() if i.yanked),
                }
            )
    return hits


@dataclass(frozen=True)
class ShowResult:
    """Everything ``show`` prints about a connector version."""

    name: str
    version: str
    versions: list[dict[str, Any]]
    level: Any
    checks: list[dict[str, Any]]
    capabilities: list[str]
    signer: str | None
    waivers: list[dict[str, Any]]
    policy: Any
    digest: str
    files: list[str]
    yanked: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return dict(self.__dict__)


def show(reader: RegistryReader, name: str, version: str | None = None) -> ShowResult:
    """Verify ``name`` and describe one version (default: the newest not yanked)."""
    layout.check_name(name)
    report: VerifyReport = reader.verify(name, keep_contents=True)
    report.raise_for_problems(name)
    versions = report.connectors.get(name, {})
    if version is not None and version not in versions:
        raise RegistryInputError(f"{name}@{version} is not in the registry")
    info = versions[version] if version else latest(versions, include_yanked=True)
    predicate = _predicate(info)
    return ShowResult(
        name=name,
        version=info.version,
        versions=[
            {"version": v.version, "yanked": bool(v.yanked), "published": v.published}
            for v in sorted(versions.values(), key=lambda v: layout.semver_key(v.version))
        ],
        level=predicate.get("level"),
        checks=list(predicate.get("checks") or []),
        capabilities=_capabilities(info.contents.get(layout.SPEC_FILE)),
        signer=info.signer,
        waivers=list(predicate.get("waivers") or []),
        policy=predicate.get("policy"),
        digest=info.digest,
        files=info.files,
        yanked=info.yanked,
    )


def _resolved(directory: Path) -> Path:
    try:
        return directory.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop (RuntimeError before 3.13)
        raise RegistryInputError(
            f"{directory}: cannot write there ({getattr(exc, 'strerror', None) or exc})",
            hint="give a directory path without a symlink loop",
        ) from None


def safe_destination(directory: Path, filename: str) -> Path:
    """``directory / filename`` when it stays inside ``directory``; raise otherwise."""
    if not layout.is_safe_filename(filename):
        raise RegistryInputError(f"refusing to write {filename!r}: not a plain file name")
    base = _resolved(directory)
    target = _resolved(base / filename)
    if target.parent != base:
        raise RegistryInputError(f"refusing to write {filename!r} outside {directory}")
    return target


def pull(
    reader: RegistryReader, name: str, version: str | None, to: Path
) -> tuple[VersionInfo, list[Path]]:
    """Verify ``name[@version]`` and write its files into ``to``, all or nothing.

    Nothing is written when verification fails, when something is in the way, or when a
    write fails part-way (the files are staged, then moved in; see
    :func:`connector_spec.atomic.replace_files`).
    """
    layout.check_name(name)
    base = _resolved(to)
    if base.exists() and not base.is_dir():
        raise RegistryInputError(f"{to}: not a directory", hint="give a directory to pull into")
    report = reader.verify(name, version, keep_contents=True)
    report.raise_for_problems(f"{name}@{version}" if version else name)
    versions = report.connectors.get(name, {})
    info = versions[version] if version else latest(versions)
    files = {safe_destination(base, f).name: data for f, data in sorted(info.contents.items())}
    try:
        written = replace_files(base, files)
    except IsADirectoryError as exc:
        raise RegistryInputError(
            f"{exc.filename}: a directory is in the way of a pulled file; nothing was written",
            hint="move it away, or pull into another directory",
        ) from None
    return info, written
