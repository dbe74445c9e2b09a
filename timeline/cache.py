"""The build cache: skip a build whose inputs and output are exactly as the last build left them.

A small record per output folder in the project's cache folder (``.timeline-cache/``, never
inside the published site): it holds only digests and counts, and is safe to delete. The key
is the content of every input - event files, bibliography, config, theme and static files -
with the package version and the build options; the output folder is checked by the size and
time of each file, so a page deleted or edited by hand is noticed. ``--no-cache`` builds
regardless (and records the new build).

The record also keeps each event file's stamp (modification time, size, inode) as the build
read it: the next check reads again only the files whose stamp changed, or whose stamp was
too close to the moment they were read to vouch for their content (``RACY_NS``, as git does
for "racily clean" files and ``timeline serve`` for its re-reads). Reading 10,000 event files
for their digests was most of a no-change build.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from timeline import __version__, files
from timeline.config import CONFIG_FILES, Config
from timeline.errors import Problems
from timeline.reading.project_files import BIBLIOGRAPHY, RACY_NS, Stamp, event_files, file_digest
from timeline.site.publication import Publication
from timeline.site.search import FOLDER as SEARCH_FOLDER
from timeline.site.theme_folders import theme_folders
from timeline.words import LOCALES, base_language

LEGACY_STATE = ".timeline-build.json"  # where versions before 0.2 kept the record: in the site


Stats = dict[str, tuple[int, int]]  # output file -> (size, modification time in ns)
# Event file -> its stamp when it was read, when that was (ns since the epoch), its digest.
Read = dict[str, tuple[Stamp, int, bytes]]


def _scan(folder: str, prefix: str = "") -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every file under ``folder`` (links to folders left out, as os.walk leaves them), as
    its path relative to ``folder`` and its directory entry, in a fixed order. Plain strings
    and os.scandir: the no-change build stats every file of the site (11,000 at 10,000
    events), and pathlib's objects cost most of that."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return
    folders = []
    for entry in entries:
        if entry.is_dir():
            if not entry.is_symlink():
                folders.append(entry)
        else:
            yield prefix + entry.name, entry
    for entry in folders:
        yield from _scan(entry.path, f"{prefix}{entry.name}/")


def folder_files(folder: Path) -> list[Path]:
    """Every file under ``folder``, in a fixed order."""
    return [folder / rel for rel, _ in _scan(str(folder))]


def build_options(*, drafts: bool, strict: bool, search: bool) -> dict[str, bool]:
    """The build options a record is keyed by."""
    return {"drafts": drafts, "strict": strict, "search": search}


def fixed_inputs(config: Config, options: Mapping[str, object], theme: list[Path]) -> bytes:
    """A digest of what a build reads besides the event files: package version, options,
    config, bibliography, pages, theme and static files, and the language's strings table
    (shipped with the package, but edited in a checkout) (taken before the build starts)."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(json.dumps([__version__, options, repr(config)], default=str).encode())
    for name in ("en", base_language(config.language)):
        if (path := LOCALES / f"{name}.toml").is_file():
            digest.update(contents(path))
    bibliography = config.events_path / BIBLIOGRAPHY
    for folder, paths in [
        (config.events_path, [bibliography] if os.path.lexists(bibliography) else []),
        *((folder, folder_files(folder))
          for folder in [config.static_path, config.pages_path, *theme]),
    ]:
        for path in paths:
            digest.update(os.fsencode(path.relative_to(folder.parent)) + b"\0")
            digest.update(contents(path))
    for name in CONFIG_FILES:
        path = config.root / name
        if path.is_file():
            digest.update(contents(path))
    return digest.digest()


def contents(path: Path) -> bytes:
    """A file's bytes, or a marker if it cannot be read (a FIFO is never opened for
    reading: the build then reports it by name)."""
    try:
        return files.read_regular(path)
    except OSError:
        return b"\0unreadable"


UNLISTED = "\0unlisted"  # no event file's name: the events folder holds files no build lists


def event_digests(config: Config, known: Read) -> dict[str, bytes]:
    """Each event file's digest: the one ``known`` holds (from the last build's record) for
    a file whose stamp is unchanged and was not too recent to trust, else read now."""
    events = {}
    problems = Problems()
    for name, rel in event_files(config.root, config.events_path, problems):
        found = known.get(rel)
        if found is not None:
            stamp, read_at, digest = found
            try:
                st = os.stat(name)
            except OSError:
                st = None
            if st is not None and (st.st_mtime_ns, st.st_size, st.st_ino) == stamp and (
                    stamp[0] < read_at - RACY_NS):  # fmt: skip
                events[rel] = digest
                continue
        events[rel] = file_digest(contents(Path(name)))
    if problems.items:  # a name no build takes, a folder none can read: no key of a good build
        events[UNLISTED] = b""
    return events


