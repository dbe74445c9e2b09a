"""Find and read the event files and the bibliography of a project (file I/O at the edge)."""

from __future__ import annotations

import bisect
import errno
import hashlib
import os
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from timeline import files as safe_files
from timeline.errors import Problem, Problems, megabytes
from timeline.packed import PackedTexts, map_packed
from timeline.parallel import map_shares
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
    # Each event's Markdown by path (when read with ``pack_markdown``, in shared buffers).
    markdown: Mapping[str, str] = field(default_factory=dict)
    # For the next read's patch (see ``_patched``): the listing read, each listed file's
    # event's place in ``events``, and the files' own problems in the listing's order.
    files: list[tuple[str, str]] | None = None
    slots: Mapping[str, int] = field(default_factory=dict)
    file_problems: tuple[Problem, ...] = ()
    # The files whose event is a new object since the last read (None: not known, any).
    edited: frozenset[str] | None = None


def _event_names(
    events_dir: Path, problems: Problems | None = None, base: str = "events"
) -> list[str]:
    """Event files as sorted paths relative to ``events_dir`` (plain strings: this runs on
    every rebuild, over thousands of files). A folder that cannot be read, and a name that is
    not UTF-8, is a problem (their events would otherwise vanish without a word)."""
    found: list[str] = []
    top = str(events_dir)

    def unreadable(exc: OSError) -> None:
        if problems is not None:
            rel = os.path.relpath(exc.filename, top).replace(os.sep, "/")
            problems.error(
                f"{base}/" if rel == "." else f"{base}/{safe_files.shown_name(rel)}/", 0, "",
                f"this folder cannot be read ({exc.strerror}), so its events would be left "
                "out; fix its permissions, or rename it to start with _ to leave it out",
            )  # fmt: skip

    for folder, dirs, files in os.walk(top, onerror=unreadable, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(("_", "."))]
        prefix = folder[len(top) + 1 :].replace(os.sep, "/")
        prefix = prefix + "/" if prefix else ""
        for name in files:
            if name.endswith(".md") and not name.startswith(("_", ".")):
                if safe_files.is_utf8_name(prefix + name):
                    found.append(prefix + name)
                elif problems is not None:
                    problems.error(f"{base}/{safe_files.shown_name(prefix + name)}", 0, "",
                                   "the file name is not UTF-8 text; rename the file")  # fmt: skip
    found.sort()
    return found



def event_files(
    root: Path, events_dir: Path, problems: Problems | None = None
) -> list[tuple[str, str]]:
    """Every event file: its path, and its path relative to the project (how problems name
    it). Plain strings, as for ``_event_names``."""
    base = _rel(events_dir, root)
    top = str(events_dir) + os.sep
    names = _event_names(events_dir, problems, base)
    return [(top + name.replace("/", os.sep), f"{base}/{name}") for name in names]


def read_text(path: Path, root: Path, rel: str, problems: Problems) -> str | None:
    """A file's text as UTF-8, or None with a problem saying why it cannot be read."""
    data = read_bytes(path, root, rel, problems)
    return None if data is None else decode(data, rel, problems)


def read_bytes(path: str | Path, root: Path, rel: str, problems: Problems) -> bytes | None:
    """A file's bytes, or None with a problem (links out of the project, too large,
    unreadable, or not a file at all: a FIFO or device is refused, never read)."""
    try:
        try:
            if not hasattr(os, "O_NOFOLLOW") and os.path.islink(path):  # pragma: no cover
                raise OSError(errno.ELOOP, "a symbolic link")
            fd = safe_files.open_regular(path, follow=False)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
            try:
                inside = Path(path).resolve().is_relative_to(root.resolve())
            except RuntimeError:  # a loop of links (Python < 3.13; later ones raise OSError)
                raise OSError(errno.ELOOP, "a loop of symbolic links") from None
            if not inside:
                problems.error(
                    rel, 0, "", "is a symbolic link leading outside the project; refused"
                )
                return None
            fd = safe_files.open_regular(path)
        with open(fd, "rb") as handle:  # the size of the file opened, not of its path
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_FILE_BYTES:
                problems.error(
                    rel,
                    0,
                    "",
                    f"is {megabytes(size)}; event files and the "
                    f"bibliography are limited to {megabytes(MAX_FILE_BYTES)}",
                )
                return None
            return handle.read()
    except OSError as exc:
        problems.error(rel, 0, "", safe_files.why_unreadable(exc))
        return None


