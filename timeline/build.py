"""The build pipeline: collect (read, index, render Markdown: ``site.content``) -> render
pages -> write site/.

Every check runs before anything is written, so a build with errors leaves the previous site
untouched. ``Builder.build`` renders every page on every core and commits them at the end
(see ``site.publication``); ``Builder.update`` is what ``timeline serve`` runs on a change: it
re-reads only changed files and re-renders only the pages whose content changed.
"""

from __future__ import annotations

import functools
import time
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from pathlib import Path

from timeline import cache, files, snapshot
from timeline.config import Config
from timeline.errors import Problem, Severity
from timeline.memory import release_free_memory
from timeline.parallel import cores, few_collections, in_parts
from timeline.progress import Progress
from timeline.site import pages
from timeline.site import search as search_index
from timeline.site.content import Collector, Content
from timeline.site.datapatch import Layout, Placement
from timeline.site.output import (
    check_replaceable,
    remove_file,
    replace_file,
    write_error,
)
from timeline.site.pages import Page
from timeline.site.pages import path as page_file
from timeline.site.plan import Unplanned
from timeline.site.plan import plan as plan_update
from timeline.site.publication import Publication
from timeline.site.render import PageSpec, Renderer
from timeline.site.schedule import schedule
from timeline.site.shares import render_page, write_share
from timeline.site.siteview import SiteView
from timeline.site.statics import UNTRUSTED, Stamp, static_stamps
from timeline.site.templating import Environment
from timeline.site.theme import (
    make_environment,
    static_files,
    theme_folders,
)
from timeline.site.views import Views

SMALL_SITE = 200  # pages: fewer are made in one process


@dataclass(frozen=True)
class BuildResult:
    """What a build did, for the summary line and for tests."""

    events: int
    pages: int
    output: Path
    warnings: tuple[Problem, ...]
    rendered: dict[str, int] = field(default_factory=dict)  # template -> pages rendered
    written: tuple[str, ...] = ()  # output files whose bytes changed (incremental builds)
    deleted: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step
    up_to_date: bool = False  # nothing to do: inputs and output as the last build left them
    patched: bool = False  # the last build's snapshot updated and swapped in (the one-edit build)
    stats: cache.Stats = field(default_factory=dict)  # every file built: (size, mtime)
    inputs: dict[str, bytes] = field(default_factory=dict)  # event file -> digest as read
    read: cache.Read = field(default_factory=dict)  # event file -> stamp, time, digest as read
    searched: str | None = None  # the search index's fingerprint (search.fingerprint)


