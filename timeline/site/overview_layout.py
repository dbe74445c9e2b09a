"""Where the overview puts each thing: lanes by group, a mark per event, headlines packed in
rows without overlapping, in px of a REF-pixel-wide chart (see timeline/site/overview.py,
which draws it, and theme/static/chart-*.js, which follow the same rules in the browser).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from timeline.config import Config
from timeline.reading.dates import days_from_civil
from timeline.reading.model import Event
from timeline.site.axis import Tick, ticks
from timeline.site.overview_data import (
    FLAG_APPROX,
    FLAG_UNCERTAIN,
    Extent,
    Kind,
    chart_data,
    exact,
    rows,
)
from timeline.site.views import Views, event_url, year_url
from timeline.words import Words

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
    data: str  # JSON for the chart scripts (theme/static/chart-time.js decodes it)
    words: Words  # the site's (timeline.words): the chart's label, caption and legend
    # Where the data is, relative to the site's root, when the page does not hold it (the
    # whole timeline's chart of a large timeline, shared by the index, story/ and embed/).
    shared: str = ""


def _bounds(extents: Sequence[Extent]) -> tuple[int, int]:
    days = [d for e in extents for s in (e.start, e.end) if s for d in s]
    lo, hi = min(days), max(days)
    return lo, max(hi, lo + 1)


class _Scale:
    """Day numbers to px at REF."""

    def __init__(self, lo: int, hi: int) -> None:
        self.lo, self.k = lo, (REF - 2 * PAD) / (hi - lo)

    def __call__(self, day: float) -> float:
        return PAD + (day - self.lo) * self.k


def _pieces(e: Extent, x: _Scale) -> tuple[Piece, ...]:
    """What to draw for an extent, the same rule as chart-marks.js's ``pieces``."""
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
    elif exact(e.start):
        core0 = x(e.start[0])
    else:
        out.append(Piece("span", x(e.start[0]), x(e.start[1])))
        core0 = x(e.start[1])
    if e.end is None:
        right = REF - PAD if e.open_end else core0 + TAIL
        out.append(Piece("open-end" if e.open_end else "tail", core0, right))
        core1 = core0
    elif exact(e.end):
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
    """(row, label x, label room) per mark, in order: the greedy rule of chart-marks.js's ``pack``.

    A mark takes the first row where it and its headline fit; failing that a new row; failing
    that the row whose marks end soonest, where the headline before it is cut short (or left
    out) so that no label ever overlaps another label or a mark. A headline starts at its
    mark, so that it reads as the mark's, and is cut short at the chart's right edge."""
    out: list[tuple[int, float, float]] = []
    lines: list[_Row] = []
    right = REF - PAD
    for event, pieces in extents:
        x0, x1 = _span_of(pieces)
        lx = x0
        want = max(0.0, min(MAX_LABEL, len(event.title) * CHAR, right - lx))
        start = x0
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


# The last chart of a whole large timeline, with what it was drawn from: an update (serve)
# that changed nothing any chart shows draws it again only if something it shows changed
# (at 10,000 events, 100-200 ms that a tag or body edit would spend for the same picture).
_DRAWN: list[tuple[list[object], Overview]] = []


def overview(
    events: Sequence[Event], views: Views, config: Config, current: str | None = None
) -> Overview | None:
    """The overview of ``events`` (URLs relative to the site root), or None if empty;
    ``current`` is the slug of the event whose page shows it, drawn marked."""
    if not events:
        return None
    made = rows(views, events)
    key: list[object] = []
    if len(events) > OVERVIEW_LIMIT:  # the whole timeline's (index, story, embed)
        key = [config, views.config, views.words, current,
               [(r.extent, r.flags, r.head, r.days, r.event.group, r.event.date) for r in made]]
        if _DRAWN and _DRAWN[0][0] == key:  # an edit of what no chart shows: tags, bodies...
            return _DRAWN[0][1]
    extents = [row.extent for row in made]
    lo, hi = _bounds(extents)
    x = _Scale(lo, hi)
    unit, axis = ticks(lo, hi, REF - 2 * PAD, views.fmt)
    placed = tuple((x(t.day), t) for t in axis)
    lanes = _lanes(events, config)
    drawn = [_pieces(e, x) for e in extents]
    kinds = {p.kind for pieces in drawn for p in pieces}
    flags = 0
    for known in made:
        flags |= known.flags
    if flags & FLAG_APPROX:
        kinds.add("approximate")
    if flags & FLAG_UNCERTAIN:
        kinds.add("uncertain")
    if len(events) > OVERVIEW_LIMIT:
        counts = [min(ROWS, len(members)) for _, _, members in lanes]
        data = chart_data(made, lanes, counts, views, lo, hi, current)
        drawn_whole = Overview(BIN_HEIGHT + 8 + AXIS, (), unit, placed, (),
                               _density(events, views, x), frozenset(kinds), data,
                               views.words)  # fmt: skip
        _DRAWN[:] = [(key, drawn_whole)]
        return drawn_whole
    named = len(lanes) > 1 or lanes[0][0] != ""
    labels = views.labels
    out_lanes: list[Lane] = []
    marks: list[Mark] = []
    y = 4.0
    for name, colour, members in lanes:
        layout = _pack([(events[i], drawn[i]) for i in members], ROWS)
        count = 1 + max(r for r, _, _ in layout)
        top = y + (LANE_HEAD if named else 0)
        for i, (row, lx, room) in zip(members, layout, strict=True):
            event, pieces, mark_flags = events[i], drawn[i], made[i].flags
            marks.append(Mark(
                event_url(event.slug), labels[event.slug], _cut(event.title, room), colour,
                top + row * ROW, *_span_of(pieces), lx, pieces,
                bool(mark_flags & FLAG_APPROX), bool(mark_flags & FLAG_UNCERTAIN),
                event.slug == current,
            ))  # fmt: skip
        out_lanes.append(Lane((name or views.words("chart.other_lane")) if named else "", y,
                              count, colour))  # fmt: skip
        y = top + count * ROW + 6
    data = chart_data(made, lanes, [lane.rows for lane in out_lanes], views, lo, hi, current)
    return Overview(y + AXIS, tuple(out_lanes), unit, placed, tuple(marks), (), frozenset(kinds),
                    data, views.words)  # fmt: skip


def _density(events: Sequence[Event], views: Views, x: _Scale) -> tuple[Bin, ...]:
    counts: dict[int, int] = {}
    for event in events:
        counts[event.date.year] = counts.get(event.date.year, 0) + 1
    most = max(counts.values())
    bins = []
    for year, count in sorted(counts.items()):
        x0, x1 = x(days_from_civil(year, 1, 1)), x(days_from_civil(year + 1, 1, 1))
        label = views.words("chart.bin_label", year=views.year_text(year),
                            events=views.words.count("count.events", count))  # fmt: skip
        bins.append(Bin(max(PAD, x0), min(REF - PAD, x1), round(BIN_HEIGHT * count / most, 1),
                        year_url(year), label))  # fmt: skip
    return tuple(bins)
