"""Time-axis ticks that fit the span shown: millennia down to single days.

theme/static/chart-time.js holds the same rule (``STEPS``, ``MIN_GAP`` and the labels), so the
static chart and the zoomed one agree; tests/test_overview.py checks both.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from timeline.reading.dates import DateFormat, civil_from_days, days_from_civil

MIN_GAP = 56.0  # px between ticks: room for "2007", "Aug" or "500 BCE" and some air
CHAR = 7.5  # px: a 12 px bold character, rounded up
YEAR = 365.2425
MONTH = YEAR / 12

# (unit, count): every tick step the axis can use, finest first. Day steps of 7 and 14 restart
# each month (1, 8, 15, 22 and 1, 15) as printed calendars do.
STEPS: tuple[tuple[str, int], ...] = (
    ("day", 1), ("day", 2), ("day", 7), ("day", 14), ("month", 1), ("month", 3),
    ("month", 6), ("year", 1), ("year", 2), ("year", 5), ("year", 10), ("year", 20),
    ("year", 50), ("year", 100), ("year", 200), ("year", 500), ("year", 1000),
    ("year", 2000), ("year", 5000), ("year", 10000), ("year", 100000), ("year", 1000000),
)  # fmt: skip
_LENGTH = {"day": 1.0, "month": MONTH, "year": YEAR}


class Tick(NamedTuple):
    day: int  # the day the tick stands at (its start)
    label: str  # "22", "Aug", "2007"
    context: str  # "August 2007" at a month's start on a day axis, "2007" in January on a
    # month axis; else ""


def step_for(days_per_px: float) -> tuple[str, int]:
    """The finest step whose ticks stand at least MIN_GAP px apart."""
    for unit, count in STEPS:
        if _LENGTH[unit] * count / days_per_px >= MIN_GAP:
            return unit, count
    return STEPS[-1]


@lru_cache(maxsize=8)
def axis_months(fmt: DateFormat) -> tuple[str, ...]:
    """The months' names on the axis: the strings table's (``dates.short_months``), else
    their short forms."""
    return fmt.short_months or short_months(fmt.months)


def short_months(months: tuple[str, ...]) -> tuple[str, ...]:
    """Each month's shortest unambiguous prefix of three letters or more (juin, juil)."""
    out = []
    for name in months:
        n = 3
        while n < len(name) and any(o != name and o[:n] == name[:n] for o in months):
            n += 1
        out.append(name[:n])
    return tuple(out)


def year_text(year: int, fmt: DateFormat) -> str:
    return str(year) if year >= 1 else f"{1 - year} {fmt.bce}"


def _first_year(lo_year: int, count: int) -> int:
    """The first year at or after ``lo_year`` that is a multiple of ``count`` as people count
    (1990, 2000; 500 BCE is astronomical -499)."""
    if count == 1:
        return lo_year
    if lo_year >= 1:
        return -(-lo_year // count) * count
    # before year 1: labels 1 - y must be multiples of count
    return 1 - ((1 - lo_year) // count) * count


def ticks(lo: float, hi: float, width: float, fmt: DateFormat) -> tuple[str, tuple[Tick, ...]]:
    """The unit of the step chosen for days ``lo``..``hi`` drawn ``width`` px wide, and its
    ticks inside that range."""
    unit, count = step_for((hi - lo) / max(width, 1.0))
    out: list[Tick] = []
    y, m, _ = civil_from_days(int(lo // 1))
    months, short = fmt.months, axis_months(fmt)
    if unit == "year":
        year = _first_year(y if days_from_civil(y, 1, 1) >= lo else y + 1, count)
        while (day := days_from_civil(year, 1, 1)) <= hi:
            out.append(Tick(day, year_text(year, fmt), ""))
            nxt = year + count
            if year <= 0 < nxt and count > 1:
                nxt = count  # from "100 BCE" (-99) straight to 100: there is no year 0
            year = nxt
    elif unit == "month":
        month = m
        year = y
        while (month - 1) % count:
            month += 1
        while True:
            if month > 12:
                month, year = month - 12, year + 1
            day = days_from_civil(year, month, 1)
            if day > hi:
                break
            if day >= lo:
                context = year_text(year, fmt) if month == 1 else ""
                out.append(Tick(day, short[month - 1], context))
            month += count
    else:
        year, month = y, m
        while True:
            start = days_from_civil(year, month, 1)
            if start > hi:
                break
            end = days_from_civil(year + month // 12, month % 12 + 1, 1)
            for dom in _days_of_month(count, start, end):
                day = start + dom - 1
                if lo <= day <= hi:
                    context = f"{months[month - 1]} {year_text(year, fmt)}" if dom == 1 else ""
                    out.append(Tick(day, str(dom), context))
            month += 1
            if month > 12:
                month, year = 1, year + 1
    if unit != "year" and out and not out[0].context:
        # the first tick names its month or year too, unless the next name would touch it
        y, m, _ = civil_from_days(out[0].day)
        name = year_text(y, fmt) if unit == "month" else f"{months[m - 1]} {year_text(y, fmt)}"
        named = next((t.day for t in out if t.context), None)
        if named is None or (named - out[0].day) * width / (hi - lo) >= len(name) * CHAR + 12:
            out[0] = out[0]._replace(context=name)
    return unit, tuple(out)


def _days_of_month(count: int, start: int, end: int) -> range:
    """Days of a month (1-based) that carry a tick for a day step of ``count``."""
    length = end - start
    if count in (7, 14):
        return range(1, min(length, 28) + 1, count)  # never a tick on the 29th next to the 1st
    return range(1, length + 1) if count == 1 else range(1, length, count)  # no 31st then 1st
