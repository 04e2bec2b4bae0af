"""Paths and small helpers shared by the harvest tests."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

from tests.conftest import REPO

FIXTURE = REPO / "tests" / "harvest" / "data" / "n8n-catalog"


def real_package() -> Path | None:
    """The full n8n-nodes-base package (dir or .tgz) named by $FLOWS_N8N_CATALOG, if present."""
    value = os.environ.get("FLOWS_N8N_CATALOG")
    if value and Path(value).exists():
        return Path(value)
    return None


def make_tgz(source: Path, target: Path) -> Path:
    """Pack ``source`` the way ``npm pack`` does (every path under ``package/``)."""
    with tarfile.open(target, "w:gz") as archive:
        for file in sorted(source.rglob("*")):
            if file.is_file():
                archive.add(file, arcname="package/" + file.relative_to(source).as_posix())
    return target


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
