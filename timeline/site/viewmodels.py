"""The read-only records handed to templates: display-ready text and root-relative URLs.
``site.views`` makes them for one build."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from timeline.reading.dates import DateFormat, EDTFDate, Precision


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
    # The names as the list's filters read them, "|" between names, joined once per event
    # (not by the template's filters on each of the 20,000 entries of a large site):
    tag_names: str = ""
    actor_names: str = ""
    place_names: str = ""


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
class TermLink:
    """A name on an event page, linking to its page, and the same name as a search filter's
    value: Pagefind decodes a filter value twice and cannot match one holding " or \\ (it
    compares the raw JSON text), so these three are sent as private-use characters, which
    static/search.js turns back: U+E000 ", U+E001 \\, U+E002 &. Made once per name (not by
    three Jinja ``replace`` filters for each of the 65,000 names of a 10,000-event site's
    event pages)."""

    url: str
    text: str
    filter_value: str


def term_link(link: Link) -> TermLink:
    """A name's link on event pages, with its search filter's value (see ``TermLink``)."""
    value = link.text.replace("&", "\ue002").replace('"', "\ue000").replace("\\", "\ue001")
    return TermLink(link.url, link.text, value)


@dataclass(frozen=True)
class TermGroup:
    """One taxonomy's links on an event page ("Actors: ...")."""

    label: str
    links: tuple[TermLink, ...]
    filter: str  # the search filter these names feed: tag, actor, place


@dataclass(frozen=True)
class RelationGroup:
    """Events related to this one in one way: "Contradicts", "Followed by", "Related"."""

    label: str
    refs: tuple[EventRef, ...]


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
    image: ImageView | None  # an image of its own, or its media when that is an image
    year: str
    media: MediaView | None = None  # its media when that is not an image


@dataclass(frozen=True)
class MediaView:
    """A video, audio, post, map, document or web page: a card linking to it, and for
    providers with a player, the player's URL for a reader who asks to load it."""

    kind: str  # video, audio, post, map, document, page
    provider: str  # "YouTube", "X (Twitter)", "en.wikipedia.org"...
    url: str
    external: bool  # else a file in static/, its URL relative to the site's root
    player: str | None
    caption: str | None
    credit: str | None


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
    said = [word for word, yes in zip(fmt.hedges, (approximate, uncertain), strict=True) if yes]
    note = fmt.both.format(first=said[0], second=said[1]) if len(said) == 2 else "".join(said)
    return DateView(
        text=date.display(fmt),
        edtf=date.text,
        machine=machine if not date.interval else None,
        precision=precision,
        approximate=approximate,
        uncertain=uncertain,
        hedged=hedged,
        classes=classes,
        title=fmt.edtf_note.format(code=date.text, note=note) if note else fmt.edtf.format(
            code=date.text),
    )
