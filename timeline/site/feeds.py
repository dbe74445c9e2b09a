"""Feeds (Atom 1.0 and JSON Feed 1.1), the sitemap and robots.txt: absolute URLs from base_url.

Entries are ordered by when they last changed: the latest date of an event's update log, or
else the event's own date, so that a correction brings an entry back to the top of a reader.
Nothing depends on the time of the build.
"""

from __future__ import annotations

import heapq
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape as attribute  # quotes too: for attribute values
from typing import Any, TextIO
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from timeline.reading.dates import EDTFDate, iso_day
from timeline.reading.model import Event
from timeline.site.viewmodels import SourceView
from timeline.site.views import Views, event_url
from timeline.words import Words


@dataclass(frozen=True)
class FeedEntry:
    """One event in a feed."""

    id: str
    url: str
    title: str
    published: str
    updated: str
    date_text: str
    status: str  # its name in the site's language
    status_key: str  # "reported"...
    summary: str
    content: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Feed:
    """A whole feed: the site's, or one tag's."""

    title: str
    description: str
    home: str  # the page this feed follows
    atom_url: str
    json_url: str
    language: str
    author: str
    updated: str
    entries: tuple[FeedEntry, ...]


def timestamp(day: int | None) -> str:
    """RFC 3339 midnight UTC of a day number (years outside 1-9999 are clamped)."""
    text = iso_day(day) if day is not None else "0001-01-01"
    if text.startswith("-") or len(text) > 10 or text < "0001":
        text = "0001-01-01" if text.startswith(("-", "0000")) else "9999-12-31"
    return f"{text}T00:00:00Z"


def _first_day(date: EDTFDate) -> int | None:
    return date.earliest if date.earliest is not None else date.latest


def absolute_body(html: str, base_url: str, page_url: str) -> str:
    """An event body's relative links made absolute (they start from the event page)."""
    # The config refuses a base_url that could end an attribute; escaped all the same, as
    # every value spliced into an attribute is.
    base, page = attribute(base_url), attribute(page_url)
    html = html.replace('href="../../', f'href="{base}').replace('src="../../', f'src="{base}')
    return html.replace('href="#', f'href="{page}#')


def sources_html(sources: Iterable[SourceView], words: Words) -> str:
    items = []
    for s in sources:
        title = escape(s.title)
        line = f'<a href="{attribute(s.url)}">{title}</a>' if s.url else title
        for part in (s.author, s.publisher, s.date):
            if part:
                line += f", {escape(part)}"
        if s.via:
            line += f" {words.html('source.via', via=s.via)}"
        if s.archived:
            line += f' — <a href="{attribute(s.archived)}">{words.html("source.archived")}</a>'
        items.append(f"<li>{line}</li>")
    if not items:
        return f"<p><em>{words.html('event.unsourced')}</em></p>"
    return f"<h3>{words.html('event.sources')}</h3><ol>" + "".join(items) + "</ol>"


def published_body(event: Event, views: Views, bodies: Mapping[str, str], base_url: str) -> str:
    """An event's body as it is published away from its page (feeds, TimelineJS): links
    made absolute, and its sources listed after it."""
    url = base_url + event_url(event.slug)
    sources = [views.source(n, s) for n, s in enumerate(event.sources, 1)]
    body = bodies[event.slug]
    return absolute_body(body, base_url, url) + sources_html(sources, views.words)


FEED_SIZE = 50  # entries in a feed: the most recently changed events


def _changed(event: Event) -> tuple[int, int, str]:
    """When an event last changed (its update log, else its date), for ordering."""
    published = _first_day(event.date)
    days = [d for u in event.updates if (d := _first_day(u.date)) is not None]
    if published is not None:
        days.append(published)
    return (max(days) if days else -(10**9), published if published is not None else -(10**9),
            event.slug)  # fmt: skip


class Entries:
    """Feed entries of one build, each made once however many feeds carry it (the site's,
    its tags', in Atom and in JSON)."""

    def __init__(self, views: Views, bodies: Mapping[str, str], base_url: str) -> None:
        self.views = views
        self.bodies = bodies
        self.base_url = base_url
        self.made: dict[str, FeedEntry] = {}
        self.texts: dict[tuple[str, str], str] = {}  # (format, entry id) -> its text
        self.changed: dict[str, tuple[int, int, str]] = {}

    def _changed(self, event: Event) -> tuple[int, int, str]:
        key = self.changed.get(event.slug)
        if key is None:
            key = self.changed[event.slug] = _changed(event)
        return key

    def newest(self, events: Iterable[Event]) -> tuple[FeedEntry, ...]:
        """Entries for the FEED_SIZE most recently changed of ``events``, newest first."""
        return tuple(
            self.entry(event) for event in heapq.nlargest(FEED_SIZE, events, key=self._changed)
        )

    def atom(self, entry: FeedEntry) -> str:
        """An entry's Atom XML, made once."""
        text = self.texts.get(("atom", entry.id))
        if text is None:
            text = self.texts[("atom", entry.id)] = atom_entry(entry)
        return text

    def json(self, entry: FeedEntry) -> str:
        """An entry's JSON Feed item, made once."""
        text = self.texts.get(("json", entry.id))
        if text is None:
            text = self.texts[("json", entry.id)] = json_entry(entry)
        return text

    def entry(self, event: Event) -> FeedEntry:
        made = self.made.get(event.slug)
        if made is None:
            made = self.made[event.slug] = self._entry(event)
        return made

    def _entry(self, event: Event) -> FeedEntry:
        views, base_url = self.views, self.base_url
        item = views.item(event)
        url = base_url + event_url(event.slug)
        published = _first_day(event.date)
        updated = self._changed(event)[0] if published is not None or event.updates else None
        header = (f"<p><strong>{escape(item.date.text)}</strong> · "
                  f"{escape(item.status_label)}</p>")  # fmt: skip
        body = published_body(event, views, self.bodies, base_url)
        return FeedEntry(
            id=url, url=url, title=event.title, published=timestamp(published),
            updated=timestamp(updated), date_text=item.date.text, status=item.status_label,
            status_key=item.status,
            summary=item.summary, content=header + body, tags=event.tags,
        )  # fmt: skip


