"""``timeline new`` and ``timeline init``: write valid starting files, never overwrite any."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from timeline import files
from timeline.config import Config
from timeline.errors import ContentError, Problem, UsageError
from timeline.reading.dates import EDTFDate, EDTFError, Precision, parse_edtf
from timeline.reading.events import check_slug, default_slug
from timeline.reading.frontmatter import normalise_text
from timeline.reading.project_files import event_files
from timeline.reading.slugs import MAX_SLUG, MAX_SLUG_BYTES, shorten, slugify


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def event_text(
    title: str, date: str, tags: list[str], status: str, slug: str | None = None
) -> str:
    """The text of a new event file (``slug`` written out when the file name would not give
    it, see ``file_name``)."""
    lines = ["---", f"title: {_quoted(title)}", f"date: {_quoted(date)}"]
    if slug is not None:
        lines.append(f"slug: {_quoted(slug)}")
    lines.append(f"status: {status}")
    if tags:
        lines.append("tags: [" + ", ".join(_quoted(t) for t in tags) + "]")
    lines += [
        "sources:",
        "  # Every claim needs a source. Replace this one with yours.",
        f"  - title: {_quoted('Title of the article or document')}",
        "    url: https://example.org/",
        "---",
        "",
        "What happened, in your own words. Link other events with `[[their-slug]]` and cite",
        "a source listed above with `[@source-id]` (give it an `id:` first).",
        "",
    ]
    return "\n".join(lines)


def date_prefix(date: EDTFDate) -> str:
    """``YYYY-MM-DD-``, ``YYYY-MM-`` or ``YYYY-`` for a single date of that precision."""
    start = date.start
    if start is None or date.interval or not 0 <= start.year <= 9999:
        return ""
    if start.precision in (Precision.DAY, Precision.TIME):
        return f"{start.year:04d}-{start.month:02d}-{start.day:02d}-"
    if start.precision is Precision.MONTH and start.month is not None:
        return f"{start.year:04d}-{start.month:02d}-"
    if start.precision is Precision.YEAR:
        return f"{start.year:04d}-"
    return ""


@dataclass(frozen=True)
class NewFile:
    """Where a new event goes, and whether its slug must be written out."""

    name: str  # file name in the events folder
    slug: str
    explicit: bool  # the file name alone would give another slug (a number read as a day)
    taken_by: str | None = None  # the file that had the slug wanted, before it got "-2"
    shortened: bool = False  # the slug wanted was longer than a slug may be


_SLUG_LINE = re.compile(r"^slug:[ \t]*[\"']?([^\"'#\n]*?)[\"']?[ \t]*(?:#.*)?$", re.MULTILINE)


def known_slugs(config: Config) -> dict[str, str]:
    """The slug of every event file in the project, by slug -> file (read quickly: the
    ``slug:`` line if there is one, else the file name), for a new file not to collide."""
    found: dict[str, str] = {}
    for path, rel in event_files(config.root, config.events_path):
        try:
            text = normalise_text(files.read_regular(path).decode("utf-8", "replace"))
        except OSError:  # unreadable, or a link to nowhere: its name is taken all the same
            text = ""
        front = text.split("\n---", 1)[0] if text.startswith("---") else ""
        given = _SLUG_LINE.search(front)
        found.setdefault(given[1].strip() if given else default_slug(rel), rel)
    return found


def place_event(slug: str, date: EDTFDate, taken: dict[str, str], folder: Path) -> NewFile:
    """A file name in ``folder`` for an event of ``slug`` and ``date`` that builds as
    intended: a slug no other event has and a file name nothing has (else ``-2``, ``-3``...),
    and ``slug:`` written out when the date prefix and the slug together read otherwise
    ("2007-08-" + "12-killed" reads as 12 August)."""
    prefix = date_prefix(date)
    wanted = shorten(slug, max_bytes=MAX_SLUG_BYTES)
    folded = {other.casefold(): path for other, path in taken.items()}  # σ and ς collide
    candidate, number = wanted, 2
    while candidate.casefold() in folded or os.path.lexists(folder / f"{prefix}{candidate}.md"):
        tail = f"-{number}"
        candidate = shorten(wanted, MAX_SLUG - len(tail), max_bytes=MAX_SLUG_BYTES - len(tail))
        candidate += tail
        number += 1
    name = f"{prefix}{candidate}.md"
    taken_by = None
    if candidate != wanted:
        taken_by = folded.get(wanted.casefold()) or f"{folder.name}/{prefix}{wanted}.md"
    return NewFile(name, candidate, default_slug(name) != candidate, taken_by, wanted != slug)


def new_event(
    config: Config, title: str, date_text: str | None, tags: list[str], status: str,
    slug: str | None = None,
) -> tuple[Path, NewFile]:  # fmt: skip
    """Write ``events/<date>-<slug>.md`` for a new event; return its path and placing."""
    date_text = date_text or dt.date.today().isoformat()
    for label, text in (("the title", title), ("--date", date_text), ("--tags", ",".join(tags))):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise UsageError(f"{label} is not valid UTF-8 text") from None
    if not title.strip():
        raise UsageError("the title is empty")
    try:
        date = parse_edtf(date_text)
    except EDTFError as exc:
        raise UsageError(f"--date: {exc}") from None
    if slug is not None:
        if why := check_slug(slug):
            raise UsageError(f"--slug: {why}")
    else:
        slug = slugify(title)
        if not slug:
            raise UsageError(
                "the title has no letters or digits to make a file name from; "
                "give the event a URL name with --slug, e.g. --slug douri-and-al-qaeda"
            )
    events = config.events_path
    if why := files.not_a_folder(events):
        raise UsageError(f"{_rel(events, config)} {why}; timeline new writes only into a "
                         "folder of the project's own (never through a link)")
    placed = place_event(slug, date, known_slugs(config), events)
    path = events / placed.name
    text = event_text(title, date.text, [t for t in tags if t], status,
                      placed.slug if placed.explicit or placed.slug != slug else None)  # fmt: skip
    try:
        files.make_folder(events, under=config.root)
        files.create_whole(path, text.encode("utf-8"))
    except FileExistsError:
        problem = Problem(_rel(path, config), 0, "", "already exists; not overwritten")
        raise ContentError([problem]) from None
    except OSError as exc:
        raise UsageError(f"cannot write {_rel(path, config)}: {exc.strerror or exc}") from None
    return path, placed


def _rel(path: Path, config: Config) -> str:
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        return str(path)


CONFIG = """\
# Timeline configuration. Every key is optional.
title = "My timeline"
description = "A sourced chronology."
language = "en"                                     # or fr, es, de, ar (docs/languages.md)
# base_url = "https://example.org/my-timeline/"   # needed for canonical links and feeds
# date_format = "dmy"                               # or "mdy"
# allow_html = false                                # raw HTML in event bodies stays escaped

