"""`flows farm` end to end: harvest the catalog fixture, farm it into a registry, verify.

The fixture's harvest writes one complete spec (adalo: two operations with preSend hooks are
left out, three remain) and incomplete ones; two hand-written seed specs (slack, stripe) are
added to the harvested directory: the farm must publish those and adalo, with its partial
coverage, and report the other harvested ones as incomplete, with the harvest's own reasons.
A small synthetic catalog whose node the harvest derives completely shows a harvested spec
certified and published.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.farm.helpers import (
    SEEDS,
    Run,
    add_seed_specs,
    by_key,
    flows,
    harvest_fixture,
    published_content,
    tree,
)
from tests.harvest.helpers import ACME_API, complete_acme_node, write_catalog

#: Harvested from the fixture and complete (partial coverage), with the harvest's version.
HARVESTED = {"adalo": "0.1.0"}
#: Everything the farm publishes from the ``harvested`` directory, with versions.
PUBLISHED = {**HARVESTED, **dict.fromkeys(SEEDS, "1.0.0")}

TEST_PACK = """\
apiVersion: flows.dev/v1
kind: PolicyPack
name: farmtest
rules:
  - id: farmtest.no-slack
    description: this registry does not take slack
    applies_to: provider
    condition: "provider.name != 'slack'"
    message: "{provider.name} is not allowed by the farm test pack"
