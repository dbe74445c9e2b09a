"""``timeline serve``'s session: the builder, the watcher and the HTTP server, kept together.

A save is classified (content, theme, static, config, the output folder itself), debounced,
and built as an incremental update of the served folder. Whatever one rebuild does, the
session goes on: a mistake in the content is shown in the page; any other failure (a bug, a
write that fails) is shown too, with its traceback in the terminal, the last good site stays
served, and the next change builds the whole site again from nothing. A served folder that
was deleted or replaced, and an events folder swapped for another, are noticed and built
whole, so that once things are quiet the preview is what a cold build would make.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from timeline.build import Builder, BuildResult
from timeline.config import Config
from timeline.errors import ContentError, TimelineError, plural
from timeline.memory import one_arena
from timeline.parallel import cores
from timeline.serving.server import PreviewServer
from timeline.serving.state import SiteState
from timeline.serving.watch import ChangeKind, Debouncer, Watcher
from timeline.site.pages import output_file

Reporter = Callable[[str], None]


PREVIEW_FOLDER = "preview"  # in the cache folder: what `timeline serve` builds and serves
RELOAD_WAIT = 0.25  # seconds an update waits for the open pages to be asked for again


def preview_config(config: Config) -> Config:
    """The config a preview builds with: served from the root (no base_url), into a folder
    of its own in the cache folder, so that ``site/`` stays what ``timeline build`` made
    (a preview has no search index and no data files: it must never be published)."""
    return config.with_overrides(
        base_url="", output_dir=str(config.cache_path / PREVIEW_FOLDER), offline=False
    )


def _identity(folder: Path) -> tuple[int, int] | None:
    """Which folder is at a path (device and inode), or None if none is."""
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


class Preview:
    """Ties the builder, the watcher and the HTTP server together for ``timeline serve``."""

    def __init__(
        self,
        config: Config,
        *,
        load: Callable[[], Config],
        host: str = "127.0.0.1",
        port: int = 8000,
        drafts: bool = False,
        report: Reporter | None = None,
    ) -> None:
        self.load = load
        self.config = config
        # Previews leave out timeline.json and timelinejs.json (publishing artifacts holding
        # the whole timeline: at 10,000 events, tens of megabytes to rewrite on every save).
        # The first build uses every core (it runs before any thread of the server starts,
        # so forking is safe); everything after it runs in this process.
        one_arena()  # hours of rebuilds, in threads: one C arena reuses what they free
        self.builder = Builder(config, drafts=drafts, data_files=False, workers=cores(),
                               remember=True)  # fmt: skip
        self.report = report or (lambda line: print(line, file=sys.stderr, flush=True))
        self.state = SiteState()
        self.builds = 0
        self.server = PreviewServer(host, port, config.output_path, self.state)
        self.server.on_missing = self._output_missing
        self.debouncer: Debouncer | None = None
        self.watcher: Watcher | None = None
        self.thread: threading.Thread | None = None
        # Set when a rebuild failed other than by a mistake in the content: the served folder
        # and what the builder kept may disagree, so the next one builds everything.
        self.broken = False
        self.output: tuple[int, int] | None = None  # the served folder as the last build left it
        self.unchecked = False  # the last update read only the files the watcher named

    def first_build(self) -> None:
        """A full build; on errors the previous site (if any) is served with the errors."""
        self.state.begin()
        problems = ["the first build did not finish"]
        try:
            problems = self._attempt(self.builder.build)
        finally:
            self.builder.workers = 1  # no forking once the server's threads run
            self._settled()
            self.state.finish(problems)

    def rebuild(self, kinds: set[ChangeKind], paths: frozenset[str] | None = None) -> None:
        """Called by the debouncer: redo as much as the kinds of change require. ``paths``:
        the files the watcher saw change (None: look at every file); an update then reads
        again only those of the event files, and ``check`` looks at every one a moment
        later."""
        output = self.config.output_path
        if kinds == {ChangeKind.OUTPUT} and _identity(output) == self.output:
            return  # the folder swapped in by our own last build
        self.state.begin()
        problems: list[str] = []
        try:
            if self.watcher:
                self.watcher.refresh()
            whole = self.broken or _identity(output) != self.output
            if ChangeKind.CONFIG in kinds:
                try:
                    self.config = self.load()
                except ContentError as exc:
                    problems = [str(p) for p in exc.problems]
                else:
                    whole = True
            elif ChangeKind.THEME in kinds:
                self.builder.forget_theme()
            if not problems and whole:
                self.builder.forget_everything(self.config)
                problems = self._attempt(self.builder.build)
                # It forgot what it had written: until a whole build succeeds, the next
                # one must be whole too (an update would not know what to remove).
                self.broken = self.broken or bool(problems)
            elif not problems:
                events = self.config.events_path
                only = None
                if paths is not None and kinds <= {ChangeKind.CONTENT, ChangeKind.STATIC}:
                    only = frozenset(p for p in paths if Path(p).is_relative_to(events))
                self.unchecked = only is not None
                # The pages open in a browser are made first, and reload once made.
                first = {output_file(path) for path in self.state.open_pages()}
                update = functools.partial(
                    self.builder.update, only=only, first=first, ready=self._ready
                )
                problems = self._attempt(update)
        except Exception as exc:  # anything _attempt let through: never end the session
            problems = self._failed(exc)
        finally:
            self._settled()
            self.state.finish(problems)

    def _ready(self, pending: frozenset[str]) -> None:
        """The open pages are made: they reload, and the rest of the update waits until
        they were served again (at most RELOAD_WAIT seconds), so that their requests do not
        wait for the interpreter behind it (30-60 ms at 10,000 events)."""
        self.state.ready(pending)
        self.state.wait_reloaded(RELOAD_WAIT)

    def check(self) -> None:
        """Called by the debouncer once things are quiet after an update that read only the
        event files the watcher named: if any other event file changed (the watcher missed
        it, or it changed through a link), build as if everything changed. A change that
        comes meanwhile stops the check: it would delay that change's build."""
        if not self.unchecked or self.debouncer is None:
            return
        missed = self.builder.collector.unnoticed(stop=self.debouncer.waiting)
        if missed is None:  # a change came meanwhile: it is built first, and checked after
            return
        self.unchecked = False
        if missed:
            self.debouncer.add(ChangeKind.CONTENT)

    def _settled(self) -> None:
        # The site's objects live as long as the server: keep the cyclic garbage collector
        # from walking all of them again after every rebuild.
        gc.freeze()
        self.output = _identity(self.config.output_path)

    def _attempt(self, step: Callable[[], BuildResult]) -> list[str]:
        started = time.perf_counter()
        self.builds += 1
        try:
            result = step()
        except ContentError as exc:
            lines = [str(p) for p in [*exc.problems, *exc.warnings]]
            for line in lines:
                self.report(line)
            self.report(f"Build failed ({plural(len(exc.problems), 'problem')}); serving the last "
                        "good site.")  # fmt: skip
            return lines
        except TimelineError as exc:  # e.g. a write refused or failed: start over next time
            self.broken = True
            self.report(f"Error: {exc}")
            return [str(exc)]
        except Exception as exc:
            return self._failed(exc)
        self.broken = False
        for warning in result.warnings:
            self.report(str(warning))
        pages = result.rendered
        elapsed = (time.perf_counter() - started) * 1000
        self.report(f"Built in {elapsed:.0f} ms ({plural(sum(pages.values()), 'page')} rendered)")
        return []

    def _failed(self, exc: Exception) -> list[str]:
        """An unexpected failure: its traceback in the terminal, a line in the page, and the
        next change builds everything again."""
        self.broken = True
        self.report("".join(traceback.format_exception(exc)).rstrip())
        line = f"{type(exc).__name__}: {exc}"
        self.report(f"Internal error while rebuilding ({line}); serving the last good site. "
                    "The next change rebuilds everything. Please report this.")  # fmt: skip
        return [f"Timeline failed while rebuilding: {line}. This is a bug in Timeline (the "
                "terminal shows where); the next change you save rebuilds everything."]

    def _output_missing(self) -> bool:
        """The served folder is gone (deleted by hand): build it again (False: not serving)."""
        if self.debouncer is None:
            return False
        self.debouncer.add(ChangeKind.OUTPUT)
        return True

    def start(self) -> None:
        """Build, then serve and watch in background threads."""
        self.first_build()
        self.debouncer = Debouncer(self.rebuild, idle=self.check)
        self.watcher = Watcher(self.config, self.debouncer.add)
        self.watcher.start()
        self.thread = threading.Thread(target=self.server.serve_forever, name="timeline-http",
                                       kwargs={"poll_interval": 0.2}, daemon=True)  # fmt: skip
        self.thread.start()

    def stop(self) -> None:
        """Stop watching and serving; wake every long poll so no thread is left behind."""
        if self.watcher:
            self.watcher.stop()
        if self.debouncer:
            self.debouncer.stop()
        self.state.close()
        if self.thread:  # shutdown() would wait forever for a loop that never started
            self.server.shutdown()
            self.thread.join(timeout=5)
        self.server.server_close()