def decode(data: bytes, rel: str, problems: Problems) -> str | None:
    """UTF-8 text, or None with a problem naming the line of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.error(
            rel, line, "", f"is not UTF-8 text (byte {data[exc.start]:#x}); save it as UTF-8"
        )
        return None


def file_digest(data: bytes) -> bytes:
    """The digest of an event file's bytes: tells a changed file, and keys the build cache."""
    return hashlib.blake2b(data, digest_size=16).digest()


Stamp = tuple[int, int, int]


# Some file systems keep modification times in coarse steps: a file saved twice within one
# step, at the same size, keeps its stamp. As git does for "racily clean" files, a file whose
# stamp is this close to the time it was read is compared by content as well.
RACY_NS = 2_000_000_000


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


def _stamp(path: str | Path) -> Stamp:
    """Modification time, size and inode: changes on every save, including save-by-rename."""
    try:
        st = os.stat(path)
    except OSError:
        return (0, -1, 0)
    return (st.st_mtime_ns, st.st_size, st.st_ino)


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
        problems.error(_rel(events_dir, root), 0, "", why)
        return Corpus((), {}, problems)

    before = cache.bibliography
    cache.bibliography = _read_bibliography(root, events_dir, before)
    if before is None or cache.bibliography.sources is not before.sources:  # parsed again:
        cache.files.clear()  # events citing the bibliography must be read again
        only = None
    bibliography = cache.bibliography.sources
    problems.extend(cache.bibliography.problems)

    relisted = _relisted(root, events_dir, cache.listed, only) if only is not None else None
    if relisted is None:
        found = Problems()
        files = event_files(root, events_dir, found)
        cache.listed, cache.listing_problems = files, tuple(found)
        cache.listings += 1
        looked_at = files
    else:
        files, changed = relisted
        cache.listed = files
        looked_at = [f for f in files if f[1] in changed or f[1] not in cache.files]
    problems.extend(cache.listing_problems)
    todo = []
    for path, rel in looked_at:
        stamp = _stamp(path)
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
    stamp = _stamp(path)
    if before is not None and before.trusted(stamp):
        return before
    read_at = time.time_ns()
    problems = Problems()
    if not (path.exists() or path.is_symlink()):
        return ReadBibliography(stamp, read_at, b"", {}, ())
    rel = _rel(path, root)
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


def _relisted(
    root: Path, events_dir: Path, listed: list[tuple[str, str]] | None, only: Collection[str]
) -> tuple[list[tuple[str, str]], set[str]] | None:
    """The event files as ``event_files`` would list them now, from the last listing and the
    only paths that can have changed, and which of them (relative to the project) are among
    those paths; None where only listing the folder can tell (a name that is not UTF-8, a
    file in a folder that is a link)."""
    if listed is None:
        return None
    top = str(events_dir) + os.sep
    base = _rel(events_dir, root)
    if (same := _same_listing(top, base, listed, only)) is not None:
        return listed, same
    files = {rel: path for path, rel in listed}
    changed = set()
    for given in only:
        if not given.startswith(top):
            continue
        name = given[len(top) :].replace(os.sep, "/")
        parts = name.split("/")
        if not name.endswith(".md") or any(p.startswith(("_", ".")) for p in parts):
            continue  # never an event file (see _event_names)
        if not safe_files.is_utf8_name(name):
            return None
        folder = top
        for part in parts[:-1]:  # os.walk lists no folder behind a link
            folder += part + os.sep
            if os.path.islink(folder[:-1]):
                return None
        path, rel = top + name.replace("/", os.sep), f"{base}/{name}"
        changed.add(rel)
        if os.path.lexists(path) and not os.path.isdir(path):
            files[rel] = path
        else:
            files.pop(rel, None)
    if len(files) == len(listed) and all(rel in files for _, rel in listed):
        return listed, changed
    return [(files[rel], rel) for rel in sorted(files)], changed


def _same_listing(
    top: str, base: str, listed: list[tuple[str, str]], only: Collection[str]
) -> set[str] | None:
    """The changed files (relative to the project), when each is a plain name in the events
    folder itself that was listed and is still a file: the listing stays as it was, found by
    halving the sorted listing rather than by a dictionary of all of it; else None."""
    changed = set()
    for given in only:
        if not given.startswith(top):
            continue
        name = given[len(top) :]
        if os.sep in name or "/" in name:
            return None  # in a folder: let _relisted tell
        if not name.endswith(".md") or name.startswith(("_", ".")):
            continue  # never an event file (see _event_names)
        rel = f"{base}/{name}"
        at = bisect.bisect_left(listed, rel, key=lambda f: f[1])
        if at == len(listed) or listed[at][1] != rel or not os.path.isfile(given):
            return None
        changed.add(rel)
    return changed


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
        stamp = _stamp(path)
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


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