class Builder:
    """Builds one project again and again, redoing only what a change affects."""

    def __init__(
        self, config: Config, *, drafts: bool = False, strict: bool = False, workers: int = 1,
        progress: Progress | None = None, data_files: bool = True, search: bool = False,
        remember: bool = False, keep: bool = False,
    ) -> None:  # fmt: skip
        self.config = config
        self.data_files = data_files  # serve leaves the publishing-only data files out
        self.search = search  # pages carry the search box, and build() makes the index
        self.drafts = drafts
        self.strict = strict
        self.workers = workers  # processes for build(); update() always runs in-process
        # Keep every page's spec after build() for update() to compare with (serve); a
        # single process keeps them anyway.
        self.remember = remember
        # Keep what was read and rendered after build(), but not the specs (workers made
        # them): for the snapshot the next `timeline build` updates from (timeline.snapshot).
        self.keep = keep
        # An update that cannot plan raises Unplanned instead of describing every page (the
        # one-edit build, which kept no specs to compare with: it then builds from nothing).
        self.planned_only = False
        self.progress = progress
        self.last_search: str | None = None  # fingerprint of the index in the output
        self.described = 0  # pages described by updates (to compare with the last render)
        self.timings: dict[str, float] = {}  # seconds per step of the last build
        self._start_over()

    def _start_over(self) -> None:
        """Forget everything read, rendered and written before."""
        self.collector = Collector(
            self.config, drafts=self.drafts, strict=self.strict, progress=self.progress
        )  # fmt: skip
        self.env: Environment | None = None
        self.previous: dict[str, PageSpec] = {}  # output file -> spec it was rendered from
        # The next update renders every page (the theme changed, an update failed).
        self.everything = False
        self.keys: list[Page] = []  # every page of the last build or update
        self.statics: dict[str, Stamp] = {}
        self.views: Views | None = None  # the last renderer's
        self.site: SiteView | None = None  # the last renderer's site-wide values
        self.layouts: dict[str, Layout] = {}  # the data files as updates last wrote them
        # Where the last build's workers put each event's item in the data files, for the
        # snapshot's layouts (an update's layouts replace them).
        self.placed: dict[str, Placement] = {}

    def _clock(self) -> Callable[[str], None]:
        """Returns a function recording the time since the previous call under a name."""
        last = [time.perf_counter()]

        def lap(name: str) -> None:
            now = time.perf_counter()
            self.timings[name] = now - last[0]
            last[0] = now

        return lap

    def forget_theme(self) -> None:
        """Templates or static files changed: recompile templates, re-render every page and
        copy every static file again. What was written is not forgotten: the next update
        still removes the pages and files that are gone (even after failed updates)."""
        self.env = None
        self.everything = True
        self.statics = dict.fromkeys(self.statics, UNTRUSTED)

    def forget_everything(self, config: Config) -> None:
        """The config changed: start again from nothing."""
        self.config = config
        self._start_over()

    def collect(self, workers: int = 1, *, one_off: bool = False) -> Content:
        """Read and check everything (see ``site.content``); raise ContentError listing all
        problems."""
        return self.collector.collect(self._clock(), workers, one_off=one_off, keep=self.keep)

    def renderer(self, content: Content, before: Content | None = None) -> Renderer:
        """A renderer of ``content``; with the content last rendered (``before``), the list
        entries of events that did not change are kept from that render."""
        changed = None
        if self.env is None:
            self.env = make_environment(self.config, kept=True)
        elif before is not None and content.edited is not None:  # the others are as before
            old, summaries, new = before.index.by_slug, before.summaries, content.index.by_slug
            changed = {slug for slug in content.edited if old[slug] is not new[slug]
                       or summaries[slug] != content.summaries[slug]}  # fmt: skip
        elif before is not None:
            old, summaries = before.index.by_slug, before.summaries
            changed = {
                slug for slug, event in content.index.by_slug.items()
                if old.get(slug) is not event or summaries.get(slug) != content.summaries[slug]
            } | (old.keys() - content.index.by_slug.keys())  # fmt: skip
        before_views = self.views if changed is not None else None
        views = Views(
            self.config, content.index, content.summaries, before=before_views, changed=changed
        )
        self.views = views
        renderer = Renderer(
            self.config, self.env, content.index, views, content.bodies, content.markdown,
            data_files=self.data_files, search=self.search, changed=changed,
            own_pages=content.pages, page_bodies=content.page_bodies,
            site_before=self.site,
        )  # fmt: skip
        self.site = renderer.site
        return renderer

    def build(self) -> BuildResult:
        """A whole new site, made in a staging folder and swapped in for the old one at the
        end (see ``site.publication``): nothing changes unless every page was made."""
        with few_collections():
            return self._build()

    def _build(self) -> BuildResult:
        # Serve keeps everything for its updates; any other parallel build packs Markdown
        # sources and bodies so that the page workers do not each copy them (at 100,000
        # events, 1 GB of the peak); the snapshot's save unpacks them (Collector.unpack).
        one_off = self.workers > 1 and not self.remember
        if one_off and self.collector.content is not None:
            self._start_over()  # packed, it reads every file again: nothing to keep
        content = self.collect(self.workers, one_off=one_off)
        output = self.config.output_path
        check_replaceable(output)
        renderer = self.renderer(content)
        keys = renderer.keys()
        statics = static_files(self.config)
        stamps = static_stamps(statics)  # before the copies: a later save shows as a new stamp

        # A small site is made faster in one process than by starting workers.
        workers = self.workers if len(keys) >= SMALL_SITE else 1
        plan = schedule(keys, renderer.cost, workers) if workers > 1 else [keys]
        clock = self._clock()
        with Publication(output, self.config.cache_path) as publication:
            folder, previous = publication.staging, publication.previous

            write_part = functools.partial(
                write_share, renderer, plan, folder, previous, statics,
                search=self.search, allow_html=self.config.allow_html, progress=self.progress,
            )  # fmt: skip

            if self.progress:
                self.progress.begin("Writing pages", len(keys))
            try:
                tick = self.progress.tick if self.progress else None
                results = in_parts(write_part, len(plan), workers, tick=tick)
            except OSError as exc:  # a full or read-only disk, say
                raise write_error(exc) from None
            clock("pages")
            if self.search:
                if self.progress:
                    self.progress.begin("Building the search index")
                searched = {rel: d for r in results for rel, d in r.searched.items()}
                made = search_index.make_index(folder, searched, previous, self.last_search)
                self.timings["search kept" if made.kept else "search"] = made.seconds
                clock = self._clock()
            publication.publish()
            clock("publish")
        counter = sum((r.rendered for r in results), Counter())
        changed = [rel for r in results for rel in r.changed]
        self.previous = {spec.path: spec for r in results for spec in r.specs}
        self.keys = keys
        if self.remember and len(results) > 1:  # the workers' specs stayed in the workers
            self.previous = {spec.path: spec for spec in map(renderer.spec, keys)}
        self.statics = stamps
        self.placed = {kind: found for r in results for kind, found in r.placed.items()}
        stats = {rel: stat for r in results for rel, stat in r.stats.items()}
        if self.search:
            stats.update(cache.output_stats(output, search_index.FOLDER))
        inputs, read = self.collector.reads.recorded()
        if one_off and not self.keep:  # nothing to update from: forget it
            self._start_over()
        return BuildResult(
            len(content.index.events), len(keys), output, content.warnings, dict(counter),
            tuple(sorted(changed)), (), dict(self.timings), stats=stats, inputs=inputs,
            read=read, searched=made.fingerprint if self.search else None,
        )  # fmt: skip

    def update(
        self, into: Path | None = None, only: Collection[str] | None = None, *,
        first: Collection[str] = (), ready: Callable[[frozenset[str]], None] | None = None,
    ) -> BuildResult:  # fmt: skip
        """Bring an existing output folder (or ``into``, a copy of it) up to date, touching
        only what changed (``only``: the only event files that can have changed, see
        ``Collector.collect``). An update that knows which pages can change makes those
        written to the files ``first`` (pages open in a browser) before the others, then
        calls ``ready`` with the files it has still to write or remove.

        Used while serving: the server holds requests while this runs (once ready, only
        those for the files still to come), so readers never see a half-updated site; each
        file is replaced atomically. The one-edit build updates a copy of the site, then
        swaps it in (see ``timeline.snapshot``).
        """
        before = self.collector.content
        try:
            with few_collections():
                result = self._update(into or self.config.output_path, only, first, ready)
        except BaseException:
            if self.collector.content is not before:
                # Read and checked, then failed while making the pages (a template error
                # that only this content meets, a write): the output may hold some of them,
                # and the next update plans from this content: it describes every page.
                self.everything = True
            raise
        release_free_memory()  # what the update freed, for a process that serves for hours
        return result

    def _update(
        self, output: Path, only: Collection[str] | None, first: Collection[str],
        ready: Callable[[frozenset[str]], None] | None,
    ) -> BuildResult:  # fmt: skip
        self.collector.unpack()  # after a packed build (``keep``): the texts an update reads
        self.placed = {}  # of the build's data files, which this update may rewrite
        before = self.collector.content
        self.timings = {}
        clock = self._clock()
        content = self.collector.collect(clock, only=only)
        renderer = self.renderer(content, before)
        counter: Counter[str] = Counter()
        written: list[str] = []
        everything = self.everything
        plan = None if everything else plan_update(
            before, content, self.previous, renderer, self.keys,
            feeds=bool(self.config.base_url), data=self.data_files,
        )  # fmt: skip
        if plan is None and self.planned_only:
            raise Unplanned
        keys = renderer.keys() if plan is None else self.keys
        statics = static_files(self.config)
        stamps = static_stamps(statics)  # before the copies: a later save shows as a new stamp
        copies = [rel for rel in statics
                  if stamps[rel] == UNTRUSTED or self.statics.get(rel) != stamps[rel]
                  or not (output / rel).is_file()]  # fmt: skip
        gone = set(self.statics) - set(statics)
        # A planned update knows every file it can change: the open pages are made first,
        # then the site may serve everything but the files still to come.
        early: list[Page] = []
        rest = keys if plan is None else plan
        signal = plan is not None and bool(first) and ready is not None
        if signal:
            opened = {key for key in rest if page_file(key) in first}
            if any(isinstance(key, pages.Home | pages.Story | pages.Embed) for key in opened):
                opened.update(key for key in rest if isinstance(key, pages.Shared))  # they load
            early = [key for key in rest if key in opened]
            rest = [key for key in rest if key not in opened]
        clock("plan")
        specs: dict[str, PageSpec] = {} if plan is None else dict(self.previous)

        def make(key: Page) -> None:
            spec = renderer.spec(key)
            self.described += 1
            specs[spec.path] = spec
            same = not everything and self.previous.get(spec.path) == spec
            if same and (output / spec.path).is_file():
                return
            counter[spec.template] += 1
            if spec.template == "@data":  # only the changed events' items encoded again
                wrote = renderer.replace_data(output, spec, self.layouts)
            else:
                wrote = replace_file(output, spec.path, render_page(renderer, spec).encode("utf-8"))
            if wrote:
                written.append(spec.path)

        # The static files first (a few small files): the open pages then name each by its
        # bytes' digest at once (see serving.versions) instead of as a file still to come.
        for rel in copies:
            if replace_file(output, rel, files.read_regular(statics[rel])):
                written.append(rel)
        for key in early:
            make(key)
        if signal and ready is not None:
            ready(frozenset([*map(page_file, rest), *gone]))
        for key in rest:
            make(key)
        clock("pages")
        stale = (set(self.previous) | set(self.statics)) - set(specs) - set(statics)
        for rel in sorted(stale):
            remove_file(output, rel)
        self.previous, self.keys, self.everything = specs, keys, False
        self.statics = stamps
        clock("static")
        return BuildResult(
            len(content.index.events), len(specs), output, content.warnings, dict(counter),
            tuple(written), tuple(sorted(stale)), dict(self.timings),
        )  # fmt: skip


