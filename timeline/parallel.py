"""Spreading work over the machine's cores (``fork`` only, so workers inherit read-only state).

Workers are forked after the data they need exists, so nothing is sent to them. Reading and
Markdown hand out runs of items and get each run's results back as soon as it is done; page
workers take parts of the pages (see ``build.schedule``), write the files themselves and
return counts.
Where ``fork`` is unavailable, or for small jobs, the work runs in this process.

A worker that dies (the out-of-memory killer, a signal) fails the build at once with a
``WorkerDied`` error instead of leaving it waiting; on Linux, workers are also told to die
with the process that forked them, so a killed build leaves nothing running.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import gc
import multiprocessing
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar, cast

from timeline.errors import TimelineError

T = TypeVar("T")
R = TypeVar("R")

SMALL = 64  # fewer items than this are not worth forking for
TICK = 0.2  # seconds between calls of in_parts' tick while it waits

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


class WorkerDied(TimelineError):
    """A worker process ended without finishing its part (killed, or out of memory)."""


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """In a new worker: be killed when the process that forked it dies (Linux only)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above: nobody waits
        os._exit(1)


def _run(part: int) -> tuple[bool, Any]:
    """Run one part; an exception (even KeyboardInterrupt) travels back to be re-raised,
    because a worker dying of it would leave the pool waiting forever."""
    assert _JOB is not None
    try:
        return True, _JOB(part)
    except BaseException as exc:  # re-raised in the parent
        return False, exc


def in_parts(
    job: Callable[[int], R], parts: int, workers: int, *, tick: Callable[[], None] | None = None
) -> list[R]:
    """``[job(i) for i in range(parts)]``, the parts handed out in order to forked workers,
    each to the first one free (so the first ``workers`` parts start at once), each part's
    result sent back as soon as it is done. ``tick`` is called now and then while waiting
    (to redraw a progress line)."""
    global _JOB
    if workers <= 1 or parts <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [job(i) for i in range(parts)]
    _JOB = job
    # Objects that exist now are only read by the workers: take them out of the cyclic
    # collector so that it does not touch (and so copy) every inherited memory page.
    gc.freeze()
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(
        min(workers, parts), mp_context=context, initializer=_die_with_parent,
        initargs=(os.getpid(),),
    )  # fmt: skip
    try:
        futures = [pool.submit(_run, part) for part in range(parts)]
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=TICK, return_when=FIRST_EXCEPTION)
            if tick is not None:
                tick()
            for future in done:  # a part that failed fails the whole: stop the others now
                ok, value = future.result()
                if not ok:
                    raise value
        results = [future.result()[1] for future in futures]
    except BrokenProcessPool:
        _stop(pool)
        raise WorkerDied(
            "a build worker process stopped unexpectedly (killed, or out of memory?); "
            "the previous site is kept"
        ) from None
    except BaseException:  # Ctrl-C, or a part's error: the queued parts are not run
        _stop(pool)
        raise
    else:
        pool.shutdown()
    finally:
        _JOB = None
        gc.unfreeze()
    return results


def _stop(pool: ProcessPoolExecutor) -> None:
    """End a pool at once: queued parts cancelled, running workers killed (``shutdown``
    alone would let every queued part run first, however long that takes)."""
    processes = list(getattr(pool, "_processes", None) or {})  # pid -> Process, a CPython detail
    pool.shutdown(wait=False, cancel_futures=True)
    for pid in processes:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


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


def beside(job: Callable[[], R]) -> Callable[[], R]:
    """Start ``job`` in a forked process, to run while this one does something else; returns
    the function that waits for its result (re-raising what it raised; OSError if the
    process died). Where ``fork`` is missing, or a thread is running (forking would copy
    its locks), ``job`` runs now, in this process."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        try:
            done: tuple[bool, Any] = (True, job())
        except Exception as exc:  # raised when its result is asked for, as from a process
            done = (False, exc)
        return cast(Callable[[], R], functools.partial(_result, done))
    read, write = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        try:
            os.close(read)
            _die_with_parent(parent)
            try:
                data = pickle.dumps((True, job()))
            except Exception as exc:
                data = pickle.dumps((False, OSError(getattr(exc, "errno", None), str(exc))))
            with open(write, "wb") as out:
                out.write(data)
        finally:
            os._exit(0)
    os.close(write)

    def wait() -> R:
        with open(read, "rb") as handle:
            data = handle.read()
        os.waitpid(pid, 0)
        if not data:
            raise OSError(errno.ECHILD, "a process of the build stopped unexpectedly")
        return cast(R, _result(pickle.loads(data)))

    return wait


def _result(done: tuple[bool, Any]) -> Any:
    ok, value = done
    if not ok:
        raise value
    return value
