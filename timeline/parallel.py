"""Spreading work over the machine's cores (``fork`` only, so workers inherit read-only state).

Workers are forked after the data they need exists, so nothing is sent to them. Reading and
Markdown hand out runs of items and get each run's results back as soon as it is done; page
workers take parts of the pages (see ``build.schedule``), write the files themselves and
return counts.
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
_JOB: Callable[[int], Any] | None = None


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


def _run(part: int) -> tuple[bool, Any]:
    """Run one part; an exception (even KeyboardInterrupt) travels back to be re-raised,
    because a worker dying of it would leave the pool waiting forever."""
    assert _JOB is not None
    try:
        return True, _JOB(part)
    except BaseException as exc:  # re-raised in the parent
        return False, exc


def in_parts(job: Callable[[int], R], parts: int, workers: int) -> list[R]:
    """``[job(i) for i in range(parts)]``, the parts handed out in order to forked workers,
    each to the first one free (so the first ``workers`` parts start at once), each part's
    result sent back as soon as it is done."""
    global _JOB
    if workers <= 1 or parts <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [job(i) for i in range(parts)]
    _JOB = job
    # Objects that exist now are only read by the workers: take them out of the cyclic
    # collector so that it does not touch (and so copy) every inherited memory page.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, parts)) as pool:
            results = list(pool.imap(_run, range(parts), chunksize=1))
    finally:
        _JOB = None
        gc.unfreeze()
    for ok, value in results:
        if not ok:
            raise value
    return [value for _, value in results]


def map_runs(function: Callable[[Sequence[T]], R], items: Sequence[T], workers: int) -> list[R]:
    """``function`` applied to runs of neighbouring items, spread over workers; one result
    per run, in order.

    Many small runs rather than one per worker: results come back while the workers go on
    (a single pickle of 50,000 results is slow to make, copy and read), and a worker that
    finishes early takes the next run."""
    if workers <= 1 or len(items) < SMALL:
        return [function(items)]
    size = max(SMALL, min(1000, len(items) // (workers * 8)))
    parts = -(-len(items) // size)
    return in_parts(lambda part: function(items[part * size : (part + 1) * size]), parts, workers)


def map_shares(function: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """``[function(x) for x in items]``, spread over workers in runs of neighbouring items."""
    runs = map_runs(lambda run: [function(item) for item in run], items, workers)
    return [result for run in runs for result in run]
