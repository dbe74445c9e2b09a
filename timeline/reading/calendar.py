"""The proleptic Gregorian calendar as day numbers, and the words every date module shares.

Day numbers (0 = 1970-01-01) work for any integer year, so years before 1 and after 9999
order correctly.
"""

from __future__ import annotations

import enum


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


def is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def month_length(year: int, month: int) -> int:
    if month == 2:
        return 29 if is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
