"""Read-only view objects handed to templates: display-ready text and root-relative URLs."""

from __future__ import annotations

import bisect
import itertools
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from markupsafe import Markup

from timeline.config import Config
from timeline.reading.dates import DateFormat, EDTFDate, Precision
from timeline.reading.model import Event, Source, Taxonomy
from timeline.site.index import Term, TimelineIndex

_FINE = (Precision.TIME, Precision.DAY, Precision.MONTH)
TAXONOMIES = tuple(Taxonomy)
_TAXONOMY_LABELS = tuple((t, t.value.capitalize(), t.singular) for t in Taxonomy)


@dataclass(frozen=True)
class Link:
    """A root-relative URL (no leading slash) and its text."""

    url: str
    text: str


@dataclass(frozen=True)
class DateView:
    """A date as people read it, with a machine-readable form where HTML allows one."""

    text: str
    edtf: str
    machine: str | None  # value for <time datetime>, when one is honest and valid
    precision: str
    approximate: bool
    uncertain: bool
    hedged: bool  # approximate, uncertain, or less precise than a day
    # Made once per date rather than by the template on every list that shows it:
    classes: str  # "date", plus date-hedged, date-approximate, date-uncertain
    title: str  # "EDTF 2007-08~: approximate"


@dataclass(frozen=True)
class EventRef:
    """An event in a compact list (related, around this date, sources): no summary or tags,
    so that editing an event's text does not re-render every page that merely names it."""

    slug: str
    url: str
    title: str
    date: DateView
    status: str
    status_label: str


# An event's entry in lists names at most this many of its tags, actors and places (its
# own page names all): an entry appears on the page of each of its names, so an event with
# thousands of tags would otherwise cost the square of that. Lists show 8 (event_item.html).
LIST_NAMES = 100


@dataclass(frozen=True)
class EventItem:
    """An event as it appears in lists: enough to scan a timeline."""

    slug: str
    url: str
    title: str
    date: DateView
    status: str
    status_label: str
    summary: str
    tags: tuple[Link, ...]
    group: str | None
    group_colour: str | None
    source_count: int
    actors: tuple[str, ...] = ()  # for the filters: names as written
    places: tuple[str, ...] = ()
    tag_count: int = 0  # all its tags; ``tags`` holds the first LIST_NAMES of them


@dataclass(frozen=True)
class Section:
    """A heading with the events under it (a year, a month, or a vaguer period)."""

    anchor: str
    title: str
    events: tuple[EventItem, ...]


@dataclass(frozen=True)
class YearSection:
    """A year's events, grouped into periods; also a row of the overview."""

    year: int
    label: str
    anchor: str
    url: str
    sections: tuple[Section, ...]
    count: int


@dataclass(frozen=True)
class YearCount:
    """A year on the Years page and in the overview: just enough to link to it."""

    label: str
    url: str
    count: int
    anchor: str


PAGE_SIZE = 500  # events (or sources) on one list page; longer lists get more pages
T = TypeVar("T")


@dataclass(frozen=True)
class Pager:
    """Where a page sits in a paginated list; ``url`` is its own root-relative URL."""

    url: str
    number: int
    count: int
    previous: str | None
    next: str | None


