"""The build cache: skip a build whose inputs and output are exactly as the last build left them.

A small record per output folder in the project's cache folder (``.timeline-cache/``, never
inside the published site): it holds only digests and counts, and is safe to delete. The key
is the content of every input - event files, bibliography, config, theme and static files -
with the package version and the build options; the output folder is checked by the size and
time of each file, so a page deleted or edited by hand is noticed. ``--no-cache`` builds
regardless (and records the new build).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from timeline import __version__, files
from timeline.config import CONFIG_FILES, Config
from timeline.reading.load import BIBLIOGRAPHY, event_files, file_digest
from timeline.site.search import FOLDER as SEARCH_FOLDER
from timeline.words import LOCALES, base_language

LEGACY_STATE = ".timeline-build.json"  # where versions before 0.2 kept the record: in the site


Stats = dict[str, tuple[int, int]]  # output file -> (size, modification time in ns)


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


def _files(folder: Path) -> list[Path]:
    return [folder / rel for rel, _ in _scan(str(folder))]


def fixed_inputs(config: Config, options: Mapping[str, object], theme: list[Path]) -> bytes:
    """A digest of what a build reads besides the event files: package version, options,
    config, bibliography, pages, theme and static files, and the language's strings table
    (shipped with the package, but edited in a checkout) (taken before the build starts)."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(json.dumps([__version__, options, repr(config)], default=str).encode())
    for name in ("en", base_language(config.language)):
        if (path := LOCALES / f"{name}.toml").is_file():
            digest.update(_contents(path))
    bibliography = config.events_path / BIBLIOGRAPHY
    for folder, paths in [
        (config.events_path, [bibliography] if os.path.lexists(bibliography) else []),
        *((folder, _files(folder)) for folder in [config.static_path, config.pages_path, *theme]),
    ]:
        for path in paths:
            digest.update(os.fsencode(path.relative_to(folder.parent)) + b"\0")
            digest.update(_contents(path))
    for name in CONFIG_FILES:
        path = config.root / name
        if path.is_file():
            digest.update(_contents(path))
    return digest.digest()


def _contents(path: Path) -> bytes:
    """A file's bytes, or a marker if it cannot be read (a FIFO is never opened for
    reading: the build then reports it by name)."""
    try:
        return files.read_regular(path)
    except OSError:
        return b"\0unreadable"


def inputs_key(
    config: Config, options: Mapping[str, object], theme: list[Path],
    events: Mapping[str, bytes] | None = None, fixed: bytes | None = None,
) -> str:  # fmt: skip
    """A digest of everything a build reads. ``events`` maps each event file (path relative
    to the project) to the digest of its bytes as the build read them, and ``fixed`` is
    ``fixed_inputs`` as taken before the build; either is taken now when not given."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(fixed if fixed is not None else fixed_inputs(config, options, theme))
    if events is None:
        events = {}
        for name, rel in event_files(config.root, config.events_path):
            events[rel] = file_digest(_contents(Path(name)))
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


def up_to_date(config: Config, key: str) -> dict[str, int] | None:
    """The last build's summary if it had these inputs and its output is untouched."""
    try:
        state = json.loads(files.read_regular(_record_path(config), follow=False))
        if state.get("inputs") != key or not files.real_folder(config.output_path):
            return None
        if state.get("output") != output_key(output_stats(config.output_path)):
            return None
        return {"events": int(state["events"]), "pages": int(state["pages"])}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None  # missing, unreadable or from another version: build


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
    config: Config, key: str, events: int, pages: int, stats: Stats, searched: str | None = None
) -> str | None:
    """Remember a successful build (written after it is published, so an interrupted build
    records nothing). ``stats`` describes every file of the output as the build left it;
    ``searched``: the fingerprint of its search index, if it made one. Returns why the record
    could not be written, if it could not: the site is built all the same."""
    state: dict[str, object] = {
        "inputs": key, "output": output_key(stats), "events": events, "pages": pages
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
