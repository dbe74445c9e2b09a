"""``timeline import``: TimelineJS JSON, or its spreadsheet template as CSV, to event files.

Each slide or row becomes one event file that builds as it is: every file is converted and
checked first, then all of them are written, or none (a failure while writing removes what
was written). A slide that cannot be converted is reported by number and left out; what
had to change on the way (a link that is not http(s), a slug another event has, characters
that are not text) is a warning on that slide. No file is ever overwritten. What TimelineJS
cannot say (sources beyond links, relations, actors and places, the update log) is not
invented: see docs/data.md.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from timeline import files
from timeline.config import Config
from timeline.errors import UsageError
from timeline.reading.dates import EDTFError, parse_edtf
from timeline.reading.events import parse_event, shorten, slugify
from timeline.reading.fields import safe_url
from timeline.reading.load import MAX_FILE_BYTES
from timeline.reading.model import Status
from timeline.scaffold import known_slugs, place_event

_STATUSES = {status.value for status in Status}
MAX_IMPORT_BYTES = 100 * 1024 * 1024  # a TimelineJS file larger than this is not one


@dataclass
class SlideOutcome:
    """What became of one slide (or spreadsheet row)."""

    number: int
    file: Path | None = None  # the event file written for it
    problem: str | None = None  # why it was not imported
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import wrote, slide by slide."""

    source: str  # the imported file's name, for messages
    label: str  # "slide" (JSON) or "row" (CSV)
    slides: list[SlideOutcome] = field(default_factory=list)

    @property
    def written(self) -> list[Path]:
        return [s.file for s in self.slides if s.file is not None]

    @property
    def problems(self) -> list[str]:
        return [f"{self.source}: {self.label} {s.number}: not imported: {s.problem}"
                for s in self.slides if s.problem]  # fmt: skip

    def warnings(self) -> Iterator[str]:
        for s in self.slides:
            for warning in s.warnings:
                yield f"{self.source}: {self.label} {s.number}: warning: {warning}"


def _text(value: Any, warnings: list[str] | None = None) -> str:
    """A field's text: strings and numbers as they are, anything else as nothing; lone
    surrogates (from JSON such as "\\ud800") and control characters replaced."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    text = str(value)
    cleaned = _NOT_TEXT.sub("\ufffd", text)
    if cleaned != text and warnings is not None:
        warnings.append("characters that are not text (lone surrogates or control "
                        "characters) were replaced with \ufffd")  # fmt: skip
    return cleaned


_NOT_TEXT = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# Characters that would mean something to Markdown or to Timeline ([[links]], [@cites])
# in what was plain text in the slide.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>&])")


def _escaped(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", text)


def _link_target(href: str) -> str | None:
    """A link of the slide's text as Timeline keeps it: http(s) or mailto only (relative
    links pointed into the TimelineJS page, not this site), spaces percent-encoded."""
    href = href.strip()
    if href.lower().startswith("mailto:") and "\n" not in href:
        return quote(href, safe=":@.+-_~!$&'*,;=%")
    encoded = quote(href, safe=":/?#[]@!$&'*+,;=%~-._")
    return encoded if safe_url(encoded, allow_relative=False) else None

class _Markdown(HTMLParser):
    """A small HTML-to-Markdown converter for slide text: paragraphs, links, emphasis, lists.
    The status line and source list that `timeline export` adds are read back into fields."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.warnings = warnings
        self.out: list[str] = []
        self.href: list[tuple[str | None, int]] = []  # each open link, where its '[' is
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
            self.href.append((values.get("href"), len(self.out)))
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
            url = self.item.get("url")
            if url and (target := _link_target(url)) is None:
                self.warnings.append(f"the source {self.item.get('title', '')!r} links to "
                                     f"{url[:80]!r}, which is not an http(s) URL; the "
                                     "source is kept without it")  # fmt: skip
                del self.item["url"]
            elif url:
                self.item["url"] = target or url
            self.sources.append(self.item)
            self.item = None
        elif tag == "a" and not self.in_sources and self.href:
            href, at = self.href.pop()
            target = _link_target(href) if href else None
            if target:
                self.out.append(f"](<{target}>)")
            else:  # kept as the text it was
                self.out[at] = ""
                if href:
                    self.warnings.append(f"a link to {href[:80]!r} is not an http(s) or "
                                         "mailto: URL; its text is kept without it")  # fmt: skip
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
        self.out.append(_escaped(data))

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


