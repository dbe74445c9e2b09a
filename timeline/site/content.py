"""Collecting: read -> check -> index -> render Markdown, everything a site is made from.

``Collector.collect`` finds every problem before anything is written. Between two calls it
keeps what it read and rendered, so that ``timeline serve`` re-reads only the changed files,
patches the index when the events kept their places, and renders again only the bodies
whose Markdown, or the titles they link to, changed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

from timeline.config import Config, line_of
from timeline.errors import Problem, Problems
from timeline.packed import PackedTexts, map_packed
from timeline.parallel import map_shares
from timeline.progress import Progress
from timeline.reading.fields import did_you_mean
from timeline.reading.load import Corpus, ReadCache, load_corpus, unnoticed
from timeline.reading.model import Event, PageFile
from timeline.reading.pagefiles import load_pages
from timeline.site.branding import check_branding
from timeline.site.index import TimelineIndex, build_index, with_edited_events
from timeline.site.markdown import LinkMap, RenderedBody, render_body
from timeline.site.pages import MENU_VIEWS
from timeline.site.theme import static_files

EVENT_ROOT = "../../"  # from events/<slug>/ back to the site root
PAGE_ROOT = "../"  # from <slug>/, a page of the site's own


@dataclass(frozen=True)
class Content:
    """A validated timeline, ready to render: the index and every body as HTML."""

    index: TimelineIndex
    bodies: Mapping[str, str]  # HTML by slug
    summaries: dict[str, str]
    warnings: tuple[Problem, ...]
    links: LinkMap  # what bodies may link to
    index_problems: tuple[Problem, ...]  # what indexing found (kept when only bodies change)
    markdown: Mapping[str, str]  # each event's Markdown, by path
    pages: tuple[PageFile, ...] = ()  # the site's own pages, from pages/
    page_bodies: Mapping[str, str] = field(default_factory=dict)  # their HTML, by slug
    # The events whose file, or body, may differ from the last content's (None: any).
    edited: frozenset[str] | None = None


@dataclass(frozen=True)
class _Indexed:
    index: TimelineIndex
    problems: tuple[Problem, ...]
    links: LinkMap
    rebuilt: bool  # built anew (else patched: every event kept its place, or one moved)
    renamed: set[str]  # with a patched index: the events whose title changed
    edited: frozenset[str] | None = None  # patched, and only these events are new objects


class Collector:
    """Collects one project again and again, keeping what it read and rendered."""

    def __init__(
        self, config: Config, *, drafts: bool = False, strict: bool = False,
        progress: Progress | None = None,
    ) -> None:  # fmt: skip
        self.config = config
        self.drafts = drafts
        self.strict = strict
        self.progress = progress
        self.reads = ReadCache()
        # Each event's rendered body, by slug, with the event and Markdown it came from.
        self.bodies: dict[str, tuple[Event, str, RenderedBody]] = {}
        self.content: Content | None = None  # what the last successful collect found
        self.corpus: Corpus | None = None  # what the last collect read
        self.made_from: Corpus | None = None  # what the last successful collect read
        self.troubled = True  # whether a body of the last content had problems (or unknown)
        self.body_renders = 0
        self.index_builds = 0  # whole indexes built (an edit of bodies only patches the last)

    def collect(
        self, clock: Callable[[str], None], workers: int = 1, *, one_off: bool = False,
        keep: bool = False, only: Collection[str] | None = None,
    ) -> Content:  # fmt: skip
        """Read and check everything; raise ContentError listing all problems. ``clock``
        is called with the name of each step as it ends.

        ``one_off``: for a build that no update follows: the Markdown and rendered bodies
        are kept in a few shared buffers (see timeline.packed), and nothing is kept for a
        later update, unless ``keep``: then what ``unpack`` needs to make the update's
        state once the pages are written (the snapshot of the one-edit build).
        ``only``: the only event files that can have changed since the last call (see
        ``load_corpus``; ``unnoticed`` tells whether that held)."""
        if self.progress:
            self.progress.begin("Reading events")
        last = self.corpus
        corpus = self._read(workers, one_off, only)
        problems = corpus.problems
        clock("read")
        # The events read anew, when every other one is the same as in the last content.
        edited = None
        if corpus.edited is not None and last is not None and last is self.made_from:
            edited = [corpus.events[corpus.slots[rel]] for rel in sorted(corpus.edited)]
        indexed = self._index(corpus.events, edited)
        problems.extend(indexed.problems)
        clock("index")
        if self.progress:
            self.progress.begin("Rendering Markdown")
        before = self.content
        bodies, rendered, redone = self._render(indexed, corpus.markdown, workers, one_off)
        # Each body's problems, unless none had any last time and none of those redone has.
        clean = redone is not None and not self.troubled and not _troubled(rendered, redone)
        if not clean:
            for _, _, body in rendered.values():
                problems.extend(body.problems)
        pages, page_bodies = self._pages(corpus, indexed.links, problems)
        if redone is not None and before is not None:  # the others' are the last content's
            summaries = dict(before.summaries)
            summaries.update((slug, rendered[slug][2].first_paragraph) for slug in redone)
        else:
            summaries = {slug: body.first_paragraph for slug, (_, _, body) in rendered.items()}
        self.bodies = {} if one_off and not keep else rendered
        clock("markdown")
        problems.raise_if_errors(strict=self.strict)
        # Warnings by file and line, whether the index was built or patched in another order.
        warnings = tuple(sorted(problems.warnings))
        self.troubled = not clean and _troubled(rendered, rendered)
        self.content = Content(
            indexed.index, bodies, summaries, warnings, indexed.links, indexed.problems,
            corpus.markdown, pages, page_bodies, edited=redone,
        )  # fmt: skip
        self.made_from = corpus
        return self.content

    def unpack(self) -> None:
        """After a packed collect (``one_off`` and ``keep``), once the page workers are done
        (before the snapshot is saved, or an update): each event's Markdown and HTML out of
        the shared buffers, one string each, where the update looks for them."""
        content = self.content
        if content is None or not isinstance(content.markdown, PackedTexts):
            return  # not packed
        html = content.bodies
        markdown = {rel: content.markdown[rel] for rel in content.markdown}  # each decoded once
        self.reads.files = {
            rel: replace(parsed, markdown=markdown[rel]) if rel in markdown else parsed
            for rel, parsed in self.reads.files.items()
        }  # fmt: skip
        self.bodies = {
            slug: (event, markdown[event.path], replace(body, html=html[slug]))
            for slug, (event, _, body) in self.bodies.items()
        }  # fmt: skip
        self.content = replace(
            content, bodies={slug: body.html for slug, (_, _, body) in self.bodies.items()},
            markdown={event.path: text for event, text, _ in self.bodies.values()},
        )  # fmt: skip

    def unnoticed(self, stop: Callable[[], bool] = lambda: False) -> bool | None:
        """Whether an event file or the bibliography changed since the last collect read
        them (one that a collect given ``only`` paths did not look at); None if ``stop``
        said to stop first."""
        return unnoticed(self.config.root, self.config.events_path, self.reads, stop)

    def _read(self, workers: int, one_off: bool, only: Collection[str] | None) -> Corpus:
        """Every event file (the changed ones read again), checked on its own and against
        the static folder."""
        config = self.config
        corpus = load_corpus(
            config.root, config.events_path, drafts=self.drafts, cache=self.reads,
            workers=workers, pack_markdown=one_off, only=only, last=self.corpus,
        )  # fmt: skip
        self.corpus = corpus  # what the read cache now holds, even if the content is refused
        problems = corpus.problems
        if not corpus.events and not problems.errors:
            problems.warn(config.events_dir, 0, "", "no event files found; the site will be empty")
        static_files(config, problems)  # a FIFO or device there is named, never read
        check_branding(config, problems)  # the files it names, its colours' contrast
        for event in corpus.events:
            image = event.image
            if image and not image.external and not (config.static_path / image.src).is_file():
                problems.error(
                    event.path, image.line, "image.src",
                    f"{image.src!r} is not a file in {config.static_dir}/; put the image there",
                )  # fmt: skip
            media = event.media
            if media and not media.external and not (config.static_path / media.url).is_file():
                problems.error(
                    event.path, media.line, "media.url",
                    f"{media.url!r} is not a file in {config.static_dir}/; put it there",
                )  # fmt: skip
        return corpus

    def _pages(
        self, corpus: Corpus, links: LinkMap, problems: Problems
    ) -> tuple[tuple[PageFile, ...], dict[str, str]]:
        """The site's own pages, each read and rendered on every call (they are few), and
        the menu's names checked against them."""
        found = load_pages(self.config, corpus.bibliography, problems)
        bodies = {}
        for page, text in found:
            rendered = render_body(
                page, text, links, allow_html=self.config.allow_html, root=PAGE_ROOT,
                citation_label=self.config.words("event.citation"),
            )  # fmt: skip
            problems.extend(rendered.problems)
            bodies[page.slug] = rendered.html
        pages = tuple(page for page, _ in found)
        slugs = [page.slug for page in pages]
        known = [*MENU_VIEWS, *slugs]
        where = self.config.config_file or "timeline.toml"
        for name in self.config.menu:
            if name not in known:
                problems.error(
                    where, line_of(self.config.root, self.config.config_file, "menu"), "menu",
                    f"{name!r} is neither a view nor a page{did_you_mean(name, known)} (the "
                    f"views: {', '.join(MENU_VIEWS)}; the pages: {', '.join(slugs) or 'none'})",
                )  # fmt: skip
        return pages, bodies

    def _index(self, events: Sequence[Event], edited: Sequence[Event] | None) -> _Indexed:
        """The index of the events: the last one patched when every event kept its place
        (or one moved in time), else built anew; with what links may point to. ``edited``:
        the only events that are not the last content's own (None: any can be new)."""
        before = self.content
        index = with_edited_events(before.index, events, edited) if before else None
        titles: dict[str, str]
        if before is None or index is None:  # a first build, or events added or refiled
            found = Problems()
            index = build_index(events, found)
            self.index_builds += 1
            titles = {slug: event.title for slug, event in index.by_slug.items()}
            paths = {event.path: slug for slug, event in index.by_slug.items()}
            return _Indexed(index, tuple(found), LinkMap(titles, paths), True, set())
        # Every link resolves as before; those to a renamed event show its new title.
        links = before.links
        if edited is not None:
            renamed = {e.slug for e in edited if links.titles[e.slug] != e.title}
            if renamed:
                titles = {**links.titles, **{slug: index.by_slug[slug].title for slug in renamed}}
                links = LinkMap(titles, links.paths)
            slugs = frozenset(e.slug for e in edited)
            return _Indexed(index, before.index_problems, links, False, renamed, slugs)
        titles = {slug: event.title for slug, event in index.by_slug.items()}
        renamed = set()
        if titles != links.titles:
            renamed = {slug for slug, title in titles.items() if links.titles[slug] != title}
            links = LinkMap(titles, links.paths)
        return _Indexed(index, before.index_problems, links, False, renamed)

    def _render(
        self, indexed: _Indexed, markdown: Mapping[str, str], workers: int, one_off: bool
    ) -> tuple[
        Mapping[str, str], dict[str, tuple[Event, str, RenderedBody]], frozenset[str] | None
    ]:  # fmt: skip
        """Every body as HTML by slug, each event's rendered body by slug (rendered again
        only where its event, its Markdown or what it links to changed), and when known,
        the only events whose entry may differ from the last call's."""
        events, links = indexed.index.events, indexed.links

        def valid(event: Event) -> bool:
            cached = self.bodies.get(event.slug)
            if cached is None or not (cached[0] is event or cached[0] == event):
                return False
            if cached[1] != markdown[event.path]:
                return False
            if indexed.rebuilt:
                return cached[2].still_valid(links)
            return indexed.renamed.isdisjoint(cached[2].titled)

        label = self.config.words("event.citation")

        def render(event: Event) -> RenderedBody:
            text = markdown[event.path]
            return render_body(
                event, text, links, allow_html=self.config.allow_html, root=EVENT_ROOT,
                citation_label=label,
            )  # fmt: skip

        def without_html(rendered: RenderedBody) -> tuple[RenderedBody, str]:
            return replace(rendered, html=""), rendered.html

        before = self.content
        if indexed.edited is not None and not one_off and before is not None:
            return self._render_edited(indexed, markdown, before, workers, valid, render)
        html: Mapping[str, str] | None = None
        if one_off:  # nothing cached or kept: every body rendered, straight into chunks
            todo: Sequence[Event] = events
            done, html = map_packed(render, todo, workers, key=lambda e: e.slug, split=without_html)
        else:
            todo = [event for event in events if not valid(event)]
            done = map_shares(render, todo, workers)
        fresh = dict(zip([e.slug for e in todo], done, strict=True))
        self.body_renders += len(todo)
        kept = self.bodies

        def entry(e: Event) -> tuple[Event, str, RenderedBody]:
            text = "" if one_off else markdown[e.path]  # packed: in its buffers until unpack
            if e.slug in fresh:
                return e, text, fresh[e.slug]
            old = kept[e.slug]
            # The very entry where nothing in it changed: the snapshot's shard holding it
            # is then not written again (see timeline.shards).
            return old if old[0] is e and old[1] is text else (e, text, old[2])

        rendered = {e.slug: entry(e) for e in events}
        if html is None:
            html = {slug: body.html for slug, (_, _, body) in rendered.items()}
        return html, rendered, None

    def _render_edited(
        self, indexed: _Indexed, markdown: Mapping[str, str], before: Content, workers: int,
        valid: Callable[[Event], bool], render: Callable[[Event], RenderedBody],
    ) -> tuple[
        Mapping[str, str], dict[str, tuple[Event, str, RenderedBody]], frozenset[str]
    ]:  # fmt: skip
        """``_render`` for a patched index where only ``indexed.edited`` are new events: the
        last call's bodies with theirs, and those of the bodies linking to a renamed event,
        swapped in, without a look at every event (40-50 ms at 10,000, on every save)."""
        index, kept = indexed.index, self.bodies
        slugs = set(indexed.edited or ())
        if indexed.renamed:  # the bodies naming a renamed event, by its title
            slugs |= {s for s, (_, _, body) in kept.items() if not indexed.renamed.isdisjoint(
                body.titled)}  # fmt: skip
        events = sorted((index.by_slug[s] for s in slugs), key=lambda e: index.position[e.slug])
        todo = [event for event in events if not valid(event)]
        done = map_shares(render, todo, workers)
        self.body_renders += len(todo)
        fresh = dict(zip([e.slug for e in todo], done, strict=True))
        rendered = dict(kept)
        html = dict(before.bodies)
        for e in events:
            body = fresh[e.slug] if e.slug in fresh else kept[e.slug][2]
            rendered[e.slug] = (e, markdown[e.path], body)
            html[e.slug] = body.html
        return html, rendered, frozenset(slugs)


def _troubled(
    rendered: Mapping[str, tuple[Event, str, RenderedBody]], slugs: Collection[str]
) -> bool:
    """Whether the body of one of these events has a problem."""
    return any(rendered[slug][2].problems for slug in slugs)
