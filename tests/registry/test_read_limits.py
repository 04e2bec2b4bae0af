"""Every read from a registry is capped: a hostile server cannot make a client buffer 1 GB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from registry import Registry
from tests.registry.helpers import REPO, publication

GIB = 1 << 30
CHUNK = b"\0" * (1 << 20)


def serve_registry(root: Path, huge: str, *, declare_length: bool) -> ThreadingHTTPServer:
    """A real HTTP server on 127.0.0.1 for ``root``; ``huge`` is answered with 1 GiB, lazily."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            rel = self.path.removeprefix("/")
            try:
                if rel == huge:
                    self.send_response(200)
                    if declare_length:
                        self.send_header("Content-Length", str(GIB))
                    self.end_headers()
                    for _ in range(GIB // len(CHUNK)):
                        self.wfile.write(CHUNK)
                    return
                path = root / rel
                if ".." in rel or not path.is_file():
                    self.send_error(404)
                    return
                data = path.read_bytes()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading: what it should do

        def log_message(self, format: str, *args: object) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


@pytest.fixture
def server_for(reg: Registry) -> Iterator[object]:
    servers: list[ThreadingHTTPServer] = []

    def start(huge: str, *, declare_length: bool) -> str:
        server = serve_registry(reg.root, huge, declare_length=declare_length)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


CLIENT = """
import json, resource, sys
# a safety net, so that a client without caps fails fast instead of eating the machine
resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))
sys.path.insert(0, {repo!r})
from datetime import datetime
from registry.query import open_reader
now = lambda: datetime.fromisoformat({now!r})
trust = __import__("pathlib").Path(sys.argv[2])
report = open_reader(sys.argv[1], trust_dir=trust, now=now).verify()
def peak_mb():
    # VmHWM is this process's own peak RSS; ru_maxrss would also count the parent's memory
    # image it was forked from (Linux carries the high-water mark across exec)
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024
peak_mb = peak_mb()
print(json.dumps({{"problems": [p.format() for p in report.problems], "peak_mb": peak_mb}}))
"""


@pytest.mark.parametrize(
    ("huge", "declare_length"),
    [
        ("metadata/timestamp.json", True),
        ("metadata/timestamp.json", False),  # no Content-Length: the stream itself is cut
        ("metadata/1.c.stripe.json", False),  # no length in the signed metadata either
        ("log/00000000.json", False),
    ],
)
def test_a_one_gigabyte_answer_is_cut_at_the_cap(
    reg: Registry, server_for: object, tmp_path: Path, huge: str, declare_length: bool
) -> None:
    from tests.registry.helpers import T0

    reg.publish(publication("stripe", "1.0.0"))
    url = server_for(huge, declare_length=declare_length)  # type: ignore[operator]
    script = CLIENT.format(repo=str(REPO), now=T0.isoformat())
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", script, url, str(tmp_path / "trust")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    print(f"peak RSS {result['peak_mb']:.0f} MB for a 1 GiB {huge}")
    assert result["peak_mb"] < 200, result
    assert any(huge in p and "larger than" in p for p in result["problems"]), result


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("fifo", "cannot read log entry: not a regular file"),
        ("directory", "cannot read log entry: Is a directory"),
        ("symlink loop", "cannot read log entry: Too many levels of symbolic links"),
    ],
)
def test_a_non_file_in_a_local_registry_is_a_problem_without_blocking(
    reg: Registry, tmp_path: Path, kind: str, message: str
) -> None:
    from registry.client import LocalSource
    from registry.verify import RegistryReader
    from tests.registry.helpers import Clock

    reg.publish(publication("stripe", "1.0.0"))
    log = reg.root / "log" / "00000000.json"
    log.unlink()
    if kind == "fifo":
        os.mkfifo(log)
    elif kind == "directory":
        log.mkdir()
    else:
        log.symlink_to(log)
    report = RegistryReader(LocalSource(reg.root), trust_dir=None, now=Clock()).verify()
    assert ("log/00000000.json", message) in {(p.file, p.message) for p in report.problems}


def test_a_server_trickling_bytes_is_given_up_on_at_the_deadline() -> None:
    import httpx

    from registry.client import READ_DEADLINE_S, HttpSource
    from registry.errors import RegistryInputError

    sent = {"chunks": 0}

    def trickle() -> Iterator[bytes]:
        while True:  # one byte at a time, each just inside the socket timeout
            sent["chunks"] += 1
            yield b"{"

    transport = httpx.MockTransport(lambda _request: httpx.Response(200, content=trickle()))
    ticks = iter(range(0, 10**9, 10))  # an injected clock: 10 s pass per look
    source = HttpSource("https://registry.example/", transport=transport, clock=lambda: next(ticks))
    with pytest.raises(
        RegistryInputError, match=f"no complete answer within {READ_DEADLINE_S:.0f}s"
    ):
        source.read("metadata/timestamp.json", 16 * 1024)
    assert sent["chunks"] <= READ_DEADLINE_S / 10 + 2
