"""What the preview's threads share: the build epoch, the problems shown, the files a build
has still to write, and the pages open in browsers (see ``serving.server``)."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Iterable, Iterator


class SiteState:
    """The build epoch, the current problems, whether a build is running and which of the
    site's files it has still to write, and the pages open in browsers."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.epoch = 0
        self.building = False
        self.closing = False
        self.problems: tuple[str, ...] = ()
        # While a build runs and once it is ready (see ``ready``): the files it has still
        # to write or remove; any other may be served.
        self.pending: frozenset[str] | None = None
        self.polled: Counter[str] = Counter()  # URL paths whose pages wait for a reload
        self.waiting: Counter[str] = Counter()  # of those, the ones a browser polls for
        self.reloading: set[str] = set()  # told to reload by ``ready``, not yet served again

    def begin(self) -> None:
        with self.cond:
            self.building, self.pending = True, None

    def ready(self, pending: frozenset[str]) -> None:
        """The build found no problem and has made the pages open in browsers: from now on
        every file but those ``pending`` (still to be written or removed) is served, and the
        pages reload, while the build goes on."""
        with self.cond:
            self.pending, self.problems = pending, ()
            self.reloading = set(self.waiting)
            self.epoch += 1
            self.cond.notify_all()

    def wait_reloaded(self, timeout: float) -> None:
        """Wait (at most ``timeout`` seconds) until each page told to reload by ``ready`` has
        been asked for and served again: the build's rest then does not compete with those
        requests for the interpreter."""
        with self.cond:
            self.cond.wait_for(lambda: not self.reloading or self.closing, timeout)

    def served(self, path: str) -> None:
        """A page (its URL path, without the leading slash) was sent to a browser."""
        with self.cond:
            if path in self.reloading:
                self.reloading.discard(path)
                self.cond.notify_all()

    def finish(self, problems: Iterable[str] = ()) -> None:
        with self.cond:
            self.building = False
            self.problems = tuple(problems)
            if self.pending is None or self.problems:  # else the pages reloaded when ready
                self.epoch += 1
            self.pending = None
            self.cond.notify_all()

    def open_pages(self) -> set[str]:
        """The URL paths (without the leading slash) of the pages open in browsers now."""
        with self.cond:
            return set(self.polled)

    @contextlib.contextmanager
    def polling(self, path: str) -> Iterator[None]:
        """The page at URL ``path`` waits for a reload meanwhile."""
        with self.cond:
            self.polled[path] += 1
        try:
            yield
        finally:
            with self.cond:
                self.polled[path] -= 1
                if not self.polled[path]:
                    del self.polled[path]

    def settled(self, file: str) -> bool:
        """Whether a file of the site (its path in the output folder) is as the running
        build, if any, will leave it: not one it has still to write or remove."""
        with self.cond:
            return not self.building or (self.pending is not None and file not in self.pending)

    def wait_idle(self, file: str = "", timeout: float = 30.0) -> None:
        """Hold a request for a file of the site (its path in the output folder) while a
        build runs, unless the build is ready and will not change it: never serve a
        half-built site."""
        with self.cond:
            self.cond.wait_for(
                lambda: not self.building or self.closing
                or (self.pending is not None and file not in self.pending),
                timeout,
            )  # fmt: skip

    def wait_epoch(self, since: int, timeout: float, page: str | None = None) -> int:
        """The epoch once past ``since`` (or the timeout); ``page``: a browser's poll for it."""
        with self.cond:
            if page is not None:
                self.waiting[page] += 1
            try:
                self.cond.wait_for(lambda: self.epoch > since or self.closing, timeout)
            finally:
                if page is not None:
                    self.waiting[page] -= 1
                    if not self.waiting[page]:
                        del self.waiting[page]
            return self.epoch

    def close(self) -> None:
        with self.cond:
            self.closing = True
            self.cond.notify_all()
