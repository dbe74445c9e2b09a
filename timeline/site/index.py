"""The timeline index: events in order, with every cross-reference resolved (phase one)."""

from __future__ import annotations

import bisect
import hashlib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from timeline.errors import Problems
from timeline.reading.events import shorten, slugify
from timeline.reading.fields import did_you_mean
from timeline.reading.model import Event, RelationKind, Source, Taxonomy, unindexed

NEIGHBOURS = 3  # events shown on each side under "around this date"


@dataclass(frozen=True)
class Term:
    """A tag, actor or place, with the events filed under it (in timeline order)."""

    taxonomy: Taxonomy
    name: str
    slug: str
    events: tuple[Event, ...]


@dataclass(frozen=True)
class SourceEntry:
    """One source of the bibliography page, with the events that cite it."""

    source: Source
    anchor: str
    events: tuple[Event, ...]


@dataclass(frozen=True)
class TimelineIndex:  # not slots: cached_property needs the instance __dict__
    """Everything that links events to one another, computed once per build."""

    events: tuple[Event, ...]
    by_slug: dict[str, Event]
    position: dict[str, int]
    terms: dict[Taxonomy, tuple[Term, ...]]
    term_slugs: dict[Taxonomy, dict[str, str]]  # display name -> slug
    backlinks: dict[str, tuple[tuple[Event, RelationKind | None], ...]]  # who names this one
    years: dict[int, tuple[Event, ...]]
    sources: tuple[SourceEntry, ...]
    unsourced: tuple[Event, ...]
    aliases: dict[str, Event]
    # Each source's place in ``sources``, by identity: the same dict for as long as the
    # sources keep their places and counts (every patch of ``with_edited_events``).
    source_places: dict[str, int]

    def previous(self, event: Event) -> Event | None:
        i = self.position[event.slug]
        return self.events[i - 1] if i > 0 else None

    def next(self, event: Event) -> Event | None:
        i = self.position[event.slug]
        return self.events[i + 1] if i + 1 < len(self.events) else None

    def neighbours(self, event: Event) -> tuple[Event, ...]:
        """Up to NEIGHBOURS events on each side of ``event`` in time order."""
        i = self.position[event.slug]
        return self.events[max(0, i - NEIGHBOURS) : i] + self.events[i + 1 : i + 1 + NEIGHBOURS]

    def term_slug(self, taxonomy: Taxonomy, name: str) -> str:
        return self.term_slugs[taxonomy][name]

    def term(self, taxonomy: Taxonomy, slug: str) -> Term:
        return self._terms_by_slug[taxonomy][slug]

    @cached_property
    def _terms_by_slug(self) -> dict[Taxonomy, dict[str, Term]]:
        return {t: {term.slug: term for term in terms} for t, terms in self.terms.items()}


MAX_NAME_SLUG = 80  # characters of a name's URL name
MAX_NAME_BYTES = 200  # and its bytes in UTF-8: a folder name has at most 255


@lru_cache(maxsize=65536)
def _name_slug(name: str) -> str:
    """A tag, actor or place name's URL name (names repeat across thousands of events). A
    long one is cut at a word and given a few characters of a digest of the whole name, so
    that names alike in their first 80 characters still get pages of their own."""
    slug = slugify(name, ascii_only=False)
    if len(slug) <= MAX_NAME_SLUG and len(slug.encode()) <= MAX_NAME_BYTES:
        return slug
    digest = hashlib.blake2b(slug.encode(), digest_size=3).hexdigest()
    cut = shorten(slug, MAX_NAME_SLUG - 7)
    while len(cut.encode()) > MAX_NAME_BYTES - 7:  # letters of 3 or 4 bytes in UTF-8
        cut = shorten(cut, len(cut) - 1)
    return f"{cut}-{digest}"


def _slug_key(slug: str) -> str:
    """Slugs equal under this key would collide on case-insensitive or normalising disks."""
    return unicodedata.normalize("NFC", slug).casefold()


def build_index(events: Iterable[Event], problems: Problems) -> TimelineIndex:
    """Order the events and resolve slugs, aliases, relations, taxonomies and sources."""
    ordered = tuple(sorted(events, key=lambda e: e.sort_key))
    by_slug: dict[str, Event] = {}
    claimed: dict[str, Event] = {}
    for event in ordered:
        key = _slug_key(event.slug)
        if key in claimed:
            other = claimed[key]
            problems.error(
                event.path, event.slug_line, "slug",
                f"{event.slug!r} is already used by {other.path}; give one of them another slug:",
            )  # fmt: skip
            continue
        claimed[key] = event
        by_slug[event.slug] = event
    aliases: dict[str, Event] = {}
    for event in ordered:
        for alias in event.aliases:
            key = _slug_key(alias)
            if key in claimed and claimed[key] is not event:
                problems.error(
                    event.path, event.slug_line, "aliases",
                    f"{alias!r} is already the slug or alias of {claimed[key].path}",
                )  # fmt: skip
                continue
            claimed[key] = event
            aliases[alias] = event

    backlinks: dict[str, list[tuple[Event, RelationKind | None]]] = defaultdict(list)
    for event in ordered:
        for relation in event.related:
            if relation.slug not in by_slug:
                problems.error(
                    event.path, relation.line, "related",
                    f"unknown event {relation.slug!r}{did_you_mean(relation.slug, by_slug)}",
                )  # fmt: skip
            elif relation.slug == event.slug:
                problems.warn(event.path, relation.line, "related", "an event relates to itself")
            else:
                backlinks[relation.slug].append((event, relation.kind))

    terms, term_slugs = _taxonomies(ordered, problems)
    years: dict[int, list[Event]] = defaultdict(list)
    for event in ordered:
        years[event.date.year].append(event)
    sources, unsourced = _sources(ordered, problems)
    return TimelineIndex(
        events=ordered,
        by_slug=by_slug,
        position={e.slug: i for i, e in enumerate(ordered)},
        terms=terms,
        term_slugs=term_slugs,
        backlinks={k: tuple(v) for k, v in backlinks.items()},
        years={y: tuple(v) for y, v in sorted(years.items())},
        sources=sources,
        unsourced=unsourced,
        aliases=aliases,
        source_places={entry.source.identity: n for n, entry in enumerate(sources)},
    )


