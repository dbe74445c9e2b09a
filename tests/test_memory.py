"""A serving process keeps what its next update needs, not what its past updates made.

`timeline serve` freezes every object after each build (``gc.freeze``, so the cyclic
collector does not walk the site again), which means a reference cycle among a replaced
update's objects is never freed. These tests follow a Builder the way serve drives it and
check, by weak references and by the sizes of the caches that outlive a build, that what an
update replaced is gone. The memory figure itself (resident memory over 200 edits) is
`python tests/benchmark.py serve-memory`.
"""

from __future__ import annotations

import ctypes
import gc
import os
import subprocess
import sys
import weakref
from collections.abc import Iterator

import pytest

from tests.conftest import Project, event
from timeline.build import Builder
from timeline.config import Config, load_config
from timeline.serving.preview import Preview, preview_config
from timeline.serving.watch import ChangeKind
from timeline.site import overview_data
from timeline.site.theme import ENTRIES, Entries

FILES: dict[str, str | bytes] = {
    "events/2009-06-01-far.md": event("Far away", "2009-06-01", extra="tags: [lonely]")
}
FILES.update(
    (f"events/2007-{m:02d}-01-e{m}.md", event(
        f"Event {m}", f"2007-{m:02d}-01", body=f"First paragraph {m}.\n\nSecond {m}.",
        extra=f"tags: [t{m % 3}]\nactors: [A{m}]",
    ))
    for m in range(1, 13)
)  # fmt: skip


@pytest.fixture
def frozen() -> Iterator[None]:
    """As in `timeline serve`: objects alive after a build are frozen out of the collector
    (undone afterwards, so that later tests collect as usual)."""
    gc.collect()
    yield
    gc.unfreeze()
    gc.collect()


def _serving(project: Project) -> Builder:
    project.write(FILES)
    config = load_config(project.root)[0].with_overrides(base_url="")
    builder = Builder(config, data_files=False, remember=True)
    builder.build()
    gc.freeze()
    return builder


def _retitle(project: Project, name: str, n: int) -> None:
    path = project.root / "events" / name
    text = path.read_text()
    assert 'title: "' in text
    path.write_text(text.replace('title: "', f'title: "({n}) ', 1))


def _entries(builder: Builder) -> list[Entries]:
    assert builder.env is not None
    found = [builder.env.globals[name] for name in ENTRIES]
    assert all(isinstance(entries, Entries) for entries in found)
    return found  # type: ignore[return-value]


def test_an_update_frees_the_views_it_replaced(project: Project, frozen: None) -> None:
    builder = _serving(project)
    views = [weakref.ref(builder.views)]
    for n in range(3):
        _retitle(project, "2007-05-01-e5.md", n)
        builder.update()
        gc.freeze()
        views.append(weakref.ref(builder.views))
    assert [ref() is None for ref in views] == [True, True, True, False]
    assert "(2) (1) (0) Event 5" in (project.root / "site/events/e5/index.html").read_text()


def test_serve_frees_the_views_of_each_rebuild(project: Project, frozen: None) -> None:
    """The same through the serving session itself (its own freeze after each rebuild)."""
    project.write(FILES)

    def load() -> Config:
        return preview_config(load_config(project.root)[0])

    preview = Preview(load(), load=load, port=0, report=lambda line: None)
    try:
        preview.first_build()
        first = weakref.ref(preview.builder.views)
        _retitle(project, "2007-05-01-e5.md", 1)
        preview.rebuild({ChangeKind.CONTENT})
        assert preview.state.problems == ()
        assert first() is None
        assert preview.builder.views is not None
    finally:
        preview.server.server_close()


def test_list_entries_are_kept_for_the_last_two_updates_only(
    project: Project, frozen: None
) -> None:
    """The entries of lists that the last two updates did not show are dropped: repeated
    edits elsewhere do not fill the cache with every entry of the site."""
    builder = _serving(project)
    everything = {key[0] for entries in _entries(builder) for key in entries.cache}
    assert "far" in everything  # the cold build in one process rendered every list
    for n in range(2):  # only the event pages around e5 are made again: no list
        path = project.root / "events/2007-05-01-e5.md"
        path.write_text(path.read_text().replace("Second 5.", f"Second 5, edit {n}."))
        builder.update()
    kept = {
        key[0]
        for entries in _entries(builder)
        for key in [*entries.cache, *getattr(entries, "kept", ())]
    }
    index = builder.collector.content.index  # type: ignore[union-attr]
    around = {e.slug for e in index.neighbours(index.by_slug["e5"])}
    assert kept and kept <= around
    # An entry the cache dropped is made again when a list shows it, the same as before.
    _retitle(project, "2009-06-01-far.md", 1)
    builder.update()
    assert "(1) Far away" in (project.root / "site/tags/lonely/index.html").read_text()


