"""`registry verify` counts mean one thing: what the registry holds, not what this client saw."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from registry import Registry, RegistryReader
from registry.keys import generate_key
from tests.registry.helpers import publication


def test_the_signature_count_is_the_same_on_every_run(
    reg: Registry, reader: Callable[..., RegistryReader], tmp_path: Path
) -> None:
    reg.publish(publication("stripe", "1.0.0"))
    reg.publish(publication("acme", "1.0.0"))
    # newest root, timestamp, snapshot, targets, two connector roles, two statements
    counts = [reader().verify().stats.signatures for _ in range(3)]
    assert counts == [8, 8, 8]
    assert reader(trust=False).verify().stats.signatures == 8

    reg.rotate_key(generate_key(tmp_path / "keys")[0])  # roots 2 and 3 appear
    counts = [reader().verify().stats.signatures for _ in range(2)]
    assert counts == [8, 8]  # root 3 is signed by the new key only
    assert reader(trust=False).verify().to_json()["checked"]["signatures"] == 8
