"""The visual overview: an SVG drawn at build time, lanes by group, one mark per event.

Drawn by Python rather than a template macro: every event page carries one, and this is
several times faster. The static picture is complete without JavaScript: a labelled time
axis, headlines where there is room, and marks that say how well each date is known:

- a dot: it happened on this day;
- a solid bar: it lasted this span (a real interval);
- a hollow bar: it happened at some point in this span (a month, season, year, decade or an
  ``X`` date; the vague ends of an interval are drawn the same way);
- a dashed outline: approximate (``~``); faint with a "?": uncertain (``?``);
- an arrow at the chart's edge: still going (an open end); a dotted tail: an unknown end.

x positions are percentages of the chart's width and everything else is in pixels, so the
chart widens with its column but its text and marks keep their size. Labels are placed for a
REF-pixel-wide chart and hidden (by a container query) in a narrower one. The same data goes
into the page as JSON for theme/static/chart.js, which redraws the chart in time as it is
zoomed and panned, with the same rules. Over OVERVIEW_LIMIT events the static chart counts
events per year instead of drawing every mark.
"""

from __future__ import annotations

import enum
import json
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from markupsafe import Markup, escape

from timeline.config import Config
from timeline.reading.dates import DateFormat, DatePoint, Precision, days_from_civil
from timeline.reading.model import Event, Status
from timeline.site.axis import Tick, short_months, ticks
from timeline.site.views import Views, event_url, year_url

OVERVIEW_LIMIT = 500
REF = 880.0  # px: the width the static chart places its labels for
PAD = 16.0  # px at REF on each side of the plot
LANE_HEAD = 18.0  # the lane's name
ROW = 30.0  # one row: a headline (12 px text) over its mark (12 px tall)
ROWS = 3  # rows per lane at most; more marks than that share a row, unlabelled
AXIS = 44.0  # tick labels and the month or year they belong to
DOT = 6.0  # radius of a day's dot
MIN_BAR = 12.0  # px: a span narrower than this is drawn this wide, centred
TAIL = 28.0  # px: the dotted tail of an interval whose end is unknown
CHAR = 6.8  # px: a 12 px system font's mean character width, rounded up
GAP = 10.0  # px between a label and the next mark in its row
MAX_LABEL = 240.0  # px: longer headlines are cut short with an ellipsis
MIN_LABEL = 40.0  # px: shorter than this, a label is left out
BIN_HEIGHT = 60.0


class Kind(enum.Enum):
    """What a mark says about when it happened."""

    POINT = "point"  # on this day
    SPAN = "span"  # at some point in this span
    INTERVAL = "interval"  # from its start to its end


FLAG_INTERVAL, FLAG_APPROX, FLAG_UNCERTAIN, FLAG_OPEN_START, FLAG_OPEN_END, FLAG_CURRENT = (
    1, 2, 4, 8, 16, 32)  # fmt: skip


class Piece(NamedTuple):
    """One drawn part of a mark, in px at REF."""

    kind: str  # "dot", "core" (solid), "span" (hollow), "open-start", "open-end", "tail"
    x0: float
    x1: float


class Mark(NamedTuple):
    url: str
    label: str  # accessible name: title, date and status
    headline: str  # the visible label ("" when there is no room)
    colour: str
    y: float  # top of the mark's row
    x0: float  # px at REF: left and right of the drawn mark
    x1: float
    label_x: float
    pieces: tuple[Piece, ...]
    approximate: bool
    uncertain: bool
    current: bool


class Lane(NamedTuple):
    name: str
    y: float
    rows: int
    colour: str


class Bin(NamedTuple):
    x0: float
    x1: float
    height: float
    url: str
    label: str


@dataclass(frozen=True)
class Overview:
    """Everything the overview draws (marks, or bins for a large timeline), and its data."""

    height: float
    lanes: tuple[Lane, ...]
    unit: str  # of the axis: "day", "month" or "year"
    ticks: tuple[tuple[float, Tick], ...]  # x in px at REF
    marks: tuple[Mark, ...]
    bins: tuple[Bin, ...]
    kinds: frozenset[str]  # what the legend explains
    data: str  # JSON for chart.js


@dataclass(frozen=True)
class _Extent:
    """An event's days: the spans its start and end fall in (half-open, in day numbers)."""

    kind: Kind
    start: tuple[int, int] | None  # None: open or unknown
    end: tuple[int, int] | None
    open_start: bool
    open_end: bool


