"""``timeline import``: TimelineJS JSON, or its spreadsheet template as CSV, to event files.

Each slide or row becomes one event file; what cannot be converted is reported with its row
number, and an existing file is never overwritten. What TimelineJS cannot say (sources beyond
links, relations, actors and places, the update log) is not invented: see docs/data.md.
"""

from __future__ import annotations

import csv
import html
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

from timeline.errors import UsageError
from timeline.reading.dates import EDTFError, parse_edtf
from timeline.reading.events import slugify

_STATUSES = ("reported", "confirmed", "disputed", "denied", "retracted")


@dataclass
class ImportReport:
    """What an import wrote and what it could not convert."""

    written: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class _Markdown(HTMLParser):
    """A small HTML-to-Markdown converter for slide text: paragraphs, links, emphasis, lists.
    The status line and source list that `timeline export` adds are read back into fields."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.href: list[str | None] = []
        self.sources: list[dict[str, str]] = []
        self.in_sources = False
        self.in_heading = False
        self.item: dict[str, str] | None = None
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "h3":
            self.in_heading = True
        elif self.in_sources and tag == "li":
            self.item = {}
        elif self.in_sources and tag == "a" and self.item is not None and "url" not in self.item:
            self.item["url"] = values.get("href") or ""
        elif tag == "a":
            self.href.append(values.get("href"))
            self.out.append("[")
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag == "br":
            self.out.append("\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in ("p", "div", "ul", "ol", "blockquote"):
            self.out.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1
        elif tag == "h3":
            self.in_heading = False
        elif self.in_sources and tag == "li" and self.item is not None:
            self.sources.append(self.item)
            self.item = None
        elif tag == "a" and not self.in_sources and self.href:
            href = self.href.pop()
            self.out.append(f"]({href})" if href else "]")
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag in ("p", "div", "ul", "ol", "blockquote"):
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.in_heading:
            self.in_sources = data.strip().lower() == "sources"
            return
        if self.in_sources:
            if self.item is not None:
                if "title" not in self.item:
                    self.item["title"] = data.strip()
                elif data.strip(", ") and "publisher" not in self.item:
                    self.item["publisher"] = data.strip(", ").split(", ")[0]
            return
        self.out.append(data)

    def markdown(self) -> str:
        text = "".join(self.out)
        text = re.sub(r"[ \t]+\n", "\n", text)
        return re.sub(r"\n{3,}", "\n\n", text).strip()


def _edtf_year(year: int) -> str:
    """TimelineJS years count as historians do (-1 is 1 BCE); EDTF has a year 0."""
    year = year + 1 if year < 0 else year
    return f"-{-year:04d}" if year < 0 else (f"{year:04d}" if year <= 9999 else f"Y{year}")


def _date(parts: dict[str, Any]) -> str:
    """An EDTF date from TimelineJS date parts; raises ValueError if there is no year."""
    year = int(str(parts.get("year", "")).strip())
    text = _edtf_year(year)
    if str(parts.get("month") or "").strip():
        text += f"-{int(parts['month']):02d}"
        if str(parts.get("day") or "").strip():
            text += f"-{int(parts['day']):02d}"
    return text


def _qualify(date: str, display: str) -> str:
    """'c.' in front of a displayed date means approximate, a trailing '?' uncertain."""
    shown = display.strip()
    approximate = shown.lower().startswith(("c.", "ca.", "circa", "about", "around"))
    uncertain = shown.endswith("?")
    return date + (
        "%" if approximate and uncertain else "~" if approximate else "?" if uncertain else ""
    )


def _event_date(start: dict[str, Any], end: dict[str, Any] | None, display: str) -> str:
    first = _date(start)
    last = _date(end) if end and str(end.get("year", "")).strip() else None
    if last is None or last == first:
        return _qualify(first, display)
    parts = display.split(" – ") if " – " in display else [display, display]
    return f"{_qualify(first, parts[0])}/{_qualify(last, parts[-1])}"


def _strip_html(text: str) -> str:
    """The text of a field TimelineJS reads as HTML: tags dropped, then entities decoded
    (``Q&amp;A &lt;b&gt;`` is the title "Q&A <b>")."""
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def _label_text(text: str) -> str:
    """What TimelineJS shows for a group: it takes the text of the HTML, then inserts that
    as HTML again (so ``timeline export`` escapes a group twice)."""
    return _strip_html(_strip_html(text))


def _slide_to_event(slide: dict[str, Any]) -> tuple[str, dict[str, Any], str]:
    """(slug, front matter, body) for one TimelineJS slide; raises ValueError saying why not."""
    text = slide.get("text") or {}
    title = _strip_html(str(text.get("headline") or ""))
    if not title:
        raise ValueError("no headline")
    if not isinstance(slide.get("start_date"), dict):
        raise ValueError("no start_date")
    display = str(slide.get("display_date") or "")
    try:
        date = _event_date(slide["start_date"], slide.get("end_date"), display)
    except (ValueError, TypeError):
        raise ValueError("its date cannot be read (year, month and day must be numbers)") from None
    try:
        parse_edtf(date)
    except EDTFError as exc:
        raise ValueError(f"its date is not valid: {exc}") from None
    parser = _Markdown()
    parser.feed(str(text.get("text") or ""))
    body = parser.markdown()
    meta: dict[str, Any] = {"title": title, "date": date}
    status = re.match(r"\*\*(\w+)\*\*\s*", body)
    if status and status[1].lower() in _STATUSES:
        meta["status"] = status[1].lower()
        body = body[status.end() :].strip()
    if group := _label_text(str(slide.get("group") or "")):
        meta["group"] = group
    media = slide.get("media") or {}
    if str(media.get("url") or "").startswith(("http://", "https://")):
        # alt is plain text to TimelineJS (a DOM property); the caption is HTML
        alt = str(media.get("alt") or "") or _strip_html(str(media.get("caption") or ""))
        meta["image"] = {"src": media["url"], "alt": alt or title}
        for key in ("caption", "credit"):
            if media.get(key):
                meta["image"][key] = _strip_html(str(media[key]))
    if parser.sources:
        meta["sources"] = [
            {k: v for k, v in s.items() if v} for s in parser.sources if s.get("title")
        ]
    slug = slugify(str(slide.get("unique_id") or "")) or slugify(title)
    return slug, meta, body


CSV_FIELDS = {
    "year": "Year", "month": "Month", "day": "Day", "end_year": "End Year",
    "end_month": "End Month", "end_day": "End Day", "display": "Display Date",
    "headline": "Headline", "text": "Text", "media": "Media", "credit": "Media Credit",
    "caption": "Media Caption", "type": "Type", "group": "Group",
}  # fmt: skip


def _csv_slides(text: str) -> list[tuple[int, dict[str, Any]]]:
    """TimelineJS's spreadsheet template as (row number, slide); the title row is skipped."""
    rows = list(csv.DictReader(text.splitlines()))
    slides = []
    for number, row in enumerate(rows, 2):  # row 1 holds the column names
        get = {k: (row.get(v) or "").strip() for k, v in CSV_FIELDS.items()}
        if get["type"].lower() == "title" or not any(get.values()):
            continue
        slide: dict[str, Any] = {
            "start_date": {"year": get["year"], "month": get["month"], "day": get["day"]},
            "text": {"headline": get["headline"], "text": get["text"]},
            "display_date": get["display"],
            "group": get["group"],
            "media": {"url": get["media"], "credit": get["credit"], "caption": get["caption"]},
        }
        if get["end_year"]:
            slide["end_date"] = {"year": get["end_year"], "month": get["end_month"],
                                 "day": get["end_day"]}  # fmt: skip
        slides.append((number, slide))
    return slides


