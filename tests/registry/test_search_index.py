"""Search answers from the signed catalog index: it reads no connector's artifacts, and a
tampered index fails verification like any other target."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from registry import Registry, RegistryReader
from registry.errors import VerificationFailed
from registry.query import search
from tests.registry.helpers import publication


def test_search_reads_the_index_not_the_artifacts(
    reg: Registry, reader: Callable[..., RegistryReader], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("stripe", "acme", "acme-two"):
        reg.publish(publication(name, "1.0.0"))
    reg.publish(publication("acme", "1.1.0"))
    read = reader(trust=False)
    seen: list[str] = []
    original = read.source.read

    def recording(rel: str, limit: int = 1 << 20) -> bytes:
        seen.append(rel)
        return original(rel, limit)

    monkeypatch.setattr(read.source, "read", recording)
    hits = search(read, "acme")
    assert [(h["name"], h["latest"], h["versions"]) for h in hits] == [
        ("acme", "1.1.0", ["1.0.0", "1.1.0"]),
        ("acme-two", "1.0.0", ["1.0.0"]),
    ]
    connectors = ("targets/stripe/", "targets/acme/", "targets/acme-two/")
    assert [r for r in seen if r.startswith(connectors)] == []  # no connector's files
    assert any(r.endswith("site/index.json") for r in seen)


def test_a_tampered_index_fails_the_search(
    reg: Registry, reader: Callable[..., RegistryReader], tmp_path: Path
) -> None:
    reg.publish(publication("stripe", "1.0.0"))
    index = next((reg.root / "targets" / "_views").glob("g/*/site/index.json"))
    index.write_bytes(index.read_bytes().replace(b"stripe", b"strype"))
    with pytest.raises(VerificationFailed, match="does not match its length/sha256"):
        search(reader(trust=False), "str")
