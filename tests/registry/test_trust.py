"""Trust on first use, pinned per location: rollback survives re-serialisation; re-trust."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from registry import Registry, RegistryReader, VerificationFailed
from registry.client import HttpSource, LocalSource, Source
from registry.query import pull, show
from tests.registry.helpers import Clock, publication
from tests.registry.test_tamper import serve

URL = "https://registry.example/reg"


def reindent(path: Path) -> None:
    """Re-serialise a metadata file: same signed content, different bytes."""
    path.write_bytes(json.dumps(json.loads(path.read_bytes()), indent=4).encode())


def replace_tree(target: Path, source: Path) -> None:
    shutil.rmtree(target)
    shutil.copytree(source, target)


@pytest.fixture
def yanked_later(reg: Registry, tmp_path: Path) -> Path:
    """Publish 1.0.0 and 1.0.1, keep a copy of that state, then yank 1.0.1."""
    reg.publish(publication("stripe", "1.0.0"))
    reg.publish(publication("stripe", "1.0.1"))
    old = tmp_path / "pre-yank"
    shutil.copytree(reg.root, old)
    reg.yank("stripe", "1.0.1", "leaks tokens")
    return old


def sources(reg: Registry) -> dict[str, Source]:
    return {"local": LocalSource(reg.root), "http": HttpSource(URL, transport=serve(reg.root))}


@pytest.mark.parametrize("where", ["local", "http"])
def test_rollback_with_a_reserialised_root_is_refused(
    reg: Registry, yanked_later: Path, tmp_path: Path, clock: Clock, where: str
) -> None:
    trust = tmp_path / "client-trust"
    client = RegistryReader(sources(reg)[where], trust_dir=trust, now=clock)
    assert show(client, "stripe", "1.0.1").yanked is not None  # the client saw the yank
    replace_tree(reg.root, yanked_later)  # the server goes back to before the yank ...
    reindent(reg.root / "metadata" / "1.root.json")  # ... with a re-serialised root
    later = RegistryReader(sources(reg)[where], trust_dir=trust, now=clock)
    with pytest.raises(VerificationFailed, match="rollback") as exc:
        pull(later, "stripe", None, tmp_path / "out")
    assert "metadata/timestamp.json" in exc.value.diagnostics()
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("where", ["local", "http"])
def test_reserialised_metadata_of_the_same_registry_still_verifies(
    reg: Registry, yanked_later: Path, tmp_path: Path, clock: Clock, where: str
) -> None:
    trust = tmp_path / "client-trust"
    assert RegistryReader(sources(reg)[where], trust_dir=trust, now=clock).verify().ok
    reindent(reg.root / "metadata" / "1.root.json")
    report = RegistryReader(sources(reg)[where], trust_dir=trust, now=clock).verify()
    assert report.ok, report.problems


def other_registry(tmp_path: Path, clock: Clock) -> Registry:
    """A whole different registry, signed by another key."""
    other = Registry.init(
        tmp_path / "other", key_dir=tmp_path / "other-keys", now=clock, notice=lambda _m: None
    )
    other.publish(publication("stripe", "9.0.0"))
    return other


@pytest.mark.parametrize("where", ["local", "http"])
def test_another_registry_at_a_pinned_location_is_refused_until_reset(
    reg: Registry, yanked_later: Path, tmp_path: Path, clock: Clock, where: str
) -> None:
    from registry.client import reset_trust

    trust = tmp_path / "client-trust"
    assert RegistryReader(sources(reg)[where], trust_dir=trust, now=clock).verify().ok
    replace_tree(reg.root, other_registry(tmp_path, clock).root)
    report = RegistryReader(sources(reg)[where], trust_dir=trust, now=clock).verify()
    assert not report.ok
    assert [p.file for p in report.problems] == ["metadata/1.root.json"]
    message = report.problems[0].message
    assert "does not chain from the root trusted on first use" in message
    assert "flows registry trust --reset" in message
    location = str(reg.root) if where == "local" else URL
    assert reset_trust(trust, location) is True
    assert reset_trust(trust, location) is False  # nothing is pinned any more
    again = RegistryReader(sources(reg)[where], trust_dir=trust, now=clock).verify()
    assert again.ok, again.problems
    assert set(again.connectors["stripe"]) == {"9.0.0"}


def test_a_root_version_rolled_back_below_the_pinned_one_is_refused(
    reg: Registry, tmp_path: Path, clock: Clock
) -> None:
    from registry.keys import generate_key

    reg.publish(publication("stripe", "1.0.0"))
    old = tmp_path / "before-rotation"
    shutil.copytree(reg.root, old)
    reg.rotate_key(generate_key(tmp_path / "keys")[0])
    trust = tmp_path / "client-trust"
    assert RegistryReader(LocalSource(reg.root), trust_dir=trust, now=clock).verify().ok
    replace_tree(reg.root, old)
    report = RegistryReader(LocalSource(reg.root), trust_dir=trust, now=clock).verify()
    assert not report.ok
    assert [p.file for p in report.problems] == ["metadata/3.root.json"]
    assert "missing" in report.problems[0].message


def test_cli_trust_shows_and_resets_the_pin(
    reg: Registry, tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from flows.cli.app import app

    clock.now = datetime.now(UTC)  # the CLI reads with the real clock
    reg.publish(publication("stripe", "1.0.0"))
    monkeypatch.setenv("FLOWS_TRUST_DIR", str(tmp_path / "trusted"))
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["registry", *args, "--registry", str(reg.root)])
        assert "Traceback" not in result.output
        return result.exit_code, result.output

    code, out = run("trust")
    assert code == 0 and "nothing pinned" in out
    assert run("verify")[0] == 0
    code, out = run("trust", "--json")
    pinned = json.loads(out)
    assert code == 0 and pinned["pinned"] is True and pinned["root_version"] == 1
    replace_tree(reg.root, other_registry(tmp_path, clock).root)
    code, out = run("verify")
    assert code == 1 and "does not chain" in out
    code, out = run("trust", "--reset")
    assert code == 0 and "forgot" in out
    assert run("verify")[0] == 0


def test_a_damaged_trust_store_says_how_to_pin_again(
    reg: Registry, tmp_path: Path, clock: Clock
) -> None:
    from registry.client import TrustStore, pinned_trust

    reg.publish(publication("stripe", "1.0.0"))
    trust = tmp_path / "client-trust"
    assert RegistryReader(LocalSource(reg.root), trust_dir=trust, now=clock).verify().ok
    store = TrustStore.for_location(trust, str(reg.root))
    (store.directory / "root.json").write_bytes(b"\x00 not json")
    report = RegistryReader(LocalSource(reg.root), trust_dir=trust, now=clock).verify()
    assert [p.file for p in report.problems] == [str(store.directory / "root.json")]
    assert "flows registry trust --reset" in report.problems[0].message
    info = pinned_trust(trust, str(reg.root))
    assert info["pinned"] is True and "damaged" in info["damaged"]
