"""What an edit changed, for the updates of ``timeline serve``: the pages to describe again.

Given the content before and after an edit, the pages that can show what changed, or None
when the edit reaches too far to say (new or removed events or aliases, new relations or
sources): every page is then described again and compared with what it was. Guarded against
a cold build by tests/test_incremental.py and the state machine of tests/test_stateful.py.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from timeline.reading.model import Event, Taxonomy
from timeline.site import pages
from timeline.site.index import TimelineIndex, refiled_only, same_place
from timeline.site.pages import Page
from timeline.site.paging import PAGE_SIZE, page_count
from timeline.site.render import Renderer, lists_events
from timeline.site.views import TAXONOMIES, Views

if TYPE_CHECKING:
    from timeline.site.content import Content
    from timeline.site.render import PageSpec


class Unplanned(Exception):
    """An edit reaching too far to plan, where the caller asked not to describe every page
    instead (``Builder.planned_only``)."""


def plan(
    before: Content | None, after: Content, previous: dict[str, PageSpec], renderer: Renderer,
    pages_before: list[Page], *, feeds: bool, data: bool,
) -> list[Page] | None:  # fmt: skip
    """The pages an edit can have changed, when the same events were edited in what they
    show (bodies, titles, statuses, groups, summaries, images, updates), or moved in time or
    filed under other names with the site keeping the same pages; else None (every page is
    then described again and compared with what it was)."""
    if before is None or not previous:
        return None
    old, new, views = before.index, after.index, renderer.views
    if old.by_slug.keys() != new.by_slug.keys() or old.aliases.keys() != new.aliases.keys():
        return None
    if before.pages != after.pages:  # a page added, gone, renamed or moved: the menu changes
        return None
    # A page whose text, or the title of an event it links to, changed.
    edited = [p for p in after.pages if before.page_bodies[p.slug] != after.page_bodies[p.slug]]
    keys: list[Page] = [pages.OwnPage(page.slug) for page in edited]
    moved = False
    # Only the events that can be new objects (all of them, when that is not known).
    looked_at = new.events if after.edited is None else sorted(
        (new.by_slug[slug] for slug in after.edited), key=lambda e: new.position[e.slug]
    )  # fmt: skip
    for event in looked_at:
        slug = event.slug
        was = old.by_slug[slug]
        if was is event and before.bodies[slug] == after.bodies[slug]:
            continue
        keys.append(pages.EventPage(slug))
        if not same_place(event, was):  # a new date or names: the lists holding it change
            found = _pages_moved(old, new, views, was, event)
            if found is None:
                return None
            keys += found
            moved = True
        elif event != was:  # shown wherever the event is named
            keys += _pages_naming(new, views, event)
        elif before.summaries[slug] != after.summaries[slug] and not event.summary:
            keys += _lists_showing(new, event)
        if event != was:  # the story's navigator, entries and filters show every event
            keys += [pages.Story(), pages.Embed()]
        if feeds:  # feed entries carry the whole body
            # A tag's slug in the new index, or its old one (respelled, "Diyala" -> "diyala",
            # the old spelling is no key of the new index); a tag gone with its last event
            # leaves a page fewer, and the check below describes everything.
            slugs = {new.term_slugs[Taxonomy.TAGS].get(t) or old.term_slugs[Taxonomy.TAGS][t]
                     for t in {*was.tags, *event.tags}}  # fmt: skip
            for tag in ("", *sorted(slugs)):
                keys += [pages.Feed("atom", tag), pages.Feed("json", tag)]
    if moved and set(renderer.keys()) != set(pages_before):
        return None  # the site gains or loses a page: describe everything
    if moved and feeds:
        keys.append(pages.Sitemap())  # lists the pages in timeline order
    if not lists_events(new):  # the whole-timeline data the index, story and embed load
        if any(isinstance(key, pages.Home | pages.Story | pages.Embed) for key in keys):
            keys.append(pages.Shared("overview"))
        if any(isinstance(key, pages.Story | pages.Embed) for key in keys):
            keys.append(pages.Shared("story"))
    if keys and data:  # the whole timeline as data holds every body
        keys += [pages.DataFile("json"), pages.DataFile("timelinejs")]
    return list(dict.fromkeys(keys))


def _lists_showing(index: TimelineIndex, event: Event) -> list[Page]:
    """The list pages an event's entry appears on: the index, its year and its names."""
    # The index names every event: in its list, or in its overview's data (title, date and
    # status of each, for the reader's zoom, even where the picture counts them per year).
    keys: list[Page] = [pages.Home()]
    in_year = index.years[event.date.year]
    keys.append(pages.YearPage(event.date.year, in_year.index(event) // PAGE_SIZE + 1))
    for taxonomy in TAXONOMIES:
        for name in event.names(taxonomy):
            term = index.term(taxonomy, index.term_slug(taxonomy, name))
            number = term.events.index(event) // PAGE_SIZE + 1
            keys.append(pages.TermPage(taxonomy, term.slug, number))
    return keys


def _pages_moved(
    old: TimelineIndex, new: TimelineIndex, views: Views, was: Event, event: Event
) -> list[Page] | None:
    """Every page that can change when an event moves in time or is filed under other
    names, keeping its slug, sources, relations and aliases (else None): the lists showing
    its entry (which shows its names), and unless its names alone changed, the pages naming
    it; for a new date, the event pages around its old place, every page of its old and new
    years and of the years beside them (their links show counts), the Years page and the
    index; and every page of its old and new names and the name indexes."""
    if not refiled_only(event, was):
        return None  # sources, relations and aliases reach further: describe everything
    if replace(event, tags=was.tags, actors=was.actors, places=was.places) == was:
        keys = _lists_showing(new, event)  # names only: the lists showing its entry
    elif was.date == event.date:  # names and what it shows: the pages naming it too
        keys = _pages_naming(new, views, event)
    else:  # in time: the pages around its old place, its years and their neighbours' counts
        keys = _pages_naming(new, views, event, lists=False)
        keys += [pages.Home(), pages.Years(),
                 *(pages.EventPage(e.slug) for e in old.neighbours(was))]  # fmt: skip
        years = sorted(new.years)
        for year in {was.date.year, event.date.year}:
            if year in new.years:
                at = years.index(year)
                near = years[max(0, at - 1) : at + 2]
            else:  # its only event left: the site loses a page; plan describes everything
                near = []
            for y in near:
                keys += [pages.YearPage(y, n) for n in range(1, page_count(len(new.years[y])) + 1)]
    for taxonomy in TAXONOMIES:
        names = {*was.names(taxonomy), *event.names(taxonomy)}
        if names:  # counts, and a name's spelling is the first event's filed under it
            keys.append(pages.Terms(taxonomy))
        for name in sorted(names):
            slug = new.term_slugs[taxonomy].get(name) or old.term_slugs[taxonomy].get(name)
            try:
                term = new.term(taxonomy, slug or "")
            except KeyError:
                return None  # a name no event has any more: its pages go
            keys += [pages.TermPage(taxonomy, term.slug, n)
                     for n in range(1, page_count(len(term.events)) + 1)]  # fmt: skip
    return keys


def _pages_naming(
    index: TimelineIndex, views: Views, event: Event, *, lists: bool = True
) -> list[Page]:
    """Every page that shows an event's title, date, status or group (see Renderer.spec):
    its lists (unless ``lists`` is false), the event pages around it (chart, neighbours,
    previous/next), the pages of the events it relates to and of those relating to it, the
    Sources pages listing it, and the redirects from its aliases."""
    keys = _lists_showing(index, event) if lists else []
    keys += [pages.EventPage(e.slug) for e in index.neighbours(event)]
    keys += [pages.EventPage(r.slug) for r in event.related if r.slug in index.by_slug]
    keys += [pages.EventPage(e.slug) for e, _ in index.backlinks.get(event.slug, ())]
    keys += [pages.SourcesPage(views.source_page(source)) for source in event.sources]
    if not event.sources:
        keys.append(pages.SourcesPage(1))  # "Events without a source"
    keys += [pages.Alias(alias) for alias in event.aliases]
    return keys
