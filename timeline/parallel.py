"""Spreading work over the machine's cores (``fork`` only, so workers inherit read-only state).

Workers are forked after the data they need exists, so nothing is sent to them; each returns
its share's results, kept small where possible (page workers write files and return counts).
Where ``fork`` is unavailable, or for small jobs, the work runs in this process.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

SMALL = 64  # fewer items than this are not worth forking for

# The job of the pool being run: set just before forking, read by the forked workers.
_JOB: Callable[[int, int], Any] | None = None


@contextlib.contextmanager
def few_collections() -> Iterator[None]:
    """Run the cyclic garbage collector rarely for a while: a build allocates millions of
    objects that live to its end, and with the default thresholds the collector walks them
    again and again (0.5-0.7 s of a 10,000-event build). They hold few cycles."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def cores() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _run(share: int) -> tuple[bool, Any]:
    """Run one share; an exception (even KeyboardInterrupt) travels back to be re-raised,
    because a worker dying of it would leave the pool waiting forever."""
    assert _JOB is not None
    try:
        return True, _JOB(share, _SHARES)
    except BaseException as exc:  # re-raised in the parent
        return False, exc


_SHARES = 1


def in_shares(job: Callable[[int, int], R], workers: int) -> list[R]:
    """Run ``job(share, shares)`` for each share, in forked workers when ``workers`` > 1."""
    global _JOB, _SHARES
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [job(0, 1)]
    _JOB, _SHARES = job, workers
    # Objects that exist now are only read by the workers: take them out of the cyclic
    # collector so that it does not touch (and so copy) every inherited memory page.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_run, range(workers), chunksize=1)
    finally:
        _JOB, _SHARES = None, 1
        gc.unfreeze()
    for ok, value in results:
        if not ok:
            raise value
    return [value for _, value in results]


def map_shares(function: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """``[function(x) for x in items]``, spread over workers in interleaved shares."""

    def job(share: int, shares: int) -> list[R]:
        return [function(item) for item in items[share::shares]]

    parts = in_shares(job, workers if len(items) >= SMALL else 1)
    out: list[R] = [None] * len(items)  # type: ignore[list-item]
    for share, part in enumerate(parts):
        out[share :: len(parts)] = part
    return out
