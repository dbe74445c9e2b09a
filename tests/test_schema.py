"""Each schema is declared once (the model's and the config's fields) and drives reading, the
check for unknown keys, what the index ignores and the documentation."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from timeline.config import KEYS as CONFIG_KEYS
from timeline.config import Config
from timeline.reading.events import (
    EVENT_KEYS,
    IMAGE_KEYS,
    MEDIA_KEYS,
    RELATION_KEYS,
    SOURCE_KEYS,
    UPDATE_KEYS,
    parse_event,
)
from timeline.reading.model import Event
from timeline.site.index import UNINDEXED

DOCS = Path(__file__).resolve().parent.parent / "docs"

EVERY_KEY = """\
---
title: Every key
date: 2007-08-22
slug: every-key
summary: One line.
status: confirmed
tags: [Diyala]
actors: [Izzat Ibrahim al-Douri]
places: [Baghdad]
group: Ba'ath
sources:
  - title: A report
    id: report
    url: https://example.com/a
    publisher: Wire
    author: A. Writer
    date: 2007-08-22
    via: Another wire
    archived: https://web.archive.org/web/2007/https://example.com/a
    quote: Words.
    accessed: 2026-11-26
related:
  - slug: other
    relation: follows
image:
  src: https://example.com/a.jpg
  alt: A picture
  caption: Its caption
  credit: Its credit
aliases: [old-name]
updates:
  - date: 2007-08-23
    note: Corrected.
draft: true
---

The body [@report].
"""


MEDIA_PART = ("""image:
  src: https://example.com/a.jpg
  alt: A picture
  caption: Its caption
  credit: Its credit
""", """media:
  url: https://www.youtube.com/watch?v=dQw4w9WgXcQ
  alt: A video of the talks
  caption: Its caption
  credit: Its credit
""")


def test_a_file_with_every_key_is_read_whole() -> None:
    """Every key of each schema reaches the model: none is left at its default."""
    event, markdown, problems = parse_event("events/every.md", EVERY_KEY, {})
    assert not list(problems), list(problems)
    assert event is not None
    assert markdown == "\nThe body [@report].\n"
    written = {f.name for f in dataclasses.fields(Event) if "key" in f.metadata}
    defaults = Event(path="", slug="", title="", date=event.date, status=event.status,
                     body_line=0)  # fmt: skip
    left = [name for name in written - {"slug", "title", "date", "status"}
            if getattr(event, name) == getattr(defaults, name)]  # fmt: skip
    assert left == ["media"]  # an event shows an image or a media, never both: below
    with_media = EVERY_KEY.replace(MEDIA_PART[0], MEDIA_PART[1])
    other, _, problems = parse_event("events/every.md", with_media, {})
    assert not list(problems), list(problems)
    assert other is not None and other.media is not None and other.image is None
    for part, keys in [(event.sources[0], SOURCE_KEYS), (event.image, IMAGE_KEYS),
                       (event.updates[0], UPDATE_KEYS), (event.related[0], RELATION_KEYS),
                       (other.media, MEDIA_KEYS)]:  # fmt: skip
        names = {f.metadata["key"] or f.name: f.name
                 for f in dataclasses.fields(type(part)) if "key" in f.metadata}  # fmt: skip
        assert set(names) == set(keys)
        assert [k for k, name in names.items() if getattr(part, name) in (None, "")] == []


def test_an_unknown_key_is_checked_against_the_declared_ones() -> None:
    text = EVERY_KEY.replace("summary: One line.", "summery: One line.")
    _, _, problems = parse_event("events/every.md", text, {})
    (warning,) = problems.warnings
    assert (warning.field, warning.message) == ("summery", "unknown key; did you mean 'summary'?")


def test_the_index_ignores_what_the_model_says_it_may() -> None:
    assert set(UNINDEXED) == {"title", "status", "group", "summary", "image", "media",
                              "updates", "body_line"}  # fmt: skip


def _documented(page: str, heading: str) -> set[str]:
    """The keys in the first column of the table under ``heading`` of docs/<page>."""
    text = (DOCS / page).read_text(encoding="utf-8")
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    keys: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            keys |= set(re.findall(r"`([a-z_]+)`", line.split("|")[1]))
    return keys


@pytest.mark.parametrize(
    ("page", "heading", "keys"),
    [("events.md", "## Front matter", EVENT_KEYS), ("site.md", "## Configuration", CONFIG_KEYS)],
)
def test_the_docs_list_every_key_and_no_other(page: str, heading: str, keys: tuple) -> None:
    assert _documented(page, heading) == set(keys)


def test_the_docs_show_every_key_of_a_source() -> None:
    text = (DOCS / "events.md").read_text(encoding="utf-8").split("## Sources", 1)[1]
    example = text.split("```yaml", 1)[1].split("```", 1)[0]
    shown = set(re.findall(r"^ +-? ?([a-z]+):", example, re.MULTILINE))
    assert shown == set(SOURCE_KEYS)


def test_the_config_keys_are_its_fields() -> None:
    assert "cache_dir" in CONFIG_KEYS and "root" not in CONFIG_KEYS
    assert len(CONFIG_KEYS) == len(dataclasses.fields(Config)) - 2
