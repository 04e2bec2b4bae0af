"""A client detects tampering, rollback, freeze and mix-and-match; root keys rotate."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from registry import Registry, RegistryReader, VerificationFailed
from registry.client import HttpSource
from registry.query import open_reader, pull
from tests.registry.helpers import Clock, publication


def populated(reg: Registry) -> Registry:
    reg.publish(publication("stripe", "1.0.0"))
    reg.publish(publication("stripe", "1.1.0"))
    reg.publish(publication("slack-bot", "0.1.0", extra={"connector.dot": b"digraph{}"}))
    reg.yank("stripe", "1.0.0", "wrong base URL")
    return reg


def files_of(root: Path) -> list[Path]:
    # the package index and the site are symbolic links to files listed here too
    return [
        p
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and p.name != ".lock"
    ]


def serve(root: Path) -> httpx.MockTransport:
    """An HTTP server for a registry directory."""

    def handler(request: httpx.Request) -> httpx.Response:
        rel = request.url.path.removeprefix("/reg/")
        path = root / rel
        if ".." in rel or not path.is_file():
            return httpx.Response(404)
        return httpx.Response(200, content=path.read_bytes())

    return httpx.MockTransport(handler)


def test_flipping_one_byte_in_any_file_fails_verification_naming_that_file(
    reg: Registry, reader: Callable[..., RegistryReader]
) -> None:
    populated(reg)
    assert reader(trust=False).verify().ok
    files = files_of(reg.root)
    assert len(files) >= 25
    for path in files:
        original = path.read_bytes()
        flipped = bytearray(original)
        flipped[len(flipped) // 2] ^= 0x01
        path.write_bytes(bytes(flipped))
        try:
            report = reader(trust=False).verify()
        finally:
            path.write_bytes(original)
        rel = str(path.relative_to(reg.root))
        assert not report.ok, f"flipping a byte of {rel} went unnoticed"
        assert rel in {p.file for p in report.problems}, (rel, report.problems)
    assert reader(trust=False).verify().ok


def test_a_missing_file_is_reported(reg: Registry, reader: Callable[..., RegistryReader]) -> None:
    populated(reg)
    victim = reg.root / "targets" / "stripe" / "1.1.0" / "connector.yaml"
    victim.unlink()
    report = reader(trust=False).verify()
    assert ("targets/stripe/1.1.0/connector.yaml", "file is missing") in {
        (p.file, p.message) for p in report.problems
    }


def test_rollback_to_an_older_snapshot_is_refused_across_runs(
    reg: Registry, tmp_path: Path, clock: Clock
) -> None:
    reg.publish(publication("stripe", "1.0.0"))
    meta = reg.root / "metadata"
    old = {p.name: p.read_bytes() for p in meta.iterdir()}
    views = tmp_path / "old-views"  # the package index and site the old metadata lists
    shutil.copytree(reg.root / "targets" / "_views", views)
    reg.publish(publication("stripe", "1.1.0"))
    url = "https://registry.example/reg"
    trust = tmp_path / "client-trust"
    first = RegistryReader(HttpSource(url, transport=serve(reg.root)), trust_dir=trust, now=clock)
    assert first.verify().ok  # the client saw the newer metadata
    for name, data in old.items():  # the server goes back in time
        (meta / name).write_bytes(data)
    shutil.copytree(views, reg.root / "targets" / "_views", dirs_exist_ok=True)
    fresh_client = RegistryReader(
        HttpSource(url, transport=serve(reg.root)), trust_dir=tmp_path / "other", now=clock
    )
    assert fresh_client.verify().ok  # consistent old state: only a client that saw more knows
    later = RegistryReader(HttpSource(url, transport=serve(reg.root)), trust_dir=trust, now=clock)
    report = later.verify()
    assert not report.ok
    messages = " ".join(p.message for p in report.problems)
    assert "rollback" in messages
    assert {p.file for p in report.problems} >= {"metadata/timestamp.json"}


def test_expired_timestamp_is_refused_until_refreshed(
    reg: Registry, reader: Callable[..., RegistryReader], clock: Clock
) -> None:
    reg.publish(publication())
    clock.advance(days=8)
    report = reader().verify()
    assert [p.file for p in report.problems] == ["metadata/timestamp.json"]
    assert "expired" in report.problems[0].message
    reg.refresh()
    assert reader().verify().ok


def test_mix_and_match_of_metadata_versions_is_refused(
    reg: Registry, reader: Callable[..., RegistryReader]
) -> None:
    reg.publish(publication("stripe", "1.0.0"))
    role_v1 = (reg.root / "metadata" / "1.c.stripe.json").read_bytes()
    reg.publish(publication("stripe", "1.1.0"))
    current = reg.root / "metadata" / "2.c.stripe.json"
    current.write_bytes(role_v1)  # validly signed, but an older version of the role
    report = reader(trust=False).verify()
    assert "metadata/2.c.stripe.json" in {p.file for p in report.problems}
    assert any("the snapshot says 2" in p.message for p in report.problems)


def test_root_key_rotation(
    reg: Registry, tmp_path: Path, reader: Callable[..., RegistryReader]
) -> None:
    from securesystemslib.signer import CryptoSigner

    from registry.keys import generate_key

    reg.publish(publication("stripe", "1.0.0"))
    client = reader()
    assert client.verify().ok
    new_signer, _ = generate_key(tmp_path / "keys")
    assert reg.rotate_key(new_signer) == 3
    from registry.keys import load_key

    old_signer = load_key(tmp_path / "keys" / "default.pem")
    (tmp_path / "keys" / "default.pem").unlink()  # the old key is retired
    reg.publish(publication("stripe", "1.1.0"))
    report = reader().verify()  # the client that trusted root v1 follows the chain
    assert report.ok, report.problems
    assert report.versions["root"] == 3
    assert report.connectors["stripe"]["1.1.0"].signer == f"key:{new_signer.public_key.keyid}"
    assert report.connectors["stripe"]["1.0.0"].signer.startswith("key:")

    # the retired key can no longer sign metadata the client accepts
    from registry import tuf_metadata as tm

    ts_path = reg.root / "metadata" / "timestamp.json"
    good = ts_path.read_bytes()
    stale = tm.Metadata[tm.Timestamp].from_bytes(good)
    stale.signed.version += 1
    ts_path.write_bytes(tm.sign(stale, [old_signer]))
    report = reader(trust=False).verify()
    assert [p.file for p in report.problems] == ["metadata/timestamp.json"]
    ts_path.write_bytes(good)

    # an attacker's root v4, signed only by a key the current root does not trust: refused
    attacker = CryptoSigner.generate_ed25519()
    forged = tm.Metadata[tm.Root].from_bytes((reg.root / "metadata" / "3.root.json").read_bytes())
    forged.signed.version = 4
    for role in tm.TOP_ROLES:
        for keyid in list(forged.signed.roles[role].keyids):
            forged.signed.revoke_key(keyid, role)
        forged.signed.add_key(attacker.public_key, role)
    (reg.root / "metadata" / "4.root.json").write_bytes(tm.sign(forged, [attacker]))
    report = reader().verify()
    assert "metadata/4.root.json" in {p.file for p in report.problems}


def test_http_and_file_url_clients_verify_and_pull(
    reg: Registry, tmp_path: Path, clock: Clock
) -> None:
    populated(reg)
    http = open_reader(
        "https://registry.example/reg",
        trust_dir=tmp_path / "t1",
        transport=serve(reg.root),
        now=clock,
    )
    info, written = pull(http, "stripe", None, tmp_path / "out")
    assert info.version == "1.1.0"
    assert (tmp_path / "out" / "connector.yaml").read_bytes() == (
        reg.root / "targets" / "stripe" / "1.1.0" / "connector.yaml"
    ).read_bytes()
    assert len(written) == 5
    local = open_reader(reg.root.as_uri(), trust_dir=tmp_path / "t2", now=clock)
    assert local.verify().ok


def test_pull_refuses_on_any_failure_and_writes_nothing(
    reg: Registry, tmp_path: Path, clock: Clock
) -> None:
    populated(reg)
    wheel = (
        reg.root / "targets" / "stripe" / "1.1.0" / "flows_connector_stripe-1.1.0-py3-none-any.whl"
    )
    wheel.write_bytes(b"evil")
    reader = open_reader(str(reg.root), trust_dir=tmp_path / "t", now=clock)
    with pytest.raises(VerificationFailed) as exc:
        pull(reader, "stripe", "1.1.0", tmp_path / "out")
    assert exc.value.exit_code == 1
    assert "flows_connector_stripe-1.1.0-py3-none-any.whl" in exc.value.diagnostics()
    assert not (tmp_path / "out").exists()


def test_pull_rejects_paths_that_escape_the_directory(tmp_path: Path) -> None:
    from registry.errors import RegistryInputError
    from registry.query import safe_destination

    assert safe_destination(tmp_path, "ok.whl") == (tmp_path / "ok.whl").resolve()
    for bad in ("../x", "/etc/passwd", "a/../../x", "..", ""):
        with pytest.raises(RegistryInputError):
            safe_destination(tmp_path, bad)


def test_metadata_listing_a_traversal_path_is_reported(
    reg: Registry, reader: Callable[..., RegistryReader]
) -> None:
    """Even a correctly signed role naming ../ paths is refused (e.g. a compromised key)."""
    from registry import tuf_metadata as tm
    from registry.keys import load_key

    reg.publish(publication())
    meta = reg.root / "metadata"
    role = tm.Metadata[tm.Targets].from_bytes((meta / "1.c.stripe.json").read_bytes())
    record = role.signed.unrecognized_fields[tm.VERSIONS_FIELD]["1.0.0"]
    record["files"].append("../../escape")
    role.signed.targets["stripe/1.0.0/../../escape"] = tm.TargetFile.from_data(
        "stripe/1.0.0/../../escape", b"x", ["sha256"]
    )
    signer = load_key(reg.root.parent / "keys" / "default.pem")
    (meta / "1.c.stripe.json").write_bytes(tm.sign(role, [signer]))
    # re-sign snapshot and timestamp so only the path is wrong
    reg.refresh()
    report = reader(trust=False).verify()
    assert any("escape" in p.file or "escape" in p.message for p in report.problems)


def test_expiry_check_uses_the_injected_clock(
    reg: Registry, reader: Callable[..., RegistryReader], clock: Clock
) -> None:
    reg.publish(publication())
    clock.advance(days=6)
    assert reader().verify().ok
    clock.now -= timedelta(days=6)
    data = json.loads((reg.root / "metadata" / "timestamp.json").read_bytes())
    assert data["signed"]["expires"] == "2026-11-30T12:00:00Z"


def test_a_reader_racing_a_writer_rereads_instead_of_reporting_tampering(
    reg: Registry, reader: Callable[..., RegistryReader], tmp_path: Path
) -> None:
    """A publish that commits mid-read (and removes superseded metadata) is not tampering."""
    from registry.client import LocalSource

    reg.publish(publication(version="1.0.0"))

    class RacingSource(LocalSource):
        raced = False

        def read(self, rel: str, limit: int = 1 << 24) -> bytes:
            if not self.raced and rel.endswith(".stripe.json"):
                self.raced = True  # a writer commits right before we read the connector role
                reg.publish(publication(version="1.0.1"))
            return super().read(rel, limit)

    source = RacingSource(tmp_path / "registry")
    report = reader(source=source).verify()
    assert source.raced
    assert report.ok, report.problems
    assert set(report.connectors["stripe"]) == {"1.0.0", "1.0.1"}


def test_a_missing_log_entry_is_reported_once(
    reg: Registry, reader: Callable[..., RegistryReader], tmp_path: Path
) -> None:
    reg.publish(publication())
    (tmp_path / "registry" / "log" / "00000000.json").unlink()
    report = reader(trust=False).verify()
    assert [(p.file, p.message) for p in report.problems] == [
        ("log/00000000.json", "log entry is missing")
    ]
