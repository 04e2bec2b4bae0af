"""Several versions in one transaction: one commit point, per-publication answers."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from registry import PublishRefused, PublishResult, Registry, RegistryReader
from tests.registry.helpers import publication


def _timestamp_version(reg: Registry) -> int:
    data = json.loads((reg.root / "metadata" / "timestamp.json").read_bytes())
    return int(data["signed"]["version"])


def test_a_batch_is_one_commit_and_verifies(
    reg: Registry, reader: Callable[..., RegistryReader]
) -> None:
    before = _timestamp_version(reg)
    answers = reg.publish_many([publication(f"acme{i}", "1.0.0") for i in range(5)])
    assert [a.status for a in answers if isinstance(a, PublishResult)] == ["published"] * 5
    assert _timestamp_version(reg) == before + 1  # one commit point for the whole batch
    seqs = [a.log_seq for a in answers if isinstance(a, PublishResult)]
    assert seqs == sorted(seqs) and len(set(seqs)) == 5  # the log chains entry after entry
    report = reader(trust=False).verify()
    assert sorted(report.to_json()["connectors"]) == [f"acme{i}" for i in range(5)]
    assert reg.newest_versions()["acme3"][0] == "1.0.0"


def test_a_refused_publication_is_answered_and_the_others_are_committed(
    reg: Registry, reader: Callable[..., RegistryReader]
) -> None:
    reg.publish(publication("acme", "1.0.0"))
    answers = reg.publish_many(
        [
            publication("one", "1.0.0"),
            publication("acme", "1.0.0", wheel=b"other bytes"),  # a published version, changed
            publication("two", "1.0.0"),
            publication("acme", "1.0.0"),  # identical republish: a no-op
        ]
    )
    assert isinstance(answers[1], PublishRefused)
    assert "already published with different content" in str(answers[1])
    assert [a.status for a in answers if isinstance(a, PublishResult)] == [
        "published",
        "published",
        "unchanged",
    ]
    assert sorted(reader(trust=False).verify().to_json()["connectors"]) == ["acme", "one", "two"]


def test_two_versions_of_one_connector_in_one_batch(
    reg: Registry, reader: Callable[..., RegistryReader]
) -> None:
    answers = reg.publish_many([publication("acme", "1.0.0"), publication("acme", "1.1.0")])
    assert all(isinstance(a, PublishResult) and a.status == "published" for a in answers)
    assert reg.newest_versions()["acme"][0] == "1.1.0"
    assert reader(trust=False).verify().ok


def test_a_crash_before_the_commit_point_publishes_none_of_the_batch(
    reg: Registry, monkeypatch: pytest.MonkeyPatch, reader: Callable[..., RegistryReader]
) -> None:
    reg.publish(publication("acme", "1.0.0"))
    timestamp = (reg.root / "metadata" / "timestamp.json").read_bytes()

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Registry, "_commit", crash)
    with pytest.raises(OSError, match="disk full"):
        reg.publish_many([publication("one", "1.0.0"), publication("two", "1.0.0")])
    monkeypatch.undo()
    assert (reg.root / "metadata" / "timestamp.json").read_bytes() == timestamp
    assert reg.newest_versions().keys() == {"acme"}
    assert list(reader(trust=False).verify().to_json()["connectors"]) == ["acme"]
    # the next writer cleans up after the interrupted batch and commits normally
    assert reg.publish(publication("one", "1.0.0")).status == "published"
    assert sorted(reader(trust=False).verify().to_json()["connectors"]) == ["acme", "one"]
