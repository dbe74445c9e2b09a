"""The one-edit build (issue 19.2): a new ``timeline build`` process after an edit renders
and writes only what the edit changed, as ``timeline serve`` does.

After a build without search, what ``Builder.update`` starts from (what was read, the
rendered bodies, the content, every page's name, the static files' stamps, where each
event's item lies in the data files) is pickled into the cache folder,
``snapshot-<tag>.pickle``, its per-event part in shards beside it (``shards-<tag>/``, see
``timeline.shards``: an edit rewrites only the shards of the files read again). Its first
line names what it is valid for: the format, a digest of what an update cannot follow (the
package's code and version, Python's and the parsers' versions, the options, the config,
the theme, the strings tables: see ``key``), the build record's digest of the output folder
it goes with, and the pickle's length and CRC-32. The next build loads it only if all of
these match and the output folder is as the record left it (walked in another process
meanwhile); it then runs the update into the spare (see ``site.patch``) and swaps it in.
Anything else (no snapshot, another version's, corrupted, stale, an output file edited by
hand, hard links refused) is a cold build, as before.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import pickle
import sys
import time
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from timeline import __version__, cache, files, shards
from timeline.config import CONFIG_FILES, Config
from timeline.errors import Problem, Severity
from timeline.parallel import beside
from timeline.reading.load import ReadCache
from timeline.reading.model import Event
from timeline.site import exports
from timeline.site.content import Content
from timeline.site.datapatch import Layout, placed
from timeline.site.markdown import RenderedBody
from timeline.site.output import write_error
from timeline.site.pages import DataFile, Page
from timeline.site.pages import path as page_path
from timeline.site.patch import Scan, listing, mirror, scan
from timeline.site.plan import Unplanned
from timeline.site.publication import Publication
from timeline.site.render import PageSpec
from timeline.site.theme import static_files
from timeline.words import LOCALES, base_language

if TYPE_CHECKING:
    from timeline.build import Builder, BuildResult

FORMAT = 3  # of the pickled Snapshot: a change of its fields is a new format
MAGIC = "timeline-snapshot"
PACKAGE = Path(__file__).resolve().parent
PARSERS = ("markdown-it-py", "mdit-py-plugins", "markdown-it-pyrs", "jinja2", "markupsafe",
           "pyyaml")  # fmt: skip


@dataclass
class Snapshot:
    """What ``Builder.update`` needs from the build before it."""

    reads: ReadCache
    bodies: dict[str, tuple[Event, str, RenderedBody]]
    content: Content
    keys: list[Page]
    statics: dict[str, tuple[int, int, int, int]]  # build.Stamp
    layouts: dict[str, Layout]  # the data files' (see site.datapatch)


def _tag(config: Config) -> str:
    return hashlib.blake2b(os.fsencode(config.output_path), digest_size=8).hexdigest()


def _path(config: Config) -> Path:
    return config.cache_path / f"snapshot-{_tag(config)}.pickle"


def _shards(config: Config) -> Path:
    """The folder of the snapshot's shards (see timeline.shards)."""
    return config.cache_path / f"shards-{_tag(config)}"


def key(config: Config, options: Mapping[str, object], theme: list[Path]) -> str:
    """A digest of what an update does not follow: the code (each module's size and time,
    so that a checkout's edit counts), the versions of the package, Python and the parsers,
    the options, config, theme and strings tables. Event files, the bibliography, the site's
    pages and static files are the update's to follow."""
    digest = hashlib.blake2b(digest_size=20)
    versions = []
    for name in PARSERS:
        try:
            versions.append(metadata.version(name))
        except metadata.PackageNotFoundError:
            versions.append("")
    digest.update(json.dumps([FORMAT, __version__, sys.version, versions, options,
                              repr(config)], default=str).encode())  # fmt: skip
    for folder, _, names in sorted(os.walk(PACKAGE)):
        for name in sorted(names):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    paths = [LOCALES / f"{name}.toml" for name in ("en", base_language(config.language))]
    paths += [config.root / name for name in CONFIG_FILES]
    for path in paths:
        if path.is_file():
            digest.update(os.fsencode(path) + b"\0" + cache.contents(path))
    for theme_folder in theme:
        for path in cache.folder_files(theme_folder):
            digest.update(os.fsencode(path.relative_to(theme_folder.parent)) + b"\0")
            digest.update(cache.contents(path))
    return digest.hexdigest()


