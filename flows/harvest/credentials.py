"""Auth, base URL and connection check from an n8n credential type."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flows.harvest.expressions import Template, credential_field, credential_in_text, translate
from flows.harvest.naming import env_name, identifier
from flows.harvest.report import Finding

OAUTH2_ROOT = "oAuth2Api"
#: A server variable value the generated client accepts (connector_spec.runtime.servers).
_VALUE_SAFE = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
OAUTH1_ROOT = "oAuth1Api"


@dataclass
class AuthResult:
    """The spec ``auth`` block derived from a credential, or why there is none."""

    auth: dict[str, Any] | None
    derived: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)  # credential fields the auth block sends


@dataclass
class BaseUrl:
    """A spec base URL with its server variables, or why there is none."""

    url: str | None
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    note: str | None = None


def ancestry(name: str, credentials: dict[str, dict[str, Any]]) -> list[str]:
    """``name`` and every credential type it extends, nearest first (cycle-safe)."""
    order: list[str] = []
    pending = [name]
    while pending:
        current = pending.pop(0)
        if current in order:
            continue
        order.append(current)
        parents = credentials.get(current, {}).get("extends") or []
        pending.extend(p for p in parents if isinstance(p, str))
    return order


def merged_properties(name: str, credentials: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The credential's properties by name, a child's overriding its parents'."""
    merged: dict[str, Any] = {}
    for ancestor in reversed(ancestry(name, credentials)):
        for prop in credentials.get(ancestor, {}).get("properties") or []:
            if isinstance(prop, dict) and isinstance(prop.get("name"), str):
                merged[prop["name"]] = prop
    return merged


def credential_kind(name: str, credentials: dict[str, dict[str, Any]]) -> str:
    """``generic``, ``oauth2``, ``oauth1``, ``code`` or ``unknown``."""
    cred = credentials.get(name)
    if cred is None:
        return "unknown"
    chain = ancestry(name, credentials)
    if OAUTH2_ROOT in chain:
        return "oauth2"
    if OAUTH1_ROOT in chain:
        return "oauth1"
    authenticate = cred.get("authenticate")
    if isinstance(authenticate, dict) and authenticate.get("type") == "generic":
        return "generic"
    return "code"


def derive_auth(name: str, credentials: dict[str, dict[str, Any]], provider: str) -> AuthResult:
    """The ``auth`` block for credential type ``name``; secrets become ``{env: NAME}``."""
    kind = credential_kind(name, credentials)
    if kind == "oauth2":
        return _oauth2(name, credentials, provider)
    if kind == "oauth1":
        return AuthResult(None, findings=[Finding("auth-unsupported", f"{name} is OAuth 1.0a")])
    if kind == "unknown":
        return AuthResult(
            None,
            findings=[Finding("auth-unsupported", f"credential type {name} is not in the catalog")],
        )
    if kind == "code":
        return AuthResult(
            None,
            findings=[Finding("auth-code", f"{name} has no generic 'authenticate' block")],
        )
    props = credentials[name]["authenticate"].get("properties") or {}
    result = _generic(name, props, provider)
    if result.auth is not None:
        declared = merged_properties(name, credentials)
        for field_name in result.fields:
            options = (declared.get(field_name) or {}).get("typeOptions") or {}
            if isinstance(options, dict) and options.get("expirable"):
                result.findings.append(
                    Finding(
                        "auth-session",
                        f"{name}.{field_name} is an expirable token n8n obtains and renews in "
                        "code (preAuthentication); the spec can only take the token itself",
                    )
                )
    return result


def _secret(provider: str, field_name: str) -> dict[str, str]:
    return {"env": env_name(provider, field_name)}


def _generic(name: str, props: dict[str, Any], provider: str) -> AuthResult:
    result = AuthResult(None)
    where = f"{name}.authenticate.properties"
    if props.get("body"):
        result.findings.append(Finding("auth-body", f"{where}.body: {sorted(props['body'])}"))
        return result
    basic = props.get("auth")
    if isinstance(basic, dict):
        parts: dict[str, dict[str, str]] = {}
        for role in ("username", "password"):
            value = basic.get(role)
            field_name = credential_field(value)
            if field_name is not None:
                parts[role] = _secret(provider, field_name)
                result.fields.append(field_name)
            elif isinstance(value, str) and not value.startswith("="):
                parts[role] = _secret(provider, role)
                result.findings.append(
                    Finding(
                        "auth-constant",
                        f"{where}.auth.{role} is the fixed value {value!r}; set "
                        f"{parts[role]['env']} to it",
                    )
                )
            else:
                result.findings.append(
                    Finding("auth-expression", f"{where}.auth.{role}: {value!r}")
                )
                return AuthResult(None, findings=result.findings)
        result.auth = {
            "type": "basic",
            "username": parts["username"],
            "password": parts["password"],
        }
        result.derived.append(f"basic auth from {name}")
    for location, key in (("header", "headers"), ("query", "qs")):
        values = props.get(key) or {}
        if not isinstance(values, dict):
            continue
        for param, value in values.items():
            found = credential_in_text(value)
            if found is None or found[2]:
                if isinstance(value, str) and "$credentials" in value:
                    result.findings.append(
                        Finding("auth-expression", f"{where}.{key}.{param}: {value!r}")
                    )
                    if result.auth is None:
                        return AuthResult(None, findings=result.findings)
                else:
                    result.findings.append(
                        Finding("auth-extra-headers", f"{where}.{key}.{param} = {value!r}")
                    )
                continue
            prefix, field_name, _ = found
            if result.auth is not None:
                result.findings.append(
                    Finding("auth-extra-headers", f"{where}.{key}.{param} carries a second secret")
                )
                continue
            secret = _secret(provider, field_name)
            result.fields.append(field_name)
            if location == "header" and param.lower() == "authorization" and prefix.strip():
                result.auth = {"type": "bearer", "secret": secret, "scheme": prefix.strip()}
                if prefix.strip() == "Bearer":
                    del result.auth["scheme"]
                result.derived.append(f"{prefix.strip()} token auth from {name}")
            else:
                result.auth = {"type": "api_key", "in": location, "name": param, "secret": secret}
                if prefix:
                    result.auth["prefix"] = prefix
                result.derived.append(f"API key in {location} {param!r} from {name}")
    if result.auth is None and not result.findings:
        result.findings.append(Finding("auth-code", f"{where} sends no credential field"))
    return result


