"""The visual overview: an SVG drawn at build time, lanes by group, one mark per event.

Drawn by Python rather than a template macro: every event page carries one, and this is
several times faster; themes style it with CSS (classes ``chart``, ``mark``, ``bin``...).

A day is a point, anything longer a bar from its earliest to its latest day; approximate and
uncertain dates are drawn hatched and faint, so the picture is as honest as the list. Over
OVERVIEW_LIMIT events the overview becomes a density strip of years instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from markupsafe import Markup, escape

from timeline.config import Config
from timeline.reading.dates import civil_from_days, days_from_civil
from timeline.reading.model import Event
from timeline.site.views import Views, event_url, year_url

OVERVIEW_LIMIT = 500
WIDTH = 1000.0  # viewBox units; the SVG scales to its container
LEFT = 110.0  # room for lane names
ROW = 14.0  # height of one row of marks
ROWS = 3  # rows per lane before marks overlap
AXIS = 26.0


class Mark(NamedTuple):
    x: float
    y: float
    width: float  # 0 for a point
    url: str
    label: str  # accessible name: title and date
    colour: str
    hedged: bool  # approximate or uncertain: drawn hatched and faint
    current: bool = False  # the event whose page this is


class Lane(NamedTuple):
    name: str
    y: float
    height: float
    colour: str


class Tick(NamedTuple):
    x: float
    label: str


class Bin(NamedTuple):
    x: float
    width: float
    height: float
    url: str
    label: str


@dataclass(frozen=True)
class Overview:
    """Everything the overview template draws (marks, or bins for a large timeline)."""

    height: float
    lanes: tuple[Lane, ...]
    ticks: tuple[Tick, ...]
    marks: tuple[Mark, ...]
    bins: tuple[Bin, ...]
    left: float = LEFT
    width: float = WIDTH


def _bounds(events: Sequence[Event]) -> tuple[int, int]:
    days = [d for e in events for d in (e.date.earliest, e.date.latest) if d is not None]
    lo, hi = min(days), max(days)
    return lo, max(hi, lo + 1)


def _ticks(
    lo: int, hi: int, x: Callable[[int], float], name: Callable[[int], str]
) -> tuple[Tick, ...]:
    first, last = civil_from_days(lo)[0], civil_from_days(hi)[0] + 1
    step = max(1, (last - first) // 12)
    out = []
    for year in range(first, last + 1, step):
        day = days_from_civil(year, 1, 1)
        if lo <= day <= hi:
            out.append(Tick(x(day), name(year)))
    return tuple(out)


def overview(
    events: Sequence[Event], views: Views, config: Config, current: str | None = None
) -> Overview | None:
    """The overview of ``events`` (URLs relative to the site root), or None if empty;
    ``current`` is the slug of the event whose page shows it, drawn marked."""
    if not events:
        return None
    lo, hi = _bounds(events)
    span = WIDTH - LEFT - 10

    def x(day: int) -> float:
        return round(LEFT + span * (day - lo) / (hi - lo), 1)

    ticks = _ticks(lo, hi, x, views.year_text)  # year names in the configured language
    if len(events) > OVERVIEW_LIMIT:
        return _density(events, views, lo, hi, x, ticks)
    colours = {g.name: g.colour for g in config.groups}
    order = [g.name for g in config.groups]
    in_lanes: dict[str, list[Event]] = {}
    for event in events:
        in_lanes.setdefault(event.group or "", []).append(event)
    names = sorted(in_lanes, key=lambda n: (
        order.index(n) if n in order else len(order), n == "", n))  # fmt: skip
    lanes: list[Lane] = []
    marks: list[Mark] = []
    y = 4.0
    for name in names:
        colour = colours.get(name, "#6b6f76")
        ends: list[float] = []  # where each row of this lane is free again
        for event in in_lanes[name]:
            date = event.date
            earliest, latest = date.earliest, date.latest
            start = x(earliest if earliest is not None else lo)
            end = x(latest if latest is not None else hi)
            width = 0.0 if end - start < 1.5 else end - start
            row = -1
            for i, free in enumerate(ends):  # the first row free here
                if free < start:
                    row = i
                    break
            if row < 0 and len(ends) < ROWS:
                ends.append(0.0)
                row = len(ends) - 1
            elif row < 0:  # every row is busy here: overlap on the one freed soonest
                row = min(range(ROWS), key=lambda i: ends[i])
            ends[row] = start + max(width, 6)
            marks.append(Mark(
                start, y + row * ROW + ROW / 2, width, event_url(event.slug),
                views.mark_label(event), colour, date.approximate or date.uncertain,
                event.slug == current,
            ))  # fmt: skip
        height = max(1, min(len(ends), ROWS)) * ROW + 6
        lanes.append(Lane(name or "Other", y, height, colour))
        y += height
    return Overview(y + AXIS, tuple(lanes), ticks, tuple(marks), ())


def _density(events: Sequence[Event], views: Views, lo: int, hi: int, x: Callable[[int], float],
             ticks: tuple[Tick, ...]) -> Overview:  # fmt: skip
    counts: dict[int, int] = {}
    for event in events:
        counts[event.date.year] = counts.get(event.date.year, 0) + 1
    most = max(counts.values())
    bins = []
    for year, count in sorted(counts.items()):
        start = x(max(lo, days_from_civil(year, 1, 1)))
        end = x(min(hi, days_from_civil(year, 12, 31)))
        label = f"{views.year_text(year)}: {count} event{'s' if count != 1 else ''}"
        bins.append(Bin(start, max(end - start, 2), round(60 * count / most, 1),
                        year_url(year), label))  # fmt: skip
    return Overview(60 + AXIS, (), ticks, (), tuple(bins))


@lru_cache(maxsize=1 << 16)
def _escaped(text: str) -> str:
    """HTML-escaped text, remembered: each event's label and URL appear on up to nine charts."""
    return str(escape(text))