def build(
    config: Config, *, drafts: bool = False, strict: bool = False, use_cache: bool = True,
    progress: Progress | None = None, search: bool = True, checked: bool = False,
) -> BuildResult:  # fmt: skip
    """Build the site into ``config.output_path`` on every core, unless the cache shows that
    nothing changed since the last build (``use_cache=False`` builds regardless; ``checked``:
    the caller has just asked ``cache.last_build``, which found something changed)."""
    started = time.perf_counter()
    options = cache.build_options(drafts=drafts, strict=strict, search=search)
    theme = theme_folders(config)
    if use_cache and not checked and (last := cache.skip_build(config, options)):
        elapsed = {"cache check": time.perf_counter() - started}
        return BuildResult(last["events"], last["pages"], config.output_path, (),
                           timings=elapsed, up_to_date=True)  # fmt: skip
    fixed = cache.fixed_inputs(config, options, theme)  # as they are when the build starts
    # Without search, what an update needs is kept for the next build (timeline.snapshot).
    make_builder = functools.partial(Builder, config, drafts=drafts, strict=strict,
                                     workers=cores(), progress=progress, search=search,
                                     keep=not search)  # fmt: skip
    valid_for = snapshot.key(config, options, theme) if not search else ""
    patched = None
    if use_cache and not search:
        patched = snapshot.patch(config, options, valid_for, fixed, make_builder)
    if patched is not None:
        return replace(patched, timings={**patched.timings,
                                         "total": time.perf_counter() - started})  # fmt: skip
    builder = make_builder()
    builder.last_search = cache.last_search(config) if use_cache else None
    result = builder.build()
    # Keyed by the event files as they were read for this build, not as they are now.
    key = cache.inputs_key(config, options, theme, result.inputs, fixed)
    if why := cache.record(config, key, result.events, result.pages, result.stats,
                           result.searched, result.read):  # fmt: skip
        warning = Problem(config.cache_dir, 0, "", why, Severity.WARNING)
        result = replace(result, warnings=(*result.warnings, warning))
    elif not search:
        snapshot.save(config, builder, valid_for, result.stats)
    else:
        snapshot.discard(config)
    return result
