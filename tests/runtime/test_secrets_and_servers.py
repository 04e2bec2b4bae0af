"""Secrets never show themselves; base URLs resolve from variables and environments."""

from __future__ import annotations

import pytest

from connector_spec.runtime.errors import ConfigurationError
from connector_spec.runtime.secrets import Redactor, Secret, SecretResolver
from connector_spec.runtime.servers import EnvironmentInfo, ServerVariableInfo, resolve_base_url


def test_secret_hides_its_value() -> None:
    secret = Secret("sk_live_abcdef")
    assert "sk_live" not in repr(secret)
    assert "sk_live" not in str(secret)
    assert "sk_live" not in f"{secret}"
    assert secret.reveal() == "sk_live_abcdef"


def test_resolver_prefers_credentials_then_environment() -> None:
    resolver = SecretResolver({"A": "from-credentials"}, environ={"A": "env", "B": "from-env"})
    assert resolver.env("A").reveal() == "from-credentials"
    assert resolver.env("B").reveal() == "from-env"


def test_missing_credential_names_what_to_do() -> None:
    with pytest.raises(ConfigurationError, match="STRIPE_API_KEY is not set"):
        SecretResolver(environ={}).env("STRIPE_API_KEY")


def test_store_lookup() -> None:
    resolver = SecretResolver(store={"vault/key": "s3cret"}.get)
    assert resolver.store("vault/key").reveal() == "s3cret"
    with pytest.raises(ConfigurationError):
        resolver.store("other")


def test_redactor_replaces_every_known_secret() -> None:
    redact = Redactor([Secret("token-1234"), Secret("pw-99999")])
    assert redact("a token-1234 and pw-99999!") == "a <redacted> and <redacted>!"


VARS = {
    "domain": ServerVariableInfo(default=None, pattern=r"[a-z0-9-]+"),
    "region": ServerVariableInfo(default="us", enum=("us", "eu")),
}
ENVS = {
    "eu": EnvironmentInfo(variables=(("region", "eu"),)),
    "sandbox": EnvironmentInfo(base_url="https://sandbox.example.com"),
}


def test_variables_fill_the_template() -> None:
    url = resolve_base_url(
        "https://{domain}.{region}.example.com",
        VARS,
        ENVS,
        allow_insecure_loopback=False,
        variables={"domain": "acme"},
    )
    assert url == "https://acme.us.example.com"


def test_environment_supplies_variables_and_urls() -> None:
    url = resolve_base_url(
        "https://{domain}.{region}.example.com",
        VARS,
        ENVS,
        allow_insecure_loopback=False,
        environment="eu",
        variables={"domain": "acme"},
    )
    assert url == "https://acme.eu.example.com"
    assert (
        resolve_base_url(
            "https://x", VARS, ENVS, allow_insecure_loopback=False, environment="sandbox"
        )
        == "https://sandbox.example.com"
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({}, "has no value"),
        ({"domain": "acme", "region": "mars"}, "not one of"),
        ({"domain": "ACME!"}, "does not match"),
        ({"domain": "evil.com/steal?"}, "does not match"),
    ],
)
def test_bad_variables_are_refused(variables: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        resolve_base_url(
            "https://{domain}.{region}.example.com",
            VARS,
            ENVS,
            allow_insecure_loopback=False,
            variables=variables,
        )


def test_plain_http_only_for_allowed_loopback() -> None:
    with pytest.raises(ConfigurationError, match="https"):
        resolve_base_url(
            "https://x", {}, {}, allow_insecure_loopback=True, override="http://example.com"
        )
    with pytest.raises(ConfigurationError):
        resolve_base_url(
            "https://x", {}, {}, allow_insecure_loopback=False, override="http://127.0.0.1:8080"
        )
    assert (
        resolve_base_url(
            "https://x", {}, {}, allow_insecure_loopback=True, override="http://127.0.0.1:8080"
        )
        == "http://127.0.0.1:8080"
    )


def test_unknown_environment() -> None:
    with pytest.raises(ConfigurationError, match="unknown environment"):
        resolve_base_url("https://x", {}, ENVS, allow_insecure_loopback=False, environment="qa")
