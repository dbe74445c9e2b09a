"""The content model: events, their sources, images and update logs, as frozen dataclasses.

Each class is also the schema of what a user writes: a field made with ``written()`` is read
from the key of the same name (or the one given), so the keys a file may hold, the check
for unknown ones, what the index ignores and the documented tables (tests/test_schema.py)
all come from here.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any

from timeline.reading.dates import EDTFDate
from timeline.reading.pickling import pickled_by_fields


def written(*, key: str = "", indexed: bool = True) -> dict[str, Any]:
    """The metadata of a field the user writes, under ``key`` (default: the field's name);
    ``indexed=False``: it changes what pages show, never which pages there are or where an
    event is listed."""
    return {"key": key, "indexed": indexed}


def keys_of(cls: type) -> tuple[str, ...]:
    """The keys a user may write for a class of the model, in the order of its fields."""
    fields = dataclasses.fields(cls)
    return tuple(f.metadata["key"] or f.name for f in fields if "key" in f.metadata)


def unindexed(cls: type) -> tuple[str, ...]:
    """The fields of a class that no index depends on (see ``written``)."""
    return tuple(f.name for f in dataclasses.fields(cls) if not f.metadata.get("indexed", True))


class Status(enum.Enum):
    """How far a claim is established; shown on every listing of the event."""

    REPORTED = "reported"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    DENIED = "denied"
    RETRACTED = "retracted"


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

    title: str = field(metadata=written())
    # The bibliography id, or an inline source's own id for [@id].
    key: str | None = field(default=None, metadata=written(key="id"))
    url: str | None = field(default=None, metadata=written())
    publisher: str | None = field(default=None, metadata=written())
    author: str | None = field(default=None, metadata=written())
    date: EDTFDate | None = field(default=None, metadata=written())
    via: str | None = field(default=None, metadata=written())
    archived: str | None = field(default=None, metadata=written())
    quote: str | None = field(default=None, metadata=written())
    accessed: EDTFDate | None = field(default=None, metadata=written())
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

    src: str = field(metadata=written())
    alt: str = field(metadata=written())
    caption: str | None = field(default=None, metadata=written())
    credit: str | None = field(default=None, metadata=written())
    line: int = 1

    @property
    def external(self) -> bool:
        return "://" in self.src


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Media:
    """What an event shows besides its text: an image, a video or audio page (YouTube,
    Vimeo, SoundCloud, Spotify...), a social post, a map, a document or a web page. Which
    of these it is follows from the URL (see ``site.media``)."""

    url: str = field(metadata=written())
    alt: str | None = field(default=None, metadata=written())  # required for an image
    caption: str | None = field(default=None, metadata=written())
    credit: str | None = field(default=None, metadata=written())
    line: int = 1

    @property
    def external(self) -> bool:
        return "://" in self.url


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Update:
    """One entry of an event's correction log."""

    date: EDTFDate = field(metadata=written())
    note: str = field(metadata=written())


class RelationKind(enum.Enum):
    """How one event bears on another; each reads differently from the other side."""

    FOLLOWS = "follows"
    CAUSES = "causes"
    RESPONDS_TO = "responds-to"
    CONTRADICTS = "contradicts"
    SAME_AS = "same-as"

    @property
    def forward(self) -> str:
        """The strings-table key of its name on the page of the event that names it."""
        return self.value.replace("-", "_")

    @property
    def backward(self) -> str:
        """The key of its name on the page of the event it points to."""
        return _BACKWARD[self]


_BACKWARD = {
    RelationKind.FOLLOWS: "followed_by",
    RelationKind.CAUSES: "caused_by",
    RelationKind.RESPONDS_TO: "responded_to_by",
    RelationKind.CONTRADICTS: "contradicted_by",
    RelationKind.SAME_AS: "same_as",
}


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Relation:
    """A link from one event to another, kept with the line that made it; ``kind`` None is a
    plain "related"."""

    slug: str = field(metadata=written())
    line: int
    kind: RelationKind | None = field(default=None, metadata=written(key="relation"))


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Event:
    """One event file's front matter, validated. Its Markdown is kept apart, by path (see
    ``reading.load.Corpus.markdown``), and rendered once every slug is known."""

    path: str  # relative to the project root, with forward slashes
    slug: str = field(metadata=written())
    title: str = field(metadata=written(indexed=False))
    date: EDTFDate = field(metadata=written())
    status: Status = field(metadata=written(indexed=False))
    # Where its Markdown starts in the file (for messages): moves with the front matter.
    body_line: int = field(metadata={"indexed": False})
    summary: str | None = field(default=None, metadata=written(indexed=False))
    tags: tuple[str, ...] = field(default=(), metadata=written())
    actors: tuple[str, ...] = field(default=(), metadata=written())
    places: tuple[str, ...] = field(default=(), metadata=written())
    group: str | None = field(default=None, metadata=written(indexed=False))
    sources: tuple[Source, ...] = field(default=(), metadata=written())
    related: tuple[Relation, ...] = field(default=(), metadata=written())
    image: Image | None = field(default=None, metadata=written(indexed=False))
    media: Media | None = field(default=None, metadata=written(indexed=False))
    aliases: tuple[str, ...] = field(default=(), metadata=written())
    updates: tuple[Update, ...] = field(default=(), metadata=written(indexed=False))
    draft: bool = field(default=False, metadata=written())
    slug_line: int = 1

    @property
    def sort_key(self) -> tuple[int, int, str]:
        """Earliest day, latest day, slug: a total, stable order."""
        first, last = self.date.sort_key
        return first, last, self.slug

    def names(self, taxonomy: Taxonomy) -> tuple[str, ...]:
        names: tuple[str, ...] = getattr(self, taxonomy.value)
        return names


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PageFile:
    """A page of the site's own, from ``pages/``: "About", "Methodology"... Its Markdown is
    kept apart, as an event's is; ``sources`` are the bibliography entries it cites."""

    path: str  # relative to the project root, with forward slashes
    slug: str = field(metadata=written())
    title: str = field(metadata=written())
    # Its place in the menu: pages with a number come first, lowest first; ``False``: not in
    # the menu; None: after the numbered ones, by title.
    menu: int | bool | None = field(default=None, metadata=written())
    body_line: int = 1
    sources: tuple[Source, ...] = ()
