"""`flows publish connector`: the whole pipeline, as a user runs it, into a temporary registry."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from tests.conftest import SMALL_SEEDS

runner = CliRunner()


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path → bytes); empty when ``root`` is missing."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh working directory holding a copy of the Stripe connector."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FLOWS_REGISTRY", raising=False)
    monkeypatch.delenv("FLOWS_KEY_DIR", raising=False)
    shutil.copytree(
        SMALL_SEEDS / "stripe",
        tmp_path / "stripe",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return tmp_path


def publish(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["publish", "connector", *args])
    return result.exit_code, result.stdout, result.stderr


def test_first_publish_creates_registry_and_key_and_verifies(workdir: Path) -> None:
    code, out, err = publish("stripe/connector.yaml")
    assert code == 0, out + err
    assert "published stripe@1.0.0" in out
    assert "level certified" in out
    assert err.count("created signing key") == 1
    key = workdir / ".flows" / "keys" / "default.pem"
    assert key.stat().st_mode & 0o777 == 0o600
    version_dir = workdir / ".flows" / "registry" / "targets" / "stripe" / "1.0.0"
    stored = sorted(p.name for p in version_dir.iterdir())
    assert "connector.yaml" in stored and "statement.dsse.json" in stored
    assert any(name.endswith(".whl") for name in stored)
    statement = json.loads((version_dir / "statement.json").read_bytes())
    policy = statement["predicate"]["policy"]
    assert policy["passed"] is True and policy["results"]
    verify = runner.invoke(app, ["registry", "verify", "--json"])
    assert verify.exit_code == 0, verify.stdout


def test_identical_republish_is_a_noop_and_changes_no_byte(workdir: Path) -> None:
    assert publish("stripe/connector.yaml")[0] == 0
    before = snapshot(workdir / ".flows")
    code, out, err = publish("stripe/connector.yaml", "--json")
    assert code == 0, out + err
    payload = json.loads(out)
    assert payload["status"] == "unchanged" and payload["version"] == "1.0.0"
    assert "created signing key" not in err
    assert snapshot(workdir / ".flows") == before


def test_changed_content_under_a_published_version_is_refused(workdir: Path) -> None:
    assert publish("stripe/connector.yaml")[0] == 0
    spec = workdir / "stripe" / "connector.yaml"
    spec.write_text(spec.read_text().replace("description:", "description: Changed.", 1))
    before = snapshot(workdir)
    code, out, err = publish("stripe/connector.yaml")
    assert code == 2
    assert "already published" in err and "bump provider.version" in err
    assert "Traceback" not in out + err
    assert snapshot(workdir) == before


def test_a_bumped_version_is_published_beside_the_first(workdir: Path) -> None:
    assert publish("stripe/connector.yaml")[0] == 0
    spec = workdir / "stripe" / "connector.yaml"
    text = spec.read_text()
    spec.write_text(text.replace("version: 1.0.0", "version: 1.0.1", 1))
    shutil.rmtree(workdir / "stripe" / "flows_stripe")  # certify the rendered package
    code, out, err = publish("stripe/connector.yaml", "--json")
    assert code == 0, out + err
    assert json.loads(out)["status"] == "published"
    show = runner.invoke(app, ["registry", "show", "stripe", "--json"])
    assert show.exit_code == 0, show.stdout
    assert {"1.0.0", "1.0.1"} <= set(show.stdout.replace('"', " ").split())


def test_failed_certification_publishes_nothing_and_creates_nothing(workdir: Path) -> None:
    client = workdir / "stripe" / "flows_stripe" / "client.py"
    client.write_text(client.read_text() + "\n# edited by hand\n")
    before = snapshot(workdir)
    code, _out, err = publish("stripe/connector.yaml")
    assert code == 1
    assert "certification failed" in err and "codegen.reproducible" in err
    assert "flows certify connector" in err  # what to do next
    assert snapshot(workdir) == before
    assert not (workdir / ".flows").exists()


def test_failed_policy_gate_publishes_nothing(workdir: Path) -> None:
    pack = workdir / "strict.yaml"
    pack.write_text(
        textwrap.dedent(
            """\
            apiVersion: flows.dev/v1
            kind: PolicyPack
            name: strict
            version: "1"
            rules:
              - id: strict.no-stripe
                description: this organisation does not publish Stripe connectors
                severity: error
                applies_to: provider
                condition: provider.name != 'stripe'
                message: stripe connectors are not allowed here
            """
        )
    )
    before = snapshot(workdir)
    code, out, _err = publish("stripe/connector.yaml", "--pack", str(pack), "--json")
    assert code == 1
    payload = json.loads(out)
    assert payload["ok"] is False and payload["error"] == "PolicyRefused"
    assert "strict.no-stripe" in payload["message"]
    assert snapshot(workdir) == before


def test_bad_spec_is_a_located_input_error(workdir: Path) -> None:
    spec = workdir / "stripe" / "connector.yaml"
    spec.write_text(spec.read_text().replace("base_url:", "base_ulr:", 1))
    code, out, err = publish("stripe/connector.yaml")
    assert code == 2
    assert "stripe/connector.yaml:" in err and "did you mean" in err
    assert "Traceback" not in out + err
    assert not (workdir / ".flows").exists()


def test_a_url_registry_is_refused_for_publishing(workdir: Path) -> None:
    code, _out, err = publish("stripe/connector.yaml", "--registry", "https://example.com/reg")
    assert code == 2
    assert "local registry PATH" in err
    assert not (workdir / ".flows").exists()


def test_registry_option_and_environment_choose_the_location(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWS_REGISTRY", str(workdir / "from-env"))
    assert publish("stripe/connector.yaml")[0] == 0
    assert (workdir / "from-env" / "metadata" / "timestamp.json").is_file()
    code, _, _ = publish("stripe/connector.yaml", "--registry", str(workdir / "from-option"))
    assert code == 0
    assert (workdir / "from-option" / "metadata" / "timestamp.json").is_file()


def test_pulled_wheel_installs_and_its_client_runs(workdir: Path) -> None:
    assert publish("stripe/connector.yaml")[0] == 0
    pulled = runner.invoke(app, ["registry", "pull", "stripe@1.0.0", "--to", "pulled"])
    assert pulled.exit_code == 0, pulled.stdout + pulled.stderr
    wheels = list((workdir / "pulled").rglob("*.whl"))
    assert len(wheels) == 1
    script = textwrap.dedent(
        """\
        import sys, httpx
        sys.path.insert(0, sys.argv[1])  # a wheel is importable as a zip
        import flows_stripe
        def handler(request):
            assert request.url.path == "/v1/charges/ch_1"
            return httpx.Response(200, json={"id": "ch_1", "object": "charge", "amount": 5,
                "currency": "usd", "created": 1, "livemode": False, "paid": True,
                "status": "succeeded", "metadata": {}})
        client = flows_stripe.StripeClient(credentials={"STRIPE_API_KEY": "sk_test_x"},
                                           transport=httpx.MockTransport(handler))
        print(client.charges.retrieve(charge="ch_1").amount)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(wheels[0])], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "5"


