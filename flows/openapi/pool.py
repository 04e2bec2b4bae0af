"""Running one job per description over worker processes, biggest first, stoppable.

Results arrive in completion order (the caller sorts what it keeps, so the output does not
depend on the number of workers). The largest descriptions start first so that no worker is
left with Microsoft Graph at the end. Workers ignore SIGINT: on Ctrl-C (or SIGTERM, or any
error in the caller) the parent stops them at once and re-raises, so nothing more is written.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing import get_context
from types import FrameType
from typing import Any, TypeVar

from connector_spec.errors import CheckFailed

T = TypeVar("T")


def run_jobs(
    job: Callable[..., T], tasks: Sequence[tuple[Any, ...]], *, jobs: int, sizes: Sequence[int]
) -> Generator[T, None, None]:
    """``job(*task)`` for every task; ``jobs`` > 1 runs them in worker processes.

    ``sizes`` (one per task) orders the work: the biggest task starts first.
    """
    order = sorted(range(len(tasks)), key=lambda i: (-sizes[i], i))
    if jobs <= 1 or len(tasks) < 2:
        for index in order:
            yield job(*tasks[index])
        return
    workers = min(jobs, os.cpu_count() or 1, len(tasks))
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=get_context("spawn"), initializer=_ignore_sigint
    )
    try:
        with _sigterm_interrupts():
            # at most two tasks queued per worker: a stop has little to cancel
            queue = iter(order)
            running: set[Future[T]] = set()
            for index in queue:
                running.add(pool.submit(job, *tasks[index]))
                if len(running) >= 2 * workers:
                    break
            while running:
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    for index in queue:
                        running.add(pool.submit(job, *tasks[index]))
                        break
                    yield future.result()
    except BrokenProcessPool as exc:
        _stop(pool)
        raise CheckFailed(
            f"a harvest worker process died ({exc}); nothing was written",
            hint="it may have run out of memory: retry with --jobs 1",
        ) from None
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now (not after the work they hold) and reap them."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
    if terminate is not None:
        terminate()
    else:
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
    pool.shutdown(wait=False, cancel_futures=True)


def _ignore_sigint() -> None:
    """In a worker: Ctrl-C reaches the whole process group; the parent decides."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM stops the run like Ctrl-C (main thread only; elsewhere it is left alone)."""
    try:
        previous = signal.signal(signal.SIGTERM, _interrupt)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")
