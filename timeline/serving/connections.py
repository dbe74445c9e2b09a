"""The preview server's connections: a bounded set of handler threads, so that no client, and
no number of clients, can hang ``timeline serve`` or keep it from stopping."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterator

Connection = tuple[socket.socket, object]  # an accepted socket and its client's address
Request = socket.socket | tuple[bytes, socket.socket]  # what socketserver passes around


class HandlerThreads:
    """At most ``pages`` threads handle connections; a long poll hands its place on while it waits.

    Threads start as connections arrive and end when none is waiting, so an idle server holds
    none; a burst of connections waits in a queue rather than starting a thread each.
    """

    def __init__(self, handle: Callable[[socket.socket, object], None], pages: int,
                 polls: int) -> None:  # fmt: skip
        self.handle = handle
        self.lock = threading.Lock()
        self.ended = threading.Condition(self.lock)
        self.queue: deque[Connection] = deque()
        self.pages = pages  # places free for handling requests
        self.polls = polls  # places free for long polls
        self.running = 0
        self.closed = False
        self.local = threading.local()  # .place: whether this thread holds a page place

    def submit(self, connection: Connection) -> bool:
        """Hand a connection to a thread, now or when one is free; False once closed."""
        with self.lock:
            if self.closed:
                return False
            if not self.pages:
                self.queue.append(connection)
                return True
            self.pages -= 1
            self.running += 1
        self._start(connection)
        return True

    def _start(self, connection: Connection) -> None:
        threading.Thread(target=self._run, args=(connection,), name="timeline-request",
                         daemon=True).start()  # fmt: skip

    def _run(self, connection: Connection | None) -> None:
        self.local.place = True
        try:
            while connection is not None:
                self.handle(*connection)
                connection = self._next() if self.local.place else None
        finally:
            with self.lock:
                self.running -= 1
                self.ended.notify_all()

    def _next(self) -> Connection | None:
        with self.lock:
            return self._take()

    def _take(self) -> Connection | None:
        """The next waiting connection for the caller's place, or None and the place is free."""
        if self.queue and not self.closed:
            return self.queue.popleft()
        self.pages += 1
        return None

    @contextlib.contextmanager
    def long_poll(self) -> Iterator[bool]:
        """Let the next connection have this thread's place; False if too many polls wait."""
        successor = None
        with self.lock:
            allowed = self.polls > 0 and getattr(self.local, "place", False)
            if allowed:
                self.polls -= 1
                successor = self._take()
                if successor is not None:
                    self.running += 1
        if not allowed:
            yield False
            return
        self.local.place = False
        if successor is not None:
            self._start(successor)
        try:
            yield True
        finally:
            with self.lock:
                self.polls += 1

    def close(self) -> list[Connection]:
        """Take no more connections; return those still waiting for a thread."""
        with self.lock:
            self.closed = True
            waiting = list(self.queue)
            self.queue.clear()
        return waiting

    def join(self, timeout: float) -> None:
        with self.ended:
            self.ended.wait_for(lambda: self.running == 0, timeout)


def cut(request: socket.socket) -> None:
    """End a connection under the thread reading or writing it (which then sees it closed)."""
    with contextlib.suppress(OSError):
        request.shutdown(socket.SHUT_RDWR)