def svg(chart: Overview | None, root: str) -> Markup:
    """The overview as HTML (a figure holding the SVG), links relative to ``root``."""
    if chart is None:
        return Markup("")
    h = chart.height
    lanes = ", in lanes by group" if chart.lanes else ""
    out = [
        '<figure class="chart">\n'
        f'  <svg class="chart-svg" viewBox="0 0 {chart.width} {h}" role="group" '
        f'aria-label="Overview: every event on a time line{lanes}">\n'
    ]
    for lane in chart.lanes:
        line = lane.y + lane.height - 2
        out.append(
            f'    <text class="lane-name" x="4" y="{lane.y + 12}">{escape(lane.name)}</text>\n'
            f'    <line class="lane-line" x1="{chart.left}" x2="{chart.width - 4}" '
            f'y1="{line}" y2="{line}"/>\n'
        )
    href = _escaped(root)
    for m in chart.marks:
        label = _escaped(m.label)
        hedged = " mark-hedged" if m.hedged else ""
        classes = f"mark{hedged} mark-current" if m.current else f"mark{hedged}"
        current = ' aria-current="page"' if m.current else ""
        colour = _escaped(m.colour)
        if m.width:
            shape = (f'<rect x="{m.x}" y="{m.y - 4}" width="{m.width}" height="8" rx="2" '
                     f'fill="{colour}" stroke="{colour}"/>')  # fmt: skip
        else:
            shape = f'<circle cx="{m.x}" cy="{m.y}" r="4.5" fill="{colour}" stroke="{colour}"/>'
        out.append(
            f'    <a href="{href}{_escaped(m.url)}" aria-label="{label}" class="{classes}"'
            f"{current}>\n      <title>{label}</title>\n      {shape}\n    </a>\n"
        )
    for b in chart.bins:
        label = escape(b.label)
        out.append(
            f'    <a href="{escape(root)}{escape(b.url)}" aria-label="{label}" class="bin">\n'
            f"      <title>{label}</title>\n"
            f'      <rect x="{b.x}" y="{h - 26 - b.height}" width="{b.width}" '
            f'height="{b.height}"/>\n    </a>\n'
        )
    out.append(
        f'    <line class="axis" x1="{chart.left}" x2="{chart.width - 4}" y1="{h - 24}" '
        f'y2="{h - 24}"/>\n'
    )
    for t in chart.ticks:
        out.append(
            f'    <line class="axis" x1="{t.x}" x2="{t.x}" y1="{h - 24}" y2="{h - 20}"/>\n'
            f'    <text class="tick" x="{t.x}" y="{h - 8}" text-anchor="middle">'
            f"{escape(t.label)}</text>\n"
        )
    caption = (
        "A dot is a day, a bar a longer or vaguer period; faint, dashed marks are approximate "
        "or uncertain. Each mark links to its event."
        if chart.marks
        else "Events per year; each bar links to its year."
    )
    out.append(f"  </svg>\n  <figcaption>{caption}</figcaption>\n</figure>")
    return Markup("".join(out))
