"""Read and validate the event files and the bibliography of a project, again only where they
changed (finding the files and reading their bytes: ``reading.project_files``)."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from timeline.errors import Problem, Problems
from timeline.packed import PackedTexts, map_packed
from timeline.parallel import map_shares
from timeline.reading.events import parse_bibliography, parse_event
from timeline.reading.model import Event, Source
from timeline.reading.project_files import (
    BIBLIOGRAPHY,
    RACY_NS,
    Stamp,
    decode,
    event_files,
    file_digest,
    file_stamp,
    project_rel,
    read_bytes,
    relisted,
)


@dataclass(frozen=True)
class Corpus:
    """What the events folder holds, after validation of each file on its own."""

    events: tuple[Event, ...]
    bibliography: dict[str, Source]
    problems: Problems
    # Each event's Markdown by path (when read with ``pack_markdown``, in shared buffers).
    markdown: Mapping[str, str] = field(default_factory=dict)
    # For the next read's patch (see ``_patched``): the listing read, each listed file's
    # event's place in ``events``, and the files' own problems in the listing's order.
    files: list[tuple[str, str]] | None = None
    slots: Mapping[str, int] = field(default_factory=dict)
    file_problems: tuple[Problem, ...] = ()
    # The files whose event is a new object since the last read (None: not known, any).
    edited: frozenset[str] | None = None


@dataclass(frozen=True)
class Parsed:
    """One file as last read: its stamp, when it was read, its digest and what came of it."""

    stamp: Stamp
    read_at: int
    digest: bytes
    event: Event | None
    markdown: str
    problems: tuple[Problem, ...]

    def trusted(self, stamp: Stamp) -> bool:
        """Unchanged for sure without reading it again."""
        return _trusted(stamp, self.stamp, self.read_at)


@dataclass(frozen=True)
class ReadBibliography:
    """The bibliography as last read (as ``Parsed`` for an event file); digest ``b""``: no
    file, or one that could not be read."""

    stamp: Stamp
    read_at: int
    digest: bytes
    sources: dict[str, Source]
    problems: tuple[Problem, ...]

    def trusted(self, stamp: Stamp) -> bool:
        """Unchanged for sure without reading it again."""
        return _trusted(stamp, self.stamp, self.read_at)


def _trusted(stamp: Stamp, seen: Stamp, read_at: int) -> bool:
    """A file whose stamp is ``stamp`` now, and was ``seen`` when read at ``read_at``, is
    unchanged for sure: the same stamp, not too close to the reading (see RACY_NS)."""
    return stamp == seen and stamp[0] < read_at - RACY_NS


@dataclass
class ReadCache:
    """What was read last time, so a rebuild re-reads only files whose stamp changed."""

    files: dict[str, Parsed] = field(default_factory=dict)
    bibliography: ReadBibliography | None = None
    reads: int = 0  # event files parsed, for tests and progress
    listings: int = 0  # times the events folder was listed (not told what changed), for tests
    # The event files as last listed (see event_files), and what listing them found.
    listed: list[tuple[str, str]] | None = None
    listing_problems: tuple[Problem, ...] = ()

    def recorded(self) -> tuple[dict[str, bytes], dict[str, tuple[Stamp, int, bytes]]]:
        """What a build's record keeps of the event files as they were read: each one's
        digest, and its stamp, reading time and digest (``cache.Read``)."""
        inputs = {rel: parsed.digest for rel, parsed in self.files.items()}
        read = {rel: (p.stamp, p.read_at, p.digest) for rel, p in self.files.items()}
        return inputs, read


def load_corpus(
    root: Path, events_dir: Path, *, drafts: bool, cache: ReadCache | None = None,
    workers: int = 1, pack_markdown: bool = False, only: Collection[str] | None = None,
    last: Corpus | None = None,
) -> Corpus:  # fmt: skip
    """Read and validate every event file and the bibliography (re-using ``cache``).

    ``pack_markdown``: for a build that is not followed by updates; the Markdown comes back
    from the workers packed (see timeline.packed), so the page workers forked later never
    copy it; ``cache`` then keeps no Markdown, and serves an update only once
    ``Collector.unpack`` has put the Markdown back.

    ``only``: the paths of the only files that can have changed since ``cache`` was filled
    (what a file watcher reported): the folder is not listed again and no other file is
    looked at (``unnoticed`` tells whether that was so). ``last``: what the last call
    returned, patched where only a few files were read again (see ``_patched``)."""
    cache = cache if cache is not None else ReadCache()
    problems = Problems()
    if not events_dir.is_dir():
        if events_dir.exists() or events_dir.is_symlink():
            kind = "a file" if events_dir.is_file() else "not a folder"
            why = f"is {kind}; the events folder must be a folder of event files"
        else:
            why = "no events folder; create it or run 'timeline init'"
        problems.error(project_rel(events_dir, root), 0, "", why)
        return Corpus((), {}, problems)

    before = cache.bibliography
    cache.bibliography = _read_bibliography(root, events_dir, before)
    if before is None or cache.bibliography.sources is not before.sources:  # parsed again:
        cache.files.clear()  # events citing the bibliography must be read again
        only = None
    bibliography = cache.bibliography.sources
    problems.extend(cache.bibliography.problems)

    listing = relisted(root, events_dir, cache.listed, only) if only is not None else None
    if listing is None:
        found = Problems()
        files = event_files(root, events_dir, found)
        cache.listed, cache.listing_problems = files, tuple(found)
        cache.listings += 1
        looked_at = files
    else:
        files, changed = listing
        cache.listed = files
        looked_at = [f for f in files if f[1] in changed or f[1] not in cache.files]
    problems.extend(cache.listing_problems)
    todo = []
    for path, rel in looked_at:
        stamp = file_stamp(path)
        previous = cache.files.get(rel)
        if previous is None or not previous.trusted(stamp):
            todo.append((path, rel, stamp, previous))

    def parse(item: tuple[str, str, Stamp, Parsed | None]) -> Parsed:
        path, rel, stamp, previous = item
        return _parse(path, root, rel, stamp, bibliography, previous)

    def without_markdown(parsed: Parsed) -> tuple[Parsed, str]:
        return replace(parsed, markdown=""), parsed.markdown

    packed: PackedTexts | None = None
    if pack_markdown:
        results, packed = map_packed(
            parse, todo, workers, key=lambda t: t[1], split=without_markdown
        )  # fmt: skip
    else:
        results = map_shares(parse, todo, workers)
    fresh = dict(zip((t[1] for t in todo), results, strict=True))
    cache.reads += sum(
        1
        for t, p in zip(todo, fresh.values(), strict=True)
        if t[3] is None or t[3].digest != p.digest
    )
    patched = _patched(last, files, fresh, cache.files, drafts) if packed is None else None
    if patched is not None:
        cache.files = {**cache.files, **fresh}
        problems.extend(patched.file_problems)
        return replace(patched, bibliography=bibliography, problems=problems)
    events: list[Event] = []
    markdown: dict[str, str] = {}
    seen: dict[str, Parsed] = {}
    slots: dict[str, int] = {}
    own = Problems()
    for _, rel in files:
        parsed = fresh.get(rel) or cache.files[rel]
        seen[rel] = parsed
        own.extend(parsed.problems)
        if parsed.event is not None and (drafts or not parsed.event.draft):
            slots[rel] = len(events)
            events.append(parsed.event)
            markdown[rel] = parsed.markdown
    cache.files = seen  # with pack_markdown, without their Markdown: for their digests only
    problems.extend(own)
    if packed is not None:
        return Corpus(tuple(events), bibliography, problems, packed)
    return Corpus(tuple(events), bibliography, problems, markdown, files, slots, tuple(own))


def _patched(
    last: Corpus | None, files: list[tuple[str, str]], fresh: Mapping[str, Parsed],
    kept: Mapping[str, Parsed], drafts: bool,
) -> Corpus | None:  # fmt: skip
    """The last corpus with the files read again swapped in, when the listing is the one it
    was made from and each such file had an event in it and still has one, with the same
    problems as before: then what a walk over every file would find is known without one
    (the walk costs 20-30 ms at 10,000 events, on every save while serving)."""
    if last is None or last.files is not files:
        return None
    events = list(last.events)
    markdown = dict(last.markdown)
    edited = set()
    for rel, parsed in fresh.items():
        was, at = kept.get(rel), last.slots.get(rel)
        event = parsed.event
        if was is None or at is None or event is None or parsed.problems != was.problems:
            return None
        if event.draft and not drafts:
            return None
        if event is not was.event:
            events[at] = event
            edited.add(rel)
        markdown[rel] = parsed.markdown
    return replace(last, events=tuple(events), markdown=markdown, edited=frozenset(edited))


def _read_bibliography(
    root: Path, events_dir: Path, before: ReadBibliography | None
) -> ReadBibliography:
    """The bibliography: ``before`` itself while its stamp can be trusted, else read again,
    and parsed again (new ``sources``) unless its bytes are the same."""
    path = events_dir / BIBLIOGRAPHY
    stamp = file_stamp(path)
    if before is not None and before.trusted(stamp):
        return before
    read_at = time.time_ns()
    problems = Problems()
    if not (path.exists() or path.is_symlink()):
        return ReadBibliography(stamp, read_at, b"", {}, ())
    rel = project_rel(path, root)
    data = read_bytes(path, root, rel, problems)
    digest = b"" if data is None else file_digest(data)
    if before is not None and digest and digest == before.digest:
        return replace(before, stamp=stamp, read_at=read_at)
    sources: dict[str, Source] = {}
    text = decode(data, rel, problems) if data is not None else None
    if text is not None:
        sources, found = parse_bibliography(rel, text)
        problems.extend(found)
    return ReadBibliography(stamp, read_at, digest, sources, tuple(problems))


def unnoticed(
    root: Path, events_dir: Path, cache: ReadCache, stop: Callable[[], bool] = lambda: False
) -> bool | None:
    """Whether the event files or the bibliography differ from what ``cache`` holds: a file
    added, gone or changed that an update given ``only`` paths did not look at; None if
    ``stop`` said to stop before the answer was known (it is asked every few hundred files)."""
    if cache.listed is None or cache.bibliography is None:
        return True
    seen = cache.bibliography
    now = _read_bibliography(root, events_dir, seen)  # itself, while its stamp is trusted
    if (now.stamp, now.digest, now.problems) != (seen.stamp, seen.digest, seen.problems):
        return True
    found = Problems()
    files = event_files(root, events_dir, found)
    if files != cache.listed or tuple(found) != cache.listing_problems:
        return True
    for n, (path, rel) in enumerate(files):
        if n % 256 == 0 and stop():
            return None
        parsed = cache.files.get(rel)
        stamp = file_stamp(path)
        if parsed is None or stamp != parsed.stamp:
            return True
        if not parsed.trusted(stamp):  # saved again within the file system's time step?
            data = read_bytes(path, root, rel, Problems())
            if file_digest(data or b"") != parsed.digest:
                return True
    return False


def _parse(
    path: str, root: Path, rel: str, stamp: Stamp, bibliography: dict[str, Source],
    previous: Parsed | None,
) -> Parsed:  # fmt: skip
    """Read one event file; parse it only if its bytes differ from what was parsed before."""
    read_at = time.time_ns()
    problems = Problems()
    data = read_bytes(path, root, rel, problems)
    digest = file_digest(data or b"")
    if previous is not None and data is not None and previous.digest == digest:
        # Same bytes: keep what was parsed (the same Event object, so it is not counted).
        return replace(previous, stamp=stamp, read_at=read_at)
    event, markdown = None, ""
    text = decode(data, rel, problems) if data is not None else None
    if text is not None:
        event, markdown, more = parse_event(rel, text, bibliography)
        problems.extend(more)
    return Parsed(stamp, read_at, digest, event, markdown, tuple(problems))
