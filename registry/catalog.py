"""The catalog view of a registry: what the package index and the catalog site show.

One *version entry* (a JSON-ready mapping) describes one published version: its wheel
(distribution name, SHA-256, Requires-Python, core metadata), the spec's operations and
capabilities, the statement's level, checks and waivers, the signer and the provenance. It
is built by :func:`version_entry` from a version's files, the same way whether they come
from the writer's own directory or from a verified :class:`~registry.verify.VersionInfo`.
A *summary* is the one row per connector the searchable index holds.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from email.parser import HeaderParser
from typing import Any

from registry import layout

#: Version of the entry format; a cached entry of another format is rebuilt.
ENTRY_FORMAT = 1
#: The largest METADATA file read out of a wheel (bounded: wheels are untrusted bytes).
MAX_METADATA_BYTES = 1 << 20

SOURCES = ("hand-written", "OpenAPI", "n8n")

Entry = dict[str, Any]


def normalize_project(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_project(filename: str) -> str:
    """The normalised distribution name in a wheel file name."""
    return normalize_project(filename.split("-", 1)[0])


def core_metadata(wheel: bytes) -> bytes | None:
    """The wheel's ``*.dist-info/METADATA`` bytes (PEP 658), or ``None`` when unreadable."""
    try:
        with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
            for info in archive.infolist():
                parts = info.filename.split("/")
                if (
                    len(parts) == 2
                    and parts[0].endswith(".dist-info")
                    and parts[1] == "METADATA"
                    and info.file_size <= MAX_METADATA_BYTES
                ):
                    return archive.read(info)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return None
    return None


def _requires_python(metadata: bytes | None) -> str | None:
    if metadata is None:
        return None
    headers = HeaderParser().parsestr(metadata.decode("utf-8", "replace"), headersonly=True)
    value = headers.get("Requires-Python")
    return str(value).strip() if value else None


#: Top-level blocks and per-operation blocks the catalog never shows; cut before parsing
#: (parsing is most of the cost of a catalog entry). A cut that breaks the YAML falls back.
_UNUSED_TOP = re.compile(
    rb"(?ms)^(?:schemas|pagination|transport|environments|variables|body_errors|waivers):"
    rb".*?(?=^[^\s-]|\Z)"  # a block sequence may be written at the key's indentation
)
_UNUSED_IN_OPERATION = re.compile(
    rb"(?ms)^(?P<indent> {2,8})(?:params|body|response|errors|sources):[^\n]*\n"
    rb"(?:(?P=indent)[ -][^\n]*\n|[ \t]*\n)*"
)


