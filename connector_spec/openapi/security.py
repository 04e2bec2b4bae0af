"""``securitySchemes`` + ``security`` → the spec's ``auth``.

The document's requirements are alternatives; the first one that is a single scheme the spec
can state is chosen (``apiKey`` in a header or the query, HTTP ``bearer``/``basic``, OAuth 2.0
client credentials or authorization code). OAuth 2.0 implicit/password flows and OpenID
Connect become a bearer token obtained elsewhere (a recorded loss: the flow is not automated).
Requirements that need several schemes at once, or cookies, cannot be stated: a loss.
Operations whose own ``security`` does not accept the chosen scheme are left out by the mapper.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from connector_spec.openapi.losses import Loss
from connector_spec.openapi.naming import env_name
from connector_spec.openapi.views import OperationView, Resolved


@dataclass
class AuthChoice:
    """The auth chosen for the spec and which scheme names it stands for."""

    auth: dict[str, Any] | None
    scheme: str | None = None
    together: frozenset[str] = frozenset()
    #: OAuth 2.0 / OpenID Connect schemes: each yields the same kind of access token, so a
    #: requirement naming several of them (Google's Oauth2 + Oauth2c) is met by one token
    tokens: frozenset[str] = frozenset()
    losses: list[Loss] = field(default_factory=list)
    warnings: list[Loss] = field(default_factory=list)

    def accepts(self, requirements: Sequence[Mapping[str, Any]] | None) -> bool:
        """Whether an operation's own requirements (``None``: the document's) allow it."""
        if requirements is None:
            return True
        if not requirements:
            return True  # `security: []`: no auth needed; sending ours is harmless
        for requirement in requirements:
            if not requirement:
                return True  # `{}` among the alternatives: anonymous allowed
            if self.scheme is not None and set(requirement) == {self.scheme}:
                return True
            if self.together and set(requirement) == self.together:
                return True
            if self.scheme in self.tokens and set(requirement) <= self.tokens:
                return True
        return False


def choose_auth(
    provider: str,
    schemes: Mapping[str, Resolved],
    document: Sequence[Mapping[str, Any]],
    operations: Sequence[OperationView],
) -> AuthChoice:
    """The spec auth for a document with ``schemes`` and top-level requirements ``document``."""
    tokens = frozenset(
        name
        for name, resolved in schemes.items()
        if resolved.value.get("type") in ("oauth2", "openIdConnect")
    )
    choice = _choose(provider, schemes, document, operations, tokens)
    if choice.scheme in tokens:
        choice.tokens = tokens
    return choice


def _choose(
    provider: str,
    schemes: Mapping[str, Resolved],
    document: Sequence[Mapping[str, Any]],
    operations: Sequence[OperationView],
    tokens: frozenset[str],
) -> AuthChoice:
    requirements = [_one_token(r, schemes, tokens) for r in document]
    if not requirements:
        # no global requirement: the operations' own, most common first
        counted: Counter[tuple[str, ...]] = Counter()
        for op in operations:
            for requirement in op.security or ():
                requirement = _one_token(requirement, schemes, tokens)
                if requirement:
                    counted[tuple(sorted(requirement))] += 1
        ranked = sorted(counted.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))
        requirements = [{key: [] for key in names} for names, _ in ranked]
        if not requirements:
            return AuthChoice({"type": "none"})
    losses: list[Loss] = []
    for requirement in requirements:
        if not requirement:
            return AuthChoice({"type": "none"})
        if len(requirement) > 1:
            together = _together(provider, schemes, requirement)
            if together.auth is not None:
                together.losses = losses + together.losses
                return together
            losses += together.losses
            continue
        name = next(iter(requirement))
        resolved = schemes.get(name)
        if resolved is None:
            losses.append(Loss("auth-unknown", f"security scheme {name!r} is not declared"))
            continue
        choice = _scheme(provider, name, resolved, requirement[name])
        if choice.auth is not None:
            choice.losses = losses + choice.losses
            return choice
        losses += choice.losses
    return AuthChoice(None, losses=losses)


def _one_token(
    requirement: Mapping[str, Any], schemes: Mapping[str, Resolved], tokens: frozenset[str]
) -> Mapping[str, Any]:
    """A requirement of several token schemes as its best one (authorization code first)."""
    if len(requirement) < 2 or not set(requirement) <= tokens:
        return requirement

    def rank(name: str) -> int:
        flows = schemes[name].value.get("flows") if name in schemes else None
        if isinstance(flows, dict) and "authorizationCode" in flows:
            return 0
        return 2 if isinstance(flows, dict) and "implicit" in flows else 1

    best = min(sorted(requirement), key=rank)
    return {best: requirement[best]}


def _together(
    provider: str, schemes: Mapping[str, Resolved], requirement: Mapping[str, Any]
) -> AuthChoice:
    """Several static credentials sent together (``type: multiple``)."""
    parts: list[dict[str, Any]] = []
    for name in requirement:
        resolved = schemes.get(name)
        choice = _scheme(provider, name, resolved, requirement[name]) if resolved else None
        auth = choice.auth if choice is not None else None
        if auth is None or auth["type"] not in ("api_key", "bearer", "basic"):
            return AuthChoice(
                None,
                losses=[
                    Loss(
                        "auth-multiple",
                        f"schemes required together ({', '.join(sorted(requirement))}): "
                        f"{name!r} is not a static credential",
                        "/security",
                    )
                ],
            )
        parts.append(auth)
    choice = AuthChoice({"type": "multiple", "schemes": parts})
    choice.scheme = None
    choice.together = frozenset(requirement)
    return choice


def _scheme(provider: str, name: str, resolved: Resolved, scopes: Any) -> AuthChoice:
    scheme, pointer = resolved.value, resolved.pointer
    kind = scheme.get("type")
    secret = {"env": env_name(provider, name)}
    if kind == "apiKey":
        where, header = scheme.get("in"), scheme.get("name")
        if where in ("header", "query", "cookie") and isinstance(header, str) and header:
            auth = {"type": "api_key", "in": where, "name": header, "secret": secret}
            return AuthChoice(auth, name)
        return AuthChoice(
            None, losses=[Loss("auth-cookie", f"{name}: API key in {where}", pointer)]
        )
    if kind == "http":
        http = str(scheme.get("scheme", "")).lower()
        if http == "bearer":
            return AuthChoice({"type": "bearer", "secret": secret}, name)
        if http == "basic":
            return AuthChoice(
                {
                    "type": "basic",
                    "username": {"env": env_name(provider, f"{name}_username")},
                    "password": {"env": env_name(provider, f"{name}_password")},
                },
                name,
            )
        return AuthChoice(
            None, losses=[Loss("auth-http", f"{name}: HTTP scheme {http!r}", pointer)]
        )
    if kind == "oauth2":
        return _oauth2(provider, name, scheme, pointer, scopes)
    if kind == "openIdConnect":
        url = scheme.get("openIdConnectUrl")
        source = {"flow": "openid_connect"}
        if _https(url):
            source["openid_connect_url"] = url
        return _token_elsewhere(name, secret, pointer, "OpenID Connect", source)
    return AuthChoice(None, losses=[Loss("auth-unsupported", f"{name}: type {kind!r}", pointer)])


def _token_elsewhere(
    name: str, secret: dict[str, str], pointer: str, what: str, source: dict[str, Any]
) -> AuthChoice:
    return AuthChoice(
        {"type": "bearer", "secret": secret, "obtained_from": source},
        name,
        warnings=[
            Loss(
                "auth-token-elsewhere",
                f"{name}: {what}: the client takes an access token obtained elsewhere "
                "(the flow itself is not automated)",
                pointer,
            )
        ],
    )


def _oauth2(
    provider: str, name: str, scheme: dict[str, Any], pointer: str, scopes: Any
) -> AuthChoice:
    raw_flows = scheme.get("flows")
    flows: dict[str, Any] = raw_flows if isinstance(raw_flows, dict) else {}
    wanted = [s for s in scopes if isinstance(s, str)] if isinstance(scopes, list) else []
    client = {
        "client_id": {"env": env_name(provider, f"{name}_client_id")},
        "client_secret": {"env": env_name(provider, f"{name}_client_secret")},
    }
    code = flows.get("authorizationCode")
    if isinstance(code, dict) and _https(code.get("tokenUrl")):
        auth: dict[str, Any] = {
            "type": "oauth2_refresh_token",
            "token_url": code["tokenUrl"],
            **client,
            "refresh_token": {"env": env_name(provider, f"{name}_refresh_token")},
            "scopes": wanted,
        }
        if _https(code.get("authorizationUrl")):
            auth["authorization_url"] = code["authorizationUrl"]
        return AuthChoice(auth, name)
    credentials = flows.get("clientCredentials")
    if isinstance(credentials, dict) and _https(credentials.get("tokenUrl")):
        return AuthChoice(
            {
                "type": "oauth2_client_credentials",
                "token_url": credentials["tokenUrl"],
                **client,
                "scopes": wanted,
            },
            name,
        )
    if flows:
        kinds = ", ".join(sorted(flows))
        implicit = flows.get("implicit")
        source: dict[str, Any] = {"flow": "oauth2_implicit" if implicit else "other"}
        if isinstance(implicit, dict) and _https(implicit.get("authorizationUrl")):
            source["authorization_url"] = implicit["authorizationUrl"]
        if wanted:
            source["scopes"] = wanted
        return _token_elsewhere(
            name, {"env": env_name(provider, name)}, pointer, f"OAuth 2.0 ({kinds})", source
        )
    return AuthChoice(
        None, losses=[Loss("auth-oauth2", f"{name}: no usable OAuth 2.0 flow", pointer)]
    )


def _https(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("https://")
