"""The farm's pieces: shard parsing and assignment, spec discovery, version decisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connector_spec.loader import parse_spec_bytes
from flows.farm import FarmInputError, decide_version, discover, parse_shard, rewrite_version
from flows.farm.prepare import _fail
from flows.farm.report import FarmReport, SpecOutcome
from flows.farm.select import Shard, assign
from flows.farm.versioning import PublishedBase
from flows.publish import CertificationRefused, PolicyRefused
from tests.conftest import SMALL_SEEDS

STRIPE = (SMALL_SEEDS / "stripe" / "connector.yaml").read_bytes()


def test_parse_shard() -> None:
    assert parse_shard("2/4") == Shard(2, 4)
    assert parse_shard(" 1 / 1 ") == Shard(1, 1)
    for bad in ("0/1", "5/4", "1/0", "x", "1/2/3", "", "1/1001"):
        with pytest.raises(FarmInputError):
            parse_shard(bad)


def _specs(tmp_path: Path, complete: int, incomplete: int) -> Path:
    for i in range(complete + incomplete):
        d = tmp_path / f"p{i:02d}"
        d.mkdir()
        (d / "connector.yaml").write_bytes(STRIPE)
        status = "complete" if i < complete else "incomplete"
        reasons = [] if status == "complete" else ["programmatic"]
        (d / "harvest.json").write_text(json.dumps({"status": status, "reasons": reasons}))
    return tmp_path


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7, 40])
def test_every_spec_lands_in_exactly_one_shard(tmp_path: Path, count: int) -> None:
    candidates = discover(_specs(tmp_path, 11, 6))
    shards = [assign(candidates, Shard(i, count)) for i in range(1, count + 1)]
    keys = [c.key for shard in shards for c in shard]
    assert sorted(keys) == [c.key for c in candidates]
    complete = [sum(c.complete for c in shard) for shard in shards]
    assert max(complete) - min(complete) <= 1, "the costly specs are balanced"
    assert shards == [assign(candidates, Shard(i, count)) for i in range(1, count + 1)]


def test_discover_reads_sidecar_header_and_hand_written(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "connector.yaml").write_bytes(STRIPE)
    (tmp_path / "a" / "harvest.json").write_text(
        json.dumps({"status": "incomplete", "reasons": ["auth-code", "programmatic"]})
    )
    (tmp_path / "b").mkdir()
    header = (
        b"# Harvested\n# INCOMPLETE: n8n does not say:\n#   pre-send-hook: x\n#   no-route: y\n"
    )
    (tmp_path / "b" / "connector.yaml").write_bytes(header + STRIPE)
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "connector.yaml").write_bytes(STRIPE)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "connector.yaml").write_bytes(STRIPE)
    (tmp_path / "d" / "harvest.json").write_text("{not json")
    (tmp_path / "e").mkdir()  # no spec: not a candidate
    found = {c.key: c for c in discover(tmp_path)}
    assert sorted(found) == ["a", "b", "c", "d"]
    assert (found["a"].complete, found["a"].reasons) == (False, ("auth-code", "programmatic"))
    assert (found["b"].complete, found["b"].reasons) == (False, ("pre-send-hook", "no-route"))
    assert (found["c"].complete, found["c"].source) == (True, "hand-written")
    assert found["d"].problem is not None and not found["d"].complete


def test_rewrite_version_changes_only_that_scalar() -> None:
    out = rewrite_version(STRIPE, "2.0.0", "stripe")
    assert out == STRIPE.replace(b"version: 1.0.0", b"version: 2.0.0", 1)
    quoted = STRIPE.replace(b"version: 1.0.0", b"version: '1.0.0'", 1)
    assert rewrite_version(quoted, "1.2.3", "q") == STRIPE.replace(
        b"version: 1.0.0", b"version: 1.2.3", 1
    )
    flow = (
        b"apiVersion: flows.dev/v1\nkind: ConnectorSpec\n"
        b'provider: {name: stripe, version: "0.1.0", description: d, docs_url: "https://x.example"}\n'
    )
    rest = STRIPE[STRIPE.index(b"base_url:") :]
    out = rewrite_version(flow + rest, "0.2.0", "flow")
    assert out == (flow + rest).replace(b'version: "0.1.0"', b"version: 0.2.0")


def _base(raw: bytes) -> PublishedBase:
    spec = parse_spec_bytes(raw, "base")
    return PublishedBase(spec.provider.version, raw, "sha256:x")


def _decide(new: bytes, base: bytes | None) -> tuple[str, str, str | None]:
    decision = decide_version(
        new, parse_spec_bytes(new, "new"), _base(base) if base is not None else None
    )
    if decision.status == "bumped":
        assert parse_spec_bytes(decision.spec_bytes, "x").provider.version == decision.version
    else:
        assert decision.spec_bytes == new
    return decision.status, decision.version, decision.required_bump


def test_version_decisions() -> None:
    assert _decide(STRIPE, None) == ("new", "1.0.0", None)
    # comments and the version itself are not changes
    assert _decide(b"# harvested again\n" + STRIPE, STRIPE) == ("unchanged", "1.0.0", "none")
    older = STRIPE.replace(b"version: 1.0.0", b"version: 0.9.0", 1)
    assert _decide(older, STRIPE) == ("unchanged", "1.0.0", "none")
    # documentation only: patch
    doc = STRIPE.replace(b"Create, read and list", b"Create and list", 1)
    assert _decide(doc, STRIPE) == ("bumped", "1.0.1", "patch")
    # a removed operation is breaking: major (minor for 0.x)
    start = STRIPE.index(b"  - id: create_refund")
    end = STRIPE.find(b"\n  - id:", start + 1)
    removed = STRIPE[:start] + (STRIPE[end + 1 :] if end != -1 else b"")
    assert _decide(removed, STRIPE) == ("bumped", "2.0.0", "major")
    zero = STRIPE.replace(b"version: 1.0.0", b"version: 0.1.0", 1)
    zero_removed = removed.replace(b"version: 1.0.0", b"version: 0.1.0", 1)
    assert _decide(zero_removed, zero) == ("bumped", "0.2.0", "minor")
    # a spec that already carries a high enough version keeps it
    own = removed.replace(b"version: 1.0.0", b"version: 3.0.0", 1)
    assert _decide(own, STRIPE) == ("new", "3.0.0", "major")


def test_refusals_are_classified() -> None:
    outcome = SpecOutcome("k", "k/connector.yaml", "staged")
    _fail(outcome, CertificationRefused("cert failed"), "preparing")
    assert (outcome.status, outcome.refused_by, outcome.message) == (
        "refused",
        "certification",
        "cert failed",
    )
    _fail(outcome, PolicyRefused("gate"), "preparing")
    assert (outcome.status, outcome.refused_by) == ("refused", "policy")
    fresh = SpecOutcome("k", "k/connector.yaml", "staged")
    _fail(fresh, KeyError("boom"), "preparing")
    assert fresh.status == "error" and fresh.refused_by is None
    assert "internal error" in str(fresh.message) and "KeyError" in str(fresh.message)


def test_report_round_trip_and_exit_code() -> None:
    report = FarmReport(
        mode="shard",
        outcomes=[
            SpecOutcome("a", "a/connector.yaml", "incomplete", reasons=["programmatic", "x"]),
            SpecOutcome("b", "b/connector.yaml", "incomplete", reasons=["programmatic"]),
            SpecOutcome(
                "c",
                "c/connector.yaml",
                "staged",
                name="c",
                version="1.0.1",
                spec_version="1.0.0",
                bump="patch",
            ),
        ],
        shard="1/2",
    )
    assert report.exit_code == 0
    assert report.incomplete_by_reason() == {"programmatic": 2, "x": 1}
    again = FarmReport.from_json(json.loads(json.dumps(report.to_json())))
    assert again.to_json() == report.to_json()
    assert [b["to"] for b in report.to_json()["bumps"]] == ["1.0.1"]
    report.outcomes.append(SpecOutcome("d", "d/connector.yaml", "refused", message="no"))
    assert report.exit_code == 1
    assert "| `d/connector.yaml` | refused | - | no |" in report.to_markdown()


COVERAGE = {
    "n8n_operations": 5,
    "kept": 3,
    "omitted": 2,
    "omitted_by_reason": {"pre-send-hook": 2, "no-route": 1},
}


def test_discover_reads_the_sidecars_coverage_and_refuses_a_bad_one(tmp_path: Path) -> None:
    for key, coverage in (
        ("good", COVERAGE),
        ("none", None),
        ("bad", {**COVERAGE, "kept": "three"}),
        ("list", [1, 2]),
    ):
        (tmp_path / key).mkdir()
        (tmp_path / key / "connector.yaml").write_bytes(STRIPE)
        sidecar = {"status": "complete", "reasons": [], "coverage": coverage}
        (tmp_path / key / "harvest.json").write_text(json.dumps(sidecar))
    found = {c.key: c for c in discover(tmp_path)}
    assert (found["good"].complete, found["good"].coverage) == (True, COVERAGE)
    assert (found["none"].complete, found["none"].coverage) == (True, None)
    for key in ("bad", "list"):
        assert not found[key].complete
        assert found[key].problem is not None and "coverage" in found[key].problem


def test_report_shows_the_coverage_of_published_connectors() -> None:
    full = {"n8n_operations": 4, "kept": 4, "omitted": 0, "omitted_by_reason": {}}
    report = FarmReport(
        mode="local",
        outcomes=[
            SpecOutcome("a", "a/connector.yaml", "published", name="a", version="0.1.0"),
            SpecOutcome(
                "b", "b/connector.yaml", "published", name="b", version="0.1.0", coverage=COVERAGE
            ),
            SpecOutcome(
                "c", "c/connector.yaml", "published", name="c", version="0.1.0", coverage=full
            ),
            SpecOutcome("d", "d/connector.yaml", "incomplete", reasons=["x"], coverage=COVERAGE),
        ],
    )
    assert report.coverage() == {
        "specs": 2,
        "partial": 1,
        "kept": 7,
        "omitted": 2,
        "omitted_by_reason": {"pre-send-hook": 2, "no-route": 1},
    }
    again = FarmReport.from_json(json.loads(json.dumps(report.to_json())))
    assert again.outcomes[1].coverage == COVERAGE and again.to_json() == report.to_json()
    text = report.to_markdown()
    assert "| `a` | 0.1.0 | - | - | - |" in text
    assert "| `b` | 0.1.0 | - | 3/5 (2 omitted: pre-send-hook 2, no-route 1) | - |" in text
    assert "| `c` | 0.1.0 | - | 4/4 (all) | - |" in text
    assert "1 of them cover n8n's operations partially (7 operations kept, 2 omitted;" in text