# Lanes of the visual timeline, in order, with their colours.
[groups]
"Main" = "#2b6cb5"
"""

SOURCES = """\
# The bibliography: sources cited by many events. An event lists one by its id under
# `sources:`, and cites it in its text with [@id].
example-source:
  title: "An example article"
  publisher: "Example News"
  url: "https://example.org/article"
  date: "2007-08-22"
"""

EXAMPLE = """\
---
title: "Start of the timeline"
date: "2007-08~"
status: reported
group: Main
tags: [example]
sources:
  - example-source
---

This event happened around August 2007 (the `~` marks the date as approximate). Its source
is listed below the text and cited inline like this [@example-source].
"""

GITIGNORE = "/site/\n/.timeline-cache/\n"

# The site's own pages, to fill in: readers of a sourced chronology ask who made it and how.
ABOUT = """\
---
title: About
menu: 1
---

Who keeps this timeline, why, and since when. Link to events with [[start-of-the-timeline]]
and cite the bibliography with [@example-source].
"""

METHODOLOGY = """\
---
title: Methodology
menu: 2
---

How events are chosen and sourced, what "reported", "confirmed", "disputed", "denied" and
"retracted" mean here, how uncertain dates are written, and how corrections are made.
"""


def init_project(directory: Path) -> list[str]:
    """Scaffold a project: config, events/ with an example event and bibliography, pages/
    with an About and a Methodology page to fill in. Returns
    the files it did not write because something (even a dangling link) has their name."""
    for name in ("timeline.toml", "events"):
        if os.path.lexists(directory / name):  # a link to nowhere counts: it is no project
            raise UsageError(f"{directory} already holds a timeline project ({name} is there"
                             "); nothing was changed")  # fmt: skip
    scaffold = {
        "timeline.toml": CONFIG,
        ".gitignore": GITIGNORE,
        "events/_sources.yaml": SOURCES,
        "events/2007-08-start-of-the-timeline.md": EXAMPLE,
        "pages/about.md": ABOUT,
        "pages/methodology.md": METHODOLOGY,
    }
    skipped = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        files.make_folder(directory / "events", under=directory)
        files.make_folder(directory / "pages", under=directory)
        for name, text in scaffold.items():
            try:
                files.create_whole(directory / name, text.encode("utf-8"))
            except FileExistsError:
                skipped.append(name)
    except OSError as exc:
        where = exc.filename or directory
        raise UsageError(f"cannot create {where}: {exc.strerror or exc}") from None
    return skipped