def _span(point: DatePoint) -> tuple[int, int]:
    return point.earliest, point.latest + 1


def _exact(span: tuple[int, int]) -> bool:
    return span[1] - span[0] <= 1


def _extent(event: Event) -> _Extent:
    date = event.date
    if not date.interval:
        assert date.start is not None
        span = _span(date.start)
        exact = date.start.precision in (Precision.DAY, Precision.TIME)
        return _Extent(Kind.POINT if exact else Kind.SPAN, span, span, False, False)
    start = _span(date.start) if date.start else None
    end = _span(date.end) if date.end else None
    return _Extent(Kind.INTERVAL, start, end, date.open_start, date.open_end)


def _bounds(extents: Sequence[_Extent]) -> tuple[int, int]:
    days = [d for e in extents for s in (e.start, e.end) if s for d in s]
    lo, hi = min(days), max(days)
    return lo, max(hi, lo + 1)


class _Scale:
    """Day numbers to px at REF."""

    def __init__(self, lo: int, hi: int) -> None:
        self.lo, self.k = lo, (REF - 2 * PAD) / (hi - lo)

    def __call__(self, day: float) -> float:
        return PAD + (day - self.lo) * self.k


def _pieces(e: _Extent, x: _Scale) -> tuple[Piece, ...]:
    """What to draw for an extent, the same rule as chart.js's ``pieces``."""
    if e.kind is Kind.POINT:
        assert e.start is not None
        c = x((e.start[0] + e.start[1]) / 2)
        return (Piece("dot", c - DOT, c + DOT),)
    if e.kind is Kind.SPAN:
        assert e.start is not None
        return (Piece("span", *_widened(x(e.start[0]), x(e.start[1]))),)
    out: list[Piece] = []
    if e.start is None:
        assert e.end is not None
        left = PAD if e.open_start else x(e.end[0]) - TAIL
        out.append(Piece("open-start" if e.open_start else "tail", left, x(e.end[0])))
        core0 = x(e.end[0])
    elif _exact(e.start):
        core0 = x(e.start[0])
    else:
        out.append(Piece("span", x(e.start[0]), x(e.start[1])))
        core0 = x(e.start[1])
    if e.end is None:
        right = REF - PAD if e.open_end else core0 + TAIL
        out.append(Piece("open-end" if e.open_end else "tail", core0, right))
        core1 = core0
    elif _exact(e.end):
        core1 = x(e.end[1])
    else:
        core1 = x(e.end[0])
        out.append(Piece("span", x(e.end[0]), x(e.end[1])))
    if core1 > core0:
        out.append(Piece("core", core0, core1))
    if max(p.x1 for p in out) - min(p.x0 for p in out) < MIN_BAR:  # too short to see
        lo, hi = _widened(min(p.x0 for p in out), max(p.x1 for p in out))
        out = [Piece("core" if core1 > core0 else "span", lo, hi)]
    return tuple(out)


def _span_of(pieces: tuple[Piece, ...]) -> tuple[float, float]:
    if len(pieces) == 1:
        return pieces[0].x0, pieces[0].x1
    return min(p.x0 for p in pieces), max(p.x1 for p in pieces)


def _widened(x0: float, x1: float) -> tuple[float, float]:
    if x1 - x0 >= MIN_BAR:
        return x0, x1
    c = (x0 + x1) / 2
    return c - MIN_BAR / 2, c + MIN_BAR / 2


def _cut(title: str, room: float) -> str:
    """``title`` cut short to whole words that fit ``room`` px, or "" when none would."""
    if room < MIN_LABEL:
        return ""
    if len(title) * CHAR <= room:
        return title
    # whole words only: the visible words must be words of the mark's accessible name
    words = title[: max(1, int(room / CHAR) - 1) + 1].rsplit(" ", 1)
    if len(words) < 2:
        return ""
    text = words[0]
    if text.count("(") > text.count(")"):  # never an opened bracket left unclosed
        text = text[: text.rindex("(")]
    text = text.rstrip(" ,;:–—-")
    return text + "…" if len(text) >= min(12, len(title)) else ""  # else too little to say


class _Row:
    __slots__ = ("end", "last", "mark_end")

    def __init__(self) -> None:
        self.end = -1e9  # right of everything placed, label included
        self.mark_end = -1e9
        self.last = -1  # index (in placed) of the last label in this row


