"""Registry hardening figures: client memory against 1 GiB answers, concurrent first publishes.

Run: ``.venv/bin/python benchmarks/bench_registry_limits.py``. Prints the peak RSS of a
verifying client (a subprocess) whose HTTP server (127.0.0.1) answers one file with 1 GiB,
for each kind of file, and the time of 20 rounds of 8 processes publishing into a registry
that does not exist yet (issue 16: peak RSS under 200 MB; 8 processes x 20 rounds).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from registry import Registry  # noqa: E402
from tests.registry.helpers import T0, Clock, publication  # noqa: E402
from tests.registry.test_read_limits import CLIENT, serve_registry  # noqa: E402

CASES = [
    ("metadata/timestamp.json", True),
    ("metadata/timestamp.json", False),
    ("metadata/1.c.stripe.json", False),
    ("log/00000000.json", False),
]


def peak_rss(base: Path) -> None:
    reg = Registry.init(base / "reg", key_dir=base / "keys", now=Clock(), notice=lambda _m: None)
    reg.publish(publication("stripe", "1.0.0"))
    for huge, declare in CASES:
        server = serve_registry(reg.root, huge, declare_length=declare)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                CLIENT.format(repo=str(REPO), now=T0.isoformat()),
                url,
                str(base / "trust"),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        elapsed = time.perf_counter() - started
        server.shutdown()
        server.server_close()
        result = json.loads(done.stdout)
        length = "with Content-Length" if declare else "streamed"
        print(
            f"1 GiB {huge} ({length}): client peak RSS {result['peak_mb']:.0f} MB, "
            f"{elapsed:.2f}s, problem: {result['problems'][0]}"
        )


def first_publishes(base: Path, rounds: int = 20, workers: int = 8) -> None:
    warm = Registry.open_or_init(base / "warm", key_dir=base / "warm-keys", notice=lambda _m: None)
    warm.publish(publication())
    started = time.perf_counter()
    for round_ in range(rounds):
        root, keys = base / f"r{round_}" / "reg", base / f"r{round_}" / "keys"
        pids = []
        for worker in range(workers):
            pid = os.fork()
            if pid == 0:  # the child publishes and exits
                code = 0
                try:
                    reg = Registry.open_or_init(root, key_dir=keys, notice=lambda _m: None)
                    reg.publish(publication(f"own{worker}", "1.0.0"))
                except BaseException:
                    code = 1
                os._exit(code)
            pids.append(pid)
        failed = sum(os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) != 0 for p in pids)
        if failed:
            print(f"round {round_}: {failed} publishers failed")
    elapsed = time.perf_counter() - started
    print(
        f"{rounds} rounds x {workers} concurrent first publishes (fsync on): {elapsed:.1f}s, "
        f"{elapsed / rounds:.2f}s per round"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        peak_rss(Path(tmp) / "rss")
        if hasattr(os, "fork"):
            first_publishes(Path(tmp) / "init")


if __name__ == "__main__":
    main()