"""


@pytest.fixture
def harvested(workspace: Path) -> tuple[Path, dict[str, object]]:
    specs = workspace / "harvested"
    report = harvest_fixture(specs)
    add_seed_specs(specs)
    return specs, report


def _verify(registry: Path) -> dict[str, list[str]]:
    run = flows("registry", "verify", "--registry", registry, "--json")
    assert run.code == 0, run.stdout
    connectors: dict[str, list[str]] = run.json()["connectors"]
    return connectors


def test_local_farm_publishes_complete_specs_and_reports_the_rest(
    harvested: tuple[Path, dict[str, object]], workspace: Path
) -> None:
    specs, harvest = harvested
    run = flows("farm", "--specs", specs, "--registry", "reg", "--jobs", "1", "--json")
    assert run.code == 0, run.stdout + run.stderr
    report = run.json()
    outcomes = by_key(report)

    nodes = [n for n in harvest["nodes"] if n["spec_path"]]  # type: ignore[attr-defined]
    assert nodes, "the fixture harvest writes specs"
    for node in nodes:
        outcome = outcomes[node["provider"]]
        assert outcome["coverage"] == node["coverage"]
        if node["status"] == "complete":
            assert outcome["status"] == "published", outcome
            assert outcome["level"] == "self-consistent"  # n8n describes no provider contract
        else:
            assert outcome["status"] == "incomplete"
            assert outcome["reasons"] == node["reasons"]
    published = {k for k, o in outcomes.items() if o["status"] == "published"}
    complete = {n["provider"] for n in nodes if n["status"] == "complete"}
    assert published == complete | set(SEEDS)
    assert report["counts"]["incomplete"] == sum(1 for n in nodes if n["status"] != "complete")
    assert report["counts"]["refused"] == report["counts"]["error"] == 0
    harvest_reasons = harvest["totals"]["incomplete_by_reason"]  # type: ignore[index]
    assert report["incomplete_by_reason"] == harvest_reasons
    assert "response-schema-unknown" not in report["incomplete_by_reason"]  # a warning only
    assert outcomes["stripe"]["level"] == "certified"
    assert complete == set(HARVESTED)
    assert _verify(workspace / "reg") == {name: [PUBLISHED[name]] for name in sorted(published)}
    assert report["coverage"] == {
        "specs": 1,
        "partial": 1,
        "kept": 3,
        "omitted": 2,
        "omitted_by_reason": {"pre-send-hook": 2},
    }


def test_rerun_publishes_nothing_and_changes_nothing(
    harvested: tuple[Path, dict[str, object]], workspace: Path
) -> None:
    specs, _ = harvested
    assert flows("farm", "--specs", specs, "--registry", "reg", "--jobs", "1").code == 0
    before = tree(workspace / "reg")
    run = flows("farm", "--specs", specs, "--registry", "reg", "--json")
    assert run.code == 0
    counts = run.json()["counts"]
    assert counts["published"] == 0
    assert counts["unchanged"] == len(PUBLISHED)
    assert tree(workspace / "reg") == before


def test_shards_and_merge_give_the_same_registry_as_a_local_run(
    harvested: tuple[Path, dict[str, object]], workspace: Path
) -> None:
    specs, _ = harvested
    assert flows("farm", "--specs", specs, "--registry", "local-reg", "--jobs", "1").code == 0

    shard_outputs = workspace / "shards"
    shard_outputs.mkdir()
    staged = 0
    for index in (1, 2):
        out = shard_outputs / f"farm-shard-{index}"
        run = flows(
            "farm", "--shard", f"{index}/2", "--specs", specs, "--out", out, "--jobs", "1", "--json"
        )
        assert run.code == 0, run.stdout
        assert (out / "farm-shard.json").is_file()
        staged += run.json()["counts"]["staged"]
    assert staged == len(PUBLISHED)
    assert not (workspace / "merged-reg").exists(), "shards never write the registry"
    # the merge job downloads every shard artifact into one directory
    run = flows("farm", "--merge", shard_outputs, "--registry", "merged-reg", "--json")
    assert run.code == 0, run.stdout
    merged = run.json()
    assert merged["counts"]["published"] == len(PUBLISHED)
    assert by_key(merged)["adalo"]["coverage"]["omitted"] == 2  # carried through the shards
    assert merged["specs_total"] == len(list(specs.glob("*/connector.yaml")))
    assert _verify(workspace / "merged-reg") == _verify(workspace / "local-reg")
    assert published_content(workspace / "merged-reg") == published_content(workspace / "local-reg")
    # merging the same shards again publishes nothing
    again = flows("farm", "--merge", shard_outputs, "--registry", "merged-reg", "--json")
    assert again.code == 0
    assert again.json()["counts"]["unchanged"] == len(PUBLISHED)


def test_a_changed_spec_gets_the_bump_spec_diff_requires(
    harvested: tuple[Path, dict[str, object]], workspace: Path
) -> None:
    specs, _ = harvested
    assert flows("farm", "--specs", specs, "--registry", "reg", "--jobs", "1").code == 0
    stripe = specs / "stripe" / "connector.yaml"
    text = stripe.read_text()
    start = text.index("  - id: create_refund")
    end = text.find("\n  - id:", start + 1)
    stripe.write_text(text[:start] + (text[end + 1 :] if end != -1 else ""))

    run = flows("farm", "--specs", specs, "--registry", "reg", "--jobs", "1", "--json")
    assert run.code == 0, run.stdout
    report = run.json()
    outcome = by_key(report)["stripe"]
    assert outcome["status"] == "published"
    assert (outcome["spec_version"], outcome["version"], outcome["bump"]) == (
        "1.0.0",
        "2.0.0",
        "major",
    )
    assert "create_refund" in outcome["version_note"]
    assert report["bumps"] == [
        {
            "name": "stripe",
            "from": "1.0.0",
            "to": "2.0.0",
            "registry_had": "1.0.0",
            "bump": "major",
            "why": outcome["version_note"],
        }
    ]
    assert by_key(report)["slack"]["status"] == "unchanged"
    assert _verify(workspace / "reg")["stripe"] == ["1.0.0", "2.0.0"]
    stored = (workspace / "reg" / "targets" / "stripe" / "2.0.0" / "connector.yaml").read_text()
    assert stored == stripe.read_text().replace("version: 1.0.0", "version: 2.0.0", 1)
    # the working tree is untouched: the farm rewrote the version only in what it published
    assert "version: 1.0.0" in stripe.read_text()

    # the farmed spec is now what the registry holds: nothing more to publish
    again = flows("farm", "--specs", specs, "--registry", "reg", "--json")
    assert again.code == 0
    assert by_key(again.json())["stripe"]["status"] == "unchanged"
    assert by_key(again.json())["stripe"]["version"] == "2.0.0"


def test_a_refused_spec_fails_the_run_but_the_others_are_published(
    harvested: tuple[Path, dict[str, object]], workspace: Path
) -> None:
    specs, _ = harvested
    pack = workspace / "pack.yaml"
    pack.write_text(TEST_PACK)
    run = flows(
        "farm", "--specs", specs, "--registry", "reg", "--pack", pack, "--jobs", "1", "--json"
    )
    assert run.code == 1, run.stdout
    report = run.json()
    assert report["ok"] is False
    slack, stripe = by_key(report)["slack"], by_key(report)["stripe"]
    assert (slack["status"], slack["refused_by"]) == ("refused", "policy")
    assert "farmtest.no-slack" in slack["message"]
    assert stripe["status"] == "published"
    assert _verify(workspace / "reg") == {"adalo": ["0.1.0"], "stripe": ["1.0.0"]}


def test_markdown_report_for_the_pull_request(
    harvested: tuple[Path, dict[str, object]], workspace: Path
) -> None:
    specs, _ = harvested
    run = flows("farm", "--specs", specs, "--registry", "reg", "--jobs", "1", "--report", "farm.md")
    assert run.code == 0, run.stdout
    text = (workspace / "farm.md").read_text()
    assert text.startswith("# flows farm report")
    assert "| `stripe` | 1.0.0 | certified |" in text
    assert "## Incomplete specs, not published" in text
    assert "| `auth-session` |" in text
    # the harvested connector's partial coverage is visible
    assert "| `adalo` | 0.1.0 | self-consistent | 3/5 (2 omitted: pre-send-hook 2) |" in text
    assert "| `stripe` | 1.0.0 | certified | - |" in text
    assert "1 of them cover n8n's operations partially (3 operations kept, 2 omitted;" in text
    # people get a summary table on stdout; without a terminal no progress is drawn
    assert "farm (local): 3 published" in run.stdout
    assert "stripe" in run.stdout
    assert "stripe" not in run.stderr


def test_parallel_workers_give_the_same_outcome(
    harvested: tuple[Path, dict[str, object]], workspace: Path
) -> None:
    specs, _ = harvested
    run = flows("farm", "--specs", specs, "--registry", "reg", "--jobs", "2", "--json")
    assert run.code == 0, run.stdout
    report = run.json()
    assert report["jobs"] == 2
    assert report["counts"]["published"] == len(PUBLISHED)
    assert _verify(workspace / "reg") == {name: [v] for name, v in sorted(PUBLISHED.items())}


def _harvest_synthetic(workspace: Path) -> Path:
    catalog = write_catalog(workspace / "catalog", [complete_acme_node()], ACME_API)
    specs = workspace / "harvested-acme"
    run = flows("harvest", "n8n", "--catalog", catalog, "--out", specs, "--json")
    assert run.code == 0, run.stdout
    (node,) = [n for n in run.json()["nodes"] if n["spec_path"]]
    assert (node["provider"], node["status"], node["reasons"]) == ("acme", "complete", [])
    assert [w["code"] for w in node["warnings"]] == ["response-schema-unknown"]
    return specs


def test_a_complete_harvested_spec_is_certified_and_published(workspace: Path) -> None:
    specs = _harvest_synthetic(workspace)
    run: Run = flows("farm", "--specs", specs, "--registry", "reg", "--jobs", "1", "--json")
    assert run.code == 0, run.stdout + run.stderr
    outcome = by_key(run.json())["acme"]
    assert (outcome["status"], outcome["level"]) == ("published", "self-consistent"), outcome
    assert outcome["checks"]["failed"] == 0
    assert _verify(workspace / "reg") == {"acme": ["0.1.0"]}
    version = workspace / "reg" / "targets" / "acme" / "0.1.0"
    assert (version / "connector.yaml").read_bytes() == (
        specs / "acme" / "connector.yaml"
    ).read_bytes()
    predicate = json.loads((version / "statement.json").read_text())["predicate"]
    # the host has no default: certification made one up and says so
    assert predicate["synthesized_variables"] == [
        {"name": "domain", "value": "example.com", "from": "example"}
    ]
    assert [w["rule"] for w in predicate["waivers"]] == ["default.write-idempotency"]
    policy = {r["rule"]: r["status"] for r in predicate["policy"]["results"]}
    assert policy["default.write-idempotency"] == "waived"
    assert policy["default.capabilities-cover-effects"] == "passed"
    checks = {(c["id"], c["operation"]): c["status"] for c in predicate["checks"]}
    assert checks[("manifest.capabilities", None)] == "passed"
    assert checks[("idempotency.no_unsafe_retry", "item_create")] == "passed"
    assert checks[("schema.response", "item_get")] == "skipped"  # any JSON: nothing violates it


def test_a_partial_harvested_connector_is_certified_published_and_verifies(
    workspace: Path,
) -> None:
    specs = workspace / "harvested"
    harvest = harvest_fixture(specs)
    (adalo,) = [n for n in harvest["nodes"] if n["status"] == "complete"]
    assert adalo["provider"] == "adalo" and adalo["coverage"]["omitted"] == 2
    run = flows("farm", "--specs", specs, "--registry", "reg", "--jobs", "1", "--json")
    assert run.code == 0, run.stdout + run.stderr
    report = run.json()
    outcome = by_key(report)["adalo"]
    assert (outcome["status"], outcome["level"]) == ("published", "self-consistent"), outcome
    assert outcome["checks"]["failed"] == 0
    assert outcome["coverage"] == {
        "n8n_operations": 5,
        "kept": 3,
        "omitted": 2,
        "omitted_by_reason": {"pre-send-hook": 2},
    }
    assert report["counts"]["published"] == 1
    assert _verify(workspace / "reg") == {"adalo": ["0.1.0"]}
    stored = workspace / "reg" / "targets" / "adalo" / "0.1.0"
    assert (stored / "connector.yaml").read_bytes() == (
        specs / "adalo" / "connector.yaml"
    ).read_bytes()
    text = (stored / "connector.yaml").read_text()
    assert "# Omitted: collection/create (pre-send-hook)" in text
    assert "Partial: 3 of 5 n8n operations; omitted: collection/create" in text
    # certification tested exactly the kept operations
    predicate = json.loads((stored / "statement.json").read_text())["predicate"]
    operations = {c["operation"] for c in predicate["checks"] if c["operation"]}
    assert operations == {"collection_delete", "collection_get", "collection_get_all"}


def test_an_unchanged_refusal_is_remembered_and_a_change_certifies_again(
    harvested: tuple[Path, dict[str, object]], workspace: Path
) -> None:
    specs, _ = harvested
    pack = workspace / "pack.yaml"
    pack.write_text(TEST_PACK)
    args = ("farm", "--specs", specs, "--registry", "reg", "--pack", pack, "--jobs", "1")
    first = by_key(flows(*args, "--json").json())["slack"]
    assert (first["status"], first["refused_by"]) == ("refused", "policy")
    assert (workspace / "farm-refused.json").is_file()  # beside the registry
    again = flows(*args, "--json").json()
    slack = by_key(again)["slack"]
    assert (slack["status"], slack["refused_by"]) == ("refused", "policy")
    assert "farmtest.no-slack" in slack["message"] and "remembered" in slack["message"]
    assert slack["seconds"] == 0  # nothing was generated, built or certified again
    assert again["counts"]["published"] == 0
    # a changed policy pack is another input: slack is certified and gated again
    pack.write_text(TEST_PACK.replace("provider.name != 'slack'", "provider.name != 'nobody'"))
    third = flows(*args, "--json").json()
    assert by_key(third)["slack"]["status"] == "published"
    assert "slack" not in (workspace / "farm-refused.json").read_text()
