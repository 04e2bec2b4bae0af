"""An OpenAPI 3.0/3.1 document: ``$ref`` resolution and typed views of its operations.

Local references (``#/components/...``, any JSON pointer into the document) are resolved with
the ``referencing`` library; chains of references are followed and a cycle of pure references
is an error. Schemas are *not* inlined: a recursive schema stays a graph of ``$ref``s, and
:meth:`OpenApiDocument.resolve` takes one step at a time (see :mod:`.schemas` for walking
them). Anything that cannot be resolved is a :class:`RefError` naming the pointer, so a caller
can record one operation as lost instead of giving up on the whole description.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from referencing import Registry, Resource
from referencing.exceptions import Unresolvable

from connector_spec.errors import Diagnostic
from connector_spec.openapi import pointer as jp
from connector_spec.openapi.operations import HTTP_METHODS, read_operation, read_path_item
from connector_spec.openapi.source import (
    MAX_DESCRIPTION_BYTES,
    OpenApiError,
    RefError,
    check_version,
    parse_bytes,
    read_bytes,
)
from connector_spec.openapi.views import OperationView, Resolved

_BASE_URI = "urn:flows:openapi-description"


class OpenApiDocument:
    """A parsed, version-checked OpenAPI description (use :func:`load_openapi`)."""

    def __init__(self, data: dict[str, Any], *, source: str, raw: bytes) -> None:
        self.data = data
        self.source = source
        self.openapi_version = check_version(data, source)
        self.sha256 = hashlib.sha256(raw).hexdigest()
        self.size = len(raw)
        self._resolver = (
            Registry().with_resource(_BASE_URI, Resource.opaque(data)).resolver(_BASE_URI)
        )
        self._cache: dict[str, Any] = {}

    # ------------------------------------------------------------------ document parts

    @property
    def info(self) -> Mapping[str, Any]:
        """The ``info`` object (empty when absent)."""
        info = self.data.get("info")
        return info if isinstance(info, dict) else {}

    @property
    def title(self) -> str:
        """``info.title`` (or the source name)."""
        title = self.info.get("title")
        return title if isinstance(title, str) and title.strip() else self.source

    @property
    def api_version(self) -> str | None:
        """``info.version``: the version of the API, not of OpenAPI."""
        version = self.info.get("version")
        return str(version) if version is not None else None

    @property
    def servers(self) -> tuple[Mapping[str, Any], ...]:
        """Top-level ``servers`` (only the well-formed entries)."""
        return _servers(self.data.get("servers"))

    @property
    def security(self) -> tuple[Mapping[str, Any], ...]:
        """Top-level security requirements (alternatives; each maps scheme → scopes)."""
        return _requirements(self.data.get("security")) or ()

    def security_schemes(self) -> dict[str, Resolved]:
        """``components.securitySchemes`` by name, resolved (unresolvable ones left out)."""
        schemes = self.component_map("securitySchemes")
        out: dict[str, Resolved] = {}
        for name, value in schemes.items():
            try:
                resolved = self.resolve(value, jp.join("/components/securitySchemes", name))
            except RefError:
                continue
            if isinstance(resolved.value, dict):
                out[name] = resolved
        return out

    def component_map(self, kind: str) -> dict[str, Any]:
        """``components.<kind>`` (``schemas``, ``parameters``, ...) as a mapping."""
        components = self.data.get("components")
        if not isinstance(components, dict):
            return {}
        value = components.get(kind)
        return value if isinstance(value, dict) else {}

    # ------------------------------------------------------------------ references

    def lookup(self, ref: str) -> Resolved:
        """The target of one local ``$ref`` string (no chain following)."""
        pointer = jp.ref_pointer(ref)
        if pointer is None:
            raise self._ref_error(ref, "only references inside the document are resolved")
        if pointer in self._cache:
            return Resolved(self._cache[pointer], pointer)
        try:
            value = self._resolver.lookup(ref).contents
        except (Unresolvable, LookupError, ValueError, TypeError):
            raise self._ref_error(ref, "the reference points at nothing") from None
        self._cache[pointer] = value
        return Resolved(value, pointer)

    def resolve(self, value: Any, pointer: str = "") -> Resolved:
        """Follow ``$ref`` chains from ``value`` (found at ``pointer``) to a concrete value."""
        seen: list[str] = []
        while isinstance(value, dict) and isinstance(value.get("$ref"), str):
            ref = value["$ref"]
            if ref in seen:
                raise self._ref_error(ref, "a cycle of references: " + " → ".join(seen))
            seen.append(ref)
            if len(seen) > 64:
                raise self._ref_error(ref, "more than 64 chained references")
            target = self.lookup(ref)
            value, pointer = target.value, target.pointer
        return Resolved(value, pointer)

    def at(self, pointer: str) -> Any:
        """The value at a JSON pointer (``KeyError`` when absent)."""
        node: Any = self.data
        for token in jp.split(pointer):
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise KeyError(pointer)
        return node

    def _ref_error(self, ref: str, message: str) -> RefError:
        return RefError([Diagnostic(self.source, None, None, ref, message, None)])

    # ------------------------------------------------------------------ operations

    def operations(self) -> Iterator[OperationView]:
        """Every operation, in document order (paths, then methods as written)."""
        paths = self.data.get("paths") or {}
        for path, item_raw in paths.items():
            if not isinstance(path, str):
                continue
            item = read_path_item(self, path, item_raw)
            if item is None:
                continue
            for method in item.methods:
                yield read_operation(self, item, method)

    def operation_count(self) -> int:
        """How many operations :meth:`operations` yields, without resolving anything."""
        count = 0
        for item in (self.data.get("paths") or {}).values():
            if isinstance(item, dict):
                count += sum(1 for m in HTTP_METHODS if isinstance(item.get(m), dict))
        return count


def load_openapi(path: str | Path, *, max_bytes: int = MAX_DESCRIPTION_BYTES) -> OpenApiDocument:
    """Read, parse and version-check an OpenAPI 3.0/3.1 description (JSON or YAML).

    Raises :class:`OpenApiError` (exit 2, located) for anything that is not one.
    """
    file_path = Path(path)
    raw = read_bytes(file_path, max_bytes=max_bytes)
    return OpenApiDocument(parse_bytes(raw, str(file_path)), source=str(file_path), raw=raw)


def parse_openapi(raw: bytes, source: str) -> OpenApiDocument:
    """Like :func:`load_openapi` for bytes already read; ``source`` names them in errors."""
    if len(raw) > MAX_DESCRIPTION_BYTES:
        raise OpenApiError(
            [Diagnostic(source, None, None, "", f"more than {MAX_DESCRIPTION_BYTES:,} bytes", None)]
        )
    return OpenApiDocument(parse_bytes(raw, source), source=source, raw=raw)


def _servers(value: Any) -> tuple[Mapping[str, Any], ...]:
    if not isinstance(value, list):
        return ()
    return tuple(s for s in value if isinstance(s, dict) and isinstance(s.get("url"), str))


def _requirements(value: Any) -> tuple[Mapping[str, Any], ...] | None:
    if not isinstance(value, list):
        return None
    return tuple(r for r in value if isinstance(r, dict))
