"""Bounded reading of an OpenAPI description: bytes → plain JSON data, with located errors.

A description is JSON or YAML (chosen by content: a document starting with ``{`` is JSON).
Reading is bounded: a size cap checked before and while reading, only regular files (a FIFO
or a device is refused instead of blocking), nesting depth and YAML aliases limited, so that
hostile input is refused quickly with a located diagnostic instead of a traceback or a hang.
Only OpenAPI 3.0 and 3.1 are read; Swagger 2.0 is refused with what to do.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import yaml

from connector_spec.errors import Diagnostic, DiagnosticError

#: Largest description read by default (Microsoft Graph beta is about 47 MB).
MAX_DESCRIPTION_BYTES = 96 * 1024 * 1024
MAX_DEPTH = 256
MAX_YAML_ALIASES = 10_000

_YamlLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class OpenApiError(DiagnosticError):
    """An OpenAPI description cannot be read (exit 2, with located diagnostics)."""

    kind = "the OpenAPI description"


class RefError(OpenApiError):
    """A ``$ref`` that cannot be resolved (external, dangling, or a cycle of references)."""


def fail(
    name: str,
    message: str,
    *,
    pointer: str = "",
    line: int | None = None,
    column: int | None = None,
    hint: str | None = None,
) -> OpenApiError:
    """One located :class:`OpenApiError` (``pointer`` is a JSON pointer into the document)."""
    return OpenApiError([Diagnostic(name, line, column, pointer, message, hint)])


def read_bytes(path: Path, *, max_bytes: int = MAX_DESCRIPTION_BYTES) -> bytes:
    """A regular file's bytes, refusing missing, special, unreadable or oversized files."""
    name = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise fail(name, "file not found", hint="check the path") from None
    except OSError as exc:
        raise fail(name, f"cannot read file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise fail(name, "is a directory, not an OpenAPI description")
    if not stat.S_ISREG(info.st_mode):
        raise fail(name, "is not a regular file (a FIFO, socket or device is not read)")
    if info.st_size > max_bytes:
        raise fail(
            name,
            f"file is {info.st_size:,} bytes; the limit is {max_bytes:,}",
            hint="cut the description to the operations you need, or raise max_bytes",
        )
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise fail(name, f"cannot read file: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise fail(name, f"file is larger than {max_bytes:,} bytes")
    return raw


def parse_bytes(raw: bytes, name: str) -> dict[str, Any]:
    """Parse JSON or YAML bytes into a mapping; refuse anything else with its location."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(name, f"not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise fail(name, "file is empty", line=1, column=1)
    data = _parse_json(text, name) if text.lstrip().startswith("{") else _parse_yaml(text, name)
    if not isinstance(data, dict):
        raise fail(name, "an OpenAPI description is a JSON/YAML object", line=1, column=1)
    return data


def check_version(data: dict[str, Any], name: str) -> str:
    """The ``openapi`` version (``3.0.x``/``3.1.x``); Swagger 2.0 and others are refused."""
    if "swagger" in data:
        raise fail(
            name,
            f"Swagger {data.get('swagger')} is not read; only OpenAPI 3.0 and 3.1 are",
            pointer="/swagger",
            hint="convert it to OpenAPI 3 first, e.g. `npx swagger2openapi IN.json -o OUT.json` "
            "(the APIs.guru directory ships converted descriptions)",
        )
    version = data.get("openapi")
    if not isinstance(version, str):
        raise fail(
            name,
            "no 'openapi' version field: this is not an OpenAPI 3 description",
            pointer="/openapi",
            hint="an OpenAPI description starts with `openapi: 3.0.3` (or 3.1.x)",
        )
    if not (version.startswith("3.0") or version.startswith("3.1")):
        raise fail(
            name,
            f"OpenAPI {version} is not supported; only 3.0.x and 3.1.x are",
            pointer="/openapi",
        )
    paths = data.get("paths", {})
    if not isinstance(paths, dict):
        raise fail(name, "'paths' must be an object", pointer="/paths")
    return version


def _parse_json(text: str, name: str) -> Any:
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise fail(
            name, f"JSON syntax error: {exc.msg}", line=exc.lineno, column=exc.colno
        ) from None
    except ValueError as exc:
        raise fail(name, str(exc)) from None
    except RecursionError:
        raise fail(name, "document is nested too deeply") from None


def _no_constant(token: str) -> Any:
    raise ValueError(f"JSON does not allow {token}")


def _parse_yaml(text: str, name: str) -> Any:
    _check_yaml_shape(text, name)
    try:
        return yaml.load(text, Loader=_YamlLoader)  # a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise fail(
            name,
            f"YAML syntax error: {exc.problem or 'invalid YAML'}",
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except (yaml.YAMLError, ValueError) as exc:
        raise fail(name, f"YAML error: {exc}") from None
    except RecursionError:
        raise fail(name, "document is nested too deeply") from None


def _check_yaml_shape(text: str, name: str) -> None:
    """Refuse deep nesting and alias bombs from the event stream, before building anything."""
    scanner = _YamlLoader(text)
    depth = aliases = 0
    try:
        while scanner.check_event():
            event = scanner.get_event()  # type: ignore[no-untyped-call]
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _at(name, event, f"nested more than {MAX_DEPTH} levels deep")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_YAML_ALIASES:
                    raise _at(name, event, f"more than {MAX_YAML_ALIASES:,} YAML aliases")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise fail(
            name,
            f"YAML syntax error: {exc.problem or 'invalid YAML'}",
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    finally:
        scanner.dispose()
    if aliases:
        _check_expansion(text, name)


def _check_expansion(text: str, name: str) -> None:
    """With aliases present, refuse a document that expands to too many values."""
    loader = _YamlLoader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    budget = [len(text) // 2 + 100_000]
    memo: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        known = memo.get(id(node))
        if known is not None:
            return known
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        memo[id(node)] = total
        return total

    if root is not None and size(root) > budget[0]:
        raise fail(name, "document expands through YAML aliases far beyond its size (alias bomb)")


def _at(name: str, event: yaml.Event, message: str) -> OpenApiError:
    mark = event.start_mark
    return fail(
        name,
        message,
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
    )
