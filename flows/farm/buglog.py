"""The farm's log of its own faults: tracebacks of unexpected exceptions, for a bug report.

A spec that fails because of a bug in flows (not a refusal, not bad input) is reported as an
``error`` with a one-line message; its traceback is kept on the outcome (never in the JSON
report) and written here with :mod:`logging`, to :data:`BUG_LOG` in the farm's output: the
shard's ``--out`` directory, or next to the registry for a local run.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Sequence
from pathlib import Path

from flows.farm.report import SpecOutcome

BUG_LOG = "farm-errors.log"
_logger = logging.getLogger("flows.farm.bugs")


def format_traceback(error: BaseException) -> str:
    """The full traceback of ``error`` as text (it crosses process boundaries as a string)."""
    return "".join(traceback.format_exception(error))


def log_internal_errors(outcomes: Sequence[SpecOutcome], directory: Path) -> Path | None:
    """Append the traceback of every outcome that has one to ``directory/farm-errors.log``.

    Returns the log's path, or None when no outcome carried a traceback (no file is made).
    """
    bugs = [o for o in outcomes if o.traceback]
    if not bugs:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / BUG_LOG
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    _logger.addHandler(handler)
    _logger.propagate = False
    try:
        for outcome in bugs:
            _logger.error("internal error for %s:\n%s", outcome.spec, outcome.traceback)
    finally:
        _logger.removeHandler(handler)
        handler.close()
    return path
