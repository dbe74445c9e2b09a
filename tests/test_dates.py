"""EDTF dates: every listed form parses, orders and displays honestly."""

from __future__ import annotations

import datetime as dt

import edtf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import Project
from timeline.reading.dates import (
    DateFormat,
    EDTFError,
    Precision,
    civil_from_days,
    days_from_civil,
    iso_day,
    parse_edtf,
)


@pytest.mark.parametrize(
    ("text", "shown", "precision", "earliest", "latest"),
    [
        ("2007", "2007", Precision.YEAR, "2007-01-01", "2007-12-31"),
        ("2007-08", "August 2007", Precision.MONTH, "2007-08-01", "2007-08-31"),
        ("2007-08-22", "22 August 2007", Precision.DAY, "2007-08-22", "2007-08-22"),
        ("2007-08-22T10:00Z", "22 August 2007, 10:00 UTC", Precision.TIME, "2007-08-22", "2007-08-22"),
        ("2007-08-22T10:00:30+03:00", "22 August 2007, 10:00:30 UTC+03:00", Precision.TIME,
         "2007-08-22", "2007-08-22"),
        ("2007-08~", "c. August 2007", Precision.MONTH, "2007-08-01", "2007-08-31"),
        ("2007?", "2007?", Precision.YEAR, "2007-01-01", "2007-12-31"),
        ("2007-08%", "c. August 2007?", Precision.MONTH, "2007-08-01", "2007-08-31"),
        ("199X", "1990s", Precision.DECADE, "1990-01-01", "1999-12-31"),
        ("19XX", "1900s", Precision.CENTURY, "1900-01-01", "1999-12-31"),
        ("2007-XX", "2007", Precision.YEAR, "2007-01-01", "2007-12-31"),
        ("2007-08-XX", "August 2007", Precision.MONTH, "2007-08-01", "2007-08-31"),
        ("2007-05/2007-08", "May – August 2007", Precision.MONTH, "2007-05-01", "2007-08-31"),
        ("2007-08-19/2007-08-21", "19 – 21 August 2007", Precision.DAY, "2007-08-19", "2007-08-21"),
        ("2006-11/2007-02", "November 2006 – February 2007", Precision.MONTH,
         "2006-11-01", "2007-02-28"),
        ("2007-05~/2007-08~", "c. May 2007 – c. August 2007", Precision.MONTH,
         "2007-05-01", "2007-08-31"),
        ("2007-21", "Spring 2007", Precision.SEASON, "2007-03-01", "2007-05-31"),
        ("2007-22", "Summer 2007", Precision.SEASON, "2007-06-01", "2007-08-31"),
        ("2007-24", "Winter 2007", Precision.SEASON, "2007-12-01", "2008-02-29"),
        ("-0499", "500 BCE", Precision.YEAR, "-0499-01-01", "-0499-12-31"),
        ("0000", "1 BCE", Precision.YEAR, "0000-01-01", "0000-12-31"),
        ("Y-20000", "20001 BCE", Precision.YEAR, "-20000-01-01", "-20000-12-31"),
        ("Y20000", "20000", Precision.YEAR, "20000-01-01", "20000-12-31"),
    ],
)  # fmt: skip
def test_forms_parse_and_display(
    text: str, shown: str, precision: Precision, earliest: str, latest: str
) -> None:
    date = parse_edtf(text)
    assert date.display() == shown
    assert date.precision is precision
    assert date.earliest is not None and iso_day(date.earliest) == earliest
    assert date.latest is not None and iso_day(date.latest) == latest


def test_astronomical_year_numbering_is_kept() -> None:
    """EDTF's -0500 is 501 BCE (year 0000 is 1 BCE): shown honestly, not off by one."""
    assert parse_edtf("-0500").display() == "501 BCE"


@pytest.mark.parametrize(
    ("text", "shown", "earliest", "latest"),
    [
        ("2007-05/..", "May 2007 onwards", "2007-05-01", None),
        ("2007-05/", "May 2007 – ?", "2007-05-01", None),
        ("../2007-08", "until August 2007", None, "2007-08-31"),
        ("/2007", "? – 2007", None, "2007-12-31"),
    ],
)
def test_open_and_unknown_interval_ends(
    text: str, shown: str, earliest: str | None, latest: str | None
) -> None:
    date = parse_edtf(text)
    assert date.display() == shown
    assert (iso_day(date.earliest) if date.earliest is not None else None) == earliest
    assert (iso_day(date.latest) if date.latest is not None else None) == latest


