"""Dates as people read them: precision-aware and honest ("c. August 2007", "1990s",
"May – August 2007"), in the words and order a site's config chooses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from timeline.reading.calendar import MONTHS_EN, Precision

if TYPE_CHECKING:
    from timeline.reading.dates import DatePoint, EDTFDate


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
    decade: str = "{year}s"
    day_date: str = "{day} {month} {year}"  # a day, in "dmy" order ("2. Juli 2006" in German)
    day_alone: str = "{day}"  # a range's first day within its month: "2 – 5 July 2006"
    short_months: tuple[str, ...] = ()  # on the overview's axis; () for prefixes of months
    hedges: tuple[str, str] = ("approximate", "uncertain")  # the words of a date's tooltip
    both: str = "{first} and {second}"
    edtf: str = "EDTF {code}"  # a date's tooltip: the date as written
    edtf_note: str = "EDTF {code}: {note}"
    local_zone: str = ""  # named after times written without an offset, e.g. "Asia/Baghdad"


def point_text(point: DatePoint, fmt: DateFormat, *, qualifiers: bool = True) -> str:
    """Precision-aware text: '22 August 2007', 'c. August 2007', '2007?', '1990s'."""
    text = _bare(point, fmt)
    if qualifiers and point.approximate:
        text = f"{fmt.circa} {text}"
    if qualifiers and point.uncertain:
        text += "?"
    return text


def year_text(point: DatePoint, fmt: DateFormat) -> str:
    """A point's year: '2007', '1990s', '500 BCE', '100–1 BCE'."""
    digits = point.unspecified_year_digits
    if digits:
        span = 10**digits
        lo, hi = point.year, point.year + span - 1
        if lo >= 1:
            return fmt.decade.replace("{year}", str(lo))
        if hi <= 0:
            return f"{1 - lo}–{1 - hi} {fmt.bce}"
        return f"{1 - lo} {fmt.bce}–{hi}"
    return str(point.year) if point.year >= 1 else f"{1 - point.year} {fmt.bce}"


def _bare(point: DatePoint, fmt: DateFormat) -> str:
    year = year_text(point, fmt)
    if point.season is not None:
        return f"{fmt.seasons[point.season - 21]} {year}"
    if point.month is None:
        return year
    month = fmt.months[point.month - 1]
    if point.day is None:
        return f"{month} {year}"
    date = (f"{month} {point.day}, {year}" if fmt.order == "mdy"
            else fmt.day_date.format(day=point.day, month=month, year=year))  # fmt: skip
    if point.time is not None:
        zone = " UTC" if point.tz == "Z" else (f" UTC{point.tz}" if point.tz else "")
        if not point.tz and fmt.local_zone:
            zone = f" ({fmt.local_zone})"
        date += f", {point.time}{zone}"
    return date


def date_text(date: EDTFDate, fmt: DateFormat) -> str:
    """Precision-aware, honest text for people, e.g. 'May – August 2007'."""
    if not date.interval:
        assert date.start is not None
        return point_text(date.start, fmt)
    start, end = date.start, date.end
    if start is None:
        assert end is not None
        if date.open_start:
            return fmt.open_start.format(end=point_text(end, fmt))
        return f"{fmt.unknown} – {point_text(end, fmt)}"
    if end is None:
        if date.open_end:
            return fmt.open_end.format(start=point_text(start, fmt))
        return f"{point_text(start, fmt)} – {fmt.unknown}"
    return _range_text(start, end, fmt)


def _range_text(start: DatePoint, end: DatePoint, fmt: DateFormat) -> str:
    if point_text(start, fmt) == point_text(end, fmt):  # 2007-08-22/2007-08-22: said once
        return point_text(start, fmt)
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
        return f"{fmt.months[start.month - 1]} – {point_text(end, fmt)}"
    if (
        same_kind
        and fmt.order == "dmy"
        and start.precision is end.precision is Precision.DAY
        and start.month == end.month
    ):
        return f"{fmt.day_alone.format(day=start.day)} – {point_text(end, fmt)}"
    return f"{point_text(start, fmt)} – {point_text(end, fmt)}"