@pytest.mark.parametrize("provider", ["stripe", "sendgrid", "slack"])
def test_every_seed_connector_passes_the_gate_and_publishes(
    provider: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.publish import publish_connector

    monkeypatch.chdir(tmp_path)
    notices: list[str] = []
    outcome = publish_connector(
        SMALL_SEEDS / provider / "connector.yaml",
        registry=tmp_path / "registry",
        key_dir=tmp_path / "keys",
        notice=notices.append,
    )
    assert outcome.status == "published"
    assert outcome.level == "certified"
    assert outcome.policy is not None and outcome.policy.passed
    assert len(notices) == 1 and "created signing key" in notices[0]


def test_a_lower_version_is_refused_at_the_spec_line_before_certifying(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.publish

    spec = workdir / "stripe" / "connector.yaml"
    text = spec.read_text()
    spec.write_text(text.replace("version: 1.0.0", "version: 1.0.1", 1))
    shutil.rmtree(workdir / "stripe" / "flows_stripe")
    assert publish("stripe/connector.yaml")[0] == 0
    spec.write_text(text)  # back to 1.0.0, below the published 1.0.1

    def no_certification(*_args: object, **_kw: object) -> None:
        raise AssertionError("certification ran for a version the registry refuses")

    monkeypatch.setattr(flows.publish, "certify_connector", no_certification)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "version: 1.0.0" in row)
    before = snapshot(workdir / ".flows")
    code, out, err = publish("stripe/connector.yaml")
    assert code == 2, out + err
    assert f"stripe/connector.yaml:{line}:" in err and "provider.version" in err
    assert "not above 1.0.1" in err
    assert snapshot(workdir / ".flows") == before