@dataclass
class _Converted:
    """One slide as an event, ready to write."""

    slug: str
    meta: dict[str, Any]
    body: str
    warnings: list[str]


def _slide_to_event(slide: Any) -> _Converted:
    """One TimelineJS slide as an event; raises ValueError saying why it cannot be one."""
    if not isinstance(slide, dict):
        raise ValueError("it is not a slide (a JSON object with start_date and text)")
    warnings: list[str] = []
    text = _object(slide.get("text"))
    title = _strip_html(_text(text.get("headline"), warnings))
    if not title:
        raise ValueError("no headline")
    if not isinstance(slide.get("start_date"), dict):
        raise ValueError("no start_date")
    display = _text(slide.get("display_date"))
    end = slide.get("end_date")
    try:
        date = _event_date(slide["start_date"], end if isinstance(end, dict) else None, display)
    except (ValueError, TypeError):
        raise ValueError("its date cannot be read (year, month and day must be numbers)") from None
    try:
        parse_edtf(date)
    except EDTFError as exc:
        raise ValueError(f"its date is not valid: {exc}") from None
    parser = _Markdown(warnings)
    parser.feed(_text(text.get("text"), warnings))
    parser.close()
    body = parser.markdown()
    meta: dict[str, Any] = {"title": title, "date": date}
    status = re.match(r"\*\*(\w+)\*\*\s*", body)
    if status and status[1].lower() in _STATUSES:
        meta["status"] = status[1].lower()
        body = body[status.end() :].strip()
    if group := _label_text(_text(slide.get("group"), warnings)):
        meta["group"] = group
    media = _object(slide.get("media"))
    url = _text(media.get("url"), warnings).strip()
    if url:
        src = _link_target(url) if url.lower().startswith(("http://", "https://")) else None
        if src is None:
            warnings.append(f"its media {url[:80]!r} is not an http(s) URL; left out")
        else:
            if src != url:
                warnings.append(f"its media URL {url[:80]!r} held spaces or other characters "
                                "a URL cannot; they were percent-encoded")  # fmt: skip
            # alt is plain text to TimelineJS (a DOM property); the caption is HTML
            alt = _text(media.get("alt")) or _strip_html(_text(media.get("caption")))
            meta["image"] = {"src": src, "alt": alt or title}
            for key in ("caption", "credit"):
                if value := _strip_html(_text(media.get(key))):
                    meta["image"][key] = value
    if parser.sources:
        meta["sources"] = [
            {k: v for k, v in s.items() if v} for s in parser.sources if s.get("title")
        ]
    slug = slugify(_text(slide.get("unique_id"))) or slugify(title)
    if not slug:
        raise ValueError("its headline has no Latin letters or digits to make a file name "
                         "from; give the slide a unique_id")  # fmt: skip
    return _Converted(slug, meta, body, warnings)


CSV_FIELDS = {
    "year": "Year", "month": "Month", "day": "Day", "end_year": "End Year",
    "end_month": "End Month", "end_day": "End Day", "display": "Display Date",
    "headline": "Headline", "text": "Text", "media": "Media", "credit": "Media Credit",
    "caption": "Media Caption", "type": "Type", "group": "Group",
}  # fmt: skip


def _csv_slides(source: Path, text: str) -> list[tuple[int, dict[str, Any]]]:
    """TimelineJS's spreadsheet template as (row number, slide); the title row is skipped.
    A sheet without its Year and Headline columns is not one: a usage error."""
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
        raise UsageError(f"{source} is not a TimelineJS spreadsheet: its first row has no "
                         f"{' or '.join(repr(m) for m in missing)} column (it has {found})")
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


