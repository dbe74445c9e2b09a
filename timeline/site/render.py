"""Pages from templates: what each page of the site is (``Renderer.keys``), what it shows
(``Renderer.spec``: its template and context) and its HTML (``Renderer.render``). The theme
itself, its environment and static files are ``site.theme``'s.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO

from markupsafe import Markup

from timeline.config import Config
from timeline.reading.model import PageFile, Taxonomy
from timeline.site import datapatch, exports, feeds, pages
from timeline.site.datapatch import Layout
from timeline.site.index import NEIGHBOURS, TimelineIndex
from timeline.site.overview import Overview, overview
from timeline.site.pages import Page
from timeline.site.paging import PAGE_SIZE, page_count, paginate
from timeline.site.siteview import SiteView, site_view
from timeline.site.story import StoryView, story_view
from timeline.site.templating import Environment
from timeline.site.theme import ENTRIES, Entries
from timeline.site.viewmodels import YearCount
from timeline.site.views import TAXONOMIES, Views, event_url, term_url, year_label, year_url

# Data files are written by Python, not templates: their formats are not the theme's business.
_DATA: dict[str, Callable[[dict[str, Any]], str]] = {
    "@sitemap": lambda c: feeds.sitemap(c["urls"]),
    "@robots": lambda c: feeds.robots(c["sitemap"]),
    "@shared": lambda c: c["text"],
}
# The global each shared script sets (see pages.Shared, static/chart-view.js, story.js).
_SHARED_NAMES = {"overview": "timelineOverview", "story": "timelineStory"}

@dataclass(frozen=True)
class PageSpec:
    """One output file before rendering: its path, template and view context.

    The context holds only frozen view objects and plain values, so two specs for the same
    path compare equal exactly when the page would render the same: an incremental build
    re-renders only pages whose spec changed.
    """

    path: str  # output file, e.g. "events/x/index.html"
    template: str
    context: dict[str, Any]


def lists_events(index: TimelineIndex) -> bool:
    """Whether the index page lists every event (else only the years, for a large timeline,
    whose whole-timeline data goes to scripts of their own: see ``pages.Shared``)."""
    return len(index.events) <= PAGE_SIZE


def shared_script(kind: str, data: str) -> str:
    """The text of a shared script setting its global to ``data`` (JSON, ``<`` escaped):
    U+2028 and U+2029 escaped too, which scripts before ECMAScript 2019 refuse in strings."""
    data = data.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window.{_SHARED_NAMES[kind]} = {data};\n"


def shared_url(kind: str, data: str) -> str:
    """Where a shared script is, relative to the site's root, with a digest of its text: a
    browser that kept the last one asks for the new one."""
    text = shared_script(kind, data).encode("utf-8")
    digest = hashlib.blake2b(text, digest_size=6).hexdigest()
    return f"{pages.path(pages.Shared(kind))}?v={digest}"


def _on_page(events: int, number: int) -> int:
    """How many of a list's events are on its page ``number``."""
    return min(PAGE_SIZE, events - (number - 1) * PAGE_SIZE)


