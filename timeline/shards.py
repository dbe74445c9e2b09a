"""The one-edit build's snapshot in shards: an edit rewrites the few it touched.

Pickling the whole snapshot again after each one-edit build took 0.64-0.74 s at 10,000
events (724,000 objects, 85 MB), most of it the per-event part: each file as read, its
event, Markdown, rendered body, summary and data files' inputs. That part is now kept in
``SHARDS`` pickles, each event file's *row* of objects in the shard its name falls in; the
rest of the snapshot (the index, the link map, the page list...) is pickled on its own,
each object of a row in it written as a reference to the row's object (its persistent id:
its place in all the rows), so the loaded objects are shared as before. A save rewrites
only the shards whose rows are not the very objects loaded (the snapshot's objects are
immutable: the same object is the same content), and the rest.

Damage: the rest records each shard's length and CRC-32; a shard missing, shorter, altered
or from another save does not match, and the whole snapshot is then refused (a cold build).
"""

from __future__ import annotations

import io
import os
import pickle
import zlib
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from timeline import files

if TYPE_CHECKING:
    from timeline.snapshot import Snapshot

SHARDS = 64  # at 10,000 events, about 160 event files and 1.3 MB a shard
PROTOCOL = pickle.HIGHEST_PROTOCOL


@dataclass(frozen=True)
class Kept:
    """The shards as loaded: each one's row objects and its file's check."""

    rows: tuple[list[object], ...]
    checks: tuple[str, ...]


def check(data: bytes | memoryview) -> str:
    """Length and CRC-32 of a pickle: against a damaged or truncated file, not a forged one
    (whoever can write the cache folder can run code anyway); blake2b took 0.1 s of 84 MB,
    CRC-32 0.02 s."""
    return f"{len(data)}-{zlib.crc32(data):08x}"


def _name(n: int) -> str:
    return f"{n:03}.pickle"


def rows(state: Snapshot) -> list[list[object]]:
    """Each shard's objects: for each of its event files (by name), what was read, its event,
    Markdown, body entry, rendered body, HTML, summary, each data file's inputs (None
    where there is none) and its event's sources."""
    shards: list[list[object]] = [[] for _ in range(SHARDS)]
    content = state.content
    kinds = sorted(state.layouts)
    for rel in sorted(state.reads.files):
        parsed = state.reads.files[rel]
        event = parsed.event
        slug = event.slug if event is not None else ""
        body = state.bodies.get(slug)
        row: list[object] = [
            parsed, event, content.markdown.get(event.path) if event is not None else None,
            body, body[2] if body is not None else None, content.bodies.get(slug),
            content.summaries.get(slug),
        ]  # fmt: skip
        for kind in kinds:
            item = state.layouts[kind].items.get(slug)
            row.append(item[2] if item is not None else None)
        if event is not None:  # the bibliography page's entries hold them too
            row.extend(event.sources)
        shards[zlib.crc32(rel.encode()) % SHARDS].extend(row)
    return shards


class _Rest(pickle.Pickler):
    """Pickles the snapshot with each row object as a reference to its place in the rows."""

    def __init__(self, file: io.BytesIO, places: dict[int, int]) -> None:
        super().__init__(file, protocol=PROTOCOL)
        self.places = places

    def persistent_id(self, obj: object) -> int | None:
        return self.places.get(id(obj))


def dump(folder: Path, state: Snapshot, kept: Kept | None) -> bytes:
    """Write the shards whose rows changed since ``kept`` (all of them without it) into
    ``folder``; returns the rest's bytes: each shard's check on a first line, then the
    pickle."""
    shards = rows(state)
    checks = []
    files.make_one_folder(folder)
    for n, row in enumerate(shards):
        if kept is not None and _same(kept.rows[n], row):
            checks.append(kept.checks[n])
            continue
        data = pickle.dumps(row, protocol=PROTOCOL)
        files.replace(folder / _name(n), data)
        checks.append(check(data))
    _sweep(folder)
    # The rows are alive (the state holds them) while their ids are used.
    flat = [obj for row in shards for obj in row]
    places = {id(obj): n for n, obj in enumerate(flat) if obj is not None}
    out = io.BytesIO()
    out.write(" ".join(checks).encode() + b"\n")
    _Rest(out, places).dump(state)
    return out.getvalue()


def _same(old: Sequence[object], new: Sequence[object]) -> bool:
    return len(old) == len(new) and all(a is b for a, b in zip(old, new, strict=True))


def _sweep(folder: Path) -> None:
    """Remove what is not a shard and was left long ago (a killed save's temporary file);
    a newer one may be another build's save still writing it (saves run after the build
    lock is released)."""
    names = {_name(n) for n in range(SHARDS)}
    files.remove_entries(folder, lambda e: e.name not in names and files.left_long_ago(e))


def load(folder: Path, body: memoryview) -> tuple[object, Kept] | None:
    """The snapshot from the rest's bytes (as ``dump`` made them) and the shards they name,
    or None if a shard is missing or does not match. Raises whatever damaged bytes make the
    unpickler raise."""
    end = bytes(body[:4096]).find(b"\n")
    if end < 0:
        return None
    checks = tuple(bytes(body[:end]).decode("ascii").split(" "))
    if len(checks) != SHARDS:
        return None
    shards = []
    for n, expected in enumerate(checks):
        try:
            data = files.read_regular(folder / _name(n), follow=False)
        except OSError:
            return None
        if check(data) != expected:
            return None
        row = pickle.loads(data)
        if not isinstance(row, list):
            return None
        shards.append(row)
    flat = [obj for row in shards for obj in row]
    return _Loader(io.BytesIO(body[end + 1 :]), flat).load(), Kept(tuple(shards), checks)


class _Loader(pickle.Unpickler):
    """The rest's unpickler: a persistent id is a place in all the shards' rows (a method,
    not an attribute set on the instance, which Python 3.13's unpickler refuses)."""

    def __init__(self, file: io.BytesIO, flat: list[object]) -> None:
        super().__init__(file)
        self.flat = flat

    def persistent_load(self, pid: object) -> object:
        if not isinstance(pid, int):
            raise pickle.UnpicklingError("a persistent id is a place in the shards' rows")
        return self.flat[pid]


def remove(folder: Path) -> None:
    """Remove the shards (with the snapshot that names them): the folder's files, never
    through a link put in its place (a link is left as it is; a later save refuses it)."""
    files.remove_entries(folder, lambda entry: True)
    with suppress(OSError):
        os.rmdir(folder)
