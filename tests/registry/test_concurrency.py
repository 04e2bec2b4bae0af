"""Concurrent publishers and crash safety (SIGKILL at random points of a publish)."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from registry import Registry, RegistryReader
from tests.registry.helpers import REPO, T0, publication

WORKER = """
import json, sys
sys.path.insert(0, {repo!r})
from datetime import datetime
from registry import Registry, PublishRefused
from tests.registry.helpers import publication
now = lambda: datetime.fromisoformat({now!r})
reg = Registry.open({root!r}, key_dir=__import__("pathlib").Path({keys!r}), now=now)
results = []
for name, version in json.loads(sys.argv[1]):
    try:
        results.append([name, version, reg.publish(publication(name, version)).status])
    except PublishRefused as exc:
        results.append([name, version, "refused: " + str(exc)])
print(json.dumps(results))
"""


@pytest.mark.slow
def test_eight_concurrent_publishers(
    reg: Registry, tmp_path: Path, reader: Callable[..., RegistryReader]
) -> None:
    script = WORKER.format(
        repo=str(REPO), now=T0.isoformat(), root=str(reg.root), keys=str(tmp_path / "keys")
    )
    jobs: list[list[tuple[str, str]]] = []
    for worker in range(8):
        # everyone races for stripe 1.0.0 .. 1.0.3; each also owns one connector
        jobs.append([("stripe", f"1.0.{i}") for i in range(4)] + [(f"own{worker}", "1.0.0")])
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, json.dumps(job)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for job in jobs
    ]
    outcomes: list[list[Any]] = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outcomes.extend(json.loads(out))
    report = reader(trust=False).verify()
    assert report.ok, report.problems
    landed = {(n, v) for n, v, status in outcomes if status == "published"}
    for _name, _version, status in outcomes:
        assert status in {"published", "unchanged"} or status.startswith("refused: "), status
    in_registry = {(n, v) for n, versions in report.connectors.items() for v in versions}
    assert landed == in_registry
    assert {(f"own{w}", "1.0.0") for w in range(8)} <= in_registry
    # every stripe version is in exactly once: identical content is a no-op for the others
    assert {v for n, v in in_registry if n == "stripe"} <= {f"1.0.{i}" for i in range(4)}
    log_entries = sorted((reg.root / "log").iterdir())
    assert len(log_entries) == len(in_registry)


_STEP_CALLS = ("fsync", "replace", "rename", "unlink", "mkdir", "rmdir", "open")


def _crash_at(step: int) -> None:
    """In a forked child: SIGKILL ourselves just before the ``step``-th file-system call."""
    counter = {"n": 0}

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            counter["n"] += 1
            if counter["n"] >= step:
                os.kill(os.getpid(), signal.SIGKILL)
            return original(*args, **kwargs)

        return wrapped

    for name in _STEP_CALLS:
        setattr(os, name, wrap(getattr(os, name)))


def _kill_after(seconds: float) -> None:
    """In a forked child: SIGKILL ourselves after ``seconds`` of wall time (an interval timer)."""
    signal.signal(signal.SIGALRM, lambda *_: os.kill(os.getpid(), signal.SIGKILL))
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-6))


def _in_child(
    action: Callable[[], Any], step: int | None = None, delay: float | None = None
) -> int:
    """Fork; the child runs ``action`` (crashing at ``step`` or after ``delay``); wait for it."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            if step is not None:
                _crash_at(step)
            if delay is not None:
                _kill_after(delay)
            action()
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return status


def _publish_in_child(reg: Registry, version: str, step: int) -> int:
    return _in_child(lambda: reg.publish(publication("stripe", version)), step=step)


