"""Find and read the event files and the bibliography of a project (file I/O at the edge)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from timeline.errors import Problems
from timeline.reading.events import parse_bibliography, parse_event
from timeline.reading.model import Event, Source

BIBLIOGRAPHY = "_sources.yaml"
MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Corpus:
    """What the events folder holds, after validation of each file on its own."""

    events: tuple[Event, ...]
    bibliography: dict[str, Source]
    problems: Problems


def is_hidden(relative: Path) -> bool:
    """Files and folders starting with '_' or '.' are not events."""
    return any(part.startswith(("_", ".")) for part in relative.parts)


def event_files(events_dir: Path) -> list[Path]:
    """Every event file under ``events_dir``, sorted so that builds are deterministic."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(events_dir, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(("_", ".")))
        found.extend(
            Path(folder, name) for name in files
            if name.endswith(".md") and not name.startswith(("_", "."))
        )  # fmt: skip
    return sorted(found, key=lambda p: p.relative_to(events_dir).as_posix())


def read_text(path: Path, root: Path, rel: str, problems: Problems) -> str | None:
    """A file's text as UTF-8, or None with a problem saying why it cannot be read."""
    try:
        if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
            problems.error(rel, 0, "", "is a symbolic link leading outside the project; refused")
            return None
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.error(
                rel, 0, "", f"is {size // 1_048_576} MB; event files are limited to 5 MB"
            )
            return None
        data = path.read_bytes()
    except OSError as exc:
        problems.error(rel, 0, "", f"cannot be read: {exc.strerror or exc}")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.error(
            rel, line, "", f"is not UTF-8 text (byte {data[exc.start]:#x}); save it as UTF-8"
        )
        return None


def load_corpus(root: Path, events_dir: Path, *, drafts: bool) -> Corpus:
    """Read and validate every event file and the bibliography."""
    problems = Problems()
    if not events_dir.is_dir():
        problems.error(
            _rel(events_dir, root), 0, "", "no events folder; create it or run 'timeline init'"
        )
        return Corpus((), {}, problems)
    bibliography: dict[str, Source] = {}
    bib_path = events_dir / BIBLIOGRAPHY
    if bib_path.exists():
        rel = _rel(bib_path, root)
        text = read_text(bib_path, root, rel, problems)
        if text is not None:
            bibliography, bib_problems = parse_bibliography(rel, text)
            problems.extend(bib_problems)
    events: list[Event] = []
    for path in event_files(events_dir):
        rel = _rel(path, root)
        text = read_text(path, root, rel, problems)
        if text is None:
            continue
        event, file_problems = parse_event(rel, text, bibliography)
        problems.extend(file_problems)
        if event is not None and (drafts or not event.draft):
            events.append(event)
    return Corpus(tuple(events), bibliography, problems)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
