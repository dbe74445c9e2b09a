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
into the page as JSON for theme/static/chart-*.js, which redraw the chart in time as it is
zoomed and panned, with the same rules. Over OVERVIEW_LIMIT events the static chart counts
events per year instead of drawing every mark.

This module draws the chart as HTML; where each thing goes is timeline/site/overview_layout.py,
and the JSON for the scripts timeline/site/overview_data.py.
"""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape

from timeline.site.overview_layout import (
    AXIS,
    CHAR,
    DOT,
    MIN_BAR,
    OVERVIEW_LIMIT,
    REF,
    ROW,
    Mark,
    Overview,
    Piece,
    overview,
)
from timeline.words import Words

__all__ = ["OVERVIEW_LIMIT", "Overview", "legend", "overview", "svg"]


@lru_cache(maxsize=1 << 16)
def _escaped(text: str) -> str:
    """HTML-escaped text, remembered: each event's label and URL appear on up to nine charts."""
    return str(escape(text))


def _pct(px: float) -> str:
    return f"{px * 100 / REF:.2f}%"


def _piece(p: Piece, y: float) -> str:
    """One piece as SVG: x in percent, sizes that must not scale in px (see chart-marks.js)."""
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


# Each kind of mark, its words' key in the strings table ("chart.legend_<kind>"), its picture.
LEGEND = (
    ("dot", '<circle class="dot" cx="14" cy="8" r="6"/>'),
    ("core", '<rect class="core" x="2" y="2" width="24" height="12" rx="3"/>'),
    ("span", '<rect class="span" x="2" y="2" width="24" height="12" rx="3"/>'),
    ("approximate", '<rect class="span approx" x="2" y="2" width="24" height="12" rx="3"/>'),
    ("uncertain",
     '<circle class="dot faint" cx="9" cy="8" r="6"/><text class="q" x="17" y="13">?</text>'),
    ("open-end", '<rect class="core" x="2" y="2" width="18" height="12" rx="3"/>'
                 '<path class="arrow" d="M20 1l7 7-7 7z"/>'),
    ("tail",
     '<circle class="dot" cx="7" cy="8" r="6"/><line class="tail" x1="13" x2="28" y1="8" y2="8"/>'),
)  # fmt: skip

DEFS = (
    '<defs><path id="chart-open-end" class="arrow" d="M0 -8l8 8-8 8z"/>'
    '<path id="chart-open-start" class="arrow" d="M0 -8l-8 8 8 8z"/></defs>'
)


@lru_cache(maxsize=64)
def legend(kinds: frozenset[str], words: Words, hidden: bool = False) -> str:
    """The key to the marks drawn, as HTML: only what the chart shows (``hidden`` until
    the scripts draw them, for a chart that counts events instead). Made once for each set
    of kinds: a site's charts show few different sets."""
    shown = {"open-end" if k == "open-start" else k for k in kinds}
    items = "".join(
        f'<li><svg class="key" width="30" height="16" aria-hidden="true">{shape}</svg>'
        f'{escape(words("chart.legend_" + kind.replace("-", "_")))}</li>'
        for kind, shape in LEGEND if kind in shown
    )  # fmt: skip
    shut = " hidden" if hidden else ""
    return f'<ul class="chart-legend"{shut}>{items}</ul>' if items else ""


@lru_cache(maxsize=16)
def _names(words: Words, lanes: bool, marks: bool) -> tuple[str, str]:
    """A chart's accessible name and its caption, escaped: the same on every chart of a kind
    (with or without named lanes, marks or counts)."""
    lane_word = words("chart.lanes") if lanes else ""
    what = words("chart.what_all" if marks else "chart.what_years")
    label = words("chart.label", what=what, lanes=lane_word)
    return _escaped(label), _escaped(words("chart.marks" if marks else "chart.bins"))


