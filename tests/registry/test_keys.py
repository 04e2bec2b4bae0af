"""Signing keys: created atomically (a crash leaves no half key); bad key files say what to do."""

from __future__ import annotations

import os
import signal
import stat
from pathlib import Path

import pytest

from registry import Registry, RegistryInputError
from registry.keys import load_or_create_default_key
from tests.registry import test_concurrency
from tests.registry.helpers import Clock, publication
from tests.registry.test_concurrency import _count_steps, _in_child

# key creation also opens the written file object and links it into place: crash there too
KEY_STEP_CALLS = (*test_concurrency._STEP_CALLS, "fdopen", "link", "write", "chmod")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_sigkill_at_every_step_of_key_creation_never_leaves_a_broken_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(test_concurrency, "_STEP_CALLS", KEY_STEP_CALLS)
    steps, _ = _count_steps(lambda: load_or_create_default_key(tmp_path / "probe", lambda _m: None))
    assert steps >= 3
    for step in range(1, steps + 2):
        keys = tmp_path / f"keys{step}"
        status = _in_child(lambda k=keys: load_or_create_default_key(k, lambda _m: None), step)
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        assert killed or step > steps, step
        key = keys / "default.pem"
        if key.exists():  # either a whole key or none at all
            assert key.stat().st_size > 0, step
            assert stat.S_IMODE(key.stat().st_mode) == 0o600
        signer = load_or_create_default_key(keys, lambda _m: None)  # works after any crash
        assert signer.public_key.keyid


def test_an_empty_key_file_says_what_to_do(tmp_path: Path, clock: Clock) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "default.pem").write_bytes(b"")
    with pytest.raises(RegistryInputError) as exc:
        Registry.open_or_init(tmp_path / "r", key_dir=keys, now=clock)
    message = exc.value.diagnostics()
    assert str(keys / "default.pem") in message
    assert "empty (0 bytes)" in message
    assert "delete" in message and "backup" in message
    assert not (tmp_path / "r").exists()  # nothing was written


def test_a_garbage_key_file_says_what_to_do(tmp_path: Path, clock: Clock) -> None:
    reg = Registry.init(tmp_path / "r", key_dir=tmp_path / "keys", now=clock, notice=print)
    (tmp_path / "keys" / "stray.pem").write_bytes(b"\x00garbage")
    assert reg.publish(publication()).status == "published"  # a stray file is skipped
    (tmp_path / "keys" / "default.pem").write_bytes(b"-----BEGIN PRIVATE KEY-----\nxx\n")
    with pytest.raises(RegistryInputError) as exc:
        reg.publish(publication(version="1.0.1"))
    message = exc.value.diagnostics()
    assert "default.pem: not a PEM private key" in message
    assert "stray.pem" in message
    assert "backup" in message
