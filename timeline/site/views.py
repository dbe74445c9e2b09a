"""The view records of one build (see ``site.viewmodels``), each made once and shared, and
the site's URLs."""

from __future__ import annotations

import bisect
import itertools
import weakref
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from markupsafe import Markup

from timeline.config import Config
from timeline.media import classify
from timeline.reading.dates import Precision
from timeline.reading.model import Event, Source, Taxonomy
from timeline.site.index import Term, TimelineIndex
from timeline.site.paging import page_url, weighted_bounds
from timeline.site.viewmodels import (
    LIST_NAMES,
    EventItem,
    EventPage,
    EventRef,
    ImageView,
    Link,
    MediaView,
    RelationGroup,
    Section,
    SourceView,
    TermGroup,
    TermLink,
    UpdateView,
    YearSection,
    date_view,
    term_link,
)

_FINE = (Precision.TIME, Precision.DAY, Precision.MONTH)
TAXONOMIES = tuple(Taxonomy)
_TAXONOMY_LABELS = tuple((t, f"nav.{t.value}", t.singular) for t in Taxonomy)


def _grouped(pairs: Iterable[tuple[EventRef, str]]) -> tuple[RelationGroup, ...]:
    groups: dict[str, list[EventRef]] = {}
    for ref, label in pairs:
        groups.setdefault(label, []).append(ref)
    return tuple(RelationGroup(label, tuple(refs)) for label, refs in groups.items())


def event_url(slug: str) -> str:
    return f"events/{slug}/"


def term_url(taxonomy: Taxonomy, slug: str) -> str:
    return f"{taxonomy.value}/{slug}/"


def year_url(year: int) -> str:
    return f"years/{year_label(year)}/"


def year_label(year: int) -> str:
    """Folder name of a year page: 2007, or -0500 for years before 1."""
    return f"-{-year:04d}" if year < 0 else f"{year:04d}"


K = TypeVar("K")
V = TypeVar("V")


class _Lazy(dict[K, V]):
    """A dict that makes a missing value on first access."""

    def __init__(self, make: Callable[[K], V]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: K) -> V:
        value = self[key] = self.make(key)
        return value


