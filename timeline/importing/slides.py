"""One TimelineJS slide (or era, or spreadsheet row) as an event: its date from the date
parts, its text as Markdown, its media, background and location where Timeline has a place
for them, and a warning for each thing it has none for.

A slide written by ``timeline export`` carries a ``timeline`` record of what TimelineJS has
no field for (the EDTF date, tags, sources, the Markdown...); it is used as long as what
TimelineJS shows of the slide is what the export wrote (see docs/data.md).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from timeline import words
from timeline.importing.html import (
    SlideText,
    escaped,
    label_text,
    link_target,
    strip_html,
    text,
)
from timeline.importing.records import Converted, record_date, record_meta
from timeline.reading.dates import EDTFError, parse_edtf
from timeline.reading.events import slugify
from timeline.reading.model import Status
from timeline.site.exports import shown_digest

# A status as the export's slide text shows it, in any shipped language ("Rapporté").
_STATUSES = {status.value: status.value for status in Status} | {
    str(words.table(language)[f"status.{status.value}"]).casefold(): status.value
    for language in words.shipped() for status in Status
}  # fmt: skip
_IMAGE = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|avif|bmp)$", re.IGNORECASE)
_EMBEDDED_URL = re.compile(r"""(?:src|href)\s*=\s*["']?(https?://[^"'\s>]+)""", re.IGNORECASE)
_LONGEST_TITLE = 80


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _edtf_year(year: int) -> str:
    """TimelineJS years count as historians do (-1 is 1 BCE); EDTF has a year 0 and writes
    years of more than four digits with a Y (``Y-13799999999``)."""
    year = year + 1 if year < 0 else year
    if -9999 <= year <= 9999:
        return f"-{-year:04d}" if year < 0 else f"{year:04d}"
    return f"Y{year}"


def _part(parts: dict[str, Any], key: str) -> int | None:
    value = str(parts.get(key) if parts.get(key) is not None else "").strip()
    return int(value) if value else None


def _point(parts: dict[str, Any], warnings: list[str]) -> str:
    """An EDTF date from TimelineJS date parts; raises ValueError if there is no year."""
    year = _part(parts, "year")
    if year is None:
        raise ValueError("no year")
    out = _edtf_year(year)
    month, day = _part(parts, "month"), _part(parts, "day")
    if out.startswith("Y") and month:
        warnings.append(f"year {year} is too far from now for a month or day in EDTF; "
                        "only the year is kept")  # fmt: skip
        return out
    if month:
        out += f"-{month:02d}"
        if day:
            out += f"-{day:02d}"
            hour = _part(parts, "hour")
            if hour is not None:
                out += f"T{hour:02d}:{_part(parts, 'minute') or 0:02d}"
                if second := _part(parts, "second"):
                    out += f":{second:02d}"
                if _part(parts, "millisecond"):
                    warnings.append("its milliseconds are not kept (EDTF stops at seconds)")
    return out


def _qualify(date: str, display: str) -> str:
    """'c.' in front of a displayed date means approximate, a trailing '?' uncertain."""
    shown = display.strip()
    approximate = shown.lower().startswith(("c.", "ca.", "circa", "about", "around"))
    uncertain = shown.endswith("?")
    return date + (
        "%" if approximate and uncertain else "~" if approximate else "?" if uncertain else ""
    )


def _last_of(date: str, end: str) -> str:
    """``end`` (a day) as the month or year it closes, when ``date`` is as coarse: the way
    ``timeline export`` gives a month or year its last day."""
    if date.count("-") - date.startswith("-") >= 2 or "T" in end:
        return end  # the start is a day: so is the end
    first, last = parse_edtf(end), parse_edtf(end[: end.rfind("-")])
    if first.latest != last.latest:
        return end
    month = end[: end.rfind("-")]
    if date.count("-") - date.startswith("-") == 0 and month.endswith("-12"):
        return month[: month.rfind("-")]  # 31 December closes the year
    return month


def _coarser(day: str, *, last: bool) -> list[str]:
    """The month and year a day may stand for, coarsest first: its first day stands for
    them at the start of a date, its last day at the end (as ``timeline export`` writes)."""
    if "T" in day or day.count("-") - day.startswith("-") != 2:
        return [day]
    month = day.rsplit("-", 1)[0]
    year = month.rsplit("-", 1)[0]
    if last:
        closes_month = parse_edtf(day).latest == parse_edtf(month).latest
        out = [year] if closes_month and month.endswith("-12") else []
        return [*out, *([month] if closes_month else []), day]
    return [*([year] if day.endswith("-01-01") else []),
            *([month] if day.endswith("-01") else []), day]  # fmt: skip


def _qualified(first: str, last: str | None, display: str) -> str:
    if last is None or last == first:
        return _qualify(first, display)
    parts = display.split(" – ") if " – " in display else [display, display]
    return f"{_qualify(first, parts[0])}/{_qualify(last, parts[-1])}"


def event_date(start: dict[str, Any], end: dict[str, Any] | None, display: str,
               warnings: list[str]) -> str:  # fmt: skip
    """The EDTF date of TimelineJS's start and end date parts and display date: a day that
    starts or ends a month or year is read as that month or year where the display date
    says so ("August 2006" from 1 to 31 August 2006)."""
    first = _point(start, warnings)
    last = _point(end, warnings) if end and _part(end, "year") is not None else None
    if last is not None and display.strip():
        for since in _coarser(first, last=False):
            for until in _coarser(last, last=True):
                date = _qualified(since, None if since == until else until, display)
                if parse_edtf(date).display() == display.strip():
                    return date
    if last is not None and "T" not in last and last.count("-") - last.startswith("-") == 2:
        if parse_edtf(first).latest == parse_edtf(last).latest and "T" not in first:
            last = None  # the last day of the start's month or year: the month or year
        else:
            last = _last_of(first, last)
    return _qualified(first, last, display)


def _title(headline: str, body: str, date: str, warnings: list[str]) -> str:
    """The headline, or for a slide without one, its text's first sentence or its date."""
    if headline:
        return headline
    words = " ".join(re.sub(r"[\\*_\[\]<>()]", "", body.split("\n\n")[0]).split())
    sentence = re.split(r"(?<=[.!?])\s", words)[0] if words else ""
    if len(sentence) > _LONGEST_TITLE:
        sentence = sentence[:_LONGEST_TITLE].rsplit(" ", 1)[0] + "…"
    title = sentence or parse_edtf(date).display()
    warnings.append(f"it has no headline; it is titled {title!r} from its "
                    f"{'text' if sentence else 'date'}: give it a title of its own")  # fmt: skip
    return title


def _is_image(url: str) -> bool:
    """True if ``url`` is an image file (by its name), not a page about one (Wikimedia
    Commons' File: pages end in .jpg too)."""
    parts = urlsplit(url)
    wiki = (parts.hostname or "").endswith((".wikipedia.org", ".wikimedia.org"))
    return bool(_IMAGE.search(parts.path)) and not (wiki and parts.path.startswith("/wiki/"))


def _media(slide: dict[str, Any], title: str, meta: dict[str, Any], warnings: list[str],
           *, image: bool = False) -> list[str]:  # fmt: skip
    """The slide's media as the event's image where it is one (``image``: it is, as
    ``timeline export`` wrote it), else as its media (a video, a post, a map, a page: shown
    as a card, its player loaded when the reader asks); embed code, which Timeline never
    runs, as the media it links to, with a warning. Returns links to add to the text."""
    links: list[str] = []
    media = _object(slide.get("media"))
    url = text(media.get("url"), warnings).strip()
    caption = strip_html(text(media.get("caption")))
    if url.startswith("<"):  # embed code: TimelineJS runs it, Timeline never does
        found = _EMBEDDED_URL.search(url)
        target = link_target(found[1]) if found else None
        kind = url[1 : url.find(" ") if " " in url[:12] else url.find(">")] or "embed"
        if target:
            _as_media(meta, target, media)
            warnings.append(f"its media is embed code (<{kind}>), which Timeline does not "
                            f"run; its media is the page it links to, {target}")  # fmt: skip
        elif kind == "blockquote" and (quoted := strip_html(url)):
            links.append("> " + escaped(" ".join(quoted.split())))
            warnings.append("its media is a quotation (<blockquote>): kept as a quote in "
                            "the text")  # fmt: skip
        else:
            warnings.append(f"its media is embed code (<{kind}>) with no link in it, "
                            "which Timeline does not run; left out")  # fmt: skip
    elif url:
        src = link_target(url) if url.lower().startswith(("http://", "https://")) else None
        if src is None:
            warnings.append(f"its media {url[:80]!r} is not an http(s) URL; left out")
        elif not image and not _is_image(src):
            _as_media(meta, src, media)
        else:
            if src != url:
                warnings.append(f"its media URL {url[:80]!r} held spaces or other characters "
                                "a URL cannot; they were percent-encoded")  # fmt: skip
            # alt is plain text to TimelineJS (a DOM property); the caption is HTML
            alt = text(media.get("alt")).strip() or caption
            meta["image"] = {"src": src, "alt": alt or title}
            for key in ("caption", "credit"):
                if value := strip_html(text(media.get(key))):
                    meta["image"][key] = value
    if (link := text(media.get("link")).strip()) and (target := link_target(link)):
        links.append(f"[{caption or 'The media'}: its page](<{target}>)")
    if text(media.get("thumbnail")):
        warnings.append("its media thumbnail is not kept (pages make their own)")
    background = _object(slide.get("background"))
    if picture := text(background.get("url")).strip():
        src = link_target(picture)
        if src and "image" not in meta and "media" not in meta:
            meta["image"] = {"src": src, "alt": title}
            warnings.append("its background image is the event's image (Timeline has no "
                            "backgrounds)")  # fmt: skip
        else:
            warnings.append(f"its background image {picture[:80]!r} is not kept (Timeline "
                            "has no backgrounds, and the event has an image)")  # fmt: skip
    if colour := text(background.get("color")).strip():
        warnings.append(f"its background colour {colour!r} is not kept (Timeline colours "
                        "events by their group)")  # fmt: skip
    return links


def _as_media(meta: dict[str, Any], url: str, media: dict[str, Any]) -> None:
    meta["media"] = {"url": url}
    for key in ("caption", "credit"):
        if value := strip_html(text(media.get(key))):
            meta["media"][key] = value


def _location(slide: dict[str, Any], meta: dict[str, Any], warnings: list[str]) -> None:
    location = slide.get("location")
    if isinstance(location, str) and location.strip():
        location = {"name": location}
    location = _object(location)
    if name := strip_html(text(location.get("name"))):
        meta["places"] = [name]
    if text(location.get("lat")) or text(location.get("lon")):
        warnings.append(f"its location's coordinates ({text(location.get('lat'))}, "
                        f"{text(location.get('lon'))}) are not kept; places are names")  # fmt: skip


def slide_to_event(slide: Any, *, era: bool = False) -> Converted:
    """One TimelineJS slide (``era``: one of its eras) as an event; raises ValueError saying
    why it cannot be one."""
    if not isinstance(slide, dict):
        raise ValueError("it is not a slide (a JSON object with start_date and text)")
    warnings: list[str] = []
    slide_text = _object(slide.get("text"))
    if "text" in slide and not isinstance(slide.get("text"), dict):
        raise ValueError("no headline or text (its 'text' is not an object)")
    if "headline" in slide_text and not isinstance(slide_text["headline"], str | int | float):
        raise ValueError("no headline (its 'headline' is not text)")
    headline = strip_html(text(slide_text.get("headline"), warnings))
    if not isinstance(slide.get("start_date"), dict):
        raise ValueError("no start_date")
    display = text(slide.get("display_date"))
    end = slide.get("end_date")
    try:
        date = event_date(slide["start_date"], end if isinstance(end, dict) else None,
                          display, warnings)  # fmt: skip
        parse_edtf(date)
    except EDTFError as exc:
        raise ValueError(f"its date is not valid: {exc}") from None
    except (ValueError, TypeError):
        raise ValueError("its date cannot be read (year, month and day must be numbers)") from None
    read: list[str] = []  # what reading the HTML warns of: not said if it is not used
    parser = SlideText(read)
    parser.feed(text(slide_text.get("text"), read))
    parser.close()
    body = parser.markdown()
    status = re.match(r"\*\*([^*\n]+)\*\*\s*", body)
    if status and status[1].casefold() in _STATUSES:
        body = body[status.end() :].strip()
    title = _title(headline, body, date, warnings)
    record = _object(slide.get("timeline"))
    exported = bool(record) and record.get("shown") == shown_digest(slide)
    if exported:
        meta = {"title": title, "date": record_date(record) or date, **record_meta(record)}
        body = text(record.get("body"))
    else:
        warnings += read
        if record:
            warnings.append("it was changed after `timeline export`: what TimelineJS "
                            "shows of it is imported; its tags, sources and the rest are "
                            "kept")  # fmt: skip
        meta = {"title": title, "date": date}
        if status and status[1].casefold() in _STATUSES:
            meta["status"] = _STATUSES[status[1].casefold()]
        meta |= {k: v for k, v in record_meta(record).items() if k != "status"}
        if parser.sources and "sources" not in meta:
            meta["sources"] = [
                {k: v for k, v in s.items() if v} for s in parser.sources if s.get("title")
            ]
    if group := label_text(text(slide.get("group"), warnings)):
        meta["group"] = group
    if era:
        meta["tags"] = [*meta.get("tags", ()), "era"]
        warnings.append("it is an era: imported as an event over its dates, tagged 'era'")
    shown_as_image = exported and record.get("shows") != "media"  # not an image: a card
    links = _media(slide, title, meta, warnings, image=shown_as_image)
    if links:
        body = "\n\n".join(part for part in (body, *links) if part)
    if "places" not in meta:
        _location(slide, meta, warnings)
    slug = text(record.get("slug")) or slugify(text(slide.get("unique_id"))) or slugify(title)
    if not slug:
        raise ValueError("its headline has no Latin letters or digits to make a file name "
                         "from; give the slide a unique_id")  # fmt: skip
    return Converted(slug, meta, body, warnings)
