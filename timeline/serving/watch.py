"""Watching a project with watchdog: classify each change, debounce bursts into one rebuild.

Only writes count (created, modified, deleted, moved, closed-after-write): the build's own
reads never trigger a rebuild, and what is inside the output folder is never watched (only the
folder itself, at the project's root: deleted or replaced, it is built again).
"""

from __future__ import annotations

import contextlib
import enum
import os
import stat
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from watchdog.events import (
    EVENT_TYPE_CLOSED,
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from timeline.config import CONFIG_FILES, Config

WRITES = {EVENT_TYPE_CREATED, EVENT_TYPE_MODIFIED, EVENT_TYPE_DELETED, EVENT_TYPE_MOVED,
          EVENT_TYPE_CLOSED}  # fmt: skip
DEBOUNCE = 0.05  # seconds of quiet before a burst of changes is built
# Seconds of quiet when the last change was a file closed after writing or moved into place:
# a save is then complete, unless more changes follow at once (a burst of files). The events
# of one save come together; this only gathers a burst (at 2 ms, a save by any pattern of
# tests/test_serve.py still built once, and 200 files at once once or twice, at load 7-8).
SETTLE = 0.003
# Seconds of quiet after an update that read only the files the watcher named, before every
# event file is checked once more (see Preview.check): what the watcher missed is found then.
CHECK_AFTER = 1.0


class ChangeKind(enum.Enum):
    """What a changed path is, which decides how much to rebuild."""

    CONTENT = "content"  # an event file, the bibliography or a page: incremental
    THEME = "theme"  # templates or theme static files: re-render everything
    STATIC = "static"  # the project's static/ folder: copy what changed
    CONFIG = "config"  # the config: start again
    OUTPUT = "output"  # the served folder itself was deleted, moved or replaced: build it whole


def classify(path: str, config: Config) -> ChangeKind | None:
    """The kind of a changed path, or None if no build depends on it."""
    target = Path(path)
    name = target.name
    if target.parent == config.root and name in CONFIG_FILES:
        return ChangeKind.CONFIG
    if target == config.output_path:
        return ChangeKind.OUTPUT
    for folder, kind in (
        (config.events_path, ChangeKind.CONTENT),
        (config.pages_path, ChangeKind.CONTENT),
        (config.theme_path, ChangeKind.THEME),
        (config.static_path, ChangeKind.STATIC),
    ):
        if target == folder:
            return kind
        if not target.is_relative_to(folder):
            continue
        parts = target.relative_to(folder).parts
        if any(p.startswith(".") for p in parts) or name.endswith(("~", ".swp", ".swx", ".tmp")):
            return None  # editors' backup, swap and temporary files
        if kind is ChangeKind.CONTENT:
            is_event = name.endswith(".md") and not any(p.startswith("_") for p in parts)
            # A folder event (created, moved, deleted) may carry event files with it.
            if is_event or parts == ("_sources.yaml",) or "." not in name:
                return kind
            return None
        return kind
    return None


# A change's kind; the files it is to: none of its own (a folder's listing changed: the
# file's own change names the file), or None: any (a folder created, moved or deleted); and
# whether it completes a save (a file closed after writing, or moved into place).
Sink = Callable[[ChangeKind, tuple[str, ...] | None, bool], None]
# What to build: the kinds of change, and the files changed (None: any file may have).
Build = Callable[[set[ChangeKind], frozenset[str] | None], None]


class Debouncer:
    """Gathers changes and calls ``build(kinds, paths)`` once things have been quiet for a
    moment: ``paths``, the files changed, or None when a change may reach files no event
    named (a folder created, moved or deleted; a change added without a path).

    The moment is ``delay`` seconds, or ``settle`` after a change that completes a save (an
    editor's save is then built without waiting for changes that are not coming). A change
    that arrives while a build runs is kept and causes exactly one more build.
    ``idle``, if given, is called once things have been quiet for ``idle_after`` seconds
    after a build, in the same thread (never during a build).
    """

    def __init__(
        self, build: Build, delay: float = DEBOUNCE, *, settle: float = SETTLE,
        idle: Callable[[], None] | None = None, idle_after: float = CHECK_AFTER,
    ) -> None:  # fmt: skip
        self._build = build
        self._delay = delay
        self._settle = settle
        self._quiet = delay  # the quiet that the last change asks for
        self._idle = idle
        self._idle_after = idle_after
        self._idle_due: float | None = None
        self._pending: set[ChangeKind] = set()
        self._paths: set[str] | None = set()
        self._last = 0.0
        self._wake = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="timeline-rebuild", daemon=True)
        self._thread.start()

    def add(
        self, kind: ChangeKind, paths: tuple[str, ...] | None = None, saved: bool = False
    ) -> None:
        """A change of ``kind`` to ``paths`` (None: to anything; none: to a folder's listing,
        which leaves the wait as it was); ``saved``: it completes a save."""
        with self._wake:
            self._pending.add(kind)
            if paths is None:
                self._paths = None
            elif self._paths is not None:
                self._paths.update(paths)
            if paths != ():
                self._quiet = self._settle if saved else self._delay
            self._last = time.monotonic()
            self._wake.notify()

    def waiting(self) -> bool:
        """Whether a change waits to be built."""
        with self._wake:
            return bool(self._pending)

    def _run(self) -> None:
        kinds: set[ChangeKind] | None
        paths: set[str] | None
        while True:
            with self._wake:
                while not self._pending and not self._stopped:
                    due = self._idle_due
                    if due is not None and due <= time.monotonic():
                        break
                    self._wake.wait(None if due is None else due - time.monotonic())
                if self._stopped:
                    return
                if not self._pending:  # quiet since the last build: the idle call is due
                    self._idle_due = None
                    kinds, paths = None, None
                else:
                    while (quiet := time.monotonic() - self._last) < self._quiet:
                        self._wake.wait(self._quiet - quiet)
                        if self._stopped:
                            return
                    kinds, self._pending, self._quiet = self._pending, set(), self._delay
                    paths, self._paths = self._paths, set()
            try:
                if kinds is None:
                    assert self._idle is not None
                    self._idle()
                else:
                    self._build(kinds, None if paths is None else frozenset(paths))
            except Exception:  # the build reports its own failures; this thread must live on
                traceback.print_exc()
            if kinds is not None and self._idle is not None:
                with self._wake:
                    self._idle_due = time.monotonic() + self._idle_after

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify_all()
        self._thread.join(timeout=5)


