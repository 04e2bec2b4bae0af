"""Publishing: layout, keys, version rules, yank, and 'a refused publish changes nothing'."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from registry import PublishRefused, Registry, RegistryInputError, RegistryReader
from registry.publish import Publication
from tests.registry.helpers import Clock, publication, spec_bytes, statement


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def test_init_creates_a_private_key_outside_the_registry(
    reg: Registry, tmp_path: Path, notices: list[str]
) -> None:
    key = tmp_path / "keys" / "default.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert not list(reg.root.rglob("*.pem"))
    assert len(notices) == 1 and "created signing key" in notices[0]
    root = json.loads((reg.root / "metadata" / "1.root.json").read_bytes())
    policy = root["signed"]["x-flows-policy"]
    assert list(policy["keys"]) == root["signed"]["roles"]["targets"]["keyids"]


def test_publish_writes_every_file_and_verifies(
    reg: Registry, reader: Callable[..., RegistryReader]
) -> None:
    result = reg.publish(publication())
    assert result.status == "published"
    version_dir = reg.root / "targets" / "stripe" / "1.0.0"
    assert sorted(p.name for p in version_dir.iterdir()) == [
        "connector.yaml",
        "flows_connector_stripe-1.0.0-py3-none-any.whl",
        "statement.dsse.json",
        "statement.json",
        "summary.md",
    ]
    envelope = json.loads((version_dir / "statement.dsse.json").read_bytes())
    assert envelope["payloadType"] == "application/vnd.in-toto+json"
    report = reader().verify()
    assert report.ok, report.problems
    assert list(report.connectors["stripe"]) == ["1.0.0"]
    assert report.connectors["stripe"]["1.0.0"].signer.startswith("key:")
    entry = json.loads((reg.root / "log" / "00000000.json").read_bytes())
    assert (entry["action"], entry["name"], entry["version"]) == ("publish", "stripe", "1.0.0")
    assert entry["digest"] == result.digest


def test_identical_republish_is_a_no_op(reg: Registry) -> None:
    first = reg.publish(publication())
    before = tree(reg.root)
    again = reg.publish(publication())
    assert again.status == "unchanged" and again.digest == first.digest
    assert tree(reg.root) == before


def test_different_content_under_the_same_version_is_refused(reg: Registry) -> None:
    reg.publish(publication())
    before = tree(reg.root)
    with pytest.raises(PublishRefused, match="already published with different content") as exc:
        reg.publish(publication(wheel=b"other wheel"))
    assert exc.value.exit_code == 2
    assert tree(reg.root) == before


def test_versions_at_or_below_the_highest_ever_are_refused_even_if_yanked(
    reg: Registry,
) -> None:
    reg.publish(publication(version="1.0.0"))
    reg.publish(publication(version="1.2.0"))
    assert reg.yank("stripe", "1.2.0", "broken pagination") == "yanked"
    before = tree(reg.root)
    for version in ("1.1.0", "1.2.0-rc.1", "0.9.0"):
        with pytest.raises(PublishRefused, match="highest version ever published"):
            reg.publish(publication(version=version))
    assert tree(reg.root) == before
    assert reg.publish(publication(version="1.2.1")).status == "published"


def test_spec_must_declare_the_published_name_and_version(reg: Registry) -> None:
    bad = publication(version="2.0.0", spec=spec_bytes("stripe", "1.0.0"))
    with pytest.raises(PublishRefused, match=r"provider.name/version say stripe@1.0.0"):
        reg.publish(bad)
    assert not (reg.root / "targets" / "stripe").exists()


def test_evidence_about_another_version_is_refused(reg: Registry) -> None:
    with pytest.raises(PublishRefused, match=r"predicate.connector is stripe@0.9.0"):
        reg.publish(publication(stmt=statement(version="0.9.0")))
    assert not (reg.root / "targets" / "stripe").exists()


@pytest.mark.parametrize("name", ["../evil", "a/b", "..", "connector.yaml", "statement.json"])
def test_unsafe_or_reserved_extra_file_names_are_refused(reg: Registry, name: str) -> None:
    with pytest.raises(RegistryInputError):
        reg.publish(publication(extra={name: b"x"}))
    assert not (reg.root / "targets" / "stripe").exists()


def test_bad_names_are_refused(reg: Registry) -> None:
    with pytest.raises(RegistryInputError, match="not a connector name"):
        reg.publish(publication(name="Bad Name"))


def test_yank_marks_and_logs_but_never_deletes(
    reg: Registry, reader: Callable[..., RegistryReader]
) -> None:
    reg.publish(publication())
    assert reg.yank("stripe", "1.0.0", "leaks tokens") == "yanked"
    assert reg.yank("stripe", "1.0.0", "again") == "unchanged"
    assert (reg.root / "targets" / "stripe" / "1.0.0" / "connector.yaml").exists()
    entry = json.loads((reg.root / "log" / "00000001.json").read_bytes())
    assert (entry["action"], entry["reason"]) == ("yank", "leaks tokens")
    report = reader().verify()
    assert report.ok, report.problems
    assert report.connectors["stripe"]["1.0.0"].yanked["reason"] == "leaks tokens"
    with pytest.raises(RegistryInputError, match="not in the registry"):
        reg.yank("stripe", "9.9.9", "nope")
    with pytest.raises(RegistryInputError, match="needs a reason"):
        reg.yank("stripe", "1.0.0", " ")


def test_statement_signed_by_an_untrusted_key_is_refused_before_writing(
    reg: Registry, reader: Callable[..., RegistryReader]
) -> None:
    from securesystemslib.signer import CryptoSigner

    from registry import OfflineSigner

    stranger = OfflineSigner(CryptoSigner.generate_ed25519())
    with pytest.raises(PublishRefused, match="no valid signature by a trusted key"):
        reg.publish(publication(), signer=stranger)
    report = reader(trust=False).verify()
    assert report.ok, report.problems
    assert "stripe" not in report.connectors


def test_open_refuses_a_directory_without_a_registry(tmp_path: Path) -> None:
    with pytest.raises(RegistryInputError, match="no registry here"):
        Registry.open(tmp_path)


def test_first_publish_creates_registry_and_key(tmp_path: Path, clock: Clock) -> None:
    notes: list[str] = []
    reg = Registry.open_or_init(
        tmp_path / "r", key_dir=tmp_path / "k", now=clock, notice=notes.append
    )
    reg.publish(publication())
    assert len(notes) == 1
    again = Registry.open_or_init(tmp_path / "r", key_dir=tmp_path / "k", now=clock)
    assert again.publish(publication(version="1.0.1")).status == "published"
    assert len(notes) == 1


def test_bump_smaller_than_the_diff_requires_is_refused(reg: Registry) -> None:
    import re

    reg.publish(publication(version="1.0.0"))
    text = spec_bytes("stripe", "1.0.1").decode()
    # drop the first operation: a breaking change that needs a major bump
    removed = re.sub(r"(?ms)^operations:\n  - .*?(?=^  - )", "operations:\n", text, count=1)
    assert removed != text
    pub = Publication(
        name="stripe",
        version="1.0.1",
        spec_bytes=removed.encode(),
        wheel_filename="flows_connector_stripe-1.0.1-py3-none-any.whl",
        wheel_bytes=b"w",
        statement=statement(version="1.0.1"),
    )
    with pytest.raises(PublishRefused, match="Breaking changes"):
        reg.publish(pub)


def test_recertified_evidence_for_the_same_spec_and_wheel_is_unchanged(reg: Registry) -> None:
    first = reg.publish(publication())
    rerun = statement()
    rerun["predicate"]["checks"][0]["duration_ms"] = 13  # a second run's timings differ
    again = reg.publish(publication(stmt=rerun))
    assert again.status == "unchanged"
    assert again.digest == first.digest
    assert again.log_seq == first.log_seq


def test_same_version_with_another_wheel_is_refused(reg: Registry) -> None:
    reg.publish(publication())
    with pytest.raises(PublishRefused, match="already published with different content"):
        reg.publish(publication(wheel=b"PK another wheel"))
