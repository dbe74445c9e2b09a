"""Giving freed memory back to the system, for a process that runs for hours (``timeline serve``).

Each update while serving makes and drops a few megabytes of pages, charts and lists. The C
allocator keeps what was freed for later use, and as updates come and go its free space is
scattered among pages still in use, so the process's resident memory creeps up although
Python holds no more objects than before (at 2,000 events: about 3 MB over 200 edits, see
docs/performance.md, "Memory in serve"). ``malloc_trim`` hands every wholly free page back;
it takes well under a millisecond after an update.

glibc also gives each thread that allocates a C arena of its own (up to eight per core), and
memory freed in one arena is reused only by allocations in that arena. A serving process
receives its first build's results in the worker pool's threads and then rebuilds in the
watcher's thread, so what the first build's objects left free, as updates replace them, sat
in one arena while their replacements grew another (+2 MB of the 200-edit figure).
``one_arena`` makes every thread of the process share one, as it shares the interpreter's
lock anyway.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where there is no such function (macOS, musl)."""
    try:  # the symbols this process already has: the C library's among them
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None


def release_free_memory() -> None:
    """Return the allocator's free pages to the system, where the C library can."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


M_ARENA_MAX = -8  # glibc's malloc.h: the most arenas the allocator may create


def one_arena() -> None:
    """Have every thread of this process allocate from the C library's one main arena (glibc;
    nothing elsewhere). Call it before the threads start: an arena, once made, stays."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):
        return
    mallopt(M_ARENA_MAX, 1)