class Views:
    """Builds view objects for one build; event items are made once and shared."""

    def __init__(
        self, config: Config, index: TimelineIndex, summaries: dict[str, str], *,
        before: Views | None = None, changed: set[str] | None = None,
    ) -> None:  # fmt: skip
        """``before``: the views of the last render of the same site, and ``changed`` the
        events whose file or first paragraph changed since: the others' entries are kept."""
        self.config = config
        self.index = index
        self.summaries = summaries  # each body's first paragraph, by slug
        self.fmt = config.date_style
        self.words = config.words
        self.colours = {g.name: g.colour for g in config.groups}
        # Enum attribute access is slow in a loop run 100,000 times: resolve links once
        # (or, in an update that files no name differently, take the last render's).
        same_links = before is not None and before.index.term_slugs == index.term_slugs
        self.links_by_name: dict[Taxonomy, dict[str, Link]]
        self.page_links: dict[Taxonomy, dict[str, TermLink]]  # the same, for event pages
        if before is not None and same_links:
            self.links_by_name = before.links_by_name
            self.page_links = before.page_links
        else:
            self.links_by_name = {
                taxonomy: {
                    name: Link(term_url(taxonomy, slug), name)
                    for name, slug in index.term_slugs[taxonomy].items()
                }
                for taxonomy in TAXONOMIES
            }
            self.page_links = {
                taxonomy: {name: term_link(link) for name, link in links.items()}
                for taxonomy, links in self.links_by_name.items()
            }
        # Made on first use: an incremental rebuild needs only the few it re-renders. The
        # tables reach back to these views through a weak reference: a cycle would keep
        # every update's views alive in a serving process (whose objects are frozen out of
        # the cyclic collector), growing by a megabyte an edit.
        me = weakref.proxy(self)
        self.items: dict[str, EventItem] = _Lazy(
            lambda slug: me._item(index.by_slug[slug], summaries.get(slug, ""))
        )
        self.refs: dict[str, EventRef] = _Lazy(lambda slug: me._ref(slug))
        self.labels: dict[str, str] = _Lazy(lambda slug: me._label(slug))
        # Where each Sources page begins: the last render's while the sources kept their
        # places and counts (made again, 7 ms at 10,000 events).
        self.source_bounds: list[int]
        if before is not None and before.index.source_places is index.source_places:
            self.source_bounds = before.source_bounds
        else:
            self.source_bounds = weighted_bounds([1 + len(e.events) for e in index.sources])
        self._periods: dict[str, tuple[int, tuple[str, str]]] = _Lazy(
            lambda slug: me._period(index.by_slug[slug])
        )
        if (
            before is not None
            and changed is not None
            and (same_links and before.config is config)
        ):  # an update while serving: made from the same event, summary, links and config
            for name in ("items", "refs", "labels", "_periods"):
                mine: dict[str, Any] = getattr(self, name)
                mine.update(getattr(before, name))
                for slug in changed:
                    mine.pop(slug, None)

    def source_page(self, source: Source) -> int:
        """The number of the Sources page listing ``source``."""
        return bisect.bisect_right(self.source_bounds, self.index.source_places[source.identity])

    def source_link(self, source: Source) -> str | None:
        """The link to ``source``'s entry on the Sources pages."""
        place = self.index.source_places.get(source.identity)
        if place is None:
            return None
        number = bisect.bisect_right(self.source_bounds, place)
        return f"{page_url('sources/', number)}#{self.index.sources[place].anchor}"

    def _item(self, event: Event, first_paragraph: str) -> EventItem:
        links = self.links_by_name[Taxonomy.TAGS]
        tags = tuple(links[t] for t in event.tags[:LIST_NAMES] if t in links)
        return EventItem(
            slug=event.slug,
            url=event_url(event.slug),
            title=event.title,
            date=date_view(event.date, self.fmt),
            status=event.status.value,
            status_label=self.words.status(event.status.value),
            summary=event.summary or first_paragraph,
            tags=tags,
            group=event.group,
            group_colour=self.colours.get(event.group or ""),
            source_count=len(event.sources),
            actors=event.actors[:LIST_NAMES],
            places=event.places[:LIST_NAMES],
            tag_count=len(event.tags),
            tag_names="|".join(tag.text for tag in tags),
            actor_names="|".join(event.actors[:LIST_NAMES]),
            place_names="|".join(event.places[:LIST_NAMES]),
        )

    def _ref(self, slug: str) -> EventRef:
        i = self.items[slug]
        return EventRef(i.slug, i.url, i.title, i.date, i.status, i.status_label)

    def mark_label(self, event: Event) -> str:
        """An event's name on the overview charts: "title, date, status"."""
        return self.labels[event.slug]

    def _label(self, slug: str) -> str:
        item = self.items[slug]
        return f"{item.title}, {item.date.text}, {item.status_label}"

    def item(self, event: Event) -> EventItem:
        return self.items[event.slug]

    def list_items(self, events: Iterable[Event]) -> tuple[EventItem, ...]:
        return tuple(self.items[e.slug] for e in events)

    def refs_of(self, events: Iterable[Event]) -> tuple[EventRef, ...]:
        return tuple(self.refs[e.slug] for e in events)

    def source(self, number: int, source: Source) -> SourceView:
        return SourceView(
            number=number,
            title=source.title,
            url=source.url,
            publisher=source.publisher,
            author=source.author,
            date=source.date.display(self.fmt) if source.date else None,
            via=source.via,
            archived=source.archived,
            quote=source.quote,
            accessed=source.accessed.display(self.fmt) if source.accessed else None,
            link=self.source_link(source),
        )

    def years(self, events: Iterable[Event]) -> tuple[YearSection, ...]:
        """Events grouped by year, then by month (or by a vaguer period, honestly labelled)."""
        out = []
        for year, in_year in itertools.groupby(events, key=lambda e: self._periods[e.slug][0]):
            year_events = list(in_year)
            sections = []
            periods = itertools.groupby(year_events, key=lambda e: self._periods[e.slug][1])
            for (key, title), grouped in periods:
                sections.append(
                    Section(f"p{year_label(year)}-{key}", title, self.list_items(grouped))
                )
            label = self.year_text(year)
            anchor = f"y{year_label(year)}"
            out.append(
                YearSection(year, label, anchor, year_url(year), tuple(sections), len(year_events))
            )
        return tuple(out)

    def year_text(self, year: int) -> str:
        return str(year) if year >= 1 else f"{1 - year} {self.fmt.bce}"

    def _period(self, event: Event) -> tuple[int, tuple[str, str]]:
        """The year an event is filed under, and its period's key and heading."""
        start = event.date.start or event.date.end
        assert start is not None
        if start.precision in _FINE and start.month is not None:
            month = f"{self.fmt.months[start.month - 1]} {start.year_text(self.fmt)}"
            return event.date.year, (f"{start.month:02d}", month)
        return event.date.year, (start.precision.value, start.display(self.fmt, qualifiers=False))

    def event_page(self, event: Event, body_html: str) -> EventPage:
        index = self.index
        terms = tuple(
            TermGroup(self.words(label), tuple(links[n] for n in names if n in links), singular)
            for taxonomy, label, singular in _TAXONOMY_LABELS
            if (names := event.names(taxonomy)) and (links := self.page_links[taxonomy])
        )
        image, media = None, None
        if event.image:
            image = ImageView(event.image.src, event.image.alt, event.image.caption,
                              event.image.credit, event.image.external)  # fmt: skip
        elif (shown := event.media) and (kind := classify(shown.url)).kind == "image":
            image = ImageView(shown.url, shown.alt or "", shown.caption, shown.credit,
                              shown.external)  # fmt: skip
        elif shown:
            media = MediaView(kind.kind, kind.provider, shown.url, shown.external,
                              kind.player, shown.caption, shown.credit)  # fmt: skip
        previous, following = index.previous(event), index.next(event)
        related_slugs = {r.slug for r in event.related}
        say = self.words
        return EventPage(
            item=self.item(event),
            body=Markup(body_html),
            sources=tuple(self.source(n, s) for n, s in enumerate(event.sources, 1)),
            related=_grouped(
                (self.refs[r.slug],
                 say(f"event.{r.kind.forward}" if r.kind else "event.related_plain"))
                for r in event.related
                if r.slug in index.by_slug
            ),
            backlinks=_grouped(
                (self.refs[e.slug],
                 say(f"event.{kind.backward}" if kind else "event.referred_to_by"))
                for e, kind in index.backlinks.get(event.slug, ())
                if e.slug not in related_slugs
            ),
            terms=terms,
            updates=tuple(UpdateView(date_view(u.date, self.fmt), u.note) for u in event.updates),
            previous=self.refs[previous.slug] if previous else None,
            next=self.refs[following.slug] if following else None,
            neighbours=self.refs_of(index.neighbours(event)),
            image=image,
            year=self.year_text(event.date.year),
            media=media,
        )

    def term_links(self, terms: Iterable[Term]) -> tuple[tuple[Link, int], ...]:
        return tuple((Link(term_url(t.taxonomy, t.slug), t.name), len(t.events)) for t in terms)