def svg(chart: Overview | None, root: str) -> Markup:
    """The overview as HTML (a figure holding the SVG and its data), links relative to
    ``root``."""
    if chart is None:
        return Markup("")
    h = chart.height
    label, caption = _names(chart.words, any(lane.name for lane in chart.lanes),
                            bool(chart.marks))  # fmt: skip
    href = _escaped(root)
    out = [
        f'<figure class="chart chart-static" data-root="{href}">\n'
        f'  <svg class="chart-svg" width="100%" height="{h}" role="group" '
        f'aria-label="{label}">\n    {DEFS}\n'
    ]
    axis_y = h - AXIS + 6
    # Each tick's x and the axis's heights, written once: every chart has several ticks.
    xs = [_pct(x) for x, _ in chart.ticks]
    base, tick_end, label_y = f"{axis_y}", f"{axis_y + 5}", f"{axis_y + 18}"
    for px in xs:
        out.append(f'    <line class="grid" x1="{px}" x2="{px}" y1="2" y2="{base}"/>\n')
    for lane in chart.lanes:
        if lane.name:
            out.append(
                f'    <text class="lane-name" x="4" y="{lane.y + 13}">{escape(lane.name)}</text>\n'
            )
        if lane.y > 4:
            out.append(f'    <line class="lane-line" x1="0" x2="100%" y1="{lane.y - 3}" '
                       f'y2="{lane.y - 3}"/>\n')  # fmt: skip
    for m in chart.marks:
        out.append(_mark(m, href))
    for b in chart.bins:
        bin_label = escape(b.label)
        out.append(
            f'    <a href="{href}{escape(b.url)}" aria-label="{bin_label}" class="bin">\n'
            f"      <title>{bin_label}</title>\n"
            f'      <rect x="{_pct(b.x0)}" y="{axis_y - 2 - b.height}" width="{_pct(b.x1 - b.x0)}" '
            f'height="{b.height}"/>\n    </a>\n'
        )
    out.append(f'    <line class="axis" x1="0" x2="100%" y1="{base}" y2="{base}"/>\n')
    last_end = -1e9  # where the last month or year name under the axis ends
    for i, ((x, t), px) in enumerate(zip(chart.ticks, xs, strict=True)):
        every = " t-odd" if i % 2 else ""
        every += " t-not4" if i % 4 else ""
        out.append(
            f'    <g class="tick{every}"><line x1="{px}" x2="{px}" y1="{base}" '
            f'y2="{tick_end}"/><text class="tick-label" x="{px}" y="{label_y}" '
            f'text-anchor="middle">{_escaped(t.label)}</text></g>\n'
        )
        wide = len(t.context) * 7.5
        at_edge = x - 4 + wide > REF - 2
        start = REF - 2 - wide if at_edge else x - 4
        if not t.context or start < last_end + 8:  # it would run into the name before it
            continue
        last_end = start + wide
        if at_edge:
            out.append(f'    <text class="tick-context" x="100%" dx="-2" y="{axis_y + 35}" '
                       f'text-anchor="end">{_escaped(t.context)}</text>\n')  # fmt: skip
        else:
            out.append(f'    <text class="tick-context" x="{px}" dx="-4" '
                       f'y="{axis_y + 35}">{_escaped(t.context)}</text>\n')  # fmt: skip
    if chart.shared:  # a script of its own, which the browser keeps for the other pages
        data = f'<script src="{href}{_escaped(chart.shared)}" class="chart-data"></script>'
    else:
        data = f'<script type="application/json" class="chart-data">{chart.data}</script>'
    out.append(
        f"  </svg>\n  {data}\n"
        f"  <figcaption>{legend(chart.kinds, chart.words, not chart.marks)}"
        f'<p class="chart-note">{caption}</p></figcaption>\n</figure>'
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
    x0, x1 = m.x0, m.x1
    if m.headline:  # the headline is a part of the target too
        x0, x1 = min(x0, m.label_x), max(x1, m.label_x + len(m.headline) * CHAR)
    width = x1 - x0
    if width >= 24:
        hit = f'x="{_pct(x0)}" width="{_pct(width)}"'
    else:
        hit = f'x="{_pct((x0 + x1) / 2)}" width="24" transform="translate(-12 0)"'
    pieces = m.pieces
    shapes = _piece(pieces[0], m.y) if len(pieces) == 1 else "".join(
        [_piece(p, m.y) for p in pieces])  # fmt: skip
    if m.uncertain:
        shapes += f'<text class="q" x="{_pct(m.x1)}" dx="2" y="{m.y + 22 + 5}">?</text>'
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
