"""A stand-in for ``prepare_spec`` whose worker process dies on one spec (for the pool test)."""

from __future__ import annotations

import os

from flows.farm.prepare import Task
from flows.farm.report import SpecOutcome


def die_on_doomed(task: Task) -> SpecOutcome:
    """Kill the worker process on the spec keyed ``doomed``; prepare the others trivially."""
    if task.key == "doomed":
        os._exit(9)  # what the OOM killer or a crash in C looks like to the pool
    return SpecOutcome(task.key, task.spec_rel, "staged", name=task.key, version="1.0.0")
