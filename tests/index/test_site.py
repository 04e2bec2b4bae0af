"""The catalog site: what a connector page and the index say, and `flows registry site`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from registry import Publication, Registry, catalog
from tests.index.helpers import wheel_publication
from tests.registry.helpers import spec_bytes, statement

runner = CliRunner()
SEEDS = Path(__file__).resolve().parents[2] / "tests" / "data" / "small_seeds"


@pytest.fixture
def live_reg(tmp_path: Path) -> Registry:
    """A registry on the real clock (the CLI verifies against the current time)."""
    return Registry.init(tmp_path / "live", key_dir=tmp_path / "keys", notice=lambda _: None)


def page(reg: Registry, rel: str) -> str:
    return (reg.root / "site" / rel).read_text()


def test_a_connector_page_shows_what_a_user_judges_it_by(reg: Registry) -> None:
    reg.publish(wheel_publication("stripe", "1.0.0"))
    reg.publish(wheel_publication("stripe", "1.1.0"))
    reg.yank("stripe", "1.1.0", "sends amounts in cents twice")
    html = page(reg, "c/stripe/1.0.0.html")
    for fragment in (
        "<h1>Stripe <span",
        "<td>POST</td><td><code>/v1/charges</code></td><td>write</td><td>key</td>"
        "<td>stable</td><td>stripe.charges:write</td>",
        "<code>auth.works</code>",  # a certification check
        "<code>no-deletes</code>: the API has no deletes",  # a waiver with its reason
        'pip install --index-url <span class="registry-url">../../../</span>simple '
        "flows-connector-stripe==1.0.0",
        "flows registry pull stripe@1.0.0",
        "flows registry verify stripe@1.0.0",
        "flows registry lock stripe@1.0.0",
    ):
        assert fragment in html, fragment
    key = reg._metadata_signer(reg._load_state()).public_key.keyid
    assert key in html  # the verified signer
    if shutil.which("dot"):
        assert '<img class="graph" src="1.0.0.svg"' in html
        assert (reg.root / "site/c/stripe/1.0.0.svg").read_bytes().lstrip().startswith(b"<")
    else:
        assert "targets/stripe/1.0.0/connector.dot" in html
    assert "Yanked:</strong> sends amounts in cents twice" in page(reg, "c/stripe/1.1.0.html")
    assert page(reg, "c/stripe/index.html") == html  # the newest version not yanked
    rows = json.loads(page(reg, "index.json"))["connectors"]
    assert [(r["name"], r["latest"], r["yanked"], r["level"]) for r in rows] == [
        ("stripe", "1.0.0", ["1.1.0"], "gold")
    ]


def test_text_from_the_registry_cannot_inject_markup(reg: Registry) -> None:
    hostile = "</script><script>alert(1)</script> & <b>bold</b>"
    stmt = statement("evil", "1.0.0")
    stmt["predicate"]["waivers"] = [{"rule": "x", "reason": hostile}]
    stmt["predicate"]["checks"] = "not a list"
    stmt["predicate"]["level"] = {"not": "text"}
    spec = spec_bytes("evil").replace(
        b"description: Create, read and list Stripe charges and create refunds.",
        b"description: '" + hostile.encode() + b"'",
    )
    base = wheel_publication("evil")
    reg.publish(Publication(**{**base.__dict__, "spec_bytes": spec, "statement": stmt}))
    html = page(reg, "c/evil/1.0.0.html")
    assert "<script>alert" not in html and "&lt;/script&gt;&lt;script&gt;alert(1)" in html
    script = page(reg, "catalog.js")
    assert "</script>" not in script and "<\\/script>" in script


@pytest.mark.parametrize(
    ("header", "source"),
    [
        (b"", "hand-written"),
        (b"# Harvested by 'flows harvest n8n' from n8n-nodes-base 2.41.2.\n", "n8n"),
        (b"# Imported from the OpenAPI description of Acme.\n", "OpenAPI"),
        (b"# notes\n# written from an OpenAPI document\n", "OpenAPI"),
        (b"# Imported by 'flows import openapi' from n8n-openapi.json\n", "OpenAPI"),
    ],
)
def test_the_source_of_a_spec_is_read_from_its_header(header: bytes, source: str) -> None:
    assert catalog.spec_source(header + spec_bytes()) == source


@pytest.mark.parametrize("provider", ["stripe", "slack", "sendgrid"])
def test_fast_spec_reading_equals_a_full_parse(provider: str) -> None:
    import yaml

    data = (SEEDS / provider / "connector.yaml").read_bytes()
    fast = catalog._spec_facts(data)
    full = catalog._spec_facts(
        b"# " + yaml.safe_dump(yaml.safe_load(data)).encode().replace(b"\n", b"\n", 1)
    )
    fast.pop("source"), full.pop("source")
    assert fast == full
    assert fast["operations"] and all(op["method"] and op["path"] for op in fast["operations"])


def test_registry_site_writes_a_catalog_from_a_verified_registry(
    live_reg: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWS_TRUST_DIR", str(tmp_path / "trust"))
    live_reg.publish(wheel_publication("stripe", "1.0.0"))
    out = tmp_path / "catalog"
    args = ["registry", "site", "--registry", str(live_reg.root), "--out", str(out), "--json"]
    result = runner.invoke(app, [*args, "--base-url", "https://connectors.example.org/reg"])
    assert result.exit_code == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout)  # --json: nothing but the JSON document on stdout
    assert (summary["connectors"], summary["versions"]) == (1, 1)
    html = (out / "c/stripe/1.0.0.html").read_text()
    assert (
        'pip install --index-url <span class="registry-url">https://connectors.example.org/reg/'
        "</span>simple flows-connector-stripe==1.0.0" in html
    )
    assert 'href="https://connectors.example.org/reg/targets/stripe/1.0.0/connector.yaml"' in html
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    refused = runner.invoke(
        app, ["registry", "site", "--registry", str(live_reg.root), "--out", str(tmp_path / "busy")]
    )
    assert refused.exit_code == 2
    assert "not empty and not a previous catalog site" in refused.stderr
    assert (tmp_path / "busy" / "notes.txt").read_text() == "mine"


def test_registry_site_refuses_a_tampered_registry_and_writes_nothing(
    live_reg: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWS_TRUST_DIR", str(tmp_path / "trust"))
    live_reg.publish(wheel_publication("stripe", "1.0.0"))
    spec = live_reg.root / "targets/stripe/1.0.0/connector.yaml"
    spec.write_bytes(spec.read_bytes() + b"\n# changed\n")
    out = tmp_path / "catalog"
    result = runner.invoke(
        app, ["registry", "site", "--registry", str(live_reg.root), "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "targets/stripe/1.0.0/connector.yaml" in result.stderr
    assert not out.exists()
