"""Expressions, auth and base URLs derived from credential types."""

from __future__ import annotations

from typing import Any

import pytest

from flows.harvest import load_catalog
from flows.harvest.credentials import base_url_from, derive_auth
from flows.harvest.expressions import credential_in_text, is_plain_value, translate
from tests.harvest.helpers import FIXTURE

CREDS = load_catalog(FIXTURE).credentials


@pytest.mark.parametrize(
    ("value", "source", "text", "names"),
    [
        ("/users/me", "parameter", "/users/me", []),
        ('=/rows/{{toPathSegment($parameter["rowId"])}}', "parameter", "/rows/{rowId}", ["rowId"]),
        ("=/a/{{$parameter.id}}/b", "parameter", "/a/{id}/b", ["id"]),
        ("={{$credentials.url}}", "credentials", "{url}", ["url"]),
        ('={{$credentials.url.replace(new RegExp("/$"), "")}}', "credentials", "{url}", ["url"]),
        ('={{$credentials.domain?.replace(/\\/+$/, "")}}', "credentials", "{domain}", ["domain"]),
        (
            "=https://{{$credentials?.sub}}.x.com/api",
            "credentials",
            "https://{sub}.x.com/api",
            ["sub"],
        ),
    ],
)
def test_plain_expressions_translate(value: str, source: str, text: str, names: list[str]) -> None:
    result = translate(value, source=source)
    assert (result.text, result.names) == (text, names)


@pytest.mark.parametrize(
    "value",
    [
        '={{$credentials.plan === "pro" ? "https://a" : "https://b"}}',
        '={{$credentials.key.split("-").pop()}}',
        "={{$parameter.a + $parameter.b}}",
    ],
)
def test_code_expressions_are_not_translated(value: str) -> None:
    result = translate(value, source="credentials")
    assert result.text is None and result.problem and "code expression" in result.problem


@pytest.mark.parametrize(
    ("value", "text", "names"),
    [
        ('={{"/api/card/" + $parameter.questionId}}', "/api/card/{questionId}", ["questionId"]),
        (
            '={{"/api/card/" + $parameter.id + "/query/" + $parameter.format}}',
            "/api/card/{id}/query/{format}",
            ["id", "format"],
        ),
        (
            "={{'/b/' + $parameter[\"bucket\"] + '/o/' + encodeURIComponent($parameter.name)}}",
            "/b/{bucket}/o/{name}",
            ["bucket", "name"],
        ),
        ('=/v1{{"/users/" + $parameter.userId}}', "/v1/users/{userId}", ["userId"]),
        ('={{$parameter.id + "/fields"}}', "{id}/fields", ["id"]),  # number + string: a string
    ],
)
def test_string_concatenation_translates(value: str, text: str, names: list[str]) -> None:
    result = translate(value, source="parameter")
    assert (result.text, result.names) == (text, names)


@pytest.mark.parametrize(
    "value",
    [
        '={{$parameter.a + $parameter.b + "/x"}}',  # numbers would be added first
        '={{"/c/" + $parameter.id.toString().replace(/-/g, "")}}',
        '={{"/c/" + encodeURI($parameter.id)}}',
        '={{"/c/\\" + $parameter.id}}',  # an escape in the literal
        "={{`/c/${$parameter.id}`}}",
        '={{"/c/" + $parameter.id}',
    ],
)
def test_concatenation_of_code_is_not_translated(value: str) -> None:
    assert translate(value, source="parameter").text is None


def test_credential_in_text_and_plain_value() -> None:
    assert credential_in_text("=Bearer {{$credentials.token}}") == ("Bearer ", "token", "")
    assert credential_in_text("={{ $credentials.accessKey }}") == ("", "accessKey", "")
    assert credential_in_text("Bearer token") is None
    assert is_plain_value(None) and is_plain_value("={{ $value }}")
    assert not is_plain_value('={{ $value.split(",") }}')


def test_bearer_header_becomes_bearer_auth_with_env_secret() -> None:
    result = derive_auth("adaloApi", CREDS, "adalo")
    assert result.auth == {"type": "bearer", "secret": {"env": "ADALO_API_KEY"}}
    assert not result.findings


def test_basic_auth_with_a_fixed_username_is_flagged() -> None:
    result = derive_auth("mailgunApi", CREDS, "mailgun")
    assert result.auth is not None and result.auth["type"] == "basic"
    assert result.auth["password"] == {"env": "MAILGUN_API_KEY"}
    assert [f.code for f in result.findings] == ["auth-constant"]
    assert "'api'" in result.findings[0].detail