def _taxonomies(
    ordered: tuple[Event, ...], problems: Problems
) -> tuple[dict[Taxonomy, tuple[Term, ...]], dict[Taxonomy, dict[str, str]]]:
    terms: dict[Taxonomy, tuple[Term, ...]] = {}
    slugs: dict[Taxonomy, dict[str, str]] = {}
    for taxonomy in Taxonomy:
        names: dict[str, str] = {}  # slug -> display name (the first one seen)
        members: dict[str, list[Event]] = defaultdict(list)
        name_slugs: dict[str, str] = {}
        for event in ordered:
            for name in event.names(taxonomy):
                slug = _name_slug(name)
                if not slug:
                    problems.error(
                        event.path, 1, taxonomy.value, f"{name!r} has no letters or digits"
                    )
                    continue
                names.setdefault(slug, name)
                name_slugs[name] = slug
                if not members[slug] or members[slug][-1] is not event:
                    members[slug].append(event)
        terms[taxonomy] = tuple(
            Term(taxonomy, names[slug], slug, tuple(members[slug]))
            for slug in sorted(names, key=lambda s: (names[s].casefold(), s))
        )
        slugs[taxonomy] = name_slugs
    return terms, slugs


def _sources(
    ordered: tuple[Event, ...], problems: Problems
) -> tuple[tuple[SourceEntry, ...], tuple[Event, ...]]:
    citing: dict[str, list[Event]] = defaultdict(list)
    first: dict[str, Source] = {}
    unsourced = []
    for event in ordered:
        if not event.sources:
            unsourced.append(event)
            problems.warn(
                event.path, 1, "sources",
                "this event cites no source; add one (an error under --strict)",
            )  # fmt: skip
        for source in event.sources:
            first.setdefault(source.identity, source)
            events = citing[source.identity]
            if not events or events[-1] is not event:
                events.append(event)
    identities = sorted(first, key=lambda i: (first[i].title.casefold(), i))
    entries = tuple(
        SourceEntry(first[i], f"s{n}", tuple(citing[i])) for n, i in enumerate(identities, 1)
    )
    return entries, tuple(unsourced)


# The fields of an event the index never looks at (declared in the model): it orders, files
# and cross-references events by their slug, date, names, sources, relations and aliases.
UNINDEXED = unindexed(Event)


def same_place(new: Event, old: Event) -> bool:
    """True when two versions of an event differ at most in fields the index does not use,
    so that the event keeps its place in every list, term, year and source."""
    return replace(new, **{name: getattr(old, name) for name in UNINDEXED}) == old


def refiled_only(new: Event, old: Event) -> bool:
    """True when ``new`` differs from ``old`` at most in what ``same_place`` allows and in
    its date and names: it moves in time or among names, but keeps its slug, sources,
    relations and aliases (what reaches other events and pages)."""
    put_back = replace(new, date=old.date, tags=old.tags, actors=old.actors, places=old.places)
    return same_place(put_back, old)


