"""Where the package index and the catalog site live, and how they change crash-safely.

Views are stored in *groups*, each under a new name per change, like metadata versions:

    targets/_views/g/N/             simple/index.{html,json}, site/index.html, site/index.json,
                                    site/catalog.js, site/assets/
    targets/_views/p/PROJECT/N/     the simple index page of one project (index.{html,json})
    targets/_views/c/NAME/N/        the catalog pages of one connector

``N`` is the targets metadata version that listed the group first; every file is a target
(``_views/<group>/N/<file>``), so verification covers it. What people and pip use are
symbolic links that point at the current groups: ``simple/index.html``, ``simple/PROJECT``,
``site/index.html``, ``site/assets``, ``site/c/NAME``, ... A change writes only the groups it
touches, commits, then switches their links (one rename each) and removes the groups they
replaced. :data:`PENDING` records a change in flight, so that the next writer finishes the
switch of a committed change or removes the groups of one that never committed.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from connector_spec.atomic import replace_file
from registry import layout

VIEWS_DIR = "_views"
PENDING = ".views-pending.json"
GLOBAL = "g"
#: The links of the global group: public path -> path inside the group.
GLOBAL_LINKS = {
    "simple/index.html": "simple/index.html",
    "simple/index.json": "simple/index.json",
    "site/index.html": "site/index.html",
    "site/index.json": "site/index.json",
    "site/catalog.js": "site/catalog.js",
    "site/assets": "site/assets",
}


def split(rel: str) -> tuple[str, str]:
    """``(group, file in group)`` of a view file given by its public path."""
    parts = rel.split("/")
    if parts[0] == "simple" and len(parts) == 3:
        return f"p/{parts[1]}", parts[2]
    if parts[0] == "site" and len(parts) == 4 and parts[1] == "c":
        return f"c/{parts[2]}", parts[3]
    return GLOBAL, rel


def public_link(group: str) -> str | None:
    """The public directory link of a per-connector group (``None`` for the global one)."""
    kind, _, name = group.partition("/")
    if kind == "p":
        return f"simple/{name}"
    if kind == "c":
        return f"site/c/{name}"
    return None


def target_path(group: str, version: str, file: str) -> str:
    """The target path of ``file`` in ``group`` version ``version``."""
    return f"{VIEWS_DIR}/{group}/{version}/{file}"


def committed_groups(paths: Iterable[str]) -> dict[str, str]:
    """``{group: version}`` of the views listed in the targets metadata."""
    found: dict[str, str] = {}
    for path in paths:
        parts = path.split("/")
        if parts[0] != VIEWS_DIR or len(parts) < 4:
            continue
        if parts[1] == GLOBAL:
            found[GLOBAL] = parts[2]
        elif len(parts) >= 5:
            found[f"{parts[1]}/{parts[2]}"] = parts[3]
    return found


class Views:
    """The views of one registry root."""

    def __init__(self, root: Path, committed: Mapping[str, str]) -> None:
        self.root = root
        self.base = root / layout.TARGETS / VIEWS_DIR
        self.committed = dict(committed)

    def group_dir(self, group: str, version: str) -> Path:
        """The directory of ``group`` at ``version``."""
        return self.base / group / version

    def write(self, version: str, groups: Mapping[str, Mapping[str, bytes]]) -> None:
        """Write ``{group: {file: bytes}}`` as ``version`` of each group (new directories)."""
        for group, files in groups.items():
            directory = self.group_dir(group, version)
            shutil.rmtree(directory, ignore_errors=True)  # a leftover of a dead writer
            for file, data in files.items():
                path = directory / file
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)

    def begin(self, targets_version: int, version: str, groups: Iterable[str]) -> None:
        """Record the change in flight (durably) before the commit."""
        record = {"targets": targets_version, "version": version, "groups": sorted(groups)}
        replace_file(self.root / PENDING, json.dumps(record).encode(), durable=True)

    def recover(self, committed_targets: int) -> None:
        """Finish or undo the change a writer left in flight."""
        marker = self.root / PENDING
        try:
            record = json.loads(marker.read_text())
            version, groups = str(record["version"]), [str(g) for g in record["groups"]]
            committed = int(record["targets"]) == committed_targets
        except (OSError, ValueError, KeyError, TypeError):
            marker.unlink(missing_ok=True)
            return
        if committed:
            self.switch(version, groups)
            return
        for group in groups:
            if self.committed.get(group) != version:
                shutil.rmtree(self.group_dir(group, version), ignore_errors=True)
        marker.unlink(missing_ok=True)

    def switch(self, version: str, groups: Iterable[str]) -> None:
        """Point the links of ``groups`` at ``version``; remove the versions they replace."""
        for group in groups:
            target = self.group_dir(group, version)
            if group == GLOBAL:
                for public, inner in GLOBAL_LINKS.items():
                    _link(self.root / public, target / inner)
            else:
                link = public_link(group)
                if link is not None:
                    _link(self.root / link, target)
            for old in (self.base / group).iterdir() if (self.base / group).is_dir() else ():
                if old.name != version:
                    shutil.rmtree(old, ignore_errors=True)
            self.committed[group] = version
        (self.root / PENDING).unlink(missing_ok=True)


def _link(link: Path, target: Path) -> None:
    """Make ``link`` a symbolic link to ``target`` (relative) in one rename."""
    link.parent.mkdir(parents=True, exist_ok=True)
    temporary = link.with_name(f".{link.name}.new")
    temporary.unlink(missing_ok=True)
    os.symlink(os.path.relpath(target, link.parent), temporary)
    if link.is_dir() and not link.is_symlink():
        shutil.rmtree(link)
    os.replace(temporary, link)
