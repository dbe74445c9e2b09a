"""Read-only view objects handed to templates: display-ready text and root-relative URLs."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup

from timeline.config import Config
from timeline.reading.dates import DateFormat, EDTFDate, Precision
from timeline.reading.model import Event, Source, Taxonomy
from timeline.site.index import Term, TimelineIndex

_FINE = (Precision.TIME, Precision.DAY, Precision.MONTH)


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

    @property
    def hedged(self) -> bool:
        return self.approximate or self.uncertain or self.precision not in ("day", "time")


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
    """A year on the Years page: just enough to link to it."""

    label: str
    url: str
    count: int


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
    anchor: str | None  # id on the Sources page


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


@dataclass(frozen=True)
class EventPage:
    """Everything the event template shows."""

    item: EventItem
    body: Markup
    sources: tuple[SourceView, ...]
    related: tuple[EventRef, ...]
    backlinks: tuple[EventRef, ...]
    terms: tuple[TermGroup, ...]
    updates: tuple[UpdateView, ...]
    previous: EventRef | None
    next: EventRef | None
    neighbours: tuple[EventRef, ...]
    image: ImageView | None


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
    return DateView(
        text=date.display(fmt),
        edtf=date.text,
        machine=machine if not date.interval else None,
        precision="interval" if date.interval else date.precision.value,
        approximate=date.approximate,
        uncertain=date.uncertain,
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


class Views:
    """Builds view objects for one build; event items are made once and shared."""

    def __init__(self, config: Config, index: TimelineIndex, summaries: dict[str, str]) -> None:
        self.config = config
        self.index = index
        self.fmt = config.date_style
        self.colours = {g.name: g.colour for g in config.groups}
        self.items = {e.slug: self._item(e, summaries.get(e.slug, "")) for e in index.events}
        self.refs = {
            slug: EventRef(i.slug, i.url, i.title, i.date, i.status, i.status_label)
            for slug, i in self.items.items()
        }
        self.source_anchor = {s.source.identity: s.anchor for s in index.sources}

    def _item(self, event: Event, first_paragraph: str) -> EventItem:
        tags = tuple(
            Link(term_url(Taxonomy.TAGS, self.index.term_slug(Taxonomy.TAGS, t)), t)
            for t in event.tags
            if t in self.index.term_slugs[Taxonomy.TAGS]
        )
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
        )

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
            anchor=self.source_anchor.get(source.identity),
        )

    def years(self, events: Iterable[Event]) -> tuple[YearSection, ...]:
        """Events grouped by year, then by month (or by a vaguer period, honestly labelled)."""
        out = []
        for year, in_year in itertools.groupby(events, key=lambda e: e.date.year):
            year_events = list(in_year)
            sections = []
            for (key, title), grouped in itertools.groupby(year_events, key=self._period):
                sections.append(
                    Section(f"p{year_label(year)}-{key}", title, self.list_items(grouped))
                )
            label = str(year) if year >= 1 else f"{1 - year} {self.fmt.bce}"
            anchor = f"y{year_label(year)}"
            out.append(
                YearSection(year, label, anchor, year_url(year), tuple(sections), len(year_events))
            )
        return tuple(out)

    def _period(self, event: Event) -> tuple[str, str]:
        start = event.date.start or event.date.end
        assert start is not None
        if start.precision in _FINE and start.month is not None:
            return (
                f"{start.month:02d}",
                f"{self.fmt.months[start.month - 1]} {start.year_text(self.fmt)}",
            )
        return start.precision.value, start.display(self.fmt, qualifiers=False)

    def event_page(self, event: Event, body_html: str) -> EventPage:
        index = self.index
        terms = tuple(
            TermGroup(
                taxonomy.value.capitalize(),
                tuple(
                    Link(term_url(taxonomy, index.term_slug(taxonomy, name)), name)
                    for name in event.names(taxonomy)
                    if name in index.term_slugs[taxonomy]
                ),
            )
            for taxonomy in Taxonomy
            if event.names(taxonomy)
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
            related=self.refs_of(
                index.by_slug[r.slug] for r in event.related if r.slug in index.by_slug
            ),
            backlinks=self.refs_of(
                e for e in index.backlinks.get(event.slug, ()) if e.slug not in related_slugs
            ),
            terms=terms,
            updates=tuple(UpdateView(date_view(u.date, self.fmt), u.note) for u in event.updates),
            previous=self.refs[previous.slug] if previous else None,
            next=self.refs[following.slug] if following else None,
            neighbours=self.refs_of(index.neighbours(event)),
            image=image,
        )

    def term_links(self, terms: Iterable[Term]) -> tuple[tuple[Link, int], ...]:
        return tuple((Link(term_url(t.taxonomy, t.slug), t.name), len(t.events)) for t in terms)
