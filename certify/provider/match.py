"""Which operation of the provider's description each spec operation calls.

Hosts differ legitimately (regional hosts, sandbox hosts, a description's ``http://``), so
operations are matched by method and the URL *path* they reach: the path of the spec's
``base_url`` plus the operation's path, against the path of each of the provider's servers
plus its path template. Parameter names inside braces do not matter for matching.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from connector_spec.model import ConnectorSpec, Operation
from connector_spec.openapi import OpenApiDocument, OperationView

_BRACES = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class Match:
    """A spec operation and the provider operation it calls."""

    operation: Operation
    index: int  # position in spec.operations (for locations)
    view: OperationView
    prefix: str  # the provider server's path the operation's path is appended to


def _server_paths(server: Mapping[str, Any]) -> list[str]:
    """The server's path with its variables' defaults, and with its path variables kept
    (a ``{placeholder}`` the spec fills, such as Telegram's ``/bot{token}``)."""
    url = str(server.get("url", "/"))
    paths = [_server_path(url, server.get("variables"))]
    host_end = url.find("/", url.find("://") + 3) if "://" in url else -1
    if host_end != -1 and _BRACES.search(url[host_end:]):
        paths.append(url[host_end:])
    return [p.rstrip("/") for p in dict.fromkeys(paths)]


def _server_path(url: str, variables: Any) -> str:
    if isinstance(variables, dict):
        for name, variable in variables.items():
            default = variable.get("default", "") if isinstance(variable, dict) else ""
            url = url.replace("{" + str(name) + "}", str(default))
    if "://" not in url:
        url = "https://host" + ("" if url.startswith("/") else "/") + url
    return urlsplit(url).path.rstrip("/")


def normalize(path: str) -> str:
    """``/v1/charges/{}``: the path with parameter names dropped and no trailing slash."""
    return _BRACES.sub("{}", path).rstrip("/") or "/"


def spec_path(spec: ConnectorSpec, op: Operation) -> str:
    """The URL path ``op`` reaches (base URL path, its placeholders kept, + operation path)."""
    base = spec.base_url
    host_end = base.find("/", base.find("://") + 3) if "://" in base else -1
    path = base[host_end:] if host_end != -1 else ""
    return path.rstrip("/") + op.path


def reachable(document: OpenApiDocument) -> dict[tuple[str, str], tuple[OperationView, str]]:
    """Every (method, normalized URL path) the description has, with its view and prefix."""
    table: dict[tuple[str, str], tuple[OperationView, str]] = {}
    for view in document.operations():
        servers = view.servers or document.servers or ({"url": "/"},)
        for server in servers:
            for prefix in _server_paths(server):
                key = (view.method.upper(), normalize(prefix + view.path))
                table.setdefault(key, (view, prefix))
    return table


def match_operations(
    spec: ConnectorSpec, document: OpenApiDocument
) -> tuple[list[Match], list[tuple[int, Operation]]]:
    """Matched operations, and the spec operations the description has no operation for."""
    table = reachable(document)
    matched: list[Match] = []
    unmatched: list[tuple[int, Operation]] = []
    for index, op in enumerate(spec.operations):
        found = table.get((op.method, normalize(spec_path(spec, op))))
        if found is None:
            unmatched.append((index, op))
        else:
            matched.append(Match(op, index, found[0], found[1]))
    return matched, unmatched


def path_names(template: str) -> list[str]:
    """Parameter names of a path template, in order."""
    return [name[1:-1] for name in _BRACES.findall(template)]