def test_renamed_events_leave_no_chart_rows_behind(project: Project, frozen: None) -> None:
    """The overview's rows kept from build to build are those of the events of the last
    build: an event renamed again and again does not add one each time."""
    builder = _serving(project)
    events = project.root / "events"
    name = "2009-06-01-far.md"
    for n in range(6):
        new = f"2009-06-01-far-{n}.md"
        (events / name).rename(events / new)
        name = new
        builder.update()
    slugs = set(builder.collector.content.index.by_slug)  # type: ignore[union-attr]
    assert "far-5" in slugs
    assert set(overview_data._LAST) <= slugs
    assert (project.root / "site/events/far-5/index.html").is_file()
    assert not (project.root / "site/events/far-4").exists()


def test_kept_pages_share_one_copy_of_the_site_wide_values(project: Project, frozen: None) -> None:
    """Serve keeps the spec of every page an update did not make again; each update's
    renderer used to make its own copy of the site-wide values (title, menu, footer...), and
    every copy stayed alive in the specs of the pages that update made: one more per edit."""
    builder = _serving(project)
    for n in range(4):
        _retitle(project, f"2007-{n + 2:02d}-01-e{n + 2}.md", n)
        builder.update()
        gc.freeze()
    sites = {id(spec.context["site"]) for spec in builder.previous.values() if "site" in spec.context}
    assert len(builder.previous) > 20
    assert len(sites) == 1
    assert "(3) Event 5" in (project.root / "site/events/e5/index.html").read_text()


# Counts the C allocator's arenas (glibc's malloc_info, one <heap> element each) after a
# thread of this process has allocated, optionally after constructing serve's Preview.
ARENAS = """
import ctypes, sys, threading
libc = ctypes.CDLL(None)
if sys.argv[1] == "serve":
    from pathlib import Path
    from timeline.config import load_config
    from timeline.serving.preview import Preview, preview_config
    config = preview_config(load_config(Path(sys.argv[2]))[0])
    Preview(config, load=lambda: config, port=0, report=lambda line: None).server.server_close()
def work():
    kept = [bytearray(2_000) for _ in range(100)]  # malloc's, from this thread's arena
thread = threading.Thread(target=work)
thread.start()
thread.join()
buffer, size = ctypes.c_char_p(), ctypes.c_size_t()
libc.open_memstream.restype = ctypes.c_void_p
stream = libc.open_memstream(ctypes.byref(buffer), ctypes.byref(size))
libc.malloc_info(0, ctypes.c_void_p(stream))
libc.fclose(ctypes.c_void_p(stream))
print(buffer.value.decode().count("<heap nr="))
"""


def test_serve_allocates_from_one_arena_whatever_the_thread(project: Project) -> None:
    """glibc reuses freed memory only within the arena it came from; serve builds in other
    threads than the one its first build's results arrived in, so it keeps one arena (the
    benchmark: +8.7 MB over 200 edits with one, +10.9 MB with glibc's default)."""
    if not hasattr(ctypes.CDLL(None), "malloc_info"):
        pytest.skip("not glibc: its arenas are what this is about")
    project.write(FILES)

    def arenas(mode: str) -> int:
        env = {k: v for k, v in os.environ.items()  # glibc's default, whatever the machine's
               if k not in ("MALLOC_ARENA_MAX", "GLIBC_TUNABLES")}  # fmt: skip
        done = subprocess.run([sys.executable, "-c", ARENAS, mode, str(project.root)],
                              capture_output=True, text=True, check=True, env=env)  # fmt: skip
        return int(done.stdout)

    assert arenas("plain") == 2  # glibc's default: the thread got an arena of its own
    assert arenas("serve") == 1