def _count_steps(action: Callable[[], Any]) -> tuple[int, float]:
    """Run ``action`` counting its file-system calls; return (calls, seconds)."""
    counter = {"n": 0}
    originals = {name: getattr(os, name) for name in _STEP_CALLS}

    def counting(original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            counter["n"] += 1
            return original(*args, **kwargs)

        return wrapped

    for name, original in originals.items():
        setattr(os, name, counting(original))
    start = time.perf_counter()
    try:
        action()
    finally:
        for name, original in originals.items():
            setattr(os, name, original)
    return counter["n"], time.perf_counter() - start


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_sigkill_at_random_points_never_leaves_a_half_published_version(
    reg: Registry, reader: Callable[..., RegistryReader], tmp_path: Path
) -> None:
    # measure how many file-system calls one publish makes
    steps, _ = _count_steps(lambda: reg.publish(publication("stripe", "0.0.1")))
    assert steps > 10

    rng = random.Random(20261123)
    published = {"0.0.1"}
    kills = 0
    for attempt in range(50):
        version = f"0.1.{attempt}"
        status = _publish_in_child(reg, version, rng.randint(1, steps))
        if os.WIFSIGNALED(status):
            assert os.WTERMSIG(status) == signal.SIGKILL
            kills += 1
        report = reader().verify()  # a client that keeps its trusted metadata across runs
        assert report.ok, (attempt, report.problems)
        versions = set(report.connectors["stripe"])
        assert versions - published <= {version}, "an unexpected version appeared"
        assert published <= versions, "a published version vanished"
        published = versions
        if version in versions:  # fully there: every file is present and verified
            record = report.connectors["stripe"][version]
            assert len(record.files) == 5
    assert kills >= 40  # nearly every attempt was killed somewhere in the middle
    # and the registry still takes new publishes afterwards, without leftovers
    assert reg.publish(publication("stripe", "1.0.0")).status == "published"
    assert not (reg.root / ".staging").exists() or not any((reg.root / ".staging").iterdir())
    leftovers = {p.name for p in (reg.root / "targets" / "stripe").iterdir()}
    assert leftovers == set(reader().verify().connectors["stripe"])
    shutil.rmtree(tmp_path / "trusted")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_sigkill_after_a_random_delay_never_leaves_a_half_published_version(
    reg: Registry, reader: Callable[..., RegistryReader]
) -> None:
    """Asynchronous kills: a timer fires SIGKILL 0..duration into the publish."""
    _, duration = _count_steps(lambda: reg.publish(publication("stripe", "0.0.1")))
    rng = random.Random(7)
    published = {"0.0.1"}
    for attempt in range(20):
        version = f"0.2.{attempt}"
        action = lambda v=version: reg.publish(publication("stripe", v))  # noqa: E731
        _in_child(action, delay=rng.uniform(0, duration * 1.2))
        report = reader().verify()
        assert report.ok, (attempt, report.problems)
        versions = set(report.connectors["stripe"])
        assert published <= versions and versions - published <= {version}
        published = versions
    assert reg.publish(publication("stripe", "9.0.0")).status == "published"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_key_rotation_killed_at_any_point_leaves_a_verifying_registry(
    tmp_path: Path, reader: Callable[..., RegistryReader]
) -> None:
    from datetime import timedelta

    from registry.keys import generate_key
    from tests.registry.helpers import Clock

    clock = Clock()
    rng = random.Random(11)
    for attempt in range(8):
        root, keys = tmp_path / f"r{attempt}", tmp_path / f"k{attempt}"
        reg = Registry.init(root, key_dir=keys, now=clock, notice=lambda _m: None)
        reg.publish(publication("stripe", "1.0.0"))
        reg.publish(publication("acme", "1.0.0"))
        new_signer, _ = generate_key(keys)
        if attempt == 0:
            probe = tmp_path / "probe"
            shutil.copytree(root, probe)
            steps, _ = _count_steps(
                lambda p=probe, k=keys, s=new_signer: Registry(p, key_dir=k).rotate_key(s)
            )
        _in_child(lambda r=reg, s=new_signer: r.rotate_key(s), step=rng.randint(1, steps))
        report = reader(root, trust=False).verify()
        assert report.ok, (attempt, [p.format() for p in report.problems])
        # and the registry keeps working with whichever key its newest root trusts
        clock.advance(seconds=1)
        assert reg.publish(publication("stripe", "1.1.0")).status == "published"
        assert reader(root, trust=False).verify().ok
    clock.now -= timedelta(seconds=8)
