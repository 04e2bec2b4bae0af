"""Creating a registry: atomic, serialised with every other write, half-initialised repaired."""

from __future__ import annotations

import os
import shutil
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest

from registry import Registry, RegistryInputError, RegistryReader
from tests.registry.helpers import Clock, publication

WORKERS = 8
ROUNDS = 20


def _first_publish(root: Path, keys: Path, worker: int, go: int, errors: Path) -> None:
    """In a forked child: wait for the start signal, then create-or-open and publish."""
    code = 0
    os.fsync = lambda _fd: None  # durability is tested elsewhere; this test is about races
    try:
        os.read(go, 1)
        reg = Registry.open_or_init(root, key_dir=keys, now=Clock(), notice=lambda _m: None)
        reg.publish(publication(f"own{worker}", "1.0.0"))
    except BaseException:
        (errors / f"{worker}.txt").write_text(traceback.format_exc())
        code = 1
    os._exit(code)


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_eight_concurrent_first_publishes_twenty_rounds(
    tmp_path: Path, reader: Callable[..., RegistryReader]
) -> None:
    # import everything a publish imports lazily once, so the forked workers do not each do it
    warm = Registry.open_or_init(tmp_path / "warm", key_dir=tmp_path / "warm-keys", notice=print)
    warm.publish(publication())
    started = time.perf_counter()
    for round_ in range(ROUNDS):
        root, keys = tmp_path / f"r{round_}" / "registry", tmp_path / f"r{round_}" / "keys"
        errors = tmp_path / f"r{round_}" / "errors"
        errors.mkdir(parents=True)
        go_read, go_write = os.pipe()
        pids = []
        for worker in range(WORKERS):
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the child
                os.close(go_write)
                _first_publish(root, keys, worker, go_read, errors)
            pids.append(pid)
        os.close(go_read)
        os.write(go_write, b"x" * WORKERS)  # release every worker at once
        os.close(go_write)
        statuses = [os.waitpid(pid, 0)[1] for pid in pids]
        failures = {p.name: p.read_text() for p in errors.iterdir()}
        assert not failures, (round_, failures)
        assert all(os.WIFEXITED(s) and os.WEXITSTATUS(s) == 0 for s in statuses), statuses
        report = reader(root, trust=False).verify()
        assert report.ok, (round_, report.problems)
        assert set(report.connectors) == {f"own{w}" for w in range(WORKERS)}
        assert [p.name for p in keys.iterdir()] == ["default.pem"]  # one key, the one in use
        shutil.rmtree(tmp_path / f"r{round_}")
    elapsed = time.perf_counter() - started
    print(f"{ROUNDS} rounds of {WORKERS} concurrent first publishes in {elapsed:.1f}s")


def half_initialised(root: Path) -> None:
    """What the race used to leave: timestamp and snapshot, no root, no targets."""
    scratch = root.parent / "scratch"
    Registry.init(scratch, key_dir=root.parent / "scratch-keys", notice=lambda _m: None)
    (root / "metadata").mkdir(parents=True)
    for name in ("timestamp.json", "1.snapshot.json"):
        shutil.copy(scratch / "metadata" / name, root / "metadata" / name)
    shutil.rmtree(scratch)


def test_a_half_initialised_registry_is_repaired_by_the_next_first_publish(
    tmp_path: Path, clock: Clock, reader: Callable[..., RegistryReader]
) -> None:
    root = tmp_path / "registry"
    half_initialised(root)
    assert not Registry.exists_at(root)
    reg = Registry.open_or_init(root, key_dir=tmp_path / "keys", now=clock, notice=print)
    assert reg.publish(publication()).status == "published"
    report = reader(root, trust=False).verify()
    assert report.ok, report.problems


def test_a_half_initialised_registry_is_repaired_by_init(tmp_path: Path, clock: Clock) -> None:
    root = tmp_path / "registry"
    half_initialised(root)
    with pytest.raises(RegistryInputError, match="half-initialised") as exc:
        Registry.open(root)
    assert "flows registry init" in (exc.value.hint or "")
    Registry.init(root, key_dir=tmp_path / "keys", now=clock, notice=lambda _m: None)
    assert Registry.exists_at(root)


def test_a_half_initialised_registry_holding_published_files_is_refused(
    tmp_path: Path, clock: Clock
) -> None:
    root = tmp_path / "registry"
    half_initialised(root)
    (root / "log").mkdir()
    (root / "log" / "00000000.json").write_text("{}")
    before = sorted(str(p) for p in root.rglob("*"))
    with pytest.raises(RegistryInputError, match="holds published files") as exc:
        Registry.open_or_init(root, key_dir=tmp_path / "keys", now=clock)
    assert "backup" in (exc.value.hint or "")
    assert sorted(str(p) for p in root.rglob("*")) == before
