"""Read the n8n node catalog (``n8n-nodes-base``) as data: never runs any n8n code.

A catalog comes from an unpacked npm package directory, a ``.tgz`` made by ``npm pack``, or
``npm:n8n-nodes-base@VERSION`` (``npm pack`` into a temporary directory). Only
``package.json``, ``dist/types/nodes.json``, ``dist/types/credentials.json``, the
``__schema__/**/*.json`` files and the compiled node code ``dist/nodes/**.js`` (read as text,
never run) are read.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector_spec.errors import argument
from connector_spec.files import check_regular_file, read_input_file
from flows.harvest.errors import CatalogError

NODES_FILE = "dist/types/nodes.json"
CREDENTIALS_FILE = "dist/types/credentials.json"
PACKAGE_FILE = "package.json"
_CODE_RE = re.compile(r"^dist/nodes/(?P<rel>.+\.js)$")
#: Compiled node files larger than this are not read (n8n's largest is about 300 KB).
MAX_CODE_FILE_BYTES = 2 * 1024 * 1024
MAX_CODE_BYTES = 256 * 1024 * 1024
_SCHEMA_RE = re.compile(r"^dist/nodes/(?P<dir>.+?)/__schema__/(?P<rest>.+\.json)$")
_NPM_SPEC = re.compile(r"^npm:(?P<spec>n8n-nodes-base@[0-9A-Za-z.+-]+)$")
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ARCHIVE_BYTES = 1024 * 1024 * 1024
MAX_PACKED_BYTES = 512 * 1024 * 1024  # the .tgz itself (n8n-nodes-base 2.41 is ~20 MB)

Runner = Callable[[Sequence[str], Path], None]


@dataclass
class Catalog:
    """The parts of the npm package the harvest reads."""

    source: str
    version: str
    nodes: list[dict[str, Any]]
    credentials: dict[str, dict[str, Any]]
    schema_files: dict[str, bytes] = field(default_factory=dict)
    #: ``dist/nodes/<path>.js`` → bytes, keyed by ``<path>.js`` (code is data here, never run)
    code_files: dict[str, bytes] = field(default_factory=dict)

    def schema_for(self, node_dir: str, version: str, resource: str, operation: str) -> Any:
        """The parsed ``__schema__`` JSON for one operation, or ``None`` when absent/invalid."""
        raw = self.schema_files.get(f"{node_dir}/__schema__/{version}/{resource}/{operation}.json")
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return None


def load_catalog(source: str | Path, *, runner: Runner | None = None) -> Catalog:
    """Load a catalog from a directory, a ``.tgz`` or ``npm:n8n-nodes-base@VERSION``.

    ``runner`` runs ``npm pack`` (argv, working directory); tests inject a fake one.
    """
    text = str(source)
    match = _NPM_SPEC.match(text)
    if match:
        return _load_from_npm(match.group("spec"), runner or _run)
    if text.startswith("npm:"):
        raise CatalogError(
            f"{argument('catalog')} {text!r} is not a valid npm source",
            hint="use npm:n8n-nodes-base@VERSION, e.g. npm:n8n-nodes-base@2.41.2",
        )
    path = Path(text)
    if not path.exists():
        raise CatalogError(
            f"{path}: no such file or directory",
            hint="give an unpacked n8n-nodes-base package, its .tgz, or npm:n8n-nodes-base@VERSION",
        )
    if path.is_dir():
        return _load_from_dir(path)
    check_regular_file(path)  # a FIFO or a device would block the tar probe
    if tarfile.is_tarfile(path):
        return _load_from_tgz(path)
    raise CatalogError(
        f"{path}: neither a package directory nor a .tgz archive",
        hint="run 'npm pack n8n-nodes-base@VERSION' and pass the .tgz it writes",
    )


def run_npm(argv: Sequence[str], cwd: Path, *, timeout: float = 600) -> None:
    """Run ``argv`` (an ``npm`` command) in ``cwd``; every failure is a :class:`CatalogError`."""
    try:
        subprocess.run(list(argv), cwd=cwd, check=True, capture_output=True, timeout=timeout)
    except FileNotFoundError as exc:
        raise CatalogError("npm is not installed", hint="install Node.js and npm") from exc
    except subprocess.CalledProcessError as exc:
        detail = exc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise CatalogError(f"'{' '.join(argv)}' failed: {detail[0]}") from exc
    except subprocess.TimeoutExpired as exc:
        raise CatalogError(f"'{' '.join(argv)}' timed out") from exc


_run: Runner = run_npm  # the default runner (tests replace it)


def _load_from_npm(spec: str, runner: Runner) -> Catalog:
    with tempfile.TemporaryDirectory(prefix="flows-npm-") as tmp:
        workdir = Path(tmp)
        runner(["npm", "pack", spec, "--silent"], workdir)
        archives = sorted(workdir.glob("*.tgz"))
        if not archives:
            raise CatalogError(f"'npm pack {spec}' wrote no .tgz archive")
        catalog = _load_from_tgz(archives[0])
        catalog.source = f"npm:{spec}"
        return catalog


def _parse_json(raw: bytes, name: str) -> Any:
    try:
        return json.loads(raw)
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{name}: not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise CatalogError(
            f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}",
            hint="the package may be damaged; run npm pack again",
        ) from None


def _build(
    source: str,
    files: dict[str, bytes],
    schema_files: dict[str, bytes],
    code_files: dict[str, bytes] | None = None,
) -> Catalog:
    for required in (NODES_FILE, CREDENTIALS_FILE):
        if required not in files:
            raise CatalogError(
                f"{source}: {required} is missing",
                hint="is this the n8n-nodes-base package? (n8n >= 1.0 ships dist/types/*.json)",
            )
    nodes = _parse_json(files[NODES_FILE], f"{source}/{NODES_FILE}")
    creds = _parse_json(files[CREDENTIALS_FILE], f"{source}/{CREDENTIALS_FILE}")
    for name, data in ((NODES_FILE, nodes), (CREDENTIALS_FILE, creds)):
        if not isinstance(data, list) or not all(
            isinstance(d, dict) and isinstance(d.get("name"), str) for d in data
        ):
            raise CatalogError(
                f"{source}/{name}: expected a JSON list of objects that each have a 'name'"
            )
    version = "unknown"
    if PACKAGE_FILE in files:
        package = _parse_json(files[PACKAGE_FILE], f"{source}/{PACKAGE_FILE}")
        if isinstance(package, dict) and isinstance(package.get("version"), str):
            version = package["version"]
    return Catalog(
        source=source,
        version=version,
        nodes=nodes,
        credentials={c["name"]: c for c in creds},
        schema_files=schema_files,
        code_files=code_files or {},
    )


def _load_from_dir(path: Path) -> Catalog:
    root = path / "package" if (path / "package" / NODES_FILE).exists() else path
    files: dict[str, bytes] = {}
    for name in (NODES_FILE, CREDENTIALS_FILE, PACKAGE_FILE):
        file = root / name
        if file.is_file():
            files[name] = _read_bounded(file)
    schema_files: dict[str, bytes] = {}
    nodes_dir = root / "dist" / "nodes"
    if nodes_dir.is_dir():
        for file in nodes_dir.glob("**/__schema__/**/*.json"):
            rel = file.relative_to(root).as_posix()
            match = _SCHEMA_RE.match(rel)
            if match and file.is_file():
                schema_files[f"{match['dir']}/__schema__/{match['rest']}"] = _read_bounded(file)
    code_files: dict[str, bytes] = {}
    total = 0
    if nodes_dir.is_dir():
        for file in sorted(nodes_dir.glob("**/*.js")):
            if file.is_symlink() or not file.is_file():
                continue
            size = file.stat().st_size
            total += size
            if size > MAX_CODE_FILE_BYTES or total > MAX_CODE_BYTES:
                continue
            code_files[file.relative_to(nodes_dir).as_posix()] = _read_bounded(file)
    return _build(str(path), files, schema_files, code_files)


def _read_bounded(file: Path) -> bytes:
    return read_input_file(file, max_bytes=MAX_FILE_BYTES)


def _load_from_tgz(path: Path) -> Catalog:
    files: dict[str, bytes] = {}
    schema_files: dict[str, bytes] = {}
    code_files: dict[str, bytes] = {}
    code_total = 0
    wanted = {f"package/{n}": n for n in (NODES_FILE, CREDENTIALS_FILE, PACKAGE_FILE)}
    try:
        data = _read_archive(path)
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            for member in archive:
                if not member.isfile() or member.size > MAX_FILE_BYTES:
                    continue
                name = member.name.removeprefix("./")
                short = wanted.get(name)
                match = None
                code = None
                if short is None and name.endswith(".js") and "__schema__" not in name:
                    code = _CODE_RE.match(name.removeprefix("package/"))
                    code_total += member.size
                    if (
                        code is None
                        or member.size > MAX_CODE_FILE_BYTES
                        or code_total > MAX_CODE_BYTES
                    ):
                        continue
                elif short is None:
                    if "__schema__" not in name:
                        continue
                    match = _SCHEMA_RE.match(name.removeprefix("package/"))
                    if match is None:
                        continue
                handle = archive.extractfile(member)
                if handle is None:
                    continue
                data = handle.read()
                if short is not None:
                    files[short] = data
                elif code is not None:
                    code_files[code["rel"]] = data
                elif match is not None:
                    schema_files[f"{match['dir']}/__schema__/{match['rest']}"] = data
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise CatalogError(f"{path}: cannot read the archive: {exc}") from None
    return _build(str(path), files, schema_files, code_files)


def _read_archive(path: Path) -> bytes:
    """The tar bytes of ``path`` (gunzipped in memory, bounded against decompression bombs)."""
    raw = read_input_file(path, max_bytes=MAX_PACKED_BYTES)
    if not raw.startswith(b"\x1f\x8b"):
        return raw
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    chunks: list[bytes] = []
    total = 0
    pending = raw
    while pending and not inflater.eof:
        chunk = inflater.decompress(pending, 16 * 1024 * 1024)
        total += len(chunk)
        if total > MAX_ARCHIVE_BYTES:
            raise CatalogError(f"{path}: unpacks to more than {MAX_ARCHIVE_BYTES} bytes; refusing")
        chunks.append(chunk)
        pending = inflater.unconsumed_tail
    if not inflater.eof:
        raise CatalogError(f"{path}: the gzip stream is truncated")
    return b"".join(chunks)
