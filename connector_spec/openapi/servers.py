"""``servers`` (with variables) → ``base_url``, ``variables`` and ``environments``.

The first usable server is the base URL; the others become environments named after their
description. Server variables become spec variables (``kind: host`` when they stand in the
host). A relative server URL (``/api/v3``) is served from the customer's own host: it
becomes ``https://{host}/api/v3`` with a ``host`` variable that has no default. Plain
``http://`` is upgraded to ``https://`` and says so (a warning).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from connector_spec.openapi.losses import Loss
from connector_spec.openapi.naming import env_name, identifier, unique

_VAR = re.compile(r"\{([^{}]*)\}")
_CREDENTIAL = re.compile(r"(bot_?)?(api_?key|access_?token|auth_?token|token|secret|key)")


@dataclass
class Servers:
    """What the servers say, in spec terms."""

    base_url: str | None
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    environments: dict[str, dict[str, Any]] = field(default_factory=dict)
    losses: list[Loss] = field(default_factory=list)
    warnings: list[Loss] = field(default_factory=list)


def map_servers(servers: Sequence[Mapping[str, Any]]) -> Servers:
    """Map a document's servers; ``base_url`` is ``None`` when none is usable."""
    result = Servers(base_url=None)
    used_envs: set[str] = set()
    if not servers:
        servers = [{"url": "/"}]  # OpenAPI: no servers means the server is "/"
    for index, server in enumerate(servers):
        pointer = f"/servers/{index}"
        url = _url(server, pointer, result)
        if url is None:
            continue
        if result.base_url is None:
            result.base_url = url
            continue
        if url == result.base_url:
            continue
        description = server.get("description")
        name = unique(
            identifier(description if isinstance(description, str) else "", fallback="server")
            if isinstance(description, str) and len(description) <= 40
            else f"server_{index + 1}",
            used_envs,
        )
        env: dict[str, Any] = {"base_url": url}
        if isinstance(description, str):
            env["description"] = description[:300]
        result.environments[name] = env
    if result.base_url is None:
        result.losses.append(Loss("no-server", "the description names no usable server URL"))
    return result


def _url(server: Mapping[str, Any], pointer: str, result: Servers) -> str | None:
    url = str(server["url"]).strip().rstrip("/")
    raw_vars = server.get("variables")
    declared = raw_vars if isinstance(raw_vars, dict) else {}
    renames: dict[str, str] = {}
    for name in _VAR.findall(url):
        spec_name = identifier(name, fallback="var")
        renames[name] = spec_name
        if spec_name not in result.variables:
            result.variables[spec_name] = _variable(declared.get(name), url, name)
    url = _VAR.sub(lambda m: "{" + renames[m.group(1)] + "}", url)
    if url.startswith("//"):
        url = "https:" + url
    if url.startswith("/") or not url:
        result.variables.setdefault(
            "host",
            {
                "kind": "host",
                "description": "The host that serves this API (the description "
                "gives only a relative server URL).",
            },
        )
        result.warnings.append(
            Loss(
                "server-relative", f"server {url or '/'!r} is relative: host is a variable", pointer
            )
        )
        return "https://{host}" + url
    parts = urlsplit(_VAR.sub("x", url))
    if parts.scheme == "http":
        result.warnings.append(
            Loss("server-http", f"plain-http server {url!r} upgraded to https", pointer)
        )
        url = "https" + url[4:]
    elif parts.scheme != "https":
        result.losses.append(Loss("server-scheme", f"server {url!r} is not http(s)", pointer))
        return None
    if not parts.hostname:
        result.losses.append(Loss("server-host", f"server {url!r} has no host", pointer))
        return None
    return url


def _variable(raw: Any, url: str, name: str) -> dict[str, Any]:
    value: dict[str, Any] = {}
    spot = url.find("{" + name + "}")
    authority_end = url.find("/", url.find("//") + 2) if "//" in url else -1
    in_host = "//" in url and (authority_end == -1 or spot < authority_end)
    value["kind"] = "host" if in_host else "string"
    if isinstance(raw, dict):
        enum = raw.get("enum")
        if isinstance(enum, list) and enum:
            value["enum"] = [str(v) for v in enum]
        default = raw.get("default")
        if default is not None and str(default) != "":
            text = str(default)
            if "enum" in value and text not in value["enum"]:
                value["enum"].append(text)
            value["default"] = text
        description = raw.get("description")
        if isinstance(description, str) and description.strip():
            value["description"] = description[:300]
    return value


def path_secret(provider: str, servers: Servers) -> tuple[dict[str, Any], Loss] | None:
    """A credential in the server's path (Telegram's ``/bot{token}``) as the spec's auth.

    Only for a description that declares no security: a path variable named like a
    credential (``token``, ``api_key``, ``secret``, ...) is the key, sent in the URL path by
    the client, never a variable with a default (the default would be a published secret).
    """
    if servers.base_url is None:
        return None
    for name in _VAR.findall(servers.base_url):
        variable = servers.variables.get(name, {})
        if variable.get("kind") != "string" or not _CREDENTIAL.fullmatch(name.lower()):
            continue
        del servers.variables[name]
        auth = {"type": "api_key", "in": "path", "name": name,
                "secret": {"env": env_name(provider, name)}}  # fmt: skip
        warning = Loss(
            "auth-path-secret",
            f"server variable {name!r} is a credential: sent as the key in the URL path",
            "/servers/0",
        )
        return auth, warning
    return None
