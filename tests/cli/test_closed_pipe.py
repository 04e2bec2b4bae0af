"""`flows ... | head`: a reader that goes away early gets no traceback and no error message."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

F_SETPIPE_SZ = 1031  # Linux: shrink the pipe so the writer meets the closed end


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="F_SETPIPE_SZ is Linux-only")
def test_closing_the_pipe_early_ends_quietly() -> None:
    flows = Path(sys.executable).with_name("flows")
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, F_SETPIPE_SZ, 4096)
    process = subprocess.Popen(
        [str(flows), "policy", "rules"],  # a rich table of several kilobytes
        stdout=write_end,
        stderr=subprocess.PIPE,
    )
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        assert reader.read(10)  # then go away, like `head -c 10`
    assert process.stderr is not None
    stderr = process.stderr.read()
    code = process.wait(timeout=60)
    assert stderr == b""
    assert code in (0, -signal.SIGPIPE)  # killed by SIGPIPE, as Unix tools are
