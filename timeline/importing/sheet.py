"""TimelineJS's spreadsheet template, saved as CSV, as slides."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from timeline.errors import UsageError
from timeline.reading.project_files import MAX_FILE_BYTES

CSV_FIELDS = {
    "year": "Year", "month": "Month", "day": "Day", "time": "Time", "end_year": "End Year",
    "end_month": "End Month", "end_day": "End Day", "end_time": "End Time",
    "display": "Display Date", "headline": "Headline", "text": "Text", "media": "Media",
    "credit": "Media Credit", "caption": "Media Caption", "thumbnail": "Media Thumbnail",
    "type": "Type", "group": "Group", "background": "Background", "alt": "Alt Text",
}  # fmt: skip


def _parts(year: str, month: str, day: str, time: str) -> dict[str, Any]:
    parts: dict[str, Any] = {"year": year, "month": month, "day": day}
    if time.strip():  # "10:30", "10:30:05" or "10:30 PM"
        clock = time.strip().upper()
        evening = clock.endswith("PM") and not clock.startswith("12")
        numbers = clock.removesuffix("AM").removesuffix("PM").strip().split(":")
        parts["hour"] = int(numbers[0]) + (12 if evening else 0)
        if clock.endswith("AM") and parts["hour"] == 12:
            parts["hour"] = 0
        parts["minute"] = numbers[1] if len(numbers) > 1 else 0
        parts["second"] = numbers[2] if len(numbers) > 2 else ""
    return parts


def csv_slides(source: Path, text: str) -> tuple[list[tuple[int, Any]], list[tuple[int, Any]]]:
    """TimelineJS's spreadsheet template as (row number, slide) and (row number, era); the
    title row is skipped. A sheet without its Year and Headline columns is not one: a usage
    error. A row whose time cannot be read is given as a string, which is no slide."""
    limit = csv.field_size_limit()
    csv.field_size_limit(MAX_FILE_BYTES)  # a cell may hold a whole event's text
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        rows = list(reader)
        columns = list(reader.fieldnames or [])
    except csv.Error as exc:
        raise UsageError(f"{source} cannot be read as CSV: {exc}") from None
    finally:
        csv.field_size_limit(limit)
    missing = [name for name in ("Year", "Headline") if name not in columns]
    if missing:
        found = ", ".join(repr(c) for c in columns[:8]) or "nothing"
        raise UsageError(
            f"{source} is not a TimelineJS spreadsheet: its first row has no "
            f"{' or '.join(repr(m) for m in missing)} column (it has {found})"
        )
    slides: list[tuple[int, Any]] = []
    eras: list[tuple[int, Any]] = []
    for number, row in enumerate(rows, 2):  # row 1 holds the column names
        get = {k: (row.get(v) or "").strip() for k, v in CSV_FIELDS.items()}
        kind = get["type"].lower()
        if kind == "title" or not any(get.values()):
            continue
        try:
            start = _parts(get["year"], get["month"], get["day"], get["time"])
            end = _parts(get["end_year"], get["end_month"], get["end_day"], get["end_time"])
        except ValueError:
            slides.append((number, {"start_date": {"year": "?"}, "text": {"headline": "?"}}))
            continue
        slide: dict[str, Any] = {
            "start_date": start,
            "text": {"headline": get["headline"], "text": get["text"]},
            "display_date": get["display"],
            "group": get["group"],
            "media": {"url": get["media"], "credit": get["credit"], "caption": get["caption"],
                      "thumbnail": get["thumbnail"], "alt": get["alt"]},
        }  # fmt: skip
        if get["background"]:  # a colour (#rrggbb) or an image's URL
            key = "color" if get["background"].startswith("#") else "url"
            slide["background"] = {key: get["background"]}
        if get["end_year"]:
            slide["end_date"] = end
        (eras if kind == "era" else slides).append((number, slide))
    return slides, eras
