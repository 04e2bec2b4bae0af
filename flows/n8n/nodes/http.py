"""HTTP Request: method, URL, query, headers, body, auth, and a connector suggestion by host."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flows.ir.model import HttpNode, Template
from flows.n8n.expressions import translate_value as _v
from flows.n8n.nodes.base import BASE, Converted, Ctx, common_fields, options_lost, pairs


def _literal_prefix(url: Any) -> str:
    if isinstance(url, str):
        return url
    if isinstance(url, Template) and url.template and isinstance(url.template[0], str):
        return url.template[0]
    return ""


def url_host(url: Any) -> str | None:
    """The host of a URL value when its start is literal (``None`` otherwise)."""
    prefix = _literal_prefix(url)
    if not re.match(r"^https?://[^/{]+", prefix):
        return None
    try:
        host = urlsplit(prefix).hostname
    except ValueError:
        return None
    return host.lower() if host else None


def _http(ctx: Ctx) -> Converted:
    p = ctx.params
    lost: list[str] = []
    url = _v(p.get("url", ""))
    if ctx.version < 3:
        method = str(p.get("requestMethod", "GET"))
        if p.get("jsonParameters"):
            query = (
                {"$json": _v(p.get("queryParametersJson"))} if p.get("queryParametersJson") else {}
            )
            headers = (
                {"$json": _v(p.get("headerParametersJson"))}
                if p.get("headerParametersJson")
                else {}
            )
            body = _v(p.get("bodyParametersJson")) or None
            body_type = "json" if body is not None else None
        else:
            query = pairs(p.get("queryParametersUi"), "parameter")
            headers = pairs(p.get("headerParametersUi"), "parameter")
            body_pairs = pairs(p.get("bodyParametersUi"), "parameter")
            body = body_pairs or None
            body_type = "form" if body_pairs else None
        auth = str(p.get("authentication", "none"))
    else:
        method = str(p.get("method", "GET"))
        query, headers, body, body_type = {}, {}, None, None
        if p.get("sendQuery"):
            if p.get("specifyQuery") == "json":
                query = {"$json": _v(p.get("jsonQuery"))}
            else:
                query = pairs(p.get("queryParameters"), "parameters")
        if p.get("sendHeaders"):
            if p.get("specifyHeaders") == "json":
                headers = {"$json": _v(p.get("jsonHeaders"))}
            else:
                headers = pairs(p.get("headerParameters"), "parameters")
        if p.get("sendBody"):
            body_type = str(p.get("contentType", "json"))
            if body_type in ("raw", "binaryData"):
                body = _v(p.get("body"))
                if body_type == "binaryData":
                    lost.append("binary body (input field) is not represented")
            elif p.get("specifyBody") == "json":
                body = _v(p.get("jsonBody"))
            else:
                body = pairs(p.get("bodyParameters"), "parameters")
        auth = str(p.get("authentication", "none"))
        if auth == "predefinedCredentialType":
            auth = str(p.get("nodeCredentialType") or auth)
        elif auth == "genericCredentialType":
            auth = str(p.get("genericAuthType") or auth)
    lost += options_lost(p.get("options"))
    effects = {"GET": "read", "HEAD": "read", "OPTIONS": "read", "DELETE": "delete"}.get(
        method.upper(), "write"
    )
    host = url_host(url)
    suggestions = ctx.catalog.lookup_host(host) if host else []
    node = HttpNode(
        **common_fields(ctx),
        method=method.upper(),
        url=url,
        query=query,
        headers=headers,
        body=body,
        body_type=body_type,
        auth=None if auth == "none" else auth,
        suggested_connector=suggestions[0] if suggestions else None,
        effects=effects,
        determinism="nondeterministic",
    )
    suggestion = (
        f"the registry connector {suggestions[0]} serves {host}; use one of its operations"
        if suggestions
        else None
    )
    return Converted(node, "lossy" if lost else "built-in", lost, suggestion=suggestion)


CONVERTERS: dict[str, Callable[[Ctx], Converted]] = {
    BASE + "httpRequest": _http,
}