class _Handler(FileSystemEventHandler):
    def __init__(self, config: Config, sink: Sink) -> None:
        self.config = config
        self.sink = sink

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in WRITES:
            return
        # Each path, and whether the event completes a save of it.
        paths = [(event.src_path, event.event_type == EVENT_TYPE_CLOSED)]
        if event.event_type == EVENT_TYPE_MOVED:
            paths.append((event.dest_path, True))
        for raw, saved in paths:
            path = raw.decode() if isinstance(raw, bytes) else raw
            kind = classify(path, self.config)
            if kind is None:
                continue
            if not event.is_directory:
                self.sink(kind, (path,), saved)
            elif event.event_type == EVENT_TYPE_MODIFIED:  # its files' own events name them
                self.sink(kind, (), False)
            else:  # a folder came, went or moved: whatever it holds may have changed
                self.sink(kind, None, False)


class Watcher:
    """Watches the config, events, theme and static folders; never the output folder."""

    def __init__(self, config: Config, sink: Sink) -> None:
        self.config = config
        self.handler = _Handler(config, sink)
        self.observer = Observer()
        # Each watched folder, its watch, and which folder (device, inode) the watch is on.
        self.watched: dict[Path, tuple[ObservedWatch, tuple[int, int]]] = {}
        # The root, not recursively: config files, and folders such as theme/ appearing;
        # and the folder holding the served one (the cache folder), for the served folder.
        self.observer.schedule(self.handler, str(config.root), recursive=False)
        holder = config.output_path.parent
        if holder != config.root and holder.is_dir():
            self.observer.schedule(self.handler, str(holder), recursive=False)
        self.refresh()

    def refresh(self) -> None:
        """Watch the events, pages, theme and static folders that exist now, each the folder
        now at its path: one deleted and made again, or swapped for another by renames (a branch
        switch), gets a new watch, and the old folder's is dropped.

        Called before each rebuild rather than from the watchdog thread: a folder that was
        just created is watched once its burst of changes is over (scheduling a watch while
        its files are still being created races inside watchdog), and the rebuild reads
        whatever it already holds.
        """
        config = self.config
        folders = (config.events_path, config.pages_path, config.theme_path, config.static_path)
        for folder in folders:
            try:
                st = os.stat(folder)
                identity = (st.st_dev, st.st_ino) if stat.S_ISDIR(st.st_mode) else None
            except OSError:
                identity = None
            known = self.watched.get(folder)
            if known is not None and known[1] != identity:
                with contextlib.suppress(KeyError, OSError):  # a watch that died with its folder
                    self.observer.unschedule(known[0])
                del self.watched[folder]
            if identity is not None and folder not in self.watched:
                watch = self.observer.schedule(self.handler, str(folder), recursive=True)
                self.watched[folder] = (watch, identity)

    def start(self) -> None:
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=5)
