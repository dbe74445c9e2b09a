"""EDTF (Extended Date/Time Format) levels 0 and 1: parsing, bounds and order (display is in
``date_display``, the calendar's arithmetic in ``calendar``; all are importable from here).

A hand-written parser: one regular expression per date, a few microseconds a parse, where the
``edtf`` package (used as the test oracle) costs milliseconds. Day bounds are proleptic
Gregorian day numbers, so years before 1 and after 9999 order correctly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from timeline.reading.calendar import (
    MONTHS_EN,
    EDTFError,
    Precision,
    civil_from_days,
    days_from_civil,
    iso_day,
    month_length,
)
from timeline.reading.date_display import DateFormat, date_text, point_text, year_text
from timeline.reading.pickling import pickled_by_fields

__all__ = [
    "DateFormat",
    "DatePoint",
    "EDTFDate",
    "EDTFError",
    "Precision",
    "civil_from_days",
    "days_from_civil",
    "iso_day",
    "parse_edtf",
]


SEASONS = {21: "spring", 22: "summer", 23: "autumn", 24: "winter"}
# Northern-hemisphere meteorological seasons; winter runs into the next year.
_SEASON_MONTHS = {21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (12, 14)}

MAX_YEAR_DIGITS = 12  # a year becomes a folder name (years/<year>/): keep it a sane length

_POINT = re.compile(
    r"""
    (?:Y(?P<long>-?[1-9][0-9]{4,})            # Y-20000, Y170000002: years of five+ digits
      |(?P<neg>-)?(?P<year>[0-9X]{4}))         # 2007, -0500, 199X, 19XX
    (?:-(?P<month>[0-9X]{2})
       (?:-(?P<day>[0-9X]{2})
          (?:T(?P<hh>[0-9]{2}):(?P<mi>[0-9]{2})(?::(?P<ss>[0-9]{2}))?
             (?P<tz>Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?
       )?
    )?
    (?P<q>[?~%])?
    """,
    re.VERBOSE,
)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class DatePoint:
    """One EDTF date (not an interval), with its precision, qualifiers and day bounds."""

    text: str
    year: int  # astronomical: 0 is 1 BCE, -1 is 2 BCE
    month: int | None
    day: int | None
    season: int | None
    time: str | None  # "10:00" or "10:00:30"
    tz: str | None  # "Z", "+02:00" or None for a local time
    precision: Precision
    approximate: bool
    uncertain: bool
    unspecified_year_digits: int
    earliest: int
    latest: int

    @property
    def qualified(self) -> bool:
        return self.approximate or self.uncertain

    def display(self, fmt: DateFormat, *, qualifiers: bool = True) -> str:
        """Precision-aware text: '22 August 2007', 'c. August 2007', '2007?', '1990s'."""
        return point_text(self, fmt, qualifiers=qualifiers)

    def year_text(self, fmt: DateFormat) -> str:
        return year_text(self, fmt)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class EDTFDate:
    """A parsed EDTF value: a single date or an interval whose ends may be open or unknown."""

    text: str
    start: DatePoint | None
    end: DatePoint | None
    interval: bool
    open_start: bool = False  # ".." : no start at all (as opposed to an unknown one)
    open_end: bool = False

    @property
    def earliest(self) -> int | None:
        """First possible day, or None when the start is open or unknown."""
        return self.start.earliest if self.start else None

    @property
    def latest(self) -> int | None:
        """Last possible day, or None when the end is open or unknown."""
        if not self.interval:
            assert self.start is not None
            return self.start.latest
        return self.end.latest if self.end else None

    @property
    def precision(self) -> Precision:
        point = self.start or self.end
        assert point is not None
        return point.precision

    @property
    def approximate(self) -> bool:
        start, end = self.start, self.end
        return (start is not None and start.approximate) or (end is not None and end.approximate)

    @property
    def uncertain(self) -> bool:
        start, end = self.start, self.end
        return (start is not None and start.uncertain) or (end is not None and end.uncertain)

    @property
    def sort_key(self) -> tuple[int, int]:
        """(earliest, latest) with open ends pushed to the far past or future."""
        lo = self.earliest
        hi = self.latest
        first = lo if lo is not None else (hi if hi is not None else 0) - 10**12
        last = hi if hi is not None else first + 10**12
        return first, last

    @property
    def year(self) -> int:
        """The year an event is filed under: its earliest day's, else its latest day's."""
        day = self.earliest if self.earliest is not None else self.latest
        assert day is not None
        return civil_from_days(day)[0]

    def display(self, fmt: DateFormat | None = None) -> str:
        """Precision-aware, honest text for people, e.g. 'May – August 2007'."""
        return date_text(self, fmt or DateFormat())

    def __str__(self) -> str:
        return self.text


def parse_edtf(text: str) -> EDTFDate:
    """Parse an EDTF level 0/1 string; raise EDTFError saying why it is not one."""
    if not isinstance(text, str):
        raise EDTFError(f"expected an EDTF date as text, got {type(text).__name__}")
    value = text.strip()
    if not value:
        raise EDTFError("empty date")
    if "/" not in value:
        return EDTFDate(value, _parse_point(value), None, interval=False)
    if value.count("/") > 1:
        raise EDTFError(f"{value!r} has more than one '/'; an interval is START/END")
    left, right = value.split("/")
    start = None if left in ("", "..") else _parse_point(left)
    end = None if right in ("", "..") else _parse_point(right)
    if start is None and end is None:
        raise EDTFError(f"{value!r}: an interval needs at least one known end")
    if start and end and (end.latest < start.earliest or _ends_earlier_that_day(start, end)):
        raise EDTFError(f"{value!r} ends before it starts")
    if start and end and start.time and end.time and (start.tz is None) != (end.tz is None):
        raise EDTFError(
            f"{value!r} mixes a time with a zone and one without; give both ends a zone"
        )
    return EDTFDate(
        value, start, end, interval=True, open_start=left == "..", open_end=right == ".."
    )


def _second_of(point: DatePoint) -> int:
    """A timed point's second from the start of its day, in UTC when it has a zone."""
    assert point.time is not None
    hh, mi, *ss = (int(part) for part in point.time.split(":"))
    offset = 0
    if point.tz and point.tz != "Z":
        sign = -1 if point.tz[0] == "-" else 1
        offset = sign * (int(point.tz[1:3]) * 60 + int(point.tz[4:6] or 0))
    return (hh * 60 + mi - offset) * 60 + (ss[0] if ss else 0)


def _ends_earlier_that_day(start: DatePoint, end: DatePoint) -> bool:
    """Whether an interval of two times ends before it starts (10:00/09:00 on one day, or
    10:00Z/12:00+03:00); the mix of a zone and none is refused on its own."""
    if start.time is None or end.time is None or (start.tz is None) != (end.tz is None):
        return False
    first = start.earliest * 86400 + _second_of(start)
    last = end.earliest * 86400 + _second_of(end)
    return last < first


def _parse_point(text: str) -> DatePoint:
    m = _POINT.fullmatch(text)
    if m is None:
        raise EDTFError(
            f"{text!r} is not an EDTF date; use forms like 2007, 2007-08, 2007-08-22, "
            "2007-08~, 2007?, 199X or 2007-05/2007-08"
        )
    negative = False
    if m["long"] is not None:
        if len(m["long"].lstrip("-")) > MAX_YEAR_DIGITS:
            raise EDTFError(
                f"{text[:40]!r}...: years of more than {MAX_YEAR_DIGITS} digits are not "
                "supported (the age of the universe takes 11)"
                if len(text) > 40 else
                f"{text!r}: years of more than {MAX_YEAR_DIGITS} digits are not supported "
                "(the age of the universe takes 11)"
            )  # fmt: skip
        if m["month"] is not None:
            raise EDTFError(f"{text!r}: 'Y' marks a year only (Y-20000, Y170000002), "
                            "without a month or day")  # fmt: skip
        year, unspecified = int(m["long"]), 0
    else:
        raw = m["year"]
        unspecified = len(raw) - len(raw.rstrip("X"))
        if "X" in raw.rstrip("X"):
            raise EDTFError(f"{text!r}: unspecified digits (X) may only end a year, as in 199X")
        if unspecified == 4:
            raise EDTFError(f"{text!r}: a year needs at least one known digit")
        year = int(raw[: 4 - unspecified] + "0" * unspecified)
        negative = bool(m["neg"])  # kept apart: -00XX (99 BCE to 1 BCE) has year digits 0
        if negative:
            if year == 0 and not unspecified:
                raise EDTFError(f"{text!r}: year -0000 does not exist; year 0000 is 1 BCE")
            year = -year
    q = m["q"]
    approximate, uncertain = q in ("~", "%"), q in ("?", "%")
    month_raw, day_raw = m["month"], m["day"]
    if unspecified and (month_raw or day_raw):
        raise EDTFError(f"{text!r}: a year with unspecified digits cannot have a month or day")

    if unspecified:
        span = 10**unspecified
        lo_year, hi_year = (year - span + 1, year) if negative else (year, year + span - 1)
        precision = {1: Precision.DECADE, 2: Precision.CENTURY}.get(
            unspecified, Precision.MILLENNIUM
        )
        return DatePoint(
            text, lo_year, None, None, None, None, None, precision, approximate, uncertain,
            unspecified, days_from_civil(lo_year, 1, 1), days_from_civil(hi_year, 12, 31),
        )  # fmt: skip

    month: int | None = None
    season: int | None = None
    day: int | None = None
    precision = Precision.YEAR
    earliest, latest = days_from_civil(year, 1, 1), days_from_civil(year, 12, 31)
    if month_raw is not None and month_raw != "XX":
        if "X" in month_raw:
            raise EDTFError(f"{text!r}: a month is either two digits or XX")
        number = int(month_raw)
        if 21 <= number <= 24:
            if day_raw is not None:
                raise EDTFError(f"{text!r}: a season cannot have a day")
            season, precision = number, Precision.SEASON
            first, last = _SEASON_MONTHS[number]
            end_year, end_month = (year + 1, last - 12) if last > 12 else (year, last)
            earliest = days_from_civil(year, first, 1)
            latest = days_from_civil(end_year, end_month, month_length(end_year, end_month))
        elif 1 <= number <= 12:
            month, precision = number, Precision.MONTH
            earliest = days_from_civil(year, month, 1)
            latest = earliest + month_length(year, month) - 1
        else:
            raise EDTFError(f"{text!r}: month {number} does not exist (01-12, or seasons 21-24)")
    elif month_raw == "XX" and day_raw not in (None, "XX"):
        raise EDTFError(f"{text!r}: a known day needs a known month")

    time = tz = None
    if day_raw is not None and day_raw != "XX" and month is not None:
        if "X" in day_raw:
            raise EDTFError(f"{text!r}: a day is either two digits or XX")
        day = int(day_raw)
        length = month_length(year, month)
        if not 1 <= day <= length:
            raise EDTFError(
                f"{text!r}: day {day} does not exist in {MONTHS_EN[month - 1]} {year} "
                f"(it has {length} days)"
            )
        precision = Precision.DAY
        earliest = latest = days_from_civil(year, month, day)
        if m["hh"] is not None:
            hh, mi, ss = int(m["hh"]), int(m["mi"]), int(m["ss"] or 0)
            if hh > 23 or mi > 59 or ss > 59:
                raise EDTFError(f"{text!r}: time {m['hh']}:{m['mi']} is not a time of day")
            time = f"{m['hh']}:{m['mi']}" + (f":{m['ss']}" if m["ss"] else "")
            tz = m["tz"]
            if tz and tz != "Z":
                tz = tz if ":" in tz or len(tz) == 3 else f"{tz[:3]}:{tz[3:]}"
                hours, minutes = int(tz[1:3]), int(tz[4:6] or 0)
                if hours > (14 if tz[0] == "+" else 12) or minutes > 59:
                    raise EDTFError(f"{text!r}: UTC{tz} is not a time zone offset "
                                    "(from -12:00 to +14:00)")  # fmt: skip
            precision = Precision.TIME
    elif m["hh"] is not None:
        raise EDTFError(f"{text!r}: a time needs a full date before the T")

    return DatePoint(
        text, year, month, day, season, time, tz, precision, approximate, uncertain, 0,
        earliest, latest,
    )  # fmt: skip