def test_oauth2_inherits_urls_from_its_parents() -> None:
    result = derive_auth("googleAdsOAuth2Api", CREDS, "google-ads")
    auth = result.auth
    assert auth is not None and auth["type"] == "oauth2_refresh_token"
    assert auth["token_url"] == "https://oauth2.googleapis.com/token"
    assert auth["authorization_url"] == "https://accounts.google.com/o/oauth2/v2/auth"
    assert auth["refresh_token"] == {"env": "GOOGLE_ADS_REFRESH_TOKEN"}
    assert auth["client_auth"] == "body"


def _generic(props: dict[str, Any], extends: list[str] | None = None) -> dict[str, Any]:
    cred: dict[str, Any] = {"name": "x", "properties": []}
    if props:
        cred["authenticate"] = {"type": "generic", "properties": props}
    if extends:
        cred["extends"] = extends
    return {"x": cred, "oAuth1Api": {"name": "oAuth1Api", "properties": []}}


@pytest.mark.parametrize(
    ("props", "auth", "codes"),
    [
        (
            {"qs": {"api_key": "={{$credentials.apiKey}}"}},
            {
                "type": "api_key",
                "in": "query",
                "name": "api_key",
                "secret": {"env": "ACME_API_KEY"},
            },
            [],
        ),
        (
            {"headers": {"Authorization": "=Token {{$credentials.key}}"}},
            {"type": "bearer", "secret": {"env": "ACME_KEY"}, "scheme": "Token"},
            [],
        ),
        (
            {"headers": {"X-Key": "={{$credentials.key}}", "X-Org": "={{$credentials.org}}"}},
            {"type": "api_key", "in": "header", "name": "X-Key", "secret": {"env": "ACME_KEY"}},
            ["auth-extra-headers"],
        ),
        ({"body": {"token": "={{$credentials.token}}"}}, None, ["auth-body"]),
        ({"headers": {"X-Key": "={{$credentials.a ? 1 : 2}}"}}, None, ["auth-expression"]),
        ({}, None, ["auth-code"]),
    ],
)
def test_generic_authenticate_blocks(
    props: dict[str, Any], auth: dict[str, Any] | None, codes: list[str]
) -> None:
    result = derive_auth("x", _generic(props), "acme")
    assert result.auth == auth
    assert [f.code for f in result.findings] == codes


def test_oauth1_is_unsupported() -> None:
    result = derive_auth("x", _generic({}, extends=["oAuth1Api"]), "acme")
    assert result.auth is None and result.findings[0].code == "auth-unsupported"


def test_full_url_credential_field_becomes_a_host_variable() -> None:
    props = {"url": {"name": "url", "default": "https://api.example.com/"}}
    base = base_url_from('={{$credentials.url.replace(new RegExp("/$"), "")}}', props, where="w")
    assert base.url == "https://{url}"
    assert base.variables["url"]["kind"] == "host"
    assert base.variables["url"]["default"] == "api.example.com"
    assert base.note and "full URL" in base.note


def test_subdomain_variable_with_options_becomes_an_enum() -> None:
    props = {
        "region": {"name": "region", "options": [{"value": "eu"}, {"value": "us"}], "default": "us"}
    }
    base = base_url_from("=https://api.{{$credentials.region}}.example.com/v1", props, where="w")
    assert base.url == "https://api.{region}.example.com/v1"
    assert base.variables["region"] == {
        "kind": "string",
        "description": "n8n credential field 'region'",
        "enum": ["eu", "us"],
        "default": "us",
    }


def test_values_the_client_would_refuse_are_not_kept_as_default_or_enum() -> None:
    # the generated client accepts plain host labels only; certification makes a value up
    props = {
        "tenant": {"name": "tenant", "options": [{"value": "a b"}, {"value": "c"}], "default": "c"},
        "path": {"name": "path", "default": "v1/beta"},
    }
    base = base_url_from(
        "=https://{{$credentials.tenant}}.example.com/{{$credentials.path}}", props, where="w"
    )
    assert base.variables["tenant"] == {
        "kind": "string",
        "description": "n8n credential field 'tenant'",
        "default": "c",
    }
    assert "default" not in base.variables["path"]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ('={{$credentials.plan === "pro" ? "https://a" : "https://b"}}', "base-url-expression"),
        ("http://api.example.com", "base-url-insecure"),
    ],
)
def test_unusable_base_urls_are_reported(value: str, code: str) -> None:
    base = base_url_from(value, {}, where="acmeApi.test.request.baseURL")
    assert base.url is None
    assert base.findings[0].code == code
    assert base.findings[0].detail.startswith("acmeApi.test.request.baseURL")
