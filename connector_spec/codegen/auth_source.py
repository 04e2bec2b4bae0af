"""The ``make_auth`` function of a generated ``_config.py``: the spec's auth as runtime objects."""

from __future__ import annotations

from typing import Any

from connector_spec.codegen.models import pystr, pyvalue
from connector_spec.model import (
    ApiKeyAuth,
    BasicAuth,
    BearerAuth,
    MultipleAuth,
    NoAuth,
    OAuth2ClientCredentials,
    OAuth2RefreshToken,
    SecretRef,
)


def construct(
    head: str, kwargs: list[tuple[str, str]], indent: str = "", tail: str = ""
) -> list[str]:
    """``head(k=v, ...)`` as exploded lines with trailing commas (stable under ruff format)."""
    if not kwargs:
        return [f"{indent}{head}(){tail}"]
    return [
        f"{indent}{head}(",
        *[f"{indent}    {key}={value}," for key, value in kwargs],
        f"{indent}){tail}",
    ]


def _secret(ref: SecretRef) -> str:
    return (
        f"resolver.env({pystr(ref.env)})"
        if ref.env
        else f"resolver.store({pystr(ref.store or '')})"
    )


def _single(auth: Any) -> tuple[str, list[tuple[str, str]]]:
    if isinstance(auth, ApiKeyAuth):
        return "ApiKeyAuth", [
            ("location", pystr(auth.location)),
            ("name", pystr(auth.name)),
            ("key", _secret(auth.secret)),
            ("prefix", pyvalue(auth.prefix)),
        ]
    if isinstance(auth, BearerAuth):
        return "BearerAuth", [
            ("token", _secret(auth.secret)),
            ("header", pystr(auth.header)),
            ("scheme", pystr(auth.scheme)),
        ]
    if isinstance(auth, BasicAuth):
        return "BasicAuth", [
            ("username", _secret(auth.username)),
            ("password", _secret(auth.password)),
        ]
    assert isinstance(auth, OAuth2ClientCredentials | OAuth2RefreshToken)
    kwargs = [
        ("token_url", pystr(auth.token_url)),
        ("client_id", _secret(auth.client_id)),
        ("client_secret", _secret(auth.client_secret)),
    ]
    if isinstance(auth, OAuth2RefreshToken):
        kwargs.append(("refresh_token", _secret(auth.refresh_token)))
    kwargs += [
        ("scopes", "[" + ", ".join(pystr(s) for s in auth.scopes) + "]"),
        ("client_auth", pystr(auth.client_auth)),
    ]
    return "OAuth2Auth", kwargs


def auth_source(auth: Any) -> tuple[set[str], list[str]]:
    """(runtime auth classes used, body lines of ``make_auth``) for the spec's ``auth``."""
    if isinstance(auth, NoAuth):
        return {"Auth"}, ["    return Auth()"]
    if isinstance(auth, MultipleAuth):
        classes = {"AllAuth"}
        lines = ["    return AllAuth(", "        parts=["]
        for part in auth.schemes:
            name, kwargs = _single(part)
            classes.add(name)
            lines += construct(name, kwargs, "            ", ",")
        return classes, [*lines, "        ],", "    )"]
    name, kwargs = _single(auth)
    return {name}, construct(f"return {name}", kwargs, "    ")
