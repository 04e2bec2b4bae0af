"""`flows registry ...` as a user runs it: output, --json, exit codes, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from registry import Registry
from tests.registry.helpers import publication
from tests.registry.helpers import run_registry_cli as run


def test_init_publish_verify_search_show_pull_yank(env: Path) -> None:
    code, out = run("init")
    assert code == 0 and "created registry" in out
    assert (env / "keys" / "default.pem").exists()
    code, out = run("init")
    assert code == 2 and "already exists" in out

    reg = Registry.open(env / "reg", key_dir=env / "keys")
    reg.publish(publication("stripe", "1.0.0"))
    reg.publish(publication("stripe", "1.1.0"))

    code, out = run("verify")
    assert code == 0 and "1 connectors, 2 versions" in out
    code, out = run("verify", "stripe@1.0.0", "--json")
    assert code == 0 and json.loads(out)["ok"] is True

    code, out = run("search", "strip", "--json")
    assert code == 0
    assert json.loads(out)["results"][0]["latest"] == "1.1.0"
    code, out = run("search", "nothing-like-this")
    assert code == 0 and "no connector matches" in out

    code, out = run("show", "stripe")
    assert code == 0
    assert "stripe@1.1.0" in out and "level: gold" in out and "signed by: key:" in out
    assert "stripe.charges:read" in out and "waiver no-deletes" in out
    code, out = run("show", "stripe@1.0.0", "--json")
    payload = json.loads(out)
    assert payload["checks"][0]["id"] == "auth.works" and payload["version"] == "1.0.0"

    code, out = run("yank", "stripe@1.1.0", "--reason", "broken auth", "--json")
    assert code == 0 and json.loads(out)["status"] == "yanked"
    code, out = run("search", "strip")
    assert code == 0 and "stripe  1.0.0  level=gold  yanked: 1.1.0" in out
    code, out = run("search", "strip", "--json")
    hit = json.loads(out)["results"][0]
    assert (hit["latest"], hit["latest_yanked"], hit["yanked"]) == ("1.0.0", False, ["1.1.0"])
    code, out = run("show", "stripe@1.0.0")
    assert "check auth.works [list_charges]: pass" in out
    code, out = run("pull", "stripe", "--to", str(env / "out"))
    assert code == 0 and "pulled stripe@1.0.0" in out  # the newest version not yanked
    assert (env / "out" / "connector.yaml").exists()
    code, out = run("refresh", "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    assert run("verify")[0] == 0


def test_usage_errors_exit_2(env: Path) -> None:
    code, out = run("verify")
    assert code == 2 and "no registry here" in out
    run("init")
    code, out = run("show", "ghost")
    assert code == 2 and "ghost is not in the registry" in out
    code, out = run("yank", "stripe", "--reason", "x")
    assert code == 2 and "NAME@VERSION" in out
    code, out = run("yank", "stripe@1.0.0", "--reason", "x", "--registry", "https://x.example")
    assert code == 2 and "local PATH" in out
    code, out = run("show", "Bad Name")
    assert code == 2 and "not a connector name" in out


def test_tampering_exits_1_naming_the_file(env: Path) -> None:
    run("init")
    Registry.open(env / "reg", key_dir=env / "keys").publish(publication())
    spec = env / "reg" / "targets" / "stripe" / "1.0.0" / "connector.yaml"
    spec.write_bytes(spec.read_bytes() + b"\n# sneaky\n")
    code, out = run("verify")
    assert code == 1 and "targets/stripe/1.0.0/connector.yaml" in out
    code, out = run("verify", "--json")
    payload = json.loads(out)
    assert code == 1 and payload["problems"][0]["file"] == "targets/stripe/1.0.0/connector.yaml"
    code, out = run("pull", "stripe", "--to", str(env / "out"))
    assert code == 1 and not (env / "out").exists()