def _load_yaml(data: bytes) -> Any:
    """The spec as data, without the blocks the catalog does not show when that parses."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    cut = _UNUSED_IN_OPERATION.sub(b"", _UNUSED_TOP.sub(b"", data))
    for text in (cut, data):  # the cut text may lack an anchor it refers to
        try:
            return yaml.load(text, Loader=loader)
        except yaml.YAMLError:
            continue
    return None


def spec_source(spec_bytes: bytes) -> str:
    """Where a spec came from, read from its leading comments: n8n, OpenAPI or hand-written.

    The harvester and the importers write a header saying what produced the file; a spec
    without one is hand-written.
    """
    header: list[str] = []
    for line in spec_bytes.decode("utf-8", "replace").splitlines():
        if not line.startswith("#"):
            break
        header.append(line.lower())
    text = "\n".join(header)
    if "flows harvest n8n" in text:
        return "n8n"
    if "openapi" in text:
        return "OpenAPI"
    if "from n8n" in text or "import n8n" in text:
        return "n8n"
    return "hand-written"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _operation(op: Any) -> dict[str, Any] | None:
    if not isinstance(op, dict):
        return None
    idempotency = op.get("idempotency")
    determinism = op.get("determinism")
    caps = op.get("capabilities")
    return {
        "id": _text(op.get("id")),
        "summary": _text(op.get("summary")),
        "method": _text(op.get("method")),
        "path": _text(op.get("path")),
        "effects": _text(op.get("effects")),
        "idempotency": _text(idempotency.get("kind"))
        if isinstance(idempotency, dict)
        else _text(idempotency),
        "determinism": _text(determinism.get("mode"))
        if isinstance(determinism, dict)
        else _text(determinism),
        "capabilities": [c for c in caps if isinstance(c, str)] if isinstance(caps, list) else [],
        "deprecated": op.get("deprecated") is True,
    }


def _spec_facts(spec_bytes: bytes) -> dict[str, Any]:
    spec = _dict(_load_yaml(spec_bytes))
    provider = _dict(spec.get("provider"))
    caps = _list(spec.get("capabilities"))
    ops = _list(spec.get("operations"))
    return {
        "display_name": _text(provider.get("display_name")),
        "description": _text(provider.get("description")),
        "docs_url": _text(provider.get("docs_url")),
        "base_url": _text(spec.get("base_url")),
        "auth": _text(_dict(spec.get("auth")).get("type")),
        "capabilities": [
            {"name": _text(c.get("name")), "description": _text(c.get("description"))}
            for c in caps
            if isinstance(c, dict) and c.get("name")
        ],
        "operations": [o for o in (_operation(op) for op in ops) if o is not None],
        "source": spec_source(spec_bytes),
    }


def _statement_facts(statement: Mapping[str, Any] | None) -> dict[str, Any]:
    predicate = _dict(_dict(statement).get("predicate"))
    checks = _list(predicate.get("checks"))
    waivers = _list(predicate.get("waivers"))
    subjects = _list(_dict(statement).get("subject"))
    connector = _dict(predicate.get("connector"))
    return {
        "level": _text(predicate.get("level")) or None,
        "statement_description": _text(connector.get("description")),
        "checks": [
            {
                "id": _text(c.get("id")),
                "status": _text(c.get("status")),
                "operation": _text(c.get("operation")),
                "message": _text(c.get("message")),
            }
            for c in checks
            if isinstance(c, dict)
        ],
        "waivers": [
            {"rule": _text(w.get("rule")), "reason": _text(w.get("reason"))}
            for w in waivers
            if isinstance(w, dict)
        ],
        "summary": _dict(predicate.get("summary")),
        "harness": _dict(predicate.get("harness")),
        "environment": _dict(predicate.get("environment")),
        "subjects": [
            {"name": _text(s.get("name")), "sha256": _text((s.get("digest") or {}).get("sha256"))}
            for s in subjects
            if isinstance(s, dict) and isinstance(s.get("digest"), dict)
        ],
    }


def version_entry(
    name: str,
    version: str,
    record: Mapping[str, Any],
    file_hashes: Mapping[str, str],
    read: Callable[[str], bytes],
    *,
    statement: Mapping[str, Any] | None,
    signer: str | None,
) -> Entry:
    """Describe ``name@version`` from its committed record, file hashes and file reader.

    ``read(file_name)`` returns a file of the version; ``statement`` is the parsed statement
    and ``signer`` the verified signer identity.
    """
    files = [str(f) for f in record.get("files", [])]
    wheel = next((f for f in files if f.endswith(".whl")), None)
    spec_bytes = read(layout.SPEC_FILE) if layout.SPEC_FILE in files else b""
    entry: Entry = {
        "format": ENTRY_FORMAT,
        "name": name,
        "version": version,
        "digest": str(record.get("digest", "")),
        "published": record.get("published"),
        "log_seq": record.get("log_seq"),
        "files": files,
        "signature_file": str(record.get("signature", "")),
        "signer": signer,
        "has_dot": "connector.dot" in files,
        "wheel": None,
    }
    entry.update(_spec_facts(spec_bytes))
    entry.update(_statement_facts(statement))
    if not entry["description"]:
        entry["description"] = entry.pop("statement_description")
    else:
        entry.pop("statement_description")
    if wheel is not None:
        wheel_bytes = read(wheel)
        metadata = core_metadata(wheel_bytes)
        entry["wheel"] = {
            "filename": wheel,
            "project": wheel_project(wheel),
            "sha256": file_hashes.get(wheel) or hashlib.sha256(wheel_bytes).hexdigest(),
            "size": len(wheel_bytes),
            "requires_python": _requires_python(metadata),
            "metadata_sha256": hashlib.sha256(metadata).hexdigest() if metadata else None,
        }
    return entry


def summary(name: str, entries: Iterable[tuple[Entry, Any]]) -> Entry:
    """The index row of a connector from its ``(version entry, yanked record)`` pairs."""
    pairs = sorted(entries, key=lambda pair: layout.semver_key(pair[0]["version"]))
    available = [pair for pair in pairs if not pair[1]]
    newest, yanked = (available or pairs)[-1]
    wheel = newest.get("wheel") or {}
    return {
        "name": name,
        "project": wheel.get("project") or normalize_project(f"flows-connector-{name}"),
        "title": newest.get("display_name") or name,
        "description": newest.get("description", ""),
        "level": newest.get("level"),
        "latest": newest["version"],
        "latest_yanked": bool(yanked),
        "versions": [pair[0]["version"] for pair in pairs],
        "yanked": [pair[0]["version"] for pair in pairs if pair[1]],
        "capabilities": [c["name"] for c in newest.get("capabilities", [])],
        "operations": len(newest.get("operations", [])),
        "source": newest.get("source", "hand-written"),
        "published": newest.get("published"),
    }