def test_month_first_format_and_other_languages() -> None:
    assert parse_edtf("2007-08-22").display(DateFormat(order="mdy")) == "August 22, 2007"
    french = DateFormat(months=("janvier",) * 7 + ("août",) + ("x",) * 4, circa="vers")
    assert parse_edtf("2007-08~").display(french) == "vers août 2007"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2007-13", "month 13 does not exist"),
        ("2007-02-30", "day 30 does not exist in February 2007"),
        ("2007-02-29", "day 29 does not exist in February 2007"),
        ("2007-25", "month 25 does not exist"),
        ("2007-04-31", "day 31 does not exist in April"),
        ("2008-01/2007-05", "ends before it starts"),
        ("1X9X", "unspecified digits (X) may only end a year"),
        ("XXXX", "at least one known digit"),
        ("2007-08-22T25:00", "is not a time of day"),
        ("-0000", "year -0000 does not exist"),
        ("20070", "is not an EDTF date"),
        ("22/08/2007", "more than one '/'"),
        ("August 2007", "is not an EDTF date"),
        ("", "empty date"),
        ("../..", "needs at least one known end"),
        ("2007-21-03", "a season cannot have a day"),
        ("2007-XX-22", "a known day needs a known month"),
    ],
)
def test_invalid_dates_say_why(text: str, why: str) -> None:
    with pytest.raises(EDTFError) as info:
        parse_edtf(text)
    assert why in str(info.value)


def test_leap_day_exists_in_leap_years() -> None:
    assert parse_edtf("2008-02-29").display() == "29 February 2008"
    assert parse_edtf("2000-02-29").display() == "29 February 2000"
    with pytest.raises(EDTFError):
        parse_edtf("1900-02-29")


def test_order_is_by_earliest_then_latest_day() -> None:
    texts = ["2007-08-22", "2007", "2007-08", "2007-05/2007-08", "2006-XX", "2007-08~", "-0499"]
    ordered = sorted(texts, key=lambda t: parse_edtf(t).sort_key)
    assert ordered == ["-0499", "2006-XX", "2007", "2007-05/2007-08", "2007-08", "2007-08~",
                       "2007-08-22"]  # fmt: skip


@given(st.integers(-30000, 30000), st.integers(1, 12), st.integers(1, 28))
def test_day_numbers_round_trip_across_eras(year: int, month: int, day: int) -> None:
    assert civil_from_days(days_from_civil(year, month, day)) == (year, month, day)
    assert days_from_civil(year, month, day) + 1 == days_from_civil(year, month, day + 1)


def test_day_numbers_agree_with_python_dates() -> None:
    for day in (dt.date(1, 1, 1), dt.date(1970, 1, 1), dt.date(2007, 8, 22), dt.date(9999, 12, 31)):
        assert days_from_civil(day.year, day.month, day.day) == day.toordinal() - 719163


# --- the edtf package as an oracle ---------------------------------------------------------


def _oracle_days(struct: object) -> int:
    year, month, day = struct[:3]  # type: ignore[index]
    return days_from_civil(year, month, day)


years = st.integers(min_value=1, max_value=9999)
point = st.one_of(
    years.map(lambda y: f"{y:04d}"),
    st.tuples(years, st.integers(1, 12)).map(lambda t: f"{t[0]:04d}-{t[1]:02d}"),
    st.tuples(years, st.integers(1, 12), st.integers(1, 28)).map(
        lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"
    ),
    # Spring to autumn: the edtf package ends winter in December, we run it to February.
    st.tuples(years, st.integers(21, 23)).map(lambda t: f"{t[0]:04d}-{t[1]}"),
    st.integers(100, 999).map(lambda y: f"{y}X"),
    st.integers(10, 99).map(lambda y: f"{y}XX"),
    st.tuples(years, st.integers(1, 12)).map(lambda t: f"{t[0]:04d}-{t[1]:02d}-XX"),
)
# The edtf package qualifies whole dates only (no seasons, no unspecified digits) at level 1.
qualified = st.tuples(point, st.sampled_from(["", "?", "~", "%"])).map(
    lambda t: t[0] + (t[1] if "X" not in t[0] and t[0][5:6] != "2" else "")
)


@settings(max_examples=300, deadline=None)
@given(qualified)
def test_bounds_match_the_edtf_package(text: str) -> None:
    ours = parse_edtf(text)
    theirs = edtf.parse_edtf(text)
    assert ours.earliest == _oracle_days(theirs.lower_strict())
    assert ours.latest == _oracle_days(theirs.upper_strict())


