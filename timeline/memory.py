"""Giving freed memory back to the system, for a process that runs for hours (``timeline serve``).

Each update while serving makes and drops a few megabytes of pages, charts and lists. The C
allocator keeps what was freed for later use, and as updates come and go its free space is
scattered among pages still in use, so the process's resident memory creeps up although
Python holds no more objects than before (at 2,000 events: about 3 MB over 200 edits, see
docs/performance.md, "Memory in serve"). ``malloc_trim`` hands every wholly free page back;
it takes well under a millisecond after an update.
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