def _pack(extents: list[tuple[Event, tuple[Piece, ...]]], rows: int,
          ) -> list[tuple[int, float, float]]:  # fmt: skip
    """(row, label x, label room) per mark, in order: the greedy rule of chart.js's ``pack``.

    A mark takes the first row where it and its headline fit; failing that a new row; failing
    that the row whose marks end soonest, where the headline before it is cut short (or left
    out) so that no label ever overlaps another label or a mark."""
    out: list[tuple[int, float, float]] = []
    lines: list[_Row] = []
    right = REF - PAD
    for event, pieces in extents:
        x0, x1 = _span_of(pieces)
        want = min(MAX_LABEL, len(event.title) * CHAR)
        lx = x0
        if x0 + want > right:  # near the right edge: end over the mark if that shows more
            before = min(want, min(right, x1) - PAD)
            if before > 1.5 * (right - x0):
                lx = min(right, x1) - before
        want = min(want, right - lx)
        start = min(x0, lx)
        row = next((i for i, r in enumerate(lines) if r.end + GAP <= start), -1)
        if row < 0 and len(lines) < rows:
            lines.append(_Row())
            row = len(lines) - 1
        if row < 0:
            row = min(range(len(lines)), key=lambda i: lines[i].mark_end)
            line = lines[row]
            if line.last >= 0:  # the headline before this mark stops short of it
                r, px, room = out[line.last]
                out[line.last] = (r, px, min(room, x0 - GAP - px))
            lx = x0
            want = min(want, right - lx)
        line = lines[row]
        out.append((row, lx, want))
        line.last = len(out) - 1
        line.mark_end = max(line.mark_end, x1)
        line.end = max(line.mark_end, lx + want)
    return out


def _lanes(events: Sequence[Event], config: Config) -> list[tuple[str, str, list[int]]]:
    """(name, colour, indices of its events) per lane, in the configured order of groups."""
    colours = {g.name: g.colour for g in config.groups}
    order = [g.name for g in config.groups]
    members: dict[str, list[int]] = {}
    for i, event in enumerate(events):
        members.setdefault(event.group or "", []).append(i)
    names = sorted(members, key=lambda n: (
        order.index(n) if n in order else len(order), n == "", n))  # fmt: skip
    return [(n, colours.get(n, "#6b6f76"), members[n]) for n in names]


def overview(
    events: Sequence[Event], views: Views, config: Config, current: str | None = None
) -> Overview | None:
    """The overview of ``events`` (URLs relative to the site root), or None if empty;
    ``current`` is the slug of the event whose page shows it, drawn marked."""
    if not events:
        return None
    extents = [_extent(e) for e in events]
    lo, hi = _bounds(extents)
    x = _Scale(lo, hi)
    unit, axis = ticks(lo, hi, REF - 2 * PAD, views.fmt)
    placed = tuple((x(t.day), t) for t in axis)
    lanes = _lanes(events, config)
    drawn = [_pieces(e, x) for e in extents]
    kinds = {p.kind for pieces in drawn for p in pieces}
    kinds.update(k for e in events for k, yes in (
        ("approximate", e.date.approximate), ("uncertain", e.date.uncertain)) if yes)  # fmt: skip
    if len(events) > OVERVIEW_LIMIT:
        rows = [min(ROWS, len(members)) for _, _, members in lanes]
        data = _data(events, extents, lanes, rows, views, lo, hi, current)
        return Overview(BIN_HEIGHT + 8 + AXIS, (), unit, placed, (), _density(events, views, x),
                        frozenset(kinds), data)  # fmt: skip
    named = len(lanes) > 1 or lanes[0][0] != ""
    out_lanes: list[Lane] = []
    marks: list[Mark] = []
    y = 4.0
    for name, colour, members in lanes:
        layout = _pack([(events[i], drawn[i]) for i in members], ROWS)
        count = 1 + max(r for r, _, _ in layout)
        top = y + (LANE_HEAD if named else 0)
        for i, (row, lx, room) in zip(members, layout, strict=True):
            event, pieces, date = events[i], drawn[i], events[i].date
            marks.append(Mark(
                event_url(event.slug), views.mark_label(event), _cut(event.title, room), colour,
                top + row * ROW, *_span_of(pieces), lx,
                pieces, date.approximate, date.uncertain, event.slug == current,
            ))  # fmt: skip
        out_lanes.append(Lane((name or "Other") if named else "", y, count, colour))
        y = top + count * ROW + 6
    data = _data(events, extents, lanes, [lane.rows for lane in out_lanes], views, lo, hi,
                 current)  # fmt: skip
    return Overview(y + AXIS, tuple(out_lanes), unit, placed, tuple(marks), (), frozenset(kinds),
                    data)  # fmt: skip


