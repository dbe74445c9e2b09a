"""The story (``story/``, and ``embed/`` for frames): the timeline as a slideshow.

The page is complete without JavaScript: a cover whose "Start" link opens the first event's
page (from there, each event page's Earlier/Later links are the story), the overview as
navigator, and for a timeline the index lists in full, every event in order, each entry's id
its slug, so that a slide's URL (``story/#slug``) lands on that event's entry. With
JavaScript, ``static/story.js`` shows one slide at a time, the event's own page fetched, and
tells the slides apart by the URL's options; the names it filters by are printed here as JSON
(``filter_data``), because the chart's data holds no tags, actors or places.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from timeline.site.index import TimelineIndex
from timeline.site.viewmodels import EventRef
from timeline.site.views import TAXONOMIES, Views


@dataclass(frozen=True)
class StoryView:
    """What the story's template shows besides the chart."""

    first: EventRef | None  # where "Start" leads without JavaScript
    contents: tuple[EventRef, ...]  # every event, or none for a large timeline
    count: int
    span: str  # "2006 – 2007": the years the story covers
    data: str  # JSON for story.js (see ``filter_data``)
    shared: str = ""  # where the data is, when the page does not hold it (see pages.Shared)


def story_view(index: TimelineIndex, views: Views, *, full: bool) -> StoryView:
    """The story of every event; ``full``: the page lists them all (as the index does)."""
    events = index.events
    first = views.refs_of(events[:1])
    years = sorted(index.years)
    span = ""
    if years:
        lo, hi = views.year_text(years[0]), views.year_text(years[-1])
        span = lo if lo == hi else f"{lo} – {hi}"
    return StoryView(
        first=first[0] if first else None,
        contents=views.refs_of(events) if full else (),
        count=len(events),
        span=span,
        data=filter_data(index),
    )


def filter_data(index: TimelineIndex) -> str:
    """Each event's tags, actors, places and group, in the timeline's order (the order of the
    chart's data), as indices into tables of [slug, name]: ``{"tag": [[slug, name], ...],
    "actor": ..., "place": ..., "group": [name, ...], "events": [[[tags], [actors], [places],
    group or -1], ...]}``."""
    tables: dict[str, object] = {}
    at: list[dict[str, int]] = []  # per taxonomy: a name as written -> its place in the table
    for taxonomy in TAXONOMIES:
        terms = index.terms[taxonomy]
        tables[taxonomy.singular] = [[t.slug, t.name] for t in terms]
        place = {t.slug: i for i, t in enumerate(terms)}
        at.append({name: place[slug] for name, slug in index.term_slugs[taxonomy].items()})
    groups = sorted({e.group for e in index.events if e.group})
    group_at = {g: i for i, g in enumerate(groups)}
    tags, actors, places = at
    rows = [
        [[tags[n] for n in e.tags], [actors[n] for n in e.actors], [places[n] for n in e.places],
         group_at[e.group] if e.group else -1]
        for e in index.events
    ]  # fmt: skip
    tables["group"] = groups
    tables["events"] = rows
    text = json.dumps(tables, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c")  # never "</script>" inside the script element
