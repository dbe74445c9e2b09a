"""A one-line progress display for long builds on a terminal; silent otherwise.

Nothing is shown for the first second, so short builds print only their summary. Page
workers are forked, so the count of pages written lives in shared memory.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from typing import TextIO

# Seconds before anything is drawn (TIMELINE_PROGRESS_DELAY overrides it, for tests).
DELAY = float(os.environ.get("TIMELINE_PROGRESS_DELAY", "1.0"))
STEP = 25  # pages a worker writes between updates of the shared count


class Progress:
    """Shows the current step of a build and, while pages are written, how many."""

    def __init__(self, stream: TextIO, *, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.step = ""
        self.total = 0
        self.done = multiprocessing.get_context("fork").Value("i", 0) if enabled else None
        self._started = time.monotonic()
        self._stop = threading.Event()
        self._drawn = False
        self._thread: threading.Thread | None = None
        if enabled:
            self._thread = threading.Thread(target=self._run, name="timeline-progress", daemon=True)
            self._thread.start()

    def begin(self, step: str, total: int = 0) -> None:
        """A new step of the build; ``total`` is the number of pages, if it counts pages."""
        self.step, self.total = step, total
        if self.done is not None:
            self.done.value = 0
        if self.enabled:
            self._draw()

    def advance(self, pages: int) -> None:
        """Called from workers every STEP pages."""
        if self.done is not None:
            with self.done.get_lock():
                self.done.value += pages

    def _line(self) -> str:
        if not self.total or self.done is None:
            return f"{self.step}..."
        done = min(self.done.value, self.total)
        width = 30
        filled = width * done // self.total
        return f"{self.step} [{'#' * filled}{'.' * (width - filled)}] {done}/{self.total}"

    def _draw(self) -> None:
        if time.monotonic() - self._started >= DELAY:
            self.stream.write("\r\x1b[2K" + self._line())
            self.stream.flush()
            self._drawn = True

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self._draw()

    def close(self) -> None:
        """Stop drawing and clear the line, so the summary stands alone."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