class _Unknown:
    """A spec's context that equals no other: the page is rendered, then compared by bytes."""

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = object.__hash__


UNKNOWN = _Unknown()


def _unknown(rel: str) -> PageSpec:
    """A page whose spec was not kept: its spec equals no new one (an update renders it if
    it plans it, and writes it only if its bytes changed)."""
    return PageSpec(rel, "", {"": UNKNOWN})


def save(config: Config, builder: Builder, valid_for: str, stats: cache.Stats,
         kept: shards.Kept | None = None) -> None:  # fmt: skip
    """Keep what the builder's next update needs; ``stats``: the output folder as the build
    left it (and as the record describes it); ``kept``: the shards as loaded, of which only
    those whose rows changed are written again. Page specs are not kept: pickling 11,000 of
    them (each event page's overview strip, every list's entries) cost more than rendering
    the few pages an edit plans. Best effort: a snapshot that cannot be written only makes
    the next build a cold one."""
    output = cache.output_key(stats)
    path = _path(config)
    pages = set(stats) - set(builder.statics)
    # No collection while the state is made and pickled: it makes no cycles, and the full
    # collections that its 20,000 new texts and records set off walked the build's millions
    # of live objects (the unpacking and the layouts' inputs 0.68 s with them, 0.31 s without,
    # at 10,000 events).
    collecting = gc.isenabled()
    gc.disable()
    try:
        _save(config, builder, path, f"{MAGIC} {FORMAT} {valid_for} {output}", pages, stats,
              kept)  # fmt: skip
    finally:
        if collecting:
            gc.enable()


def _save(config: Config, builder: Builder, path: Path, header: str, pages: set[str],
          stats: cache.Stats, kept: shards.Kept | None) -> None:  # fmt: skip
    """``save``'s work, the collector off."""
    # The page workers are done: each text one string again, shared by the read cache, the
    # bodies and the data files' layouts (kept packed, the layouts held a second and third
    # copy of every text: the snapshot was 1.9 times as large).
    builder.collector.unpack()
    state = Snapshot(
        builder.collector.reads, builder.collector.bodies, builder.collector.content,
        builder.keys, builder.statics, _layouts(config, builder, stats),
    ) if builder.collector.content is not None else None  # fmt: skip
    try:
        if state is None or not pages:
            path.unlink(missing_ok=True)
            shards.remove(_shards(config))
            return
        # The rest after the shards: a save that stops between them leaves a rest whose
        # checks do not match the shards (a cold build), never a mixed snapshot.
        data = shards.dump(_shards(config), state, kept)
        files.replace(path, f"{header} {shards.check(data)}\n".encode(), data)
    except (OSError, pickle.PicklingError, RecursionError, TypeError, AttributeError):
        with suppress(OSError):
            path.unlink(missing_ok=True)


def _layouts(config: Config, builder: Builder, stats: cache.Stats) -> dict[str, Layout]:
    """The data files' layouts: an update's own, else (after a cold build) made from where
    its workers put each item (``Builder.placed``) and the content they wrote them from."""
    layouts = dict(builder.layouts)
    content, views = builder.collector.content, builder.views
    for kind, placement in builder.placed.items():
        if kind in layouts or content is None or views is None:
            continue
        if page_path(DataFile(kind)) not in stats:
            continue
        shape = exports.shape(kind, config, content.index, views, content.bodies,
                              content.markdown)  # fmt: skip
        if (found := placed(placement, shape, content.index.events)) is not None:
            layouts[kind] = found
    return layouts


def discard(config: Config) -> None:
    """Remove the snapshot (a build with search keeps none: its update is not one)."""
    with suppress(OSError):
        _path(config).unlink(missing_ok=True)
    shards.remove(_shards(config))


