"""The content model: events, their sources, images and update logs, as frozen dataclasses."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from timeline.reading.dates import EDTFDate
from timeline.reading.pickling import pickled_by_fields


class Status(enum.Enum):
    """How far a claim is established; shown on every listing of the event."""

    REPORTED = "reported"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    DENIED = "denied"
    RETRACTED = "retracted"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Taxonomy(enum.Enum):
    """The three kinds of names an event can be filed under, each with its own pages."""

    TAGS = "tags"
    ACTORS = "actors"
    PLACES = "places"

    @property
    def singular(self) -> str:
        return {"tags": "tag", "actors": "actor", "places": "place"}[self.value]


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Source:
    """A cited source: inline in an event, or an entry of the bibliography (``key`` set)."""

    title: str
    key: str | None = None  # bibliography id, or an inline source's own id for [@id]
    url: str | None = None
    publisher: str | None = None
    author: str | None = None
    date: EDTFDate | None = None
    via: str | None = None
    archived: str | None = None
    quote: str | None = None
    accessed: EDTFDate | None = None
    from_bibliography: bool = False

    @property
    def identity(self) -> str:
        """What makes two citations the same source on the Sources page."""
        if self.from_bibliography and self.key:
            return f"id:{self.key}"
        return f"url:{self.url}" if self.url else f"title:{self.title}|{self.publisher or ''}"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Image:
    """An illustration: a URL or a path into the project's ``static/`` folder."""

    src: str
    alt: str
    caption: str | None = None
    credit: str | None = None
    line: int = 1

    @property
    def external(self) -> bool:
        return "://" in self.src


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Update:
    """One entry of an event's correction log."""

    date: EDTFDate
    note: str


class RelationKind(enum.Enum):
    """How one event bears on another; each reads differently from the other side."""

    FOLLOWS = "follows"
    CAUSES = "causes"
    RESPONDS_TO = "responds-to"
    CONTRADICTS = "contradicts"
    SAME_AS = "same-as"

    @property
    def forward(self) -> str:
        """As shown on the page of the event that names the relation."""
        return _WORDS[self][0]

    @property
    def backward(self) -> str:
        """As shown on the page of the event it points to."""
        return _WORDS[self][1]


_WORDS = {
    RelationKind.FOLLOWS: ("Follows", "Followed by"),
    RelationKind.CAUSES: ("Causes", "Caused by"),
    RelationKind.RESPONDS_TO: ("Responds to", "Responded to by"),
    RelationKind.CONTRADICTS: ("Contradicts", "Contradicted by"),
    RelationKind.SAME_AS: ("Same as", "Same as"),
}


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Relation:
    """A link from one event to another, kept with the line that made it; ``kind`` None is a
    plain "related"."""

    slug: str
    line: int
    kind: RelationKind | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Event:
    """One event file, validated; bodies are rendered later, once every slug is known."""

    path: str  # relative to the project root, with forward slashes
    slug: str
    title: str
    date: EDTFDate
    status: Status
    body: str
    body_line: int
    summary: str | None = None
    tags: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    group: str | None = None
    sources: tuple[Source, ...] = ()
    related: tuple[Relation, ...] = ()
    image: Image | None = None
    aliases: tuple[str, ...] = ()
    updates: tuple[Update, ...] = ()
    draft: bool = False
    slug_line: int = 1

    @property
    def sort_key(self) -> tuple[int, int, str]:
        """Earliest day, latest day, slug: a total, stable order."""
        first, last = self.date.sort_key
        return first, last, self.slug

    def names(self, taxonomy: Taxonomy) -> tuple[str, ...]:
        names: tuple[str, ...] = getattr(self, taxonomy.value)
        return names