def _read(source: Path) -> str:
    """The text of the file to import; a usage error (exit 2) says why it cannot be read."""
    try:
        size = source.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise UsageError(f"{source} is {size // 1_048_576} MB; a TimelineJS file of more "
                             f"than {MAX_IMPORT_BYTES // 1_048_576} MB is not one")  # fmt: skip
        data = files.read_regular(source)
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {files.why_unreadable(exc)}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UsageError(f"{source}:{line}: is not UTF-8 text (byte {data[exc.start]:#x}); "
                         "save it as UTF-8 (in a spreadsheet: CSV UTF-8)") from None


def _json_slides(source: Path, text: str) -> list[tuple[int, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{source} is not JSON: {exc}") from None
    except RecursionError:
        raise UsageError(f"{source} is nested too deeply to be a TimelineJS file") from None
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list):
        raise UsageError(f"{source} has no 'events' list, so it is not a TimelineJS JSON file")
    return list(enumerate(events, 1))


def import_file(source: Path, config: Config) -> ImportReport:
    """Convert a TimelineJS JSON file or spreadsheet CSV into event files in the events
    folder: all of them, or (if writing fails) none."""
    text = _read(source)
    csv_file = source.suffix.lower() == ".csv" or not text.lstrip().startswith(("{", "["))
    slides = _csv_slides(source, text) if csv_file else _json_slides(source, text)
    report = ImportReport(source.name, "row" if csv_file else "slide")
    events = config.events_path
    if why := files.not_a_folder(events):
        raise UsageError(f"{config.events_dir} {why}; import writes only into a folder of "
                         "the project's own (never through a link)")
    taken = known_slugs(config)
    planned: list[tuple[Path, bytes]] = []
    for number, slide in slides:
        outcome = SlideOutcome(number)
        report.slides.append(outcome)
        try:
            event = _slide_to_event(slide)
        except ValueError as exc:
            outcome.problem = str(exc)
            continue
        except (RecursionError, TypeError, AttributeError, KeyError, OverflowError) as exc:
            outcome.problem = f"its fields are not what TimelineJS writes ({exc})"
            continue
        outcome.warnings += event.warnings
        date = parse_edtf(event.meta["date"])
        placed = place_event(event.slug, date, taken, events)
        if placed.shortened:
            outcome.warnings.append(f"its slug was cut to {len(placed.slug)} characters")
        if placed.taken_by:
            outcome.warnings.append(f"the slug {shorten(event.slug)!r} is taken by "
                                    f"{placed.taken_by}; this event's slug is "
                                    f"{placed.slug!r}")  # fmt: skip
        meta = dict(event.meta)
        if placed.explicit or placed.slug != event.slug:
            meta = {"title": meta.pop("title"), "date": meta.pop("date"), "slug": placed.slug,
                    **meta}  # fmt: skip
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
        content = f"---\n{front}---\n\n{event.body}\n"
        rel = f"{config.events_dir}/{placed.name}"
        _, _, found = parse_event(rel, content, {})  # it must build as written
        errors = [f"{p.field}: {p.message}" for p in found.errors]
        if errors or len(content.encode()) > MAX_FILE_BYTES:
            outcome.problem = ("; ".join(errors) if errors else
                               f"its text is over {MAX_FILE_BYTES // 1_048_576} MB")  # fmt: skip
            continue
        taken[placed.slug] = rel
        outcome.file = events / placed.name
        planned.append((outcome.file, content.encode("utf-8")))
    _write_all(planned, config)
    return report


def _write_all(planned: list[tuple[Path, bytes]], config: Config) -> None:
    """Write every planned file, or (if one cannot be written) none: those already written
    are removed again."""
    done: list[Path] = []
    try:
        if planned:
            files.make_folder(config.events_path, under=config.root)
        for path, data in planned:
            files.create_whole(path, data)
            done.append(path)
    except BaseException as exc:  # a full disk, or Ctrl-C: take back what was written
        for path in done:
            path.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise UsageError(f"interrupted; nothing was imported ({len(planned)} files were "
                             "to be written)") from None
        where = exc.filename or config.events_path
        raise UsageError(f"cannot write {where}: {exc.strerror or exc}; nothing was imported "
                         f"({len(planned)} files were to be written)") from None
