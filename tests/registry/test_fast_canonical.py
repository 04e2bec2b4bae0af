"""The fast canonical serializer gives securesystemslib's bytes, or falls back to it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from tuf.api.metadata import Metadata, TargetFile, Targets
from tuf.api.serialization.json import CanonicalJSONSerializer

from registry import Registry
from registry.tuf_metadata import CANONICAL
from tests.registry.helpers import publication


def _targets(paths: list[str], custom: dict[str, object]) -> Targets:
    targets = Targets(version=3, expires=datetime(2030, 1, 1, tzinfo=UTC))
    for path in paths:
        targets.targets[path] = TargetFile.from_data(path, path.encode(), ["sha256"])
    targets.unrecognized_fields["x-test"] = custom
    return targets


@pytest.mark.parametrize(
    "custom",
    [
        {"plain": "ascii", "n": 7, "t": True, "none": None, "list": [1, "two", {"b": 1, "a": 2}]},
        {"quote": 'say "hi" \\ back', "unicode": "grüße — 東京 😀"},
        {"control": "line\nbreak\ttab\x01", "del": "\x7f", "sep": "\u2028"},
        {"backslash-n": "a\\nb", "keys": {"é": 1, "e": 2, "Z": 3, "😀": 4, "\uffff": 5}},
        {"float": 1.5},
    ],
    ids=["plain", "quotes-unicode", "control", "backslashes-keys", "float"],
)
def test_same_bytes_as_the_canonical_encoder(custom: dict[str, object]) -> None:
    signed = _targets(["a/b.whl", "c/d e.json"], custom)
    try:
        expected = CanonicalJSONSerializer().serialize(signed)
    except Exception as exc:  # a float: both refuse it the same way
        with pytest.raises(type(exc)):
            CANONICAL.serialize(signed)
        return
    assert CANONICAL.serialize(signed) == expected


def test_same_bytes_for_a_real_registry(reg: Registry, tmp_path: Path) -> None:
    for name in ("stripe", "acme"):
        reg.publish(publication(name, "1.0.0"))
    for path in sorted((reg.root / "metadata").glob("*.json")):
        md: Metadata[object] = Metadata.from_bytes(path.read_bytes())  # type: ignore[type-var]
        assert CANONICAL.serialize(md.signed) == CanonicalJSONSerializer().serialize(md.signed)
