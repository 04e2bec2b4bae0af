"""``flows harvest openapi`` over worker processes: the same bytes whatever the worker count,
and an interrupted harvest stops its workers at once and leaves ``--out`` as it was."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli.app import app

SAMPLE = Path(__file__).parent / "data" / "directory"
runner = CliRunner()


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by its relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_output_is_byte_identical_whatever_the_worker_count(tmp_path: Path) -> None:
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}"
        result = runner.invoke(
            app,
            ["harvest", "openapi", "--catalog", str(SAMPLE), "--out", str(out), "--jobs", jobs,
             "--report-format", "md"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        outputs.append(tree(out))
    one, two = outputs
    assert len([name for name in one if name.endswith("connector.yaml")]) == 5
    assert "harvest-report.md" in one
    assert one == two
    report = json.loads(one["harvest-report.json"])
    assert [d["key"] for d in report["descriptions"]] == sorted(
        d["key"] for d in report["descriptions"]
    )


_DRIVER = """
import sys
import threading
from pathlib import Path

import flows.openapi.outcome

if __name__ == "__mp_main__":  # in a worker: every description but the biggest never ends
    real = flows.openapi.outcome.harvest_one

    def held(key, *args):
        if key != "googleapis.com/tasks":
            threading.Event().wait()
        return real(key, *args)

    flows.openapi.outcome.harvest_one = held


def progress(key):
    print("running", flush=True)  # one outcome in; the other worker is busy for good
    sys.stdin.readline()


if __name__ == "__main__":  # workers are spawned: they import this module
    from flows.openapi.harvest import harvest_openapi

    harvest_openapi(Path(sys.argv[1]), out_dir=Path(sys.argv[2]), jobs=2, progress=progress)
    print("finished", flush=True)
"""


def _workers(pid: int) -> list[int]:
    """The worker processes of ``pid`` (not multiprocessing's resource tracker)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    children = [int(p) for p in path.read_text().split()] if path.exists() else []
    return [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def _gone(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return True
    return "State:\tZ" in status.read_text()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_workers_and_leaves_out_untouched(
    tmp_path: Path, signum: signal.Signals
) -> None:
    out = tmp_path / "harvested"
    first = runner.invoke(app, ["harvest", "openapi", "--catalog", str(SAMPLE), "--out", str(out)])
    assert first.exit_code == 0, first.output
    before = tree(out)
    driver = tmp_path / "driver.py"
    driver.write_text(textwrap.dedent(_DRIVER))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen(
        [sys.executable, str(driver), str(SAMPLE), str(out)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, "the harvest did not start"
        line = proc.stdout.readline()
        assert line == "running\n", proc.stderr.read() if proc.stderr else ""  # pool running
        workers = _workers(proc.pid)
        assert workers, "the harvest runs in worker processes"
        proc.send_signal(signum)
        started = time.monotonic()
        _, stderr = proc.communicate(timeout=30)
        took = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0
    assert "KeyboardInterrupt" in stderr  # the library re-raises; the CLI turns it into 130
    assert took < 15
    assert [pid for pid in workers if not _gone(pid)] == []
    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir() if "staging" in p.name] == []
