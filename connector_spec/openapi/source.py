"""Bounded reading of an OpenAPI description: bytes → plain JSON data, with located errors.

A description is JSON or YAML (chosen by content: a document starting with ``{`` is JSON).
Reading is bounded and shared with the rest of flows: files are read with
:func:`connector_spec.files.read_input_file` (only regular files, a size cap checked before and
while reading, a FIFO refused instead of blocking), YAML with the one bounded YAML reader
(:func:`connector_spec.yaml_source.parse_yaml`) under the larger :data:`DESCRIPTION_LIMITS`
(nesting depth, aliases, values), so that hostile input is refused quickly with a located
diagnostic instead of a traceback or a hang. Only OpenAPI 3.0 and 3.1 are read; Swagger 2.0 is
refused with what to do.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from connector_spec.errors import Diagnostic, DiagnosticError
from connector_spec.files import UnreadableFile, read_input_file
from connector_spec.yaml_source import YamlLimits, parse_yaml

#: Largest description read by default (Microsoft Graph beta is about 47 MB).
MAX_DESCRIPTION_BYTES = 96 * 1024 * 1024
MAX_DEPTH = 256
MAX_YAML_ALIASES = 10_000
#: Values one YAML description may build (a 96 MB YAML file holds far fewer).
MAX_YAML_VALUES = 20_000_000
DESCRIPTION_LIMITS = YamlLimits(
    max_nodes=MAX_YAML_VALUES,
    max_aliases=MAX_YAML_ALIASES,
    max_depth=MAX_DEPTH,
    empty_hint=None,
    size_hint="cut the description to the operations you need",
    depth_hint="an OpenAPI description needs far less nesting",
)
_SIZE_HINT = "cut the description to the operations you need, or raise max_bytes"


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
    try:
        return read_input_file(path, max_bytes=max_bytes, size_hint=_SIZE_HINT)
    except UnreadableFile as exc:
        raise OpenApiError(exc.items) from None


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
    try:
        document = parse_yaml(text.encode(), name, limits=DESCRIPTION_LIMITS, positions=False)
    except DiagnosticError as exc:
        raise OpenApiError(exc.items) from None
    return document.data