@settings(max_examples=200, deadline=None)
@given(st.tuples(point, point))
def test_interval_bounds_match_the_edtf_package(pair: tuple[str, str]) -> None:
    # Sorted by earliest day, the end can never finish before the start.
    start, end = sorted(pair, key=lambda t: parse_edtf(t).sort_key)
    text = f"{start}/{end}"
    theirs = edtf.parse_edtf(text)
    ours = parse_edtf(text)
    assert ours.earliest == _oracle_days(theirs.lower_strict())
    assert ours.latest == _oracle_days(theirs.upper_strict())


def test_winter_runs_into_the_next_year() -> None:
    """A documented difference from the edtf package, which ends winter on 31 December."""
    winter = parse_edtf("2007-24")
    assert winter.latest is not None and iso_day(winter.latest) == "2008-02-29"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=25))
def test_any_text_parses_or_raises_edtf_error(text: str) -> None:
    """Only EDTFError ever escapes, and whatever parses has at least one known bound."""
    try:
        date = parse_edtf(text)
    except EDTFError as exc:
        assert str(exc)
    else:
        assert date.earliest is not None or date.latest is not None


@pytest.mark.parametrize(
    "text",
    [
        "2007-08-22T12:00/2007-08-22T10:00",
        "2007-08-22T10:00:30/2007-08-22T10:00:10",
        "2007-08-22T10:00Z/2007-08-22T12:00+03:00",  # 12:00 in Baghdad is 09:00 UTC
        "2007-08-22T23:00-05:00/2007-08-23T01:00Z",  # the start is 04:00 UTC on the 23rd
    ],
)
def test_an_interval_of_times_ending_before_it_starts_is_refused(text: str) -> None:
    with pytest.raises(EDTFError, match="ends before it starts"):
        parse_edtf(text)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("2007-08-22T10:00/2007-08-22T12:00", "22 August 2007, 10:00 – 22 August 2007, 12:00"),
        ("2007-08-22T10:00Z/2007-08-22T14:00+03:00", "22 August 2007, 10:00 UTC – 22 August "
         "2007, 14:00 UTC+03:00"),
    ],
)  # fmt: skip
def test_an_interval_of_times_in_order_is_kept(text: str, shown: str) -> None:
    assert parse_edtf(text).display() == shown


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("2007-08-22/2007-08-22", "22 August 2007"),
        ("2007-08/2007-08", "August 2007"),
        ("2007/2007", "2007"),
        ("2007-08~/2007-08~", "c. August 2007"),
        ("2007-08-21/2007-08-22", "21 – 22 August 2007"),
    ],
)
def test_an_interval_from_a_date_to_itself_shows_the_date_once(text: str, shown: str) -> None:
    assert parse_edtf(text).display() == shown


@pytest.mark.parametrize(
    ("text", "shown", "first", "last"),
    [
        ("-00XX", "100–1 BCE", (-99, 1, 1), (0, 12, 31)),
        ("-000X", "10–1 BCE", (-9, 1, 1), (0, 12, 31)),
        ("-0XXX", "1000–1 BCE", (-999, 1, 1), (0, 12, 31)),
        ("-01XX", "200–101 BCE", (-199, 1, 1), (-100, 12, 31)),
    ],
)
def test_unspecified_digits_of_a_year_before_1_keep_its_sign(
    text: str, shown: str, first: tuple[int, int, int], last: tuple[int, int, int]
) -> None:
    date = parse_edtf(text)
    assert date.display() == shown
    assert (date.earliest, date.latest) == (days_from_civil(*first), days_from_civil(*last))
    theirs = edtf.parse_edtf(text)  # the oracle agrees
    assert (theirs.lower_strict()[:3], theirs.upper_strict()[:3]) == (first, last)


@pytest.mark.parametrize(
    ("line", "edtf_text", "shown"),
    [
        ("date: 2007-08-22 10:00:00", "2007-08-22T10:00:00", "22 August 2007, 10:00:00"),
        ("date: 2007-08-22T10:00:00Z", "2007-08-22T10:00:00Z", "22 August 2007, 10:00:00 UTC"),
        ("date: 2007-8-2 9:30:00 +3", "2007-08-02T09:30:00+03:00",
         "2 August 2007, 09:30:00 UTC+03:00"),
    ],
)  # fmt: skip
def test_an_unquoted_yaml_timestamp_is_read_with_its_time(
    project: Project, line: str, edtf_text: str, shown: str
) -> None:
    project.write({"events/a.md": f"---\ntitle: A\n{line}\nsources: []\n---\nBody\n"})
    project.build()
    page = project.html("events/a/")
    [date] = page.select(".event-header .date")
    assert date.get_text(" ", strip=True) == shown
    assert date["title"] == f"EDTF {edtf_text}"