def load(config: Config, valid_for: str, output: str) -> tuple[Snapshot, shards.Kept] | None:
    """The snapshot and its shards as loaded, if there is one for exactly these inputs and
    this output folder."""
    try:
        data = files.read_regular(_path(config), follow=False)
    except OSError:
        return None
    end = data.find(b"\n", 0, 500)
    body = memoryview(data)[end + 1 :]  # not copied: 84 MB at 10,000 events
    expected = f"{MAGIC} {FORMAT} {valid_for} {output} "
    try:
        text = data[: max(end, 0)].decode("ascii")
    except UnicodeDecodeError:
        return None
    if not text.startswith(expected) or text[len(expected) :] != shards.check(body):
        return None
    gc.disable()  # millions of objects, none of them garbage: no collection while loading
    try:
        loaded = shards.load(_shards(config), body)
    except Exception:  # whatever the bytes make the unpickler raise: build from nothing
        return None
    finally:
        gc.freeze()  # nor later (the dict of 10,000 stamps after the update took 0.29 s)
        gc.enable()
    if loaded is None or not isinstance(loaded[0], Snapshot):
        return None
    return loaded[0], loaded[1]


def patch(
    config: Config, options: Mapping[str, object], valid_for: str, fixed: bytes,
    make_builder: Callable[[], Builder],
) -> BuildResult | None:  # fmt: skip
    """The one-edit build: the update of the last build's snapshot published by a swap, or
    None where it cannot be trusted (then build from nothing)."""
    started = time.perf_counter()
    output = config.output_path
    recorded = cache.recorded_output(config)
    if recorded is None or not files.real_folder(output):
        return None
    with Publication(output, config.cache_path) as publication:
        # The output and the spare are walked in another process while this one loads the
        # snapshot (under the build lock: no other build is changing them).
        spare = publication.spare()
        walked = beside(lambda: (scan(output), listing(spare)))
        live: Scan | None
        try:
            found = load(config, valid_for, recorded)
        finally:
            try:
                live, held = walked()
            except OSError:  # a folder of the site unreadable, a file gone meanwhile
                live = None  # the cold build says what it cannot replace, or replaces it
        if live is None:
            return None
        stats = {rel: (size, mtime) for rel, (size, mtime, _) in live.items()}
        if cache.output_key(stats) != recorded:
            return None  # an output file edited, added or removed by hand
        if found is None or set(static_files(config)) != set(found[0].statics):
            # A static file added or removed may take a page's place (static/robots.txt):
            # the cold build refuses what clashes, and copies the rest.
            return None
        state, kept = found
        loaded = time.perf_counter()
        builder = make_builder()
        collector = builder.collector
        collector.reads, collector.bodies, collector.content = (
            state.reads, state.bodies, state.content)  # fmt: skip
        # No page's spec was kept: each page's is one that equals no new one (see _unknown).
        builder.previous = {rel: _unknown(rel) for rel in sorted(stats.keys() - state.statics)}
        builder.keys, builder.statics, builder.layouts = state.keys, state.statics, state.layouts
        staging = publication.staging
        try:
            if not publication.take_spare():
                held = listing(None)  # the spare went meanwhile: from nothing
            mirror(output, live, staging, held)
        except OSError:
            return None  # no hard links here, say: the cold build copies what it must
        mirrored = time.perf_counter()
        builder.planned_only = True  # every page described again: the cold build is faster
        try:
            result = builder.update(into=staging)
            for rel in result.written:
                st = os.lstat(staging / rel)
                stats[rel] = (st.st_size, st.st_mtime_ns)
        except OSError as exc:
            raise write_error(exc) from None
        except Unplanned:
            return None
        for rel in result.deleted:
            stats.pop(rel, None)
        updated = time.perf_counter()
        publication.publish()
    inputs, read = collector.reads.recorded()
    record_key = cache.inputs_key(config, options, [], inputs, fixed)
    why = cache.record(config, record_key, result.events, result.pages, stats, None, read)
    warnings = result.warnings
    published = time.perf_counter()
    if why is None:
        save(config, builder, valid_for, stats, kept)
    else:
        discard(config)
        warnings = (*warnings, Problem(config.cache_dir, 0, "", why, Severity.WARNING))
    timings = {"snapshot and scan": loaded - started, "mirror": mirrored - loaded,
               "update": updated - mirrored, "publish": published - updated,
               "save": time.perf_counter() - published}  # fmt: skip
    return replace(result, output=output, timings=timings, stats=stats, inputs=inputs, read=read,
                   warnings=warnings, patched=True)  # fmt: skip
