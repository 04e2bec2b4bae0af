"""Drive ``flows mcp`` over stdio as a real client does: stdin stays open until the last reply."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

FLOWS = Path(sys.executable).parent / "flows"


def mcp_session(root: Path, lines: list[str], last_id: str) -> tuple[list[dict[str, Any]], str]:
    """Send ``lines`` to ``flows mcp --root ROOT``; the replies up to the one with ``last_id``.

    The SDK ends the session at end of input and may drop a request still in flight, so stdin
    is closed only once that reply is in (a watchdog kills a server that never answers).
    """
    proc = subprocess.Popen(
        [str(FLOWS), "mcp", "--root", str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(60, proc.kill)
    watchdog.start()
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("\n".join(lines) + "\n")
        proc.stdin.flush()
        replies: list[dict[str, Any]] = []
        for row in proc.stdout:
            replies.append(json.loads(row))
            if replies[-1].get("id") == last_id:
                break
        _, stderr = proc.communicate(timeout=60)  # closes stdin: the session ends
    finally:
        watchdog.cancel()
    return replies, stderr
