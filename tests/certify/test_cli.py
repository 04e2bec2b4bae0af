"""``flows certify connector`` and ``flows record ...`` as users run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from flows.cli.app import app
from tests.certify.helpers import CONNECTORS, REPO, copy_connector, patch_file, runtime_file

runner = CliRunner()


def test_certify_json_passes_and_writes_evidence(tmp_path: Path) -> None:
    out = tmp_path / "ev"
    result = runner.invoke(
        app,
        [
            "certify",
            "connector",
            str(CONNECTORS / "sendgrid" / "connector.yaml"),
            "--json",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["ok"] is True and payload["level"] == "certified"
    assert payload["evidence"] == [
        str(out / n) for n in ("statement.json", "connector.dot", "summary.md")
    ]
    assert (out / "statement.json").is_file()


def test_certify_table_shows_the_failed_check_and_exits_1(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "slack")
    patch_file(
        runtime_file(spec, "slack", "retry.py"),
        "    if status != 429 and not retry_safe:\n        return STOP\n",
        "",
    )
    out = tmp_path / "ev"
    result = runner.invoke(app, ["certify", "connector", str(spec), "--out", str(out)])
    assert result.exit_code == 1
    assert "idempotency.no_unsafe_retry" in result.stdout
    assert "level none:" in result.stdout
    assert "Traceback" not in result.output
    assert "no evidence written" in result.stdout
    assert not out.exists()


def test_certify_only_and_default_out(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flows.cli.main",
            "certify",
            "connector",
            str(spec),
            "--json",
            "--only",
            "idempotency.key_reuse",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert {c["id"] for c in payload["checks"]} == {"idempotency.key_reuse"}
    assert (tmp_path / ".flows" / "evidence" / "stripe-1.0.0" / "statement.json").is_file()


def test_certify_bad_input_exits_2_without_traceback(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["certify", "connector", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2
    assert "Traceback" not in missing.output
    unknown = runner.invoke(
        app,
        [
            "certify",
            "connector",
            str(CONNECTORS / "slack" / "connector.yaml"),
            "--only",
            "nosuch.check",
            "--json",
            "--out",
            str(tmp_path / "ev"),
        ],
    )
    assert unknown.exit_code == 2
    assert (
        "--only 'nosuch.check' matches no check of slack" in json.loads(unknown.stdout)["message"]
    )
    assert not (tmp_path / "ev").exists()


def test_record_without_live_is_refused(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "slack", fixtures=False)
    result = runner.invoke(
        app,
        ["record", "connector", str(spec), "post_message", "--call", '{"channel": "C1"}', "--json"],
    )
    assert result.exit_code == 2
    assert "pass --live to confirm" in json.loads(result.stdout)["message"]
    bad = runner.invoke(
        app, ["record", "connector", str(spec), "post_message", "--live", "--call", "[1]"]
    )
    assert bad.exit_code == 2
    assert not (spec.parent / "fixtures").exists()


def test_record_rehash_fixes_digests(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe")
    path = spec.parent / "fixtures" / "list_charges" / "happy_path.yaml"
    patch_file(path, "description: List charges", "description: Lists charges")
    broken = runner.invoke(app, ["certify", "connector", str(spec), "--out", str(tmp_path / "ev")])
    assert broken.exit_code == 2
    assert "digest does not match the content" in broken.output
    fixed = runner.invoke(app, ["record", "rehash", str(spec.parent / "fixtures"), "--json"])
    assert fixed.exit_code == 0
    assert json.loads(fixed.stdout)["changed"] == [str(path)]
    again = runner.invoke(app, ["certify", "connector", str(spec), "--out", str(tmp_path / "ev")])
    assert again.exit_code == 0, again.output


def test_pytest_plugin_runs_checks_as_items(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "slack")
    patch_file(
        runtime_file(spec, "slack", "retry.py"),
        "    if status != 429 and not retry_safe:\n        return STOP\n",
        "",
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--flows-certify",
            str(spec),
            "--flows-certify-only",
            "idempotency",
            "-q",
            "-rf",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed" in result.stdout
    assert "idempotency.no_unsafe_retry failed: the client re-sent POST /chat.postMessage" in (
        result.stdout
    )


def test_record_live_without_credentials_is_bad_input(tmp_path: Path) -> None:
    spec = copy_connector(tmp_path, "stripe", fixtures=False)
    result = runner.invoke(
        app,
        [
            "record",
            "connector",
            str(spec),
            "retrieve_charge",
            "--live",
            "--call",
            '{"charge": "ch_1"}',
            "--json",
        ],
        env={"STRIPE_API_KEY": ""},  # an empty variable counts as unset
    )
    assert result.exit_code == 2, result.output
    assert "credential STRIPE_API_KEY is not set" in json.loads(result.stdout)["message"]
    assert not (spec.parent / "fixtures").exists()