STATUSES = tuple(status.label for status in Status)


def _data(events: Sequence[Event], extents: Sequence[_Extent],
          lanes: Sequence[tuple[str, str, list[int]]], rows_of: Sequence[int], views: Views,
          lo: int, hi: int, current: str | None) -> str:  # fmt: skip
    """The chart's events for chart.js, one compact array each (see ``decode`` there):
    [slug, title, date, status, lane, flags, start's first day, its end, end's first day,
    its end] (no end for a single date; null for an open or unknown end)."""
    lane_of = {i: n for n, (_, _, members) in enumerate(lanes) for i in members}
    rows = []
    for i, (event, e) in enumerate(zip(events, extents, strict=True)):
        flags = (
            (FLAG_INTERVAL if e.kind is Kind.INTERVAL else 0)
            | (FLAG_APPROX if event.date.approximate else 0)
            | (FLAG_UNCERTAIN if event.date.uncertain else 0)
            | (FLAG_OPEN_START if e.open_start else 0)
            | (FLAG_OPEN_END if e.open_end else 0)
            | (FLAG_CURRENT if event.slug == current else 0)
        )
        head, days = _row(views, event, e)
        rows.append(f"{head},{lane_of[i]},{flags},{days}]")  # head opens the array
    lanes_json = _json([[n, c, r] for (n, c, _), r in zip(lanes, rows_of, strict=True)])
    return (f'{{"lo":{lo},"hi":{hi},"lanes":{lanes_json},{_words(views.fmt)},'
            f'"events":[{",".join(rows)}]}}')  # fmt: skip


