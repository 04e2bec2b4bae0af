"""`python -m pytest -q` (as documented) still prints the summary line with the counts.

``addopts = "-q"`` in pyproject.toml plus the documented ``-q`` made ``-qq``, which hides it.
"""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import REPO


def test_quiet_run_prints_the_summary_line() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "tests/hardening/test_versions.py", "-k", "agree"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.match(r"\d+ passed, \d+ deselected in ", run.stdout.rstrip().splitlines()[-1])