def with_edited_events(
    index: TimelineIndex, events: Sequence[Event], edited: Sequence[Event] | None = None
) -> TimelineIndex | None:
    """The index of ``events`` when they differ from ``index``'s own events only in what the
    index does not use (the usual edits while serving: a body, a title, a status), and at
    most one of them in its date or its names as well (filed under other tags, actors or
    places that other events already have): the changed events are swapped into the lists
    that hold them, and a moved event taken out of its lists and put into its new ones,
    without ordering and cross-referencing everything again. None when anything else
    changed (build the index again), or when the site's pages would change: a name or year
    gaining its first event or losing its last, a name spelt otherwise. ``edited``: the
    only events of ``events`` that can be other than ``index``'s own (each read from the
    same file as the one it replaces), so that the others need no look."""
    if len(events) != len(index.events):
        return None
    swap: dict[str, Event] = {}
    moved: list[tuple[Event, Event]] = []  # (as it was, as it is): a new date or names
    for event in events if edited is None else edited:
        old = index.by_slug.get(event.slug)
        if old is None or (edited is not None and old.path != event.path):
            return None
        if old is not event:
            if not same_place(event, old):
                if not refiled_only(event, old):
                    return None
                moved.append((old, event))
            swap[event.slug] = event
    if not swap:
        return index
    if len(moved) > 1:
        return None

    def fresh(seq: tuple[Event, ...]) -> tuple[Event, ...]:
        return tuple(swap.get(e.slug, e) for e in seq)

    in_place = list(index.events)  # each swapped event in its place, without a look at all
    for slug, event in swap.items():
        in_place[index.position[slug]] = event
    ordered, position = tuple(in_place), index.position
    retimed = [(was, event) for was, event in moved if was.date != event.date]
    if retimed:  # (filed under other names only, an event keeps its place in time)
        was, event = retimed[0]
        rest = [e for e in ordered if e.slug != event.slug]
        at = bisect.bisect_left(rest, event.sort_key, key=lambda e: e.sort_key)
        ordered = (*rest[:at], event, *rest[at:])
        position = {e.slug: i for i, e in enumerate(ordered)}

    def refiled(seq: tuple[Event, ...]) -> tuple[Event, ...]:
        """A list holding the moved event, in the new order."""
        return tuple(sorted(fresh(seq), key=lambda e: position[e.slug]))

    changed = list(swap.values())
    terms = dict(index.terms)
    for taxonomy in Taxonomy:
        slugs = index.term_slugs[taxonomy]
        touched = {slugs.get(n) for e in changed for n in e.names(taxonomy)}
        refile: set[str | None] = set()  # the moved event's names: re-sorted, joined or left
        joined: set[str | None] = set()
        departed: set[str | None] = set()
        for was, event in moved:
            before = {slugs.get(n) for n in was.names(taxonomy)}
            after = {slugs.get(n) for n in event.names(taxonomy)}
            if None in after:
                return None  # a name (or a spelling of it) no event had: a page appears
            refile |= after
            joined |= after - before
            departed |= before - after
        if not touched and not departed:
            continue
        updated = []
        for term in terms[taxonomy]:
            if term.slug in departed:
                gone = {event.slug for _, event in moved}
                term = replace(term, events=tuple(e for e in fresh(term.events)
                                                  if e.slug not in gone))  # fmt: skip
                if not term.events:
                    return None  # a name loses its last event: its pages go
            elif term.slug in refile:
                joining = [event for _, event in moved if term.slug in joined]
                term = replace(term, events=refiled((*term.events, *joining)))
            elif term.slug in touched:
                term = replace(term, events=fresh(term.events))
            if term.slug in refile | departed and (
                _spelling(term.events[0], taxonomy, term.slug) != term.name
            ):
                return None  # its first event now spells the name otherwise
            updated.append(term)
        terms[taxonomy] = tuple(updated)
    backlinks = dict(index.backlinks)
    for target in {r.slug for e in changed for r in e.related}:
        if target in backlinks:
            pairs = ((swap.get(e.slug, e), k) for e, k in backlinks[target])
            backlinks[target] = tuple(sorted(pairs, key=lambda pair: position[pair[0].slug]))
    years = dict(index.years)
    if any(event.date.year not in years for _, event in moved):
        return None  # a year gains its first event: a page appears
    for year in {e.date.year for e in changed}:
        years[year] = fresh(years[year])
    for was, event in moved:
        if was.date == event.date:
            continue  # filed under other names only: it keeps its place in its year
        left = tuple(e for e in years[was.date.year] if e.slug != event.slug)
        if not left:
            return None  # a year loses its last event: a page goes
        years[was.date.year] = left
        years[event.date.year] = refiled((*years[event.date.year], event))
    cited = {s.identity for e in changed for s in e.sources}
    recited = {s.identity for _, e in moved for s in e.sources}
    sources = list(index.sources)
    for identity in cited:  # (the same sources as before: same_place, refiled_only)
        at = index.source_places[identity]
        entry = sources[at]
        if identity in recited:
            entry = replace(entry, events=refiled(entry.events))
            first = next(s for s in entry.events[0].sources if s.identity == identity)
            if first != entry.source:
                return None  # the Sources page would show the first citation's details
        else:
            entry = replace(entry, events=fresh(entry.events))
        sources[at] = entry
    unsourced = fresh(index.unsourced)
    if any(not e.sources for _, e in moved):
        unsourced = refiled(unsourced)
    by_slug = {**index.by_slug, **swap}
    return TimelineIndex(
        events=ordered,
        by_slug={e.slug: e for e in ordered} if retimed else by_slug,
        position=position,
        terms=terms,
        term_slugs=index.term_slugs,
        backlinks=backlinks,
        years=years,
        sources=tuple(sources),
        unsourced=unsourced,
        aliases={a: swap.get(e.slug, e) for a, e in index.aliases.items()},
        source_places=index.source_places,
    )


def _spelling(event: Event, taxonomy: Taxonomy, slug: str) -> str:
    """How ``event`` writes the name filed under ``slug`` (the first of its names that is)."""
    return next(name for name in event.names(taxonomy) if _name_slug(name) == slug)
