"""Registry benchmarks: verify 1,000 versions, one connector at 100 vs 1,000, one publish.

Run: ``.venv/bin/python benchmarks/bench_registry.py [--connectors 100 --per 10]``.
Prints the figures issue 4 asks for, including the ratio to this machine's floor
(Ed25519 verifications/s and SHA-256 bytes/s, measured here with the same libraries).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from registry import Publication, Registry, RegistryReader  # noqa: E402
from registry.client import LocalSource  # noqa: E402

SPEC = (REPO / "connectors" / "stripe" / "connector.yaml").read_text()


def publication(name: str, version: str) -> Publication:
    text = re.sub(r"(?m)^  version: .*$", f"  version: {version}", SPEC, count=1)
    text = re.sub(r"(?m)^  name: stripe$", f"  name: {name}", text, count=1)
    text = text.replace("stripe.", f"{name}.")
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": f"{name}-{version}.whl", "digest": {"sha256": "00" * 32}}],
        "predicateType": "https://flows.dev/certification/v1",
        "predicate": {
            "level": "gold",
            "connector": {"provider": name, "version": version},
            "checks": [],
            "policy": None,
            "waivers": [],
        },
    }
    return Publication(
        name=name,
        version=version,
        spec_bytes=text.encode(),
        wheel_filename=f"flows_connector_{name}-{version}-py3-none-any.whl",
        wheel_bytes=b"PK" + bytes(8_000),
        statement=statement,
        extra_files={"summary.md": b"# summary\n" * 20},
    )


def build(root: Path, keys: Path, connectors: int, per: int) -> list[float]:
    reg = Registry.init(root, key_dir=keys, notice=lambda _m: None)
    times = []
    for v in range(per):
        for c in range(connectors):
            start = time.perf_counter()
            reg.publish(publication(f"conn{c:04d}", f"1.{v}.0"))
            times.append(time.perf_counter() - start)
    return times


def timed(fn: Any, repeat: int = 3) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def floor_rates() -> tuple[float, float]:
    from securesystemslib.signer import CryptoSigner

    signer = CryptoSigner.generate_ed25519()
    data = b"x" * 200
    sig = signer.sign(data)
    key = signer.public_key
    n = 3000
    start = time.perf_counter()
    for _ in range(n):
        key.verify_signature(sig, data)
    ed_rate = n / (time.perf_counter() - start)
    blob = bytes(64 * 1024 * 1024)
    start = time.perf_counter()
    hashlib.sha256(blob).digest()
    sha_rate = len(blob) / (time.perf_counter() - start)
    return ed_rate, sha_rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connectors", type=int, default=100)
    parser.add_argument("--per", type=int, default=10, help="versions per connector")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        small_n = max(1, args.connectors // 10)
        build(base / "small", base / "keys-small", small_n, args.per)
        start = time.perf_counter()
        times = build(base / "big", base / "keys-big", args.connectors, args.per)
        total = len(times)
        print(f"built {total} versions in {time.perf_counter() - start:.1f} s")
        print(
            f"publish one small version: median {statistics.median(times) * 1000:.1f} ms, "
            f"first {times[0] * 1000:.1f} ms, last {times[-1] * 1000:.1f} ms"
        )

        def full() -> Any:
            return RegistryReader(LocalSource(base / "big"), trust_dir=None).verify()

        seconds, report = timed(full)
        assert report.ok, report.problems[:3]
        ed_rate, sha_rate = floor_rates()
        floor = report.stats.signatures / ed_rate + report.stats.bytes_hashed / sha_rate
        quoted = report.stats.signatures / 14500 + report.stats.bytes_hashed / 1.9e9
        print(
            f"verify {total} versions: {seconds:.3f} s (target <= 1.5 s); "
            f"{report.stats.signatures} signatures, {report.stats.files} files, "
            f"{report.stats.bytes_hashed / 1e6:.1f} MB"
        )
        print(
            f"floor here: {ed_rate:,.0f} Ed25519 verifies/s, {sha_rate / 1e9:.2f} GB/s SHA-256 "
            f"-> {floor * 1000:.1f} ms; ratio {seconds / floor:.1f}x "
            f"(vs the quoted 14,500/s and 1.9 GB/s floor: "
            f"{seconds / quoted:.1f}x)"
        )
        for label, root in (
            (f"{small_n * args.per}", base / "small"),
            (f"{total}", base / "big"),
        ):
            one, rep = timed(
                lambda root=root: RegistryReader(LocalSource(root), trust_dir=None).verify(
                    "conn0000"
                ),
                repeat=5,
            )
            assert rep.ok, rep.problems[:3]
            print(
                f"verify one connector ({args.per} versions) in a registry of {label} versions: "
                f"{one * 1000:.1f} ms"
            )


if __name__ == "__main__":
    main()
