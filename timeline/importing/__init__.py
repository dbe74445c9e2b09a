"""``timeline import``: TimelineJS JSON, its spreadsheet template as CSV, or Timeline's own
``timeline.json``, to event files.

Each slide or row becomes one event file that builds as it is: every file is converted and
checked first, then all of them are written, or none (a failure while writing removes what
was written). A slide that cannot be converted is reported by number and left out; what
had to change on the way (a link that is not http(s), a slug another event has, characters
that are not text) is a warning on that slide. No file is ever overwritten. What TimelineJS
cannot say is not invented: see docs/data.md.

The jobs: html (TimelineJS's HTML fields as text and Markdown), slides (a slide as an
event), records (Timeline's own event records), sheet (the spreadsheet); here, the reading
of the file, the report and the writing, all or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from timeline import files
from timeline.config import Config
from timeline.errors import UsageError, megabytes, plural
from timeline.importing.records import Converted, own_events
from timeline.importing.sheet import csv_slides
from timeline.importing.slides import slide_to_event
from timeline.reading.dates import parse_edtf
from timeline.reading.events import parse_event, shorten
from timeline.reading.project_files import MAX_FILE_BYTES
from timeline.scaffold import known_slugs, place_event

# The order an event file's keys are written in (docs/events.md's).
_ORDER = ("title", "date", "slug", "status", "summary", "group", "tags", "actors", "places",
          "sources", "related", "image", "media", "aliases", "updates")  # fmt: skip
MAX_IMPORT_BYTES = 100 * 1024 * 1024  # a TimelineJS file larger than this is not one


@dataclass
class SlideOutcome:
    """What became of one slide (or spreadsheet row, or era, or event record)."""

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


def _read(source: Path) -> str:
    """The text of the file to import; a usage error (exit 2) says why it cannot be read."""
    try:
        size = source.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise UsageError(f"{source} is {megabytes(size)}; a TimelineJS file of more "
                             f"than {megabytes(MAX_IMPORT_BYTES)} is not one")  # fmt: skip
        data = files.read_regular(source)
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {files.why_unreadable(exc)}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UsageError(
            f"{source}:{line}: is not UTF-8 text (byte {data[exc.start]:#x}); "
            "save it as UTF-8 (in a spreadsheet: CSV UTF-8)"
        ) from None


def _load_json(source: Path, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{source} is not JSON: {exc}") from None
    except RecursionError:
        raise UsageError(f"{source} is nested too deeply to be a TimelineJS file") from None


def _json_slides(source: Path, data: Any) -> tuple[list[tuple[int, Any]], list[tuple[int, Any]]]:
    """A TimelineJS JSON file's slides and eras, numbered; a usage error if it is no
    TimelineJS file."""
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list):
        raise UsageError(f"{source} has no 'events' list, so it is not a TimelineJS JSON file")
    if events and not any(isinstance(e, dict) and ("start_date" in e or "text" in e)
                          for e in events):  # fmt: skip
        raise UsageError(
            f"{source} is not a TimelineJS JSON file: none of its "
            f"{plural(len(events), 'event')} has a start_date or text"
        )
    eras = data.get("eras") if isinstance(data.get("eras"), list) else []
    if any(isinstance(e, dict) and "timeline" in e for e in events):
        eras = []  # timeline export's own eras: one a year, made from the events
    return list(enumerate(events, 1)), list(enumerate(eras, len(events) + 1))


Item = tuple[int, Callable[[], Converted]]  # a slide's number, and its conversion


def _kept(record: Converted | str) -> Converted:
    if isinstance(record, str):
        raise ValueError(record)
    return record


def _items(source: Path, text: str) -> tuple[str, list[Item]]:
    """What the file holds ("slide", "row" or "event") and how to convert each."""
    if source.suffix.lower() == ".csv" or not text.lstrip().startswith(("{", "[")):
        slides, eras = csv_slides(source, text)
        label = "row"
    else:
        data = _load_json(source, text)
        if isinstance(data, dict) and data.get("schema") == "timeline":
            return "event", [(n, partial(_kept, r)) for n, r in own_events(data)]
        slides, eras = _json_slides(source, data)
        label = "slide"
    items: list[Item] = [(n, partial(slide_to_event, s)) for n, s in slides]
    return label, items + [(n, partial(slide_to_event, s, era=True)) for n, s in eras]


def import_file(source: Path, config: Config) -> ImportReport:
    """Convert a TimelineJS JSON file or spreadsheet CSV (or a timeline.json) into event
    files in the events folder: all of them, or (if writing fails) none."""
    text = _read(source)
    label, items = _items(source, text)
    report = ImportReport(source.name, label)
    events = config.events_path
    if why := files.not_a_folder(events):
        raise UsageError(
            f"{config.events_dir} {why}; import writes only into a folder of "
            "the project's own (never through a link)"
        )
    taken = known_slugs(config)
    planned: list[tuple[Path, bytes]] = []
    for number, convert in items:
        outcome = SlideOutcome(number)
        report.slides.append(outcome)
        try:
            event = convert()
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
            meta["slug"] = placed.slug
        meta = {key: meta[key] for key in _ORDER if key in meta}
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
        content = f"---\n{front}---\n" + (f"\n{event.body}\n" if event.body else "")
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
            raise UsageError(
                f"interrupted; nothing was imported ({plural(len(planned), 'file')} to be written)"
            ) from None
        where = exc.filename or config.events_path
        raise UsageError(
            f"cannot write {where}: {exc.strerror or exc}; nothing was imported "
            f"({plural(len(planned), 'file')} to be written)"
        ) from None
