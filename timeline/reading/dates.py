"""EDTF (Extended Date/Time Format) levels 0 and 1: parsing, bounds, order and honest display.

A hand-written parser: one regular expression per date, a few microseconds a parse, where the
``edtf`` package (used as the test oracle) costs milliseconds. Day bounds are proleptic
Gregorian day numbers, so years before 1 and after 9999 order correctly.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from timeline.reading.pickling import pickled_by_fields

__all__ = [
    "DateFormat",
    "DatePoint",
    "EDTFDate",
    "EDTFError",
    "Precision",
    "iso_day",
    "parse_edtf",
]


class EDTFError(ValueError):
    """An EDTF string that cannot be read; the message says why."""


class Precision(enum.Enum):
    """How finely a date is known, from a time of day down to a millennium."""

    TIME = "time"
    DAY = "day"
    MONTH = "month"
    SEASON = "season"
    YEAR = "year"
    DECADE = "decade"
    CENTURY = "century"
    MILLENNIUM = "millennium"


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


def days_from_civil(year: int, month: int, day: int) -> int:
    """Proleptic Gregorian day number (0 = 1970-01-01), valid for any integer year."""
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    mp = (month + 9) % 12
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(n: int) -> tuple[int, int, int]:
    """Inverse of days_from_civil."""
    n += 719468
    era = n // 146097
    doe = n - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (month <= 2), month, day


def iso_day(n: int) -> str:
    """A day number as an ISO/EDTF calendar date, e.g. ``2007-08-22`` or ``-0500-01-01``."""
    y, m, d = civil_from_days(n)
    year = f"-{-y:04d}" if y < 0 else f"{y:04d}"
    return f"{year}-{m:02d}-{d:02d}"


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _month_length(year: int, month: int) -> int:
    if month == 2:
        return 29 if _is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DateFormat:
    """How dates are written: month names, element order and the words for uncertainty."""

    months: tuple[str, ...] = MONTHS_EN
    order: str = "dmy"  # "dmy" -> 22 August 2007, "mdy" -> August 22, 2007
    circa: str = "c."
    bce: str = "BCE"
    seasons: tuple[str, str, str, str] = ("Spring", "Summer", "Autumn", "Winter")
    open_end: str = "{start} onwards"
    open_start: str = "until {end}"
    unknown: str = "?"
    local_zone: str = ""  # named after times written without an offset, e.g. "Asia/Baghdad"


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
        text = self._bare(fmt)
        if qualifiers and self.approximate:
            text = f"{fmt.circa} {text}"
        if qualifiers and self.uncertain:
            text += "?"
        return text

    def year_text(self, fmt: DateFormat) -> str:
        digits = self.unspecified_year_digits
        if digits:
            span = 10**digits
            lo, hi = self.year, self.year + span - 1
            if lo >= 1:
                return f"{lo}s"
            if hi <= 0:
                return f"{1 - lo}–{1 - hi} {fmt.bce}"
            return f"{1 - lo} {fmt.bce}–{hi}"
        return str(self.year) if self.year >= 1 else f"{1 - self.year} {fmt.bce}"

    def _bare(self, fmt: DateFormat) -> str:
        year = self.year_text(fmt)
        if self.season is not None:
            return f"{fmt.seasons[self.season - 21]} {year}"
        if self.month is None:
            return year
        month = fmt.months[self.month - 1]
        if self.day is None:
            return f"{month} {year}"
        date = f"{month} {self.day}, {year}" if fmt.order == "mdy" else f"{self.day} {month} {year}"
        if self.time is not None:
            zone = " UTC" if self.tz == "Z" else (f" UTC{self.tz}" if self.tz else "")
            if not self.tz and fmt.local_zone:
                zone = f" ({fmt.local_zone})"
            date += f", {self.time}{zone}"
        return date


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
        fmt = fmt or DateFormat()
        if not self.interval:
            assert self.start is not None
            return self.start.display(fmt)
        start, end = self.start, self.end
        if start is None:
            assert end is not None
            if self.open_start:
                return fmt.open_start.format(end=end.display(fmt))
            return f"{fmt.unknown} – {end.display(fmt)}"
        if end is None:
            if self.open_end:
                return fmt.open_end.format(start=start.display(fmt))
            return f"{start.display(fmt)} – {fmt.unknown}"
        return _display_range(start, end, fmt)

    def __str__(self) -> str:
        return self.text


def _display_range(start: DatePoint, end: DatePoint, fmt: DateFormat) -> str:
    plain = not (start.qualified or end.qualified or start.time or end.time)
    same_kind = (
        plain
        and start.year == end.year
        and start.year >= 1
        and not start.unspecified_year_digits
        and not end.unspecified_year_digits
        and start.season is None
        and end.season is None
    )
    if same_kind and start.precision is end.precision is Precision.MONTH:
        assert start.month is not None
        return f"{fmt.months[start.month - 1]} – {end.display(fmt)}"
    if (
        same_kind
        and fmt.order == "dmy"
        and start.precision is end.precision is Precision.DAY
        and start.month == end.month
    ):
        return f"{start.day} – {end.display(fmt)}"
    return f"{start.display(fmt)} – {end.display(fmt)}"


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
    if start and end and end.latest < start.earliest:
        raise EDTFError(f"{value!r} ends before it starts")
    if start and end and start.time and end.time and (start.tz is None) != (end.tz is None):
        raise EDTFError(
            f"{value!r} mixes a time with a zone and one without; give both ends a zone"
        )
    return EDTFDate(
        value, start, end, interval=True, open_start=left == "..", open_end=right == ".."
    )


def _parse_point(text: str) -> DatePoint:
    m = _POINT.fullmatch(text)
    if m is None:
        raise EDTFError(
            f"{text!r} is not an EDTF date; use forms like 2007, 2007-08, 2007-08-22, "
            "2007-08~, 2007?, 199X or 2007-05/2007-08"
        )
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
        if m["neg"]:
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
        lo_year, hi_year = (year, year + span - 1) if year >= 0 else (year - span + 1, year)
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
            latest = days_from_civil(end_year, end_month, _month_length(end_year, end_month))
        elif 1 <= number <= 12:
            month, precision = number, Precision.MONTH
            earliest = days_from_civil(year, month, 1)
            latest = earliest + _month_length(year, month) - 1
        else:
            raise EDTFError(f"{text!r}: month {number} does not exist (01-12, or seasons 21-24)")
    elif month_raw == "XX" and day_raw not in (None, "XX"):
        raise EDTFError(f"{text!r}: a known day needs a known month")

    time = tz = None
    if day_raw is not None and day_raw != "XX" and month is not None:
        if "X" in day_raw:
            raise EDTFError(f"{text!r}: a day is either two digits or XX")
        day = int(day_raw)
        length = _month_length(year, month)
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