def _json(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c")  # never "</script>" inside the script element


@lru_cache(maxsize=8)
def _words(fmt: DateFormat) -> str:
    """The chart's words in the site's language, as JSON members."""
    return (f'"months":{_json(list(fmt.months))},"short":{_json(list(short_months(fmt.months)))},'
            f'"bce":{_json(fmt.bce)},"statuses":{_json(list(STATUSES))}')  # fmt: skip


_ROWS: weakref.WeakKeyDictionary[Views, dict[str, tuple[str, str]]] = weakref.WeakKeyDictionary()
# Across builds (serve's updates): each slug's last row, with the event and config it was
# made from. An event that did not change is the same object from update to update (the
# read cache keeps it), so the index, story and embed charts, which hold every event, are
# not encoded anew for one edit (about 240 ms at 10,000 events).
_LAST: dict[str, tuple[Event, Config, tuple[str, str]]] = {}


def _row(views: Views, event: Event, e: _Extent) -> tuple[str, str]:
    """An event's JSON that is the same on every chart, made once per build (an event is on
    up to nine charts) and kept for the next while the event and config are the same: its
    names and its days."""
    made = _ROWS.get(views)
    if made is None:  # a new build: forget the rows of events it does not have (renamed ones)
        made = _ROWS[views] = {}
        for slug in _LAST.keys() - views.index.by_slug.keys():
            del _LAST[slug]
    row = made.get(event.slug)
    if row is not None:
        return row
    last = _LAST.get(event.slug)
    if last is not None and last[0] is event and last[1] == views.config:
        row = made[event.slug] = last[2]
        return row
    item = views.item(event)
    days = [*(e.start or (None, None))]
    if e.kind is Kind.INTERVAL:
        days += [*(e.end or (None, None))]
    row = made[event.slug] = (
        _json([event.slug, event.title, item.date.text])[:-1]
        + f",{STATUSES.index(item.status_label)}",
        _json(days)[1:-1],
    )
    _LAST[event.slug] = (event, views.config, row)
    return row


def _density(events: Sequence[Event], views: Views, x: _Scale) -> tuple[Bin, ...]:
    counts: dict[int, int] = {}
    for event in events:
        counts[event.date.year] = counts.get(event.date.year, 0) + 1
    most = max(counts.values())
    bins = []
    for year, count in sorted(counts.items()):
        x0, x1 = x(days_from_civil(year, 1, 1)), x(days_from_civil(year + 1, 1, 1))
        label = f"{views.year_text(year)}: {count} event{'s' if count != 1 else ''}"
        bins.append(Bin(max(PAD, x0), min(REF - PAD, x1), round(BIN_HEIGHT * count / most, 1),
                        year_url(year), label))  # fmt: skip
    return tuple(bins)


@lru_cache(maxsize=1 << 16)
def _escaped(text: str) -> str:
    """HTML-escaped text, remembered: each event's label and URL appear on up to nine charts."""
    return str(escape(text))


def _pct(px: float) -> str:
    return f"{px * 100 / REF:.2f}%"


def _piece(p: Piece, y: float) -> str:
    """One piece as SVG: x in percent, sizes that must not scale in px (see chart.js)."""
    mid = y + 22
    width = p.x1 - p.x0
    if p.kind == "dot":
        return f'<circle class="dot" cx="{_pct(p.x0 + DOT)}" cy="{mid}" r="{DOT}"/>'
    if p.kind == "tail":
        return (f'<line class="tail" x1="{_pct(p.x0)}" x2="{_pct(p.x1)}" y1="{mid}" '
                f'y2="{mid}"/>')  # fmt: skip
    kind = "span" if p.kind == "span" else "core"
    if width <= MIN_BAR + 0.01:  # widened to be seen: as wide at any chart width
        where = f'x="{_pct(p.x0 + width / 2)}" width="{MIN_BAR}" transform="translate(-6 0)"'
    else:
        where = f'x="{_pct(p.x0)}" width="{_pct(width)}"'
    rect = f'<rect class="{kind}" {where} y="{mid - 6}" height="12" rx="3"/>'
    if p.kind == "open-end":
        rect += f'<use href="#chart-open-end" x="{_pct(p.x1)}" y="{mid}"/>'
    elif p.kind == "open-start":
        rect += f'<use href="#chart-open-start" x="{_pct(p.x0)}" y="{mid}"/>'
    return rect


LEGEND = (
    ("dot", "on this day", '<circle class="dot" cx="14" cy="8" r="6"/>'),
    ("core", "lasted this span", '<rect class="core" x="2" y="2" width="24" height="12" rx="3"/>'),
    ("span", "some time in this span",
     '<rect class="span" x="2" y="2" width="24" height="12" rx="3"/>'),
    ("approximate", "approximate (c.)",
     '<rect class="span approx" x="2" y="2" width="24" height="12" rx="3"/>'),
    ("uncertain", "uncertain (?)",
     '<circle class="dot faint" cx="9" cy="8" r="6"/><text class="q" x="17" y="13">?</text>'),
    ("open-end", "still going",
     '<rect class="core" x="2" y="2" width="18" height="12" rx="3"/>'
     '<path class="arrow" d="M20 1l7 7-7 7z"/>'),
    ("tail", "end (or start) unknown",
     '<circle class="dot" cx="7" cy="8" r="6"/><line class="tail" x1="13" x2="28" y1="8" y2="8"/>'),
)  # fmt: skip

DEFS = (
    '<defs><path id="chart-open-end" class="arrow" d="M0 -8l8 8-8 8z"/>'
    '<path id="chart-open-start" class="arrow" d="M0 -8l-8 8 8 8z"/></defs>'
)


def legend(kinds: frozenset[str], hidden: bool = False) -> str:
    """The key to the marks drawn, as HTML: only what the chart shows (``hidden`` until
    chart.js draws them, for a chart that counts events instead)."""
    shown = {"open-end" if k == "open-start" else k for k in kinds}
    items = "".join(
        f'<li><svg class="key" width="30" height="16" aria-hidden="true">{shape}</svg>{text}</li>'
        for kind, text, shape in LEGEND if kind in shown
    )  # fmt: skip
    shut = " hidden" if hidden else ""
    return f'<ul class="chart-legend"{shut}>{items}</ul>' if items else ""


def svg(chart: Overview | None, root: str) -> Markup:
    """The overview as HTML (a figure holding the SVG and its data), links relative to
    ``root``."""
    if chart is None:
        return Markup("")
    h = chart.height
    lanes = ", in lanes by group" if any(lane.name for lane in chart.lanes) else ""
    what = "every event" if chart.marks else "events per year"
    out = [
        f'<figure class="chart chart-static" data-root="{escape(root)}">\n'
        f'  <svg class="chart-svg" width="100%" height="{h}" role="group" '
        f'aria-label="Overview: {what} on a time line{lanes}">\n    {DEFS}\n'
    ]
    axis_y = h - AXIS + 6
    for x, _ in chart.ticks:
        out.append(f'    <line class="grid" x1="{_pct(x)}" x2="{_pct(x)}" y1="2" '
                   f'y2="{axis_y}"/>\n')  # fmt: skip
    for lane in chart.lanes:
        if lane.name:
            out.append(
                f'    <text class="lane-name" x="4" y="{lane.y + 13}">{escape(lane.name)}</text>\n'
            )
        if lane.y > 4:
            out.append(f'    <line class="lane-line" x1="0" x2="100%" y1="{lane.y - 3}" '
                       f'y2="{lane.y - 3}"/>\n')  # fmt: skip
    href = _escaped(root)
    for m in chart.marks:
        out.append(_mark(m, href))
    for b in chart.bins:
        label = escape(b.label)
        out.append(
            f'    <a href="{escape(root)}{escape(b.url)}" aria-label="{label}" class="bin">\n'
            f"      <title>{label}</title>\n"
            f'      <rect x="{_pct(b.x0)}" y="{axis_y - 2 - b.height}" width="{_pct(b.x1 - b.x0)}" '
            f'height="{b.height}"/>\n    </a>\n'
        )
    out.append(f'    <line class="axis" x1="0" x2="100%" y1="{axis_y}" y2="{axis_y}"/>\n')
    last_end = -1e9  # where the last month or year name under the axis ends
    for i, (x, t) in enumerate(chart.ticks):
        every = " t-odd" if i % 2 else ""
        every += " t-not4" if i % 4 else ""
        out.append(
            f'    <g class="tick{every}"><line x1="{_pct(x)}" x2="{_pct(x)}" y1="{axis_y}" '
            f'y2="{axis_y + 5}"/><text class="tick-label" x="{_pct(x)}" y="{axis_y + 18}" '
            f'text-anchor="middle">{escape(t.label)}</text></g>\n'
        )
        wide = len(t.context) * 7.5
        at_edge = x - 4 + wide > REF - 2
        start = REF - 2 - wide if at_edge else x - 4
        if not t.context or start < last_end + 8:  # it would run into the name before it
            continue
        last_end = start + wide
        if at_edge:
            out.append(f'    <text class="tick-context" x="100%" dx="-2" y="{axis_y + 35}" '
                       f'text-anchor="end">{escape(t.context)}</text>\n')  # fmt: skip
        else:
            out.append(f'    <text class="tick-context" x="{_pct(x)}" dx="-4" '
                       f'y="{axis_y + 35}">{escape(t.context)}</text>\n')  # fmt: skip
    caption = ("Each mark links to its event." if chart.marks else
               "Events per year; each bar links to its year.")  # fmt: skip
    out.append(
        f'  </svg>\n  <script type="application/json" class="chart-data">{chart.data}</script>\n'
        f'  <figcaption>{legend(chart.kinds, not chart.marks)}<p class="chart-note">{caption}</p>'
        "</figcaption>\n</figure>"
    )
    return Markup("".join(out))


def _mark(m: Mark, href: str) -> str:
    label = _escaped(m.label)
    classes = "mark"
    if m.approximate:
        classes += " mark-approx"
    if m.uncertain:
        classes += " mark-uncertain"
    current = ""
    if m.current:
        classes += " mark-current"
        current = ' aria-current="page"'
    mid = m.y + 22
    x0, x1 = m.x0, m.x1
    if m.headline:  # the headline is a part of the target too
        x0, x1 = min(x0, m.label_x), max(x1, m.label_x + len(m.headline) * CHAR)
    width = x1 - x0
    if width >= 24:
        hit = f'x="{_pct(x0)}" width="{_pct(width)}"'
    else:
        hit = f'x="{_pct((x0 + x1) / 2)}" width="24" transform="translate(-12 0)"'
    shapes = "".join(_piece(p, m.y) for p in m.pieces)
    if m.uncertain:
        shapes += f'<text class="q" x="{_pct(m.x1)}" dx="2" y="{mid + 5}">?</text>'
    text = ""
    if m.headline:
        cut = m.headline.endswith("…")  # the visible words stay a part of the mark's name
        words = _escaped(m.headline[:-1] if cut else m.headline)
        more = '<tspan aria-hidden="true">…</tspan>' if cut else ""
        text = f'<text class="mark-label" x="{_pct(m.label_x)}" y="{m.y + 11}">{words}{more}</text>'
    return (
        f'    <a href="{href}{_escaped(m.url)}" aria-label="{label}" class="{classes}" '
        f'style="--c: {_escaped(m.colour)}"{current}>\n      <title>{label}</title>\n'
        f'      <rect class="hit" {hit} y="{m.y}" height="{ROW}"/>{shapes}{text}\n    </a>\n'
    )
