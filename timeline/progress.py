"""A one-line progress display for long builds on a terminal; silent otherwise.

Nothing is shown for the first second, so short builds print only their summary. Page
workers are forked, so the count of pages written lives in shared memory; the line is drawn
by the main process only (when a step begins, when it counts pages itself, and while it
waits for its workers), never by a thread of its own: a thread alive while the build forks
its workers could leave them deadlocked.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from typing import Protocol, TextIO

# Seconds before anything is drawn (TIMELINE_PROGRESS_DELAY overrides it, for tests).
DELAY = float(os.environ.get("TIMELINE_PROGRESS_DELAY", "1.0"))
STEP = 25  # pages a worker writes between updates of the shared count
EVERY = 0.2  # seconds between two drawings of the line


class _Count(Protocol):
    value: int


class _Local:
    """The count of pages where no worker is forked (no ``fork``: one process does all)."""

    value = 0


def _shared_count() -> _Count:
    if "fork" in multiprocessing.get_all_start_methods():
        count: _Count = multiprocessing.get_context("fork").Value("i", 0, lock=False)
        return count
    return _Local()


class Progress:
    """Shows the current step of a build and, while pages are written, how many."""

    def __init__(self, stream: TextIO, *, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.step = ""
        self.total = 0
        self.done = _shared_count() if enabled else None
        self._owner = os.getpid()
        self._started = time.monotonic()
        self._last = 0.0
        self._drawn = False

    def begin(self, step: str, total: int = 0) -> None:
        """A new step of the build; ``total`` is the number of pages, if it counts pages."""
        self.step, self.total = step, total
        if self.done is not None:
            self.done.value = 0
        self.tick(force=True)

    def advance(self, pages: int) -> None:
        """Called every STEP pages, by workers or by the main process itself. Each worker
        adds to the count in turn (a lost update only makes the line lag a moment)."""
        if self.done is not None:
            self.done.value += pages
            if os.getpid() == self._owner:
                self.tick()

    def tick(self, *, force: bool = False) -> None:
        """Redraw the line if it is due (called by the main process while it waits)."""
        if not self.enabled or os.getpid() != self._owner:
            return
        now = time.monotonic()
        if now - self._started >= DELAY and (force or now - self._last >= EVERY):
            self.stream.write("\r\x1b[2K" + self._line())
            self.stream.flush()
            self._drawn = True
            self._last = now

    def _line(self) -> str:
        if not self.total or self.done is None:
            return f"{self.step}..."
        done = min(self.done.value, self.total)
        width = 30
        filled = width * done // self.total
        return f"{self.step} [{'#' * filled}{'.' * (width - filled)}] {done}/{self.total}"

    def close(self) -> None:
        """Clear the line, so the summary stands alone."""
        if self._drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