def _literal_default(prop: dict[str, Any] | None) -> str | None:
    if not prop:
        return None
    value = prop.get("default")
    if isinstance(value, str) and value and not value.startswith("="):
        return value
    return None


def _oauth2(name: str, credentials: dict[str, dict[str, Any]], provider: str) -> AuthResult:
    props = merged_properties(name, credentials)
    token_url = _literal_default(props.get("accessTokenUrl"))
    auth_url = _literal_default(props.get("authUrl"))
    grant = _literal_default(props.get("grantType")) or "authorizationCode"
    if token_url is None or not token_url.startswith("https://"):
        return AuthResult(
            None,
            findings=[
                Finding(
                    "auth-oauth2-urls",
                    f"{name}: accessTokenUrl is {props.get('accessTokenUrl', {}).get('default')!r}",
                )
            ],
        )
    scope = _literal_default(props.get("scope")) or ""
    scopes = [s for s in re.split(r"[\s,]+", scope) if s]
    client_auth = "body" if _literal_default(props.get("authentication")) == "body" else "basic"
    auth: dict[str, Any] = {
        "token_url": token_url,
        "client_id": _secret(provider, "clientId"),
        "client_secret": _secret(provider, "clientSecret"),
    }
    if scopes:
        auth["scopes"] = scopes
    auth["client_auth"] = client_auth
    if grant == "clientCredentials":
        auth = {"type": "oauth2_client_credentials", **auth}
        derived = f"OAuth2 client credentials from {name}"
    else:
        auth = {
            "type": "oauth2_refresh_token",
            **auth,
            "refresh_token": _secret(provider, "refreshToken"),
        }
        if auth_url and auth_url.startswith("https://"):
            auth["authorization_url"] = auth_url
        derived = f"OAuth2 ({grant}) from {name}"
    return AuthResult(auth, derived=[derived])


def base_url_from(value: str, props: dict[str, Any], *, where: str) -> BaseUrl:
    """Translate an n8n base URL (literal or ``{{$credentials.x}}`` template) for a spec."""
    template: Template = translate(value, source="credentials")
    if template.text is None:
        return BaseUrl(
            None, findings=[Finding("base-url-expression", f"{where}: {template.problem}")]
        )
    text = template.text.rstrip("/")
    note = None
    renamed = text
    variables: dict[str, dict[str, Any]] = {}
    for raw_name in template.names:
        renamed = renamed.replace("{" + raw_name + "}", "{" + identifier(raw_name) + "}")
    if renamed.startswith("{"):
        first = template.names[0]
        renamed = "https://" + renamed
        note = (
            f"n8n takes a full URL in credential field '{first}'; the spec puts its host "
            "in a server variable and requires https"
        )
    if not renamed.startswith("https://"):
        return BaseUrl(None, findings=[Finding("base-url-insecure", f"{where}: {value!r}")])
    for raw_name in template.names:
        var = identifier(raw_name)
        if var in variables:
            continue
        token = "{" + var + "}"
        after = renamed[renamed.index(token) + len(token) :]
        is_host = renamed.startswith("https://" + token) and (after == "" or after.startswith("/"))
        spec_var: dict[str, Any] = {
            "kind": "host" if is_host else "string",
            "description": f"n8n credential field '{raw_name}'"
            + (" (its host part)" if is_host else ""),
        }
        prop = props.get(raw_name) or {}
        raw_options = [o.get("value") for o in prop.get("options") or [] if isinstance(o, dict)]
        options = [o for o in raw_options if isinstance(o, str) and o]
        if options and len(options) == len(raw_options):
            values = [_host_of(o) if is_host else o for o in options]
            if all(v and _VALUE_SAFE.match(v) for v in values):
                spec_var["enum"] = list(dict.fromkeys(v for v in values if v))
        default = _literal_default(prop)
        if default is not None:
            default_value = _host_of(default) if is_host else default
            if (
                default_value
                and _VALUE_SAFE.match(default_value)
                and ("enum" not in spec_var or default_value in spec_var["enum"])
            ):
                spec_var["default"] = default_value
        variables[var] = spec_var
    return BaseUrl(renamed, variables, note=note)


def _host_of(value: str) -> str | None:
    text = value.strip().rstrip("/")
    if "://" in text:
        parts = urlsplit(text)
        if parts.path not in ("", "/") or not parts.hostname:
            return None
        text = parts.netloc
    if not text or "/" in text or "{" in text:
        return None
    return text
