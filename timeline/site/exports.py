"""The timeline as data: ``timeline.json`` (our versioned schema), TimelineJS 3 JSON, and CSV.

``timeline.json`` schema version 1 is documented in docs/data.md. Dates keep their EDTF text,
with their earliest and latest days and the honest display text beside it.

``timeline.json`` and CSV hold plain text. TimelineJS reads most of its fields as HTML, so
what goes into ``timelinejs.json`` is escaped for the way TimelineJS inserts each one (see
docs/data.md).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape
from typing import Any, TextIO
from urllib.parse import quote

from timeline.config import Config
from timeline.reading.dates import DatePoint, EDTFDate, civil_from_days, iso_day
from timeline.reading.model import Event, Source
from timeline.site.feeds import dump_json, published_body
from timeline.site.index import TimelineIndex
from timeline.site.views import Views, event_url

SCHEMA_VERSION = 1


def _date(date: EDTFDate, views: Views) -> dict[str, Any]:
    return {
        "edtf": date.text,
        "display": date.display(views.fmt),
        "earliest": iso_day(date.earliest) if date.earliest is not None else None,
        "latest": iso_day(date.latest) if date.latest is not None else None,
        "precision": "interval" if date.interval else date.precision.value,
        "approximate": date.approximate,
        "uncertain": date.uncertain,
    }


def _source(source: Source) -> dict[str, Any]:
    return {
        "id": source.key,
        "title": source.title,
        "url": source.url,
        "publisher": source.publisher,
        "author": source.author,
        "date": source.date.text if source.date else None,
        "via": source.via,
        "archived": source.archived,
        "quote": source.quote,
        "accessed": source.accessed.text if source.accessed else None,
    }


def _timeline_event(
    config: Config, index: TimelineIndex, views: Views, markdown: Mapping[str, str], event: Event
) -> dict[str, Any]:  # fmt: skip
    return {
        "slug": event.slug,
        "url": config.base_url + event_url(event.slug),
        "title": event.title,
        "date": _date(event.date, views),
        "status": event.status.value,
        "summary": views.item(event).summary,
        "group": event.group,
        "tags": list(event.tags),
        "actors": list(event.actors),
        "places": list(event.places),
        "sources": [_source(s) for s in event.sources],
        "related": [r.slug for r in event.related],
        "relations": [{"slug": r.slug, "relation": r.kind.value if r.kind else None}
                      for r in event.related],
        "referred_by": [e.slug for e, _ in index.backlinks.get(event.slug, ())],
        "image": None if event.image is None else {
            "src": event.image.src, "alt": event.image.alt,
            "caption": event.image.caption, "credit": event.image.credit,
        },
        "media": None if event.media is None else {
            "url": event.media.url, "alt": event.media.alt,
            "caption": event.media.caption, "credit": event.media.credit,
        },
        "aliases": list(event.aliases),
        "updates": [{"date": u.date.text, "note": u.note} for u in event.updates],
        "body": markdown[event.path].strip(),
        "file": event.path,
    }  # fmt: skip


def _timeline_inputs(
    index: TimelineIndex, views: Views, markdown: Mapping[str, str], event: Event
) -> tuple[object, ...]:  # fmt: skip
    """What ``_timeline_event`` reads besides the config (fixed for a snapshot's life): the
    event, its first paragraph (its summary unless it has one), who refers to it, its
    Markdown."""
    referred = tuple(e.slug for e, _ in index.backlinks.get(event.slug, ()))
    return (event, views.summaries.get(event.slug, ""), referred, markdown[event.path])


def _timeline_head(config: Config) -> dict[str, Any]:
    return {
        "schema": "timeline",
        "version": SCHEMA_VERSION,
        "title": config.title,
        "description": config.description,
        "language": config.language,
        "base_url": config.base_url or None,
    }


def write_timeline_json(handle: TextIO, config: Config, index: TimelineIndex, views: Views,
                        markdown: Mapping[str, str]) -> None:  # fmt: skip
    """Every event with its dates, status, sources, names, relations and Markdown body
    (``markdown``: each event's Markdown by path; schema version 1)."""
    shape = _timeline_shape(config, index, views, markdown)
    dump_json(handle, shape.head, [("events", map(shape.item, index.events)), *shape.after])


def _tl_html(text: str) -> str:
    """Plain text for a TimelineJS field it sanitizes and then inserts as HTML (headlines,
    the title slide's text, caption, credit)."""
    return escape(text, quote=True)


def _tl_label(text: str) -> str:
    """Plain text for a TimelineJS field it first reduces to its text content - decoding
    character references once - and then inserts as HTML unsanitized (group, display_date):
    escaped twice, so that what is left after the first decoding is still escaped."""
    return escape(escape(text, quote=True), quote=True)


# RFC 3986's unreserved and reserved characters, and '%' of its escapes, but not the
# apostrophe: some TimelineJS media types splice the URL into src='...' as HTML.
_URL_SAFE = ":/?#[]@!$&()*+,;=~%"


def _tl_url(url: str) -> str:
    """A media URL with every character that could end an HTML attribute percent-encoded."""
    return quote(url, safe=_URL_SAFE)


def _tl_year(year: int) -> int:
    """TimelineJS counts years before 1 as historians do (-1 is 1 BCE); EDTF counts
    astronomically (0000 is 1 BCE, -0001 is 2 BCE)."""
    return year if year >= 1 else year - 1


def _tl_date(point: DatePoint, views: Views) -> dict[str, Any]:
    """A TimelineJS date object for the start of an EDTF date: as precise as the date (a
    month is its month), which TimelineJS places at its first day."""
    out: dict[str, Any] = {"year": _tl_year(point.year)}
    if point.month is not None:
        out["month"] = point.month
    elif point.season is not None:  # a season: from its first month
        out["month"] = {21: 3, 22: 6, 23: 9, 24: 12}[point.season]
    if point.day is not None:
        out["day"] = point.day
    if point.time is not None:
        out["hour"], out["minute"] = (int(p) for p in point.time.split(":")[:2])
    out["display_date"] = _tl_label(point.display(views.fmt))
    return out


def _tl_end(point: DatePoint, views: Views) -> dict[str, Any]:
    """A TimelineJS date object for the end of an EDTF date: its last possible day (or its
    time), so that a month, season, year or decade spans all of its days."""
    if point.time is not None:
        return _tl_date(point, views)
    year, month, day = civil_from_days(point.latest)
    return {"year": _tl_year(year), "month": month, "day": day,
            "display_date": _tl_label(point.display(views.fmt))}  # fmt: skip


def _tl_first(point: DatePoint, views: Views) -> dict[str, Any]:
    """A TimelineJS date object for the first possible day (or the time) of a date."""
    if point.time is not None:
        return _tl_date(point, views)
    year, month, day = civil_from_days(point.earliest)
    return {"year": _tl_year(year), "month": month, "day": day,
            "display_date": _tl_label(point.display(views.fmt))}  # fmt: skip


# What TimelineJS shows of a slide: the export's ``timeline`` record stands for these fields
# only while they are as the export wrote them (an edited slide is read from them instead).
SHOWN = ("start_date", "end_date", "display_date", "text", "group", "media")


def shown_digest(slide: dict[str, Any]) -> str:
    """A digest of what TimelineJS shows of ``slide`` (its SHOWN fields)."""
    shown = json.dumps([slide.get(key) for key in SHOWN], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(shown.encode("utf-8", "surrogatepass")).hexdigest()


def _record(event: Event, markdown: Mapping[str, str]) -> dict[str, Any]:
    """What TimelineJS has no field for, as timeline.json holds it, for ``timeline import``."""
    return {
        "version": SCHEMA_VERSION,
        "slug": event.slug,
        "date": event.date.text,
        "status": event.status.value,
        "summary": event.summary,
        "tags": list(event.tags), "actors": list(event.actors), "places": list(event.places),
        "sources": [_source(s) for s in event.sources],
        "relations": [{"slug": r.slug, "relation": r.kind.value if r.kind else None}
                      for r in event.related],
        "aliases": list(event.aliases),
        "updates": [{"date": u.date.text, "note": u.note} for u in event.updates],
        "body": markdown[event.path].strip(),
        # The slide's media is the event's image, or its media (a video, a post...).
        "shows": "image" if event.image else "media" if event.media else None,
    }  # fmt: skip


def _slide(config: Config, views: Views, bodies: Mapping[str, str],
           markdown: Mapping[str, str], event: Event) -> dict[str, Any]:  # fmt: skip
    base = config.base_url
    date = event.date
    start = date.start or date.end
    assert start is not None
    item = views.item(event)
    text = (f"<p><strong>{_tl_html(item.status_label)}</strong></p>"
            + published_body(event, views, bodies, base))  # fmt: skip
    slide: dict[str, Any] = {
        "unique_id": event.slug,
        "start_date": _tl_date(start, views),
        "display_date": _tl_label(item.date.text),
        "text": {"headline": _tl_html(event.title), "text": text},
        # TimelineJS would turn URLs in text, caption and credit into links after
        # sanitizing them, splicing the text into href='...' unescaped; every link of
        # the text is a link already.
        "autolink": False,
    }
    # The last day of the date (TimelineJS drops an end_date equal to the start_date, so
    # a single day needs none): a month runs to its last day, an interval to its end's.
    last = date.end if date.interval and date.end is not None else start
    if start.precision.value != "day" or last is not start:
        end = _tl_end(last, views)
        if end != {**slide["start_date"], "display_date": end["display_date"]}:
            # TimelineJS also drops an end_date that agrees with each part the
            # start_date has ({2006, 8} and {2006, 8, 31}): the start is given its day.
            slide["start_date"] = _tl_first(start, views)
            slide["end_date"] = end
    if event.group:
        slide["group"] = _tl_label(event.group)
    if event.image:
        src = event.image.src if event.image.external else base + event.image.src
        # alt is set as a DOM property, so it stays plain text.
        slide["media"] = {"url": _tl_url(src), "alt": event.image.alt,
                          "caption": _tl_html(event.image.caption or ""),
                          "credit": _tl_html(event.image.credit or "")}  # fmt: skip
    elif event.media:  # TimelineJS shows YouTube, Vimeo, posts, maps... itself
        url = event.media.url if event.media.external else base + event.media.url
        slide["media"] = {"url": _tl_url(url), "alt": event.media.alt or "",
                          "caption": _tl_html(event.media.caption or ""),
                          "credit": _tl_html(event.media.credit or "")}  # fmt: skip
    slide["timeline"] = {"shown": shown_digest(slide), **_record(event, markdown)}
    return slide


def _slide_inputs(views: Views, bodies: Mapping[str, str], markdown: Mapping[str, str],
                  event: Event) -> tuple[object, ...]:  # fmt: skip
    """What ``_slide`` reads besides the config (fixed for a snapshot's life): the event,
    its body's HTML, its Markdown, and where its sources are listed (their Sources pages)."""
    links = tuple(views.source_link(s) for s in event.sources)
    return (event, bodies[event.slug], markdown[event.path], links)


def _timelinejs_shape(config: Config, index: TimelineIndex, views: Views,
                      bodies: Mapping[str, str], markdown: Mapping[str, str]) -> Shape:  # fmt: skip
    # TimelineJS refuses an era that ends where it starts: a year runs from 1 January to
    # 31 December.
    eras = [
        {"start_date": {"year": _tl_year(y), "month": 1, "day": 1},
         "end_date": {"year": _tl_year(y), "month": 12, "day": 31},
         "text": {"headline": _tl_html(views.year_text(y))}}
        for y in index.years
    ]  # fmt: skip
    head = {"title": {"text": {"headline": _tl_html(config.title),
                               "text": _tl_html(config.description)},
                      "autolink": False}}  # fmt: skip
    return Shape(
        head, "unique_id", functools.partial(_slide, config, views, bodies, markdown),
        functools.partial(_slide_inputs, views, bodies, markdown), [("eras", eras)],
    )  # fmt: skip


def _timeline_shape(config: Config, index: TimelineIndex, views: Views,
                    markdown: Mapping[str, str]) -> Shape:  # fmt: skip
    return Shape(
        _timeline_head(config), "slug",
        functools.partial(_timeline_event, config, index, views, markdown),
        functools.partial(_timeline_inputs, index, views, markdown), [],
    )  # fmt: skip


def write_timelinejs(handle: TextIO, config: Config, index: TimelineIndex, views: Views,
                     bodies: Mapping[str, str], markdown: Mapping[str, str]) -> None:  # fmt: skip
    """The timeline in TimelineJS 3's JSON format, one slide per event, eras by year; each
    slide carries a ``timeline`` record of what TimelineJS has no field for."""
    shape = _timelinejs_shape(config, index, views, bodies, markdown)
    dump_json(handle, shape.head, [("events", map(shape.item, index.events)), *shape.after])


@dataclass(frozen=True)
class Shape:
    """A whole-timeline data file as JSON: the fields before the events' list, each event's
    item, what an item is made from besides the config (so that the one-edit build encodes
    again only the items whose inputs changed, see ``site.datapatch``), and the lists after
    the events'. Each item's first key (``first``) holds the event's slug."""

    head: dict[str, Any]
    first: str
    item: Callable[[Event], dict[str, Any]]
    inputs: Callable[[Event], tuple[object, ...]]
    after: list[tuple[str, list[Any]]]


DATA_KINDS = ("json", "timelinejs")  # the data files made of one item per event


def shape(kind: str, config: Config, index: TimelineIndex, views: Views,
          bodies: Mapping[str, str], markdown: Mapping[str, str]) -> Shape:  # fmt: skip
    """The shape of the data file ``kind`` (one of DATA_KINDS) for this timeline."""
    if kind == "json":
        return _timeline_shape(config, index, views, markdown)
    return _timelinejs_shape(config, index, views, bodies, markdown)


CSV_COLUMNS = ("slug", "title", "date", "earliest", "latest", "display_date", "status", "group",
               "tags", "actors", "places", "sources", "summary")  # fmt: skip


def write_csv(handle: TextIO, index: TimelineIndex, views: Views) -> None:
    """One row per event; lists joined with '; ', sources as their URLs (or titles)."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for event in index.events:
        date = _date(event.date, views)
        writer.writerow([
            event.slug, event.title, event.date.text, date["earliest"] or "", date["latest"] or "",
            date["display"], event.status.value, event.group or "", "; ".join(event.tags),
            "; ".join(event.actors), "; ".join(event.places),
            "; ".join(s.url or s.title for s in event.sources), views.item(event).summary,
        ])  # fmt: skip


def write_export(kind: str, handle: TextIO, config: Config, index: TimelineIndex, views: Views,
                 bodies: Mapping[str, str], markdown: Mapping[str, str]) -> None:  # fmt: skip
    """Write the whole timeline in one of the export formats: json, timelinejs, csv
    (``bodies``: HTML by slug; ``markdown``: Markdown by event path)."""
    if kind == "json":
        write_timeline_json(handle, config, index, views, markdown)
    elif kind == "timelinejs":
        write_timelinejs(handle, config, index, views, bodies, markdown)
    else:
        write_csv(handle, index, views)


def export(kind: str, config: Config, index: TimelineIndex, views: Views,
           bodies: Mapping[str, str], markdown: Mapping[str, str]) -> str:  # fmt: skip
    """The whole timeline in one of the export formats, as text."""
    out = io.StringIO()
    write_export(kind, out, config, index, views, bodies, markdown)
    return out.getvalue()
