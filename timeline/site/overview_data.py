"""The overview's data for theme/static/chart-*.js: each event's days and flags as one compact
JSON array, and the chart's words in the site's language.

The same events are on up to nine charts (index, year, taxonomy pages, story, embed...), so
an event's row is made once per build and kept from update to update while the event and
the config are the same.
"""

from __future__ import annotations

import enum
import json
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from timeline.config import Config
from timeline.reading.dates import DateFormat, DatePoint, Precision
from timeline.reading.model import Event, Status
from timeline.site.axis import axis_months
from timeline.site.views import Views
from timeline.words import Words


class Kind(enum.Enum):
    """What a mark says about when it happened."""

    POINT = "point"  # on this day
    SPAN = "span"  # at some point in this span
    INTERVAL = "interval"  # from its start to its end


FLAG_INTERVAL, FLAG_APPROX, FLAG_UNCERTAIN, FLAG_OPEN_START, FLAG_OPEN_END, FLAG_CURRENT = (
    1, 2, 4, 8, 16, 32)  # fmt: skip


@dataclass(frozen=True)
class Extent:
    """An event's days: the spans its start and end fall in (half-open, in day numbers)."""

    kind: Kind
    start: tuple[int, int] | None  # None: open or unknown
    end: tuple[int, int] | None
    open_start: bool
    open_end: bool


def _span(point: DatePoint) -> tuple[int, int]:
    return point.earliest, point.latest + 1


def exact(span: tuple[int, int]) -> bool:
    """Whether a span is a single day."""
    return span[1] - span[0] <= 1


def extent(event: Event) -> Extent:
    """The days an event's date covers, and what kind of mark says so."""
    date = event.date
    if not date.interval:
        assert date.start is not None
        span = _span(date.start)
        exact = date.start.precision in (Precision.DAY, Precision.TIME)
        return Extent(Kind.POINT if exact else Kind.SPAN, span, span, False, False)
    start = _span(date.start) if date.start else None
    end = _span(date.end) if date.end else None
    return Extent(Kind.INTERVAL, start, end, date.open_start, date.open_end)


STATUSES = tuple(status.value for status in Status)  # the chart scripts' numbers of statuses


class Row(NamedTuple):
    """What every chart holds of one event, made once a build (an event is on up to nine
    charts): its days, its flags (but whether it is the page's own), and its JSON for the
    chart scripts: names and days (the lane and flags are the chart's)."""

    event: Event
    extent: Extent
    flags: int
    head: str  # JSON: '["slug","title","date",status' (the array left open)
    days: str  # JSON: the day numbers, without brackets


def chart_data(rows: Sequence[Row], lanes: Sequence[tuple[str, str, list[int]]],
               rows_of: Sequence[int], views: Views, lo: int, hi: int,
               current: str | None) -> str:  # fmt: skip
    """The chart's events for the scripts, one compact array each (see chart-time.js's
    ``decode``):
    [slug, title, date, status, lane, flags, start's first day, its end, end's first day,
    its end] (no end for a single date; null for an open or unknown end)."""
    lane_of = [0] * len(rows)
    for n, (_, _, members) in enumerate(lanes):
        for i in members:
            lane_of[i] = n
    out = []
    for row, lane in zip(rows, lane_of, strict=True):
        flags = row.flags | FLAG_CURRENT if row.event.slug == current else row.flags
        out.append(f"{row.head},{lane},{flags},{row.days}]")  # head opens the array
    lanes_json = _json([[n, c, r] for (n, c, _), r in zip(lanes, rows_of, strict=True)])
    return (f'{{"lo":{lo},"hi":{hi},"lanes":{lanes_json},{_words(views.fmt, views.words)},'
            f'"events":[{",".join(out)}]}}')  # fmt: skip


def _json(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c")  # never "</script>" inside the script element


@lru_cache(maxsize=8)
def _words(fmt: DateFormat, words: Words) -> str:
    """The chart's words in the site's language, as JSON members."""
    statuses = [words.status(status) for status in STATUSES]
    return (f'"months":{_json(list(fmt.months))},"short":{_json(list(axis_months(fmt)))},'
            f'"bce":{_json(fmt.bce)},"statuses":{_json(statuses)},'
            f'"status_keys":{_json(list(STATUSES))},"day_date":{_json(fmt.day_date)}')  # fmt: skip


_ROWS: weakref.WeakKeyDictionary[Views, dict[str, Row]] = weakref.WeakKeyDictionary()
# Across builds (serve's updates): each slug's last row, with the event and config it was
# made from. An event that did not change is the same object from update to update (the
# read cache keeps it), so the index, story and embed charts, which hold every event, are
# not encoded anew for one edit (about 240 ms at 10,000 events).
_LAST: dict[str, tuple[Event, Config, Row]] = {}


def rows(views: Views, events: Sequence[Event]) -> list[Row]:
    """The rows of ``events`` (see ``Row``), each made once per build and kept for the next
    while the event and config are the same."""
    made = _ROWS.get(views)
    if made is None:  # a new build: forget the rows of events it does not have (renamed ones)
        made = _ROWS[views] = {}
        for slug in _LAST.keys() - views.index.by_slug.keys():
            del _LAST[slug]
    known = made.get
    return [known(event.slug) or _row(views, event, made) for event in events]


def _row(views: Views, event: Event, made: dict[str, Row]) -> Row:
    last = _LAST.get(event.slug)
    if last is not None and last[0] is event and last[1] == views.config:
        row = made[event.slug] = last[2]
        return row
    item = views.item(event)
    e = extent(event)
    date = event.date
    flags = (
        (FLAG_INTERVAL if e.kind is Kind.INTERVAL else 0)
        | (FLAG_APPROX if date.approximate else 0)
        | (FLAG_UNCERTAIN if date.uncertain else 0)
        | (FLAG_OPEN_START if e.open_start else 0)
        | (FLAG_OPEN_END if e.open_end else 0)
    )
    days = [*(e.start or (None, None))]
    if e.kind is Kind.INTERVAL:
        days += [*(e.end or (None, None))]
    head = _json([event.slug, event.title, item.date.text])[:-1]
    row = made[event.slug] = Row(
        event, e, flags, f"{head},{STATUSES.index(item.status)}", _json(days)[1:-1]
    )
    _LAST[event.slug] = (event, views.config, row)
    return row
