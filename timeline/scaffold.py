"""``timeline new`` and ``timeline init``: write valid starting files, never overwrite any."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from timeline.config import Config
from timeline.errors import ContentError, Problem, UsageError
from timeline.reading.dates import EDTFError, Precision, parse_edtf
from timeline.reading.events import slugify


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def event_text(title: str, date: str, tags: list[str], status: str) -> str:
    """The text of a new event file."""
    lines = ["---", f"title: {_quoted(title)}", f"date: {_quoted(date)}", f"status: {status}"]
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


def new_event(
    config: Config, title: str, date_text: str | None, tags: list[str], status: str
) -> Path:
    """Write ``events/<date>-<slug>.md`` for a new event and return its path."""
    date_text = date_text or dt.date.today().isoformat()
    try:
        date = parse_edtf(date_text)
    except EDTFError as exc:
        raise UsageError(f"--date: {exc}") from None
    slug = slugify(title)
    if not slug:
        raise UsageError("the title needs some letters or digits to make a file name from")
    start = date.start
    prefix = ""
    if start is not None and not date.interval and start.year >= 0:
        if start.precision in (Precision.DAY, Precision.TIME):
            prefix = f"{start.year:04d}-{start.month:02d}-{start.day:02d}-"
        elif start.precision is Precision.MONTH:
            prefix = f"{start.year:04d}-{start.month:02d}-"
        elif start.precision is Precision.YEAR:
            prefix = f"{start.year:04d}-"
    path = config.events_path / f"{prefix}{slug}.md"
    rel = path.relative_to(config.root).as_posix()
    if path.exists():
        raise ContentError(
            [Problem(rel, 0, "", "already exists; not overwritten (choose another title)")]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(event_text(title, date.text, [t for t in tags if t], status))
    return path


CONFIG = """\
# Timeline configuration. Every key is optional.
title = "My timeline"
description = "A sourced chronology."
language = "en"
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

GITIGNORE = "/site/\n"


def init_project(directory: Path) -> None:
    """Scaffold a project: config, events/ with an example event and bibliography."""
    if (directory / "timeline.toml").exists() or (directory / "events").exists():
        raise UsageError(f"{directory} already holds a timeline project; nothing was changed")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "events").mkdir()
    files = {
        "timeline.toml": CONFIG,
        ".gitignore": GITIGNORE,
        "events/_sources.yaml": SOURCES,
        "events/2007-08-start-of-the-timeline.md": EXAMPLE,
    }
    for name, text in files.items():
        target = directory / name
        if not target.exists():
            target.write_text(text, encoding="utf-8")
