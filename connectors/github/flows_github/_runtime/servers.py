"""Base-URL resolution: server variables, named environments, loopback-only plain HTTP."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import ConfigurationError


@dataclass(frozen=True)
class ServerVariableInfo:
    """A typed placeholder of the base URL."""

    default: str | None = None
    enum: tuple[str, ...] | None = None
    pattern: str | None = None


@dataclass(frozen=True)
class EnvironmentInfo:
    """A named deployment: its own base URL and/or variable values."""

    base_url: str | None = None
    variables: tuple[tuple[str, str], ...] = ()


_HOST_SAFE = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback IP addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_base_url(
    template: str,
    declared: Mapping[str, ServerVariableInfo],
    environments: Mapping[str, EnvironmentInfo],
    *,
    allow_insecure_loopback: bool,
    environment: str | None = None,
    variables: Mapping[str, str] | None = None,
    override: str | None = None,
    secret_placeholders: Collection[str] = (),
) -> str:
    """The concrete base URL for this client.

    ``secret_placeholders`` stay in the URL: the auth fills them per request (a key in the
    path), so the secret is never part of the configured base URL.
    """
    values = {name: info.default for name, info in declared.items() if info.default is not None}
    url = template
    if environment is not None:
        env = environments.get(environment)
        if env is None:
            known = ", ".join(sorted(environments)) or "none"
            raise ConfigurationError(f"unknown environment {environment!r} (known: {known})")
        url = env.base_url or url
        values.update(dict(env.variables))
    values.update(variables or {})
    if override is not None:
        url = override
    for name in re.findall(r"\{([^{}]+)\}", url):
        if name in secret_placeholders:
            continue
        info = declared.get(name)
        value = values.get(name)
        if info is None or value is None:
            raise ConfigurationError(
                f"base URL variable {name!r} has no value: pass variables={{'{name}': ...}}"
            )
        if info.enum is not None and value not in info.enum:
            raise ConfigurationError(f"variable {name}={value!r} is not one of {list(info.enum)}")
        if info.pattern is not None and not re.fullmatch(info.pattern, value):
            raise ConfigurationError(f"variable {name}={value!r} does not match {info.pattern!r}")
        if not _HOST_SAFE.match(value):
            raise ConfigurationError(f"variable {name}={value!r} is not a plain host name")
        url = url.replace("{" + name + "}", value)
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - reading it validates the port
    except ValueError:
        raise ConfigurationError(
            f"refusing base URL {url!r}: what follows the host's ':' is not a port number"
        ) from None
    if parts.scheme == "https" and parts.hostname:
        return url
    loopback = parts.scheme == "http" and parts.hostname and is_loopback_host(parts.hostname)
    if loopback and allow_insecure_loopback:
        return url
    raise ConfigurationError(
        f"refusing base URL {url!r}: use https:// (plain http only for loopback when allowed)"
    )