def atom_entry(e: FeedEntry) -> str:
    """One entry as Atom XML (indented for its place in the feed)."""
    return "\n".join([
        "  <entry>",
        f"    <title>{escape(e.title)}</title>",
        f"    <id>{escape(e.id)}</id>",
        f'    <link rel="alternate" type="text/html" href={quoteattr(e.url)}/>',
        f"    <published>{e.published}</published>",
        f"    <updated>{e.updated}</updated>",
        f"    <summary>{escape(f'{e.date_text} ({e.status}). {e.summary}'.strip())}</summary>",
        f'    <content type="html">{escape(e.content)}</content>',
        f"    <category term={quoteattr(e.status_key)} label={quoteattr(e.status)}/>",
        *(f"    <category term={quoteattr(t)}/>" for t in e.tags),
        "  </entry>",
    ])  # fmt: skip


def atom(feed: Feed, entries: Iterable[str]) -> str:
    """The feed as Atom 1.0, its entries given as XML (see ``atom_entry``)."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(feed.language)}>',
        f"  <title>{escape(feed.title)}</title>",
        f"  <id>{escape(feed.atom_url)}</id>",
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(feed.atom_url)}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(feed.home)}/>',
        f"  <updated>{feed.updated}</updated>",
        f"  <author><name>{escape(feed.author or feed.title)}</name></author>",
        "  <generator>Timeline</generator>",
    ]
    if feed.description:
        lines.append(f"  <subtitle>{escape(feed.description)}</subtitle>")
    lines += entries
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def json_item(e: FeedEntry) -> dict[str, Any]:
    """One entry as a JSON Feed item."""
    return {
        "id": e.id,
        "url": e.url,
        "title": e.title,
        "summary": e.summary,
        "content_html": e.content,
        "date_published": e.published,
        "date_modified": e.updated,
        "tags": [e.status_key, *e.tags],
        "_timeline": {"date": e.date_text, "status": e.status_key},
    }


def json_entry(e: FeedEntry) -> str:
    """One entry as JSON Feed item text (one line)."""
    return to_json(json_item(e))


def json_feed(feed: Feed, items: Iterable[str]) -> str:
    """The feed as JSON Feed 1.1, its items given as JSON text (see ``json_entry``)."""
    head = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.home,
        "feed_url": feed.json_url,
        "description": feed.description,
        "language": feed.language,
        "authors": [{"name": feed.author or feed.title}],
    }
    out = io.StringIO()
    dump_json(out, head, [("items", items)], encoded=True)
    return out.getvalue()


# json.dumps(value, ensure_ascii=False), with one encoder for the tens of thousands of items
to_json = json.JSONEncoder(ensure_ascii=False).encode


def dump_json(
    handle: TextIO, head: dict[str, Any], lists: list[tuple[str, Iterable[Any]]], *,
    encoded: bool = False,
) -> None:  # fmt: skip
    """A JSON object written piece by piece - small fields, then long lists item by item, one
    line each - so that a timeline of 100,000 events never exists as one giant string in
    memory, and Python's fast encoder does the work (an ``indent`` would turn it off).
    ``encoded``: the list items are JSON text already."""
    parts = [f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in head.items()]
    handle.write("{\n" + ",\n".join(parts))
    for n, (key, items) in enumerate(lists):
        handle.write((",\n" if parts or n else "") + f" {json.dumps(key)}: [")
        for i, item in enumerate(items):
            text = item if encoded else to_json(item)
            handle.write(("\n  " if i == 0 else ",\n  ") + text)
        handle.write("\n ]")
    handle.write("\n}\n")


_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def sitemap(urls: Iterable[str]) -> str:
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']  # fmt: skip
    # The sitemap protocol wants URLs escaped: a tag's or event's slug in Arabic or Cyrillic
    # is written percent-encoded as UTF-8 (what a browser's address bar sends).
    lines += [f"  <url><loc>{escape(quote(u, safe=_URL_SAFE))}</loc></url>" for u in urls]
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots(sitemap_url: str | None) -> str:
    text = "User-agent: *\nAllow: /\n"
    return text + (f"\nSitemap: {sitemap_url}\n" if sitemap_url else "")