def _file_name(slug: str, date: str) -> str:
    match = re.match(r"(\d{4})(-\d{2})?(-\d{2})?(?![\d])", date)
    prefix = "".join(p for p in match.groups() if p) + "-" if match else ""
    return f"{prefix}{slug}.md"


def import_file(source: Path, events_dir: Path) -> ImportReport:
    """Convert a TimelineJS JSON file or spreadsheet CSV into event files in ``events_dir``."""
    try:
        text = source.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror}") from None
    if source.suffix.lower() == ".csv":
        slides = _csv_slides(text)
        label = "row"
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{source} is not JSON: {exc}") from None
        events = data.get("events") if isinstance(data, dict) else None
        if not isinstance(events, list):
            raise UsageError(f"{source} has no 'events' list; is it a TimelineJS JSON file?")
        slides = list(enumerate(events, 1))
        label = "slide"
    report = ImportReport()
    used: set[str] = set()
    events_dir.mkdir(parents=True, exist_ok=True)
    for number, slide in slides:
        try:
            slug, meta, body = _slide_to_event(slide)
        except ValueError as exc:
            report.problems.append(f"{source.name}: {label} {number}: not imported: {exc}")
            continue
        base, n = slug, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        target = events_dir / _file_name(slug, meta["date"])
        if target.exists():
            report.problems.append(
                f"{source.name}: {label} {number}: {target.name} already exists; not overwritten"
            )
            continue
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
        target.write_text(f"---\n{front}---\n\n{body}\n", encoding="utf-8")
        report.written.append(target)
    return report
