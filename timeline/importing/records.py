"""An event as Timeline's own data files hold it - a ``timeline.json`` event, or the
``timeline`` record ``timeline export`` adds to each TimelineJS slide - back as front matter
and Markdown, field for field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from timeline.importing.html import text
from timeline.reading.dates import parse_edtf


@dataclass
class Converted:
    """One slide or record as an event, ready to write."""

    slug: str
    meta: dict[str, Any]
    body: str
    warnings: list[str]


# The source fields of timeline.json, in the order an event file lists them.
_SOURCE_FIELDS = ("title", "id", "url", "publisher", "author", "date", "via", "archived",
                  "quote", "accessed")  # fmt: skip


def _names(value: Any) -> list[str]:
    return [text(v) for v in value if text(v)] if isinstance(value, list) else []


def _source(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict) or not text(value.get("title")):
        return None
    return {k: text(value[k]) for k in _SOURCE_FIELDS if text(value.get(k))}


def _relations(record: dict[str, Any]) -> list[Any]:
    """``relations`` ({slug, relation}) as an event file writes ``related``."""
    out: list[Any] = []
    relations = record.get("relations")
    if not isinstance(relations, list):
        relations = [{"slug": s} for s in _names(record.get("related"))]
    for relation in relations:
        if isinstance(relation, dict) and text(relation.get("slug")):
            kind = text(relation.get("relation"))
            slug = text(relation["slug"])
            out.append({"slug": slug, "relation": kind} if kind else slug)
    return out


def record_meta(record: dict[str, Any]) -> dict[str, Any]:
    """The front matter of an event record (title and date apart: the caller has them), in
    the order an event file lists its keys; empty fields left out."""
    meta: dict[str, Any] = {}
    if status := text(record.get("status")):
        meta["status"] = status
    if summary := text(record.get("summary")):
        meta["summary"] = summary
    if group := text(record.get("group")):
        meta["group"] = group
    for key in ("tags", "actors", "places"):
        if names := _names(record.get(key)):
            meta[key] = names
    sources = [s for s in map(_source, record.get("sources") or ()) if s]
    if sources:
        meta["sources"] = sources
    if related := _relations(record):
        meta["related"] = related
    if aliases := _names(record.get("aliases")):
        meta["aliases"] = aliases
    updates = [
        {"date": text(u.get("date")), "note": text(u.get("note"))}
        for u in record.get("updates") or ()
        if isinstance(u, dict) and text(u.get("date")) and text(u.get("note"))
    ]
    if updates:
        meta["updates"] = updates
    return meta


def record_date(record: dict[str, Any]) -> str:
    """The EDTF date of a record: ``date`` as text, or timeline.json's ``date.edtf``."""
    date = record.get("date")
    return text(date.get("edtf")) if isinstance(date, dict) else text(date)


def _first_paragraph(body: str, titles: dict[str, str], sources: list[dict[str, str]]) -> str:
    """The summary a build would make of ``body``: its first paragraph's text."""
    from timeline.reading.model import Event, Source, Status
    from timeline.site.markdown import LinkMap, render_body

    event = Event(path="events/import.md", slug="import", title="", date=parse_edtf("2000"),
                  status=Status.REPORTED, body_line=1,
                  sources=tuple(Source(s["title"], key=s.get("id")) for s in sources))  # fmt: skip
    done = render_body(event, body, LinkMap(titles, {}), allow_html=False, root="", fast=False)
    return done.first_paragraph


def own_events(data: dict[str, Any]) -> list[tuple[int, Converted | str]]:
    """The events of a timeline.json (schema "timeline"), numbered: each as an event, or
    why it cannot be one."""
    records: list[Any] = data["events"] if isinstance(data.get("events"), list) else []
    titles = {text(r.get("slug")): text(r.get("title")) for r in records if isinstance(r, dict)}
    out: list[tuple[int, Converted | str]] = []
    for number, record in enumerate(records, 1):
        if not isinstance(record, dict) or not text(record.get("title")):
            out.append((number, "it is not an event record (an object with a title)"))
            continue
        meta = {"title": text(record["title"]), "date": record_date(record),
                **record_meta(record)}  # fmt: skip
        body = text(record.get("body"))
        image = record.get("image")
        if isinstance(image, dict) and text(image.get("src")) and text(image.get("alt")):
            meta["image"] = {k: text(image[k]) for k in ("src", "alt", "caption", "credit")
                             if text(image.get(k))}  # fmt: skip
        media = record.get("media")
        if isinstance(media, dict) and text(media.get("url")):
            meta["media"] = {k: text(media[k]) for k in ("url", "alt", "caption", "credit")
                             if text(media.get(k))}  # fmt: skip
        if meta.get("summary") == _first_paragraph(body, titles, meta.get("sources", [])):
            del meta["summary"]  # made from the body, not written
        out.append((number, Converted(text(record.get("slug")), meta, body, [])))
    return out
