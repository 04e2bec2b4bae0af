"""The path from real descriptions to the registry: harvest the checked-in sample, farm it.

Each harvested spec carries its provider description, so certification checks the spec
against it and a connector reaches level ``certified``; the registry verifies.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.farm.helpers import by_key, flows

SAMPLE = Path(__file__).parent / "data" / "directory"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLOWS_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("FLOWS_TRUST_DIR", str(tmp_path / "trusted"))
    return tmp_path


def test_sample_directory_is_farmed_into_a_verified_registry(workspace: Path) -> None:
    harvest = flows("harvest", "openapi", "--catalog", SAMPLE, "--out", "harvested", "--jobs", "1")
    assert harvest.code == 0, harvest.stdout + harvest.stderr
    run = flows("farm", "--specs", "harvested", "--registry", "reg", "--jobs", "1", "--json")
    report = run.json()
    outcomes = by_key(report)
    assert report["counts"]["error"] == 0, report
    certified = {
        k for k, o in outcomes.items() if (o["status"], o["level"]) == ("published", "certified")
    }
    # Google Tasks (OAuth2 + Oauth2c), Twilio Fax (SID patterns), Canada Holidays (no auth)
    assert {"googleapis-com-tasks", "twilio-com-twilio-fax-v1", "canada-holidays-ca"} <= certified
    for key, outcome in outcomes.items():
        if outcome["status"] == "refused":  # a refusal names its cause, never a crash
            assert "Traceback" not in outcome["message"], key
    verify = flows("registry", "verify", "--registry", "reg", "--json")
    assert verify.code == 0, verify.stdout
    assert set(verify.json()["connectors"]) == {
        k for k, o in outcomes.items() if o["status"] == "published"
    }
    again = flows("farm", "--specs", "harvested", "--registry", "reg", "--jobs", "1", "--json")
    assert again.json()["counts"]["published"] == 0  # incremental: nothing changed