class Renderer:
    """Describes every page of the site from the index and views, and renders specs."""

    def __init__(
        self, config: Config, env: Environment, index: TimelineIndex, views: Views,
        bodies: Mapping[str, str], markdown: Mapping[str, str], *, data_files: bool = True,
        search: bool = False, changed: set[str] | None = None,
        own_pages: Sequence[PageFile] = (), page_bodies: Mapping[str, str] | None = None,
        site_before: SiteView | None = None,
    ) -> None:  # fmt: skip
        """``bodies``: HTML by slug; ``markdown``: Markdown by event path (timeline.json);
        ``changed``: the events whose list entries may differ from the last render's (None:
        any of them; a first build); ``own_pages``: the site's own pages, with their HTML by
        slug in ``page_bodies``; ``site_before``: the last render's site-wide values, kept
        if these are the same (serve keeps the specs of pages an update did not make again:
        each new copy would stay alive in them, about 1 KB an update)."""
        self.config = config
        self.words = config.words
        self.data_files = data_files  # timeline.json and timelinejs.json: for publishing
        self._build = object()
        self.env = env
        self.index = index
        self.views = views
        self.bodies = bodies
        self.markdown = markdown
        self.own_pages = {page.slug: page for page in own_pages}
        self.page_bodies = page_bodies or {}
        site = site_view(config, own_pages, len(index.events), search=search)
        self.site = site_before if site == site_before else site
        self.forget_entries(changed)  # entries rendered for the last build may have changed

    def forget_entries(self, slugs: set[str] | None = None) -> None:
        """Drop the list entries rendered so far of these events (None: of every event, as
        a worker done with one kind of page does)."""
        for name in ENTRIES:
            entries = self.env.globals[name]
            assert isinstance(entries, Entries)
            entries.forget(slugs)

    def _spec(self, template: str, path: str, **context: Any) -> PageSpec:
        """A page at URL ``path`` (relative to the site root) rendered from ``template``."""
        root = "../" * path.count("/") if path != "404.html" else self.config.base_path
        canonical = self.config.base_url + path if self.config.base_url else None
        context.update(site=self.site, root=root, path=path, canonical=canonical)
        return PageSpec(pages.output_file(path), template, context)

    def render(self, spec: PageSpec) -> str:
        """A page's text: from a theme template, or for data files from Python."""
        if spec.template == "@data":
            kind = str(spec.context["kind"])
            return exports.export(
                kind, self.config, self.index, self.views, self.bodies, self.markdown
            )
        if spec.template in ("@atom", "@json"):  # each entry's text is made once a build
            feed: feeds.Feed = spec.context["feed"]
            if spec.template == "@atom":
                return feeds.atom(feed, map(self.feed_entries.atom, feed.entries))
            return feeds.json_feed(feed, map(self.feed_entries.json, feed.entries))
        if spec.template.startswith("@"):
            return _DATA[spec.template](spec.context)
        return self.env.render_template(spec.template, spec.context)

    def write_data(self, spec: PageSpec, handle: BinaryIO) -> tuple[int, int, array[int]]:
        """Stream a whole-timeline data file (see exports) instead of building it as a str,
        noting where each event's item lies (see ``datapatch.write``)."""
        kind = str(spec.context["kind"])
        shape = exports.shape(
            kind, self.config, self.index, self.views, self.bodies, self.markdown
        )  # fmt: skip
        return datapatch.write(handle, shape, self.index.events)

    def replace_data(self, output: Path, spec: PageSpec, layouts: dict[str, Layout]) -> bool:
        """Bring a whole-timeline data file of ``output`` up to date, encoding again only the
        items of the events whose inputs changed since the file ``layouts`` describes (see
        ``site.datapatch``; the layout is updated); returns whether the file was written."""
        kind = str(spec.context["kind"])
        shape = exports.shape(
            kind, self.config, self.index, self.views, self.bodies, self.markdown
        )  # fmt: skip
        changed, layouts[kind] = datapatch.replace(
            output, spec.path, shape, self.index.events, layouts.get(kind)
        )  # fmt: skip
        return changed

    def keys(self) -> list[Page]:
        """Every page of the site, in a fixed order (a worker renders a share)."""
        index = self.index
        keys: list[Page] = [pages.Home()]
        keys += [pages.EventPage(e.slug) for e in index.events]
        keys += [pages.Alias(alias) for alias in sorted(index.aliases)]
        keys.append(pages.Years())
        for year, events in index.years.items():
            keys += [pages.YearPage(year, n) for n in range(1, page_count(len(events)) + 1)]
        for taxonomy in TAXONOMIES:
            keys.append(pages.Terms(taxonomy))
            for term in index.terms[taxonomy]:
                count = page_count(len(term.events))
                keys += [pages.TermPage(taxonomy, term.slug, n) for n in range(1, count + 1)]
        keys += [pages.SourcesPage(n) for n in range(1, len(self.views.source_bounds) + 1)]
        keys += [pages.OwnPage(slug) for slug in self.own_pages]
        keys += [pages.Story(), pages.Embed()]
        if not lists_events(index):
            keys += [pages.Shared("overview"), pages.Shared("story")]
        keys.append(pages.NotFound())
        if self.config.base_url:  # feeds and the sitemap need absolute URLs
            keys += [pages.Feed(kind) for kind in ("atom", "json")]
            for term in index.terms[Taxonomy.TAGS]:
                keys += [pages.Feed(kind, term.slug) for kind in ("atom", "json")]
            keys.append(pages.Sitemap())
        keys.append(pages.Robots())
        keys.append(pages.Words())
        if self.data_files:
            keys += [pages.DataFile("json"), pages.DataFile("timelinejs")]
        return keys

    def cost(self, page: Page) -> float:
        """A rough cost of rendering a page, in event pages (measured at 10,000 events), for
        spreading pages evenly over workers."""
        match page:
            case pages.YearPage(year, number):
                return 1 + 0.25 * _on_page(len(self.index.years[year]), number)
            case pages.TermPage(taxonomy, slug, number):
                events = self.index.term(taxonomy, slug).events
                return 1 + 0.077 * _on_page(len(events), number)
            case pages.Home():
                count = len(self.index.events)
                return 1 + 0.25 * count if count <= PAGE_SIZE else 5
            case pages.SourcesPage():
                return 26.0
            case pages.Feed():
                return 4.0
            case pages.DataFile():
                return 0.145 * len(self.index.events)
            case pages.Story() | pages.Embed():  # the overview and the names of every event
                return 2 + 0.02 * len(self.index.events)
            case pages.Shared():
                return 1 + 0.002 * len(self.index.events)
            case _:
                return 1.0

    def specs(self) -> Iterator[PageSpec]:
        return (self.spec(key) for key in self.keys())

    def spec(self, page: Page) -> PageSpec:
        """The spec of one page: what it is made from."""
        match page:
            case pages.Home():
                return self.home()
            case pages.EventPage(slug):
                return self.event(slug)
            case pages.Alias(alias):
                event = self.index.aliases[alias]
                return self._spec("redirect.html", event_url(alias),
                                  target=event_url(event.slug), title=event.title)  # fmt: skip
            case pages.Years():
                return self._spec("years.html", "years/", years=self.year_counts,
                                  title=self.words("nav.years"))  # fmt: skip
            case pages.YearPage(year, number):
                return self.year(year, number)
            case pages.Terms(taxonomy):
                return self.terms(taxonomy)
            case pages.TermPage(taxonomy, slug, number):
                return self.term(taxonomy, slug, number)
            case pages.SourcesPage(number):
                return self.sources(number)
            case pages.OwnPage(slug):
                own = self.own_pages[slug]
                sources = tuple(self.views.source(n, s) for n, s in enumerate(own.sources, 1))
                body = Markup(self.page_bodies[slug])
                return self._spec("page.html", f"{slug}/", title=own.title, body=body,
                                  sources=sources)  # fmt: skip
            case pages.Feed(kind, tag):
                return self.feed(kind, tag)
            case pages.DataFile(kind):
                # Never equal to the last build's spec: these files hold the whole timeline.
                return PageSpec(pages.path(page), "@data", {"kind": kind, "build": self._build})
            case pages.Sitemap():
                return PageSpec(pages.path(page), "@sitemap", {"urls": self.sitemap_urls()})
            case pages.Robots():
                base = self.config.base_url
                return PageSpec(pages.path(page), "@robots",
                                {"sitemap": base and base + "sitemap.xml"})  # fmt: skip
            case pages.Shared(kind):
                if kind == "overview":
                    data = self.whole_chart.data if self.whole_chart else "null"
                else:
                    data = self.story_parts[0].data
                return PageSpec(pages.path(page), "@shared", {"text": shared_script(kind, data)})
            case pages.Words():
                return PageSpec(pages.path(page), "words.js",
                                {"words": Markup(self.config.words.script_json)})  # fmt: skip
            case pages.NotFound():
                return self._spec("404.html", "404.html", title=self.words("not_found.title"))
            case pages.Story() | pages.Embed():
                return self.story(embed=isinstance(page, pages.Embed))

    def feed(self, kind: str, tag: str) -> PageSpec:
        """The site's feed, or one tag's, as Atom (``feed.xml``) or JSON Feed (``feed.json``)."""
        base = self.config.base_url
        folder = term_url(Taxonomy.TAGS, tag) if tag else ""
        if tag:
            term = self.index.term(Taxonomy.TAGS, tag)
            events, title = term.events, f"{self.config.title}: {term.name}"
        else:
            events, title = self.index.events, self.config.title
        found = self.feed_entries.newest(events)
        feed = feeds.Feed(
            title=title, description=self.config.description, home=base + folder,
            atom_url=f"{base}{folder}feed.xml", json_url=f"{base}{folder}feed.json",
            language=self.config.language, author=self.config.author,
            updated=max((e.updated for e in found), default=feeds.timestamp(None)),
            entries=found,
        )  # fmt: skip
        name = "feed.xml" if kind == "atom" else "feed.json"
        return PageSpec(folder + name, f"@{kind}", {"feed": feed})

    @cached_property
    def feed_entries(self) -> feeds.Entries:
        return feeds.Entries(self.views, self.bodies, self.config.base_url)

    def sitemap_urls(self) -> tuple[str, ...]:
        """Absolute URLs of every HTML page but redirects and the not-found page."""
        base = self.config.base_url
        return tuple(base + url for key in self.keys()
                     if (url := pages.listed_url(key)) is not None)  # fmt: skip

    @cached_property
    def year_counts(self) -> tuple[YearCount, ...]:
        return tuple(
            YearCount(self.views.year_text(y), year_url(y), len(events), f"y{year_label(y)}")
            for y, events in self.index.years.items()
        )

    @cached_property
    def whole_chart(self) -> Overview | None:
        """The overview of every event: on the index, and as the navigator of story/ and
        embed/ (drawn once for the three); a large timeline's data is in a script of its own."""
        chart = overview(self.index.events, self.views, self.config)
        if chart is None or lists_events(self.index):
            return chart
        return replace(chart, shared=shared_url("overview", chart.data))

    def home(self) -> PageSpec:
        """The whole chronology, or for a large timeline the years, each page holding detail."""
        chronology = self.views.years(self.index.events) if lists_events(self.index) else ()
        chart = self.whole_chart
        return self._spec("index.html", "", title=self.config.title, years=chronology,
                          overview=self.year_counts, chart=chart)  # fmt: skip

    def event(self, slug: str) -> PageSpec:
        event = self.index.by_slug[slug]
        page = self.views.event_page(event, self.bodies[slug])
        i = self.index.position[slug]
        around = self.index.events[max(0, i - NEIGHBOURS) : i + NEIGHBOURS + 1]
        strip = overview(around, self.views, self.config, current=slug)
        return self._spec("event.html", event_url(slug), title=event.title, event=page,
                          strip=strip)  # fmt: skip

    def year(self, year: int, number: int) -> PageSpec:
        events = self.index.years[year]
        chunk, pager = paginate(events, number, year_url(year))
        counts = self.year_counts
        i = next(i for i, c in enumerate(counts) if c.url == year_url(year))
        return self._spec(
            "year.html", pager.url, title=counts[i].label, year=self.views.years(chunk)[0],
            count=len(events), pager=pager, chart=overview(chunk, self.views, self.config),
            previous=counts[i - 1] if i > 0 else None,
            next=counts[i + 1] if i + 1 < len(counts) else None,
        )  # fmt: skip

    def terms(self, taxonomy: Taxonomy) -> PageSpec:
        return self._spec(
            "terms.html", f"{taxonomy.value}/", title=self.words(f"nav.{taxonomy.value}"),
            kind=taxonomy.singular, terms=self.views.term_links(self.index.terms[taxonomy]),
        )  # fmt: skip

    def term(self, taxonomy: Taxonomy, slug: str, number: int) -> PageSpec:
        term = self.index.term(taxonomy, slug)
        chunk, pager = paginate(term.events, number, term_url(taxonomy, slug))
        return self._spec(
            "term.html", pager.url,
            title=term.name, kind=taxonomy.singular, kind_url=f"{taxonomy.value}/",
            kind_label=self.words(f"nav.{taxonomy.value}"),
            years=self.views.years(chunk), count=len(term.events), pager=pager,
            chart=overview(chunk, self.views, self.config),
        )  # fmt: skip

    def sources(self, number: int) -> PageSpec:
        bounds = self.views.source_bounds
        chunk, pager = paginate(self.index.sources, number, "sources/", bounds)
        first = bounds[number - 1] + 1
        entries = tuple(
            (self.views.source(n, e.source), e.anchor, self.views.refs_of(e.events))
            for n, e in enumerate(chunk, first)
        )
        return self._spec(
            "sources.html", pager.url, title=self.words("sources.title"), entries=entries,
            pager=pager,
            unsourced=self.views.refs_of(self.index.unsourced) if number == 1 else (),
        )  # fmt: skip

    @cached_property
    def story_parts(self) -> tuple[StoryView, Overview | None]:
        """What story/ and embed/ show alike: every event, and the overview as navigator."""
        full = lists_events(self.index)
        story = story_view(self.index, self.views, full=full)
        if not full:
            story = replace(story, shared=shared_url("story", story.data))
        return story, self.whole_chart

    def story(self, *, embed: bool) -> PageSpec:
        """The timeline as a slideshow (story/), or the same for frames, without the site's
        chrome (embed/)."""
        story, chart = self.story_parts
        return self._spec("embed.html" if embed else "story.html", "embed/" if embed else "story/",
                          title=self.words("story.title"), story=story, chart=chart,
                          embed=embed)  # fmt: skip