def inputs_key(
    config: Config, options: Mapping[str, object], theme: list[Path],
    events: Mapping[str, bytes] | None = None, fixed: bytes | None = None,
    known: Read | None = None,
) -> str:  # fmt: skip
    """A digest of everything a build reads. ``events`` maps each event file (path relative
    to the project) to the digest of its bytes as the build read them, and ``fixed`` is
    ``fixed_inputs`` as taken before the build; either is taken now when not given (the
    events' digests from ``known`` where their stamps vouch for them)."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(fixed if fixed is not None else fixed_inputs(config, options, theme))
    if events is None:
        events = event_digests(config, known or {})
    for rel in sorted(events):
        digest.update(rel.encode() + b"\0" + events[rel])
    return digest.hexdigest()


def output_stats(output: Path, under: str = "") -> Stats:
    """Size and time of every file in the output folder (or in one of its folders)."""
    stats: Stats = {}
    for rel, entry in _scan(str(output / under) if under else str(output),
                            f"{under.rstrip('/')}/" if under else ""):  # fmt: skip
        if entry.name == LEGACY_STATE:
            continue
        st = entry.stat(follow_symlinks=False)
        stats[rel] = (st.st_size, st.st_mtime_ns)
    return stats


def output_key(stats: Stats) -> str:
    """A digest of the output folder's file names, sizes and modification times."""
    digest = hashlib.blake2b(digest_size=20)
    for rel in sorted(stats):
        size, mtime = stats[rel]
        digest.update(f"{rel}\0{size}\0{mtime}\n".encode())
    return digest.hexdigest()


def _record_path(config: Config) -> Path:
    """The record of the last build into this output folder."""
    tag = hashlib.blake2b(os.fsencode(config.output_path), digest_size=8).hexdigest()
    return config.cache_path / f"record-{tag}.json"


def _state(config: Config) -> dict[str, Any] | None:
    """The last build's record, or None if there is none that this version can read."""
    try:
        state = json.loads(files.read_regular(_record_path(config), follow=False))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def _known(state: Mapping[str, Any]) -> Read:
    """The event files' stamps and digests in a record ({} if it has none, or bad ones: then
    every file is read)."""
    try:
        return {
            rel: ((int(mtime), int(size), int(inode)), int(read_at), bytes.fromhex(digest))
            for rel, (mtime, size, inode, read_at, digest) in state.get("read", {}).items()
        }
    except (AttributeError, TypeError, ValueError):
        return {}


def last_build(config: Config, options: Mapping[str, object]) -> dict[str, int] | None:
    """The last build's counts if it had the same inputs and its output is untouched: the
    site is up to date. None: build (no record, or one from another version, or something
    changed)."""
    state = _state(config)
    if state is None:
        return None
    key = inputs_key(config, options, theme_folders(config), known=_known(state))
    return _unchanged(config, state, key)


def skip_build(config: Config, options: Mapping[str, object]) -> dict[str, int] | None:
    """``last_build``; when the site is up to date, also remove what killed builds left
    behind (see ``Publication.tidy``), as a build would."""
    last = last_build(config, options)
    if last is not None:
        Publication(config.output_path, config.cache_path).tidy()
    return last


def up_to_date(config: Config, key: str) -> dict[str, int] | None:
    """The last build's summary if it had these inputs and its output is untouched."""
    state = _state(config)
    return None if state is None else _unchanged(config, state, key)


def _unchanged(config: Config, state: Mapping[str, Any], key: str) -> dict[str, int] | None:
    try:
        if state.get("inputs") != key or not files.real_folder(config.output_path):
            return None
        if state.get("output") != output_key(output_stats(config.output_path)):
            return None
        return {"events": int(state["events"]), "pages": int(state["pages"])}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None  # unreadable or from another version: build


def recorded_output(config: Config) -> str | None:
    """The last build's digest of its output folder (``output_key``), if it left a record."""
    state = _state(config)
    found = state.get("output") if state is not None else None
    return found if isinstance(found, str) else None


def last_search(config: Config) -> str | None:
    """The fingerprint of the search index the last build into this output folder made
    (search.fingerprint), if that index is there as the build left it."""
    try:
        state = json.loads(files.read_regular(_record_path(config), follow=False))
        index = output_stats(config.output_path, SEARCH_FOLDER)
        if not index or state["search"]["files"] != output_key(index):
            return None
        return str(state["search"]["fingerprint"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def record(
    config: Config, key: str, events: int, pages: int, stats: Stats, searched: str | None = None,
    read: Read | None = None,
) -> str | None:  # fmt: skip
    """Remember a successful build (written after it is published, so an interrupted build
    records nothing). ``stats`` describes every file of the output as the build left it;
    ``searched``: the fingerprint of its search index, if it made one; ``read``: every event
    file as it read them. Returns why the record could not be written, if it could not: the
    site is built all the same."""
    state: dict[str, object] = {
        "inputs": key, "output": output_key(stats), "events": events, "pages": pages,
        "read": {rel: [*stamp, read_at, digest.hex()]
                 for rel, (stamp, read_at, digest) in (read or {}).items()},
    }  # fmt: skip
    if searched is not None:
        index = {rel: st for rel, st in stats.items() if rel.startswith(SEARCH_FOLDER + "/")}
        state["search"] = {"fingerprint": searched, "files": output_key(index)}
    path = _record_path(config)
    try:
        files.replace(path, json.dumps(state).encode())
    except OSError as exc:
        return (f"the site is built, but its record {path.name} could not be written "
                f"({exc.strerror or exc}), so the next build cannot skip itself")
    return None