def page_count(items: int) -> int:
    return max(1, -(-items // PAGE_SIZE))


def weighted_bounds(weights: Sequence[int], limit: int = PAGE_SIZE) -> list[int]:
    """Page starts such that each page holds at most ``limit`` items and, where possible,
    items whose weights add up to at most ``limit`` (a source cited by many events is heavy)."""
    bounds = [0]
    total = 0
    for i, weight in enumerate(weights):
        if i > bounds[-1] and (total + weight > limit or i - bounds[-1] >= limit):
            bounds.append(i)
            total = 0
        total += weight
    return bounds


def page_url(base: str, number: int) -> str:
    """'years/2007/' for page 1, 'years/2007/page/2/' after."""
    return base if number == 1 else f"{base}page/{number}/"


def paginate(
    items: Sequence[T], number: int, base: str, bounds: Sequence[int] | None = None
) -> tuple[Sequence[T], Pager]:
    """The items on page ``number`` and the pager around it (``bounds``: where each page
    starts, when pages are not all PAGE_SIZE items long)."""
    bounds = bounds or list(range(0, max(1, len(items)), PAGE_SIZE))
    count = len(bounds)
    end = bounds[number] if number < count else len(items)
    chunk = items[bounds[number - 1] : end]
    previous = page_url(base, number - 1) if number > 1 else None
    following = page_url(base, number + 1) if number < count else None
    return chunk, Pager(page_url(base, number), number, count, previous, following)


@dataclass(frozen=True)
class SourceView:
    """A numbered source on an event page, or an entry on the Sources page."""

    number: int
    title: str
    url: str | None
    publisher: str | None
    author: str | None
    date: str | None
    via: str | None
    archived: str | None
    quote: str | None
    accessed: str | None
    link: str | None  # its entry on the Sources pages, e.g. "sources/page/2/#s612"


@dataclass(frozen=True)
class UpdateView:
    date: DateView
    note: str


@dataclass(frozen=True)
class ImageView:
    src: str
    alt: str
    caption: str | None
    credit: str | None
    external: bool


@dataclass(frozen=True)
class TermGroup:
    """One taxonomy's links on an event page ("Actors: ...")."""

    label: str
    links: tuple[Link, ...]
    filter: str  # the search filter these names feed: tag, actor, place


@dataclass(frozen=True)
class RelationGroup:
    """Events related to this one in one way: "Contradicts", "Followed by", "Related"."""

    label: str
    refs: tuple[EventRef, ...]


def _grouped(pairs: Iterable[tuple[EventRef, str]]) -> tuple[RelationGroup, ...]:
    groups: dict[str, list[EventRef]] = {}
    for ref, label in pairs:
        groups.setdefault(label, []).append(ref)
    return tuple(RelationGroup(label, tuple(refs)) for label, refs in groups.items())


@dataclass(frozen=True)
class EventPage:
    """Everything the event template shows."""

    item: EventItem
    body: Markup
    sources: tuple[SourceView, ...]
    related: tuple[RelationGroup, ...]
    backlinks: tuple[RelationGroup, ...]
    terms: tuple[TermGroup, ...]
    updates: tuple[UpdateView, ...]
    previous: EventRef | None
    next: EventRef | None
    neighbours: tuple[EventRef, ...]
    image: ImageView | None
    year: str


def date_view(date: EDTFDate, fmt: DateFormat) -> DateView:
    start = date.start or date.end
    assert start is not None
    machine = None
    if 1 <= start.year <= 9999 and not start.unspecified_year_digits:
        if start.precision in (Precision.DAY, Precision.TIME):
            machine = f"{start.year:04d}-{start.month:02d}-{start.day:02d}"
        elif start.precision is Precision.MONTH:
            machine = f"{start.year:04d}-{start.month:02d}"
        else:
            machine = f"{start.year:04d}"
    approximate, uncertain = date.approximate, date.uncertain
    precision = "interval" if date.interval else date.precision.value
    hedged = approximate or uncertain or precision not in ("day", "time")
    qualifiers = [word for word, yes in (("approximate", approximate), ("uncertain", uncertain))
                  if yes]  # fmt: skip
    classes = " ".join(["date", *(["date-hedged"] if hedged else []),
                        *(f"date-{word}" for word in qualifiers)])  # fmt: skip
    note = " and ".join(qualifiers)
    return DateView(
        text=date.display(fmt),
        edtf=date.text,
        machine=machine if not date.interval else None,
        precision=precision,
        approximate=approximate,
        uncertain=uncertain,
        hedged=hedged,
        classes=classes,
        title=f"EDTF {date.text}: {note}" if note else f"EDTF {date.text}",
    )


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
        self.fmt = config.date_style
        self.colours = {g.name: g.colour for g in config.groups}
        # Enum attribute access is slow in a loop run 100,000 times: resolve links once
        # (or, in an update that files no name differently, take the last render's).
        same_links = before is not None and before.index.term_slugs == index.term_slugs
        self.links_by_name: dict[Taxonomy, dict[str, Link]]
        if before is not None and same_links:
            self.links_by_name = before.links_by_name
        else:
            self.links_by_name = {
                taxonomy: {
                    name: Link(term_url(taxonomy, slug), name)
                    for name, slug in index.term_slugs[taxonomy].items()
                }
                for taxonomy in TAXONOMIES
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

    @cached_property
    def _source_entries(self) -> dict[str, tuple[int, str]]:
        """Each source's Sources page number and anchor, by identity (made on first use: an
        update that shows no source does not need it)."""
        bounds = self.source_bounds
        return {
            entry.source.identity: (bisect.bisect_right(bounds, n), entry.anchor)
            for n, entry in enumerate(self.index.sources)
        }

    def source_page(self, source: Source) -> int:
        """The number of the Sources page listing ``source``."""
        return self._source_entries[source.identity][0]

    def source_link(self, source: Source) -> str | None:
        """The link to ``source``'s entry on the Sources pages."""
        place = self._source_entries.get(source.identity)
        return f"{page_url('sources/', place[0])}#{place[1]}" if place else None

    def _item(self, event: Event, first_paragraph: str) -> EventItem:
        links = self.links_by_name[Taxonomy.TAGS]
        tags = tuple(links[t] for t in event.tags[:LIST_NAMES] if t in links)
        return EventItem(
            slug=event.slug,
            url=event_url(event.slug),
            title=event.title,
            date=date_view(event.date, self.fmt),
            status=event.status.value,
            status_label=event.status.label,
            summary=event.summary or first_paragraph,
            tags=tags,
            group=event.group,
            group_colour=self.colours.get(event.group or ""),
            source_count=len(event.sources),
            actors=event.actors[:LIST_NAMES],
            places=event.places[:LIST_NAMES],
            tag_count=len(event.tags),
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
            TermGroup(label, tuple(links[n] for n in names if n in links), singular)
            for taxonomy, label, singular in _TAXONOMY_LABELS
            if (names := event.names(taxonomy)) and (links := self.links_by_name[taxonomy])
        )
        image = None
        if event.image:
            image = ImageView(event.image.src, event.image.alt, event.image.caption,
                              event.image.credit, event.image.external)  # fmt: skip
        previous, following = index.previous(event), index.next(event)
        related_slugs = {r.slug for r in event.related}
        return EventPage(
            item=self.item(event),
            body=Markup(body_html),  # from the escaping Markdown renderer
            sources=tuple(self.source(n, s) for n, s in enumerate(event.sources, 1)),
            related=_grouped(
                (self.refs[r.slug], r.kind.forward if r.kind else "Related")
                for r in event.related
                if r.slug in index.by_slug
            ),
            backlinks=_grouped(
                (self.refs[e.slug], kind.backward if kind else "Referred to by")
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
        )

    def term_links(self, terms: Iterable[Term]) -> tuple[tuple[Link, int], ...]:
        return tuple((Link(term_url(t.taxonomy, t.slug), t.name), len(t.events)) for t in terms)
