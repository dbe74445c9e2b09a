"""The one-edit build (issue 19.2): after an edit, a new `timeline build` renders and writes
only what changed (timeline.snapshot, site.patch), and its output is byte for byte a cold
build's, whatever state the cache folder is in.

Each test runs the CLI as a user does. Which pages a build rendered is what `-v` lists; a
page not rewritten keeps its inode and modification time.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Project, assert_clean_exit, event, folder_differences

TAGS = ["Diyala", "Anbar", "Baghdad"]


def _events(count: int = 40) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        "timeline.toml": 'title = "Patched"\nbase_url = "https://example.org/t/"\n',
        "events/_sources.yaml": "un:\n  title: A UN report\n  url: https://example.org/un\n",
    }
    for n in range(count):
        tags = ", ".join(TAGS[: 1 + n % 3])
        files[f"events/e{n:02}.md"] = event(
            f"Event {n}", f"200{n % 4}-0{1 + n % 9}-1{n % 10}",
            body=f"Body of event {n}, see [[e{(n + 1) % count:02}]].", extra=f"tags: [{tags}]",
        )  # fmt: skip
    return files


def _rendered(output: str) -> dict[str, int]:
    """The pages a build rendered, by template, from its -v listing."""
    return {m[1]: int(m[2]) for m in re.finditer(r"^  (\S+): (\d+)$", output, re.MULTILINE)}


def _build(project: Project, *args: str) -> dict[str, int]:
    result = project.build("--no-search", "-v", *args)
    assert result.exit_code == 0, result.output
    return _rendered(result.output)


def _stamps(site: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(site).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in site.rglob("*") if p.is_file()}  # fmt: skip


def _assert_as_cold(project: Project, tmp_path: Path) -> None:
    cold = tmp_path / "cold"
    assert project.build("--no-search", "--no-cache", "-q", "--out", str(cold)).exit_code == 0
    assert folder_differences(project.site, cold) == []


@pytest.fixture
def built(project: Project) -> Project:
    """A project built twice from nothing (so the spare, the replaced site, exists)."""
    project.write(_events())
    project.build("--no-search", "--no-cache", "-q")
    project.build("--no-search", "--no-cache", "-q")
    return project


def _edit(project: Project, rel: str, old: str, new: str) -> None:
    path = project.root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _add(project: Project) -> None:
    project.write({"events/new.md": event("New", "2002-05-05")})


def _delete(project: Project) -> None:
    (project.root / "events/e05.md").unlink()
    _edit(project, "events/e04.md", "[[e05]]", "e05")  # the link to it


EDITS: dict[str, Callable[[Project], None]] = {
    "body": lambda p: _edit(p, "events/e03.md", "Body of event 3", "A new body of event 3"),
    "title": lambda p: _edit(p, "events/e03.md", 'title: "Event 3"', 'title: "Event three"'),
    "date": lambda p: _edit(p, "events/e03.md", "2003-04-13", "2001-02-03"),
    "tags": lambda p: _edit(p, "events/e03.md", "tags: [Diyala]", "tags: [Anbar, Baghdad]"),
    "new file": lambda p: _add(p),
    "deleted file": lambda p: _delete(p),
    "bibliography": lambda p: _edit(p, "events/_sources.yaml", "A UN report", "The UN report"),
}
# Edits that the update plans (the others reach too far: the build is then a cold one). A
# new bibliography has every event read again, and so renders every event page.
PLANNED = {"body", "title", "date", "tags", "bibliography"}


@pytest.mark.parametrize("kind", EDITS)
def test_one_edit_builds_as_a_cold_build_does(built: Project, tmp_path: Path, kind: str) -> None:
    before = _stamps(built.site)
    EDITS[kind](built)
    rendered = _build(built)
    _assert_as_cold(built, tmp_path)
    after = _stamps(built.site)
    kept = [rel for rel in after if before.get(rel) == after[rel]]
    if kind in PLANNED:  # not every page rendered (a cold build renders the 404 page too)
        assert "404.html" not in rendered and sum(rendered.values()) < len(after), rendered
        assert len(kept) > len(after) // 3  # unchanged pages not rewritten
    else:  # an event more or fewer: every page's footer counts them
        assert "404.html" in rendered


def test_a_body_edit_renders_only_the_pages_showing_it(built: Project, tmp_path: Path) -> None:
    pages = len(_stamps(built.site))
    EDITS["body"](built)
    rendered = _build(built)
    assert rendered.get("event.html") == 1
    assert sum(rendered.values()) <= 20 < pages, rendered
    _assert_as_cold(built, tmp_path)


def test_edits_in_a_row_each_build_as_a_cold_build(built: Project, tmp_path: Path) -> None:
    for n, kind in enumerate(["body", "title", "tags", "date", "new file", "body"]):
        if n == 5:
            _edit(built, "events/e03.md", "A new body", "A newer body")
        else:
            EDITS[kind](built)
        rendered = _build(built)
        assert ("404.html" not in rendered) == (kind in PLANNED), (kind, rendered)
        _assert_as_cold(built, tmp_path)
        (tmp_path / "cold").rename(tmp_path / f"cold-{n}")


def test_the_first_edit_after_a_first_build_is_patched(project: Project, tmp_path: Path) -> None:
    """No spare yet (the first build replaced no site): the copy is made by hard links."""
    project.write(_events())
    project.build("--no-search", "-q")
    EDITS["body"](project)
    assert _build(project).get("event.html") == 1
    _assert_as_cold(project, tmp_path)


def _cache(project: Project, prefix: str) -> list[Path]:
    return sorted((project.root / ".timeline-cache").glob(f"{prefix}*"))


def _corrupt(project: Project) -> None:
    (path,) = _cache(project, "snapshot-")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(project: Project) -> None:
    (path,) = _cache(project, "snapshot-")
    path.write_bytes(path.read_bytes()[:1000])


def _other_version(project: Project) -> None:
    (path,) = _cache(project, "snapshot-")
    header, _, body = path.read_bytes().partition(b"\n")
    words = header.split(b" ")
    words[1] = b"0"  # another format
    path.write_bytes(b" ".join(words) + b"\n" + body)


def _stale(project: Project) -> None:
    """A snapshot from a build before the last one."""
    (path,) = _cache(project, "snapshot-")
    old = path.read_bytes()
    EDITS["date"](project)
    project.build("--no-search", "--no-cache", "-q")
    path.write_bytes(old)


def _shard(project: Project) -> Path:
    """The largest of the snapshot's shards (see timeline.shards)."""
    (folder,) = _cache(project, "shards-")
    found = sorted(folder.glob("*.pickle"), key=lambda path: (path.stat().st_size, path.name))
    assert len(found) > 1
    return found[-1]


def _settled(project: Project) -> None:
    """Event files saved an hour ago, as a project's are but for the one just edited: read
    again by the next build (a file changed too close to its reading is not trusted), then
    trusted, so that their shards are not written again."""
    _edit(project, "events/e10.md", "Body of event 10", "The body of event 10")  # a build
    old = time.time() - 3600
    for path in (project.root / "events").iterdir():
        os.utime(path, (old, old))
    assert "404.html" not in _build(project)


def _shard_corrupted(project: Project) -> None:
    path = _shard(project)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _shard_truncated(project: Project) -> None:
    path = _shard(project)
    path.write_bytes(path.read_bytes()[:-10])


def _shard_from_an_older_save(project: Project) -> None:
    """The shard an edit rewrote, as the save before it left it (the rest names the new)."""
    _settled(project)
    (folder,) = _cache(project, "shards-")
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    _edit(project, "events/e20.md", "Body of event 20", "The body of event 20")
    assert "404.html" not in _build(project)  # patched: its save kept the other shards
    changed = [p for p in folder.iterdir() if p.read_bytes() != before.get(p.name)]
    assert len(changed) == 1
    changed[0].write_bytes(before[changed[0].name])


def _hand_edited(project: Project) -> None:
    page = project.site / "years" / "index.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- by hand -->", encoding="utf-8")


def _remove(prefix: str) -> Callable[[Project], None]:
    def remove(project: Project) -> None:
        found = _cache(project, prefix)
        assert found
        for path in found:
            path.unlink()

    return remove


STATES: dict[str, Callable[[Project], None]] = {
    "missing": _remove("snapshot-"),
    "whole cache folder missing": lambda p: shutil.rmtree(p.root / ".timeline-cache"),
    "corrupted bytes": _corrupt,
    "truncated": _truncate,
    "another version's": _other_version,
    "stale": _stale,
    "one shard missing": lambda p: _shard(p).unlink(),
    "one shard corrupted": _shard_corrupted,
    "one shard truncated": _shard_truncated,
    "one shard from an older save": _shard_from_an_older_save,
    "shards missing": lambda p: shutil.rmtree(_cache(p, "shards-")[0]),
    "an output file edited by hand": _hand_edited,
    "record missing": _remove("record-"),
}


@pytest.mark.parametrize("state", STATES)
def test_any_other_cache_state_builds_from_nothing(
    built: Project, tmp_path: Path, state: str
) -> None:  # fmt: skip
    STATES[state](built)
    EDITS["body"](built)
    pages = len(_stamps(built.site))
    rendered = _build(built)
    assert "404.html" in rendered and sum(rendered.values()) >= pages // 2  # a cold build
    _assert_as_cold(built, tmp_path)
    EDITS["title"](built)  # and the next edit is patched again
    assert "404.html" not in _build(built)
    _assert_as_cold(built, tmp_path / "again")


def test_an_edit_rewrites_only_the_snapshot_shards_it_touched(built: Project) -> None:
    _settled(built)
    (folder,) = _cache(built, "shards-")
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()}
    assert len(before) > 10
    EDITS["body"](built)
    assert "404.html" not in _build(built)
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()}
    assert after.keys() == before.keys()
    assert len([name for name in after if after[name] != before[name]]) == 1


def test_a_save_removes_a_killed_saves_leftovers_not_another_saves_file(
    built: Project, tmp_path: Path
) -> None:
    """Saves run after the build lock is released: a temporary file in the shards folder may
    be another build's, still being written. Only an old one is a killed save's."""
    (folder,) = _cache(built, "shards-")
    old, new = folder / ".000.pickle.1.tmp", folder / ".001.pickle.2.tmp"
    for path in (old, new):
        path.write_bytes(b"half a pickle")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    EDITS["body"](built)
    assert "404.html" not in _build(built)
    assert new.exists() and not old.exists()
    _assert_as_cold(built, tmp_path)


def test_a_link_in_place_of_the_shards_folder_is_never_followed(
    built: Project, tmp_path: Path
) -> None:
    """A build writes only into its output and cache folders: a link where the shards were
    must not lead it to delete, or write, the files it points at."""
    (folder,) = _cache(built, "shards-")
    shutil.rmtree(folder)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "000.pickle").write_bytes(b"someone's file")
    folder.symlink_to(elsewhere, target_is_directory=True)
    EDITS["body"](built)
    _build(built)  # the snapshot cannot be loaded: a cold build, whose save refuses the link
    _assert_as_cold(built, tmp_path)
    assert built.build("-q").exit_code == 0  # with search: the snapshot and shards go
    assert [p.name for p in elsewhere.iterdir()] == ["000.pickle"]
    assert (elsewhere / "000.pickle").read_bytes() == b"someone's file"


def test_a_deleted_or_damaged_spare_is_made_again(built: Project, tmp_path: Path) -> None:
    (spare,) = _cache(built, "spare-")
    victims = sorted(p for p in spare.rglob("*.html"))[:3]
    victims[0].unlink()
    victims[1].unlink()  # another file in its place (a new inode; writing into the
    victims[1].write_text("not the page", encoding="utf-8")  # old one would edit the site)
    (spare / "stray.html").write_text("stray", encoding="utf-8")
    EDITS["body"](built)
    assert _build(built).get("event.html") == 1
    _assert_as_cold(built, tmp_path)
    for path in _cache(built, "spare-"):
        shutil.rmtree(path)
    EDITS["title"](built)
    assert "404.html" not in _build(built)
    _assert_as_cold(built, tmp_path / "again")


def test_a_bad_edit_fails_and_leaves_the_site_whole(built: Project, tmp_path: Path) -> None:
    before = _stamps(built.site)
    contents = built.snapshot()
    _edit(built, "events/e03.md", 'date: "2003-04-13"', 'date: "not a date"')
    result = built.run("build", "--no-search")
    assert_clean_exit(result)
    assert result.exit_code == 1
    assert "events/e03.md" in result.output and "date" in result.output
    assert _stamps(built.site) == before and built.snapshot() == contents
    _edit(built, "events/e03.md", 'date: "not a date"', 'date: "2003-04-14"')
    assert "404.html" not in _build(built)  # the fix is patched in
    _assert_as_cold(built, tmp_path)


def test_a_new_static_file_in_a_page_s_place_is_refused_as_a_cold_build_refuses_it(
    built: Project, tmp_path: Path
) -> None:
    """static/robots.txt would take the generated robots.txt's place: the one-edit build
    must not copy it over the page (and record the site as up to date) where a cold build
    refuses the clash."""
    before = _stamps(built.site)
    built.write({"static/robots.txt": "User-agent: *\n"})
    result = built.run("build", "--no-search")
    assert_clean_exit(result)
    cold = built.run("build", "--no-search", "--no-cache", "--out", str(tmp_path / "other"))
    assert result.exit_code == cold.exit_code != 0, result.output
    assert "two pages want the same output file 'robots.txt'" in result.output
    assert _stamps(built.site) == before
    (built.root / "static/robots.txt").unlink()
    built.write({"static/extra.txt": "kept\n"})  # a static file that clashes with nothing
    _build(built)
    assert (built.site / "extra.txt").read_text() == "kept\n"
    _assert_as_cold(built, tmp_path)


def test_an_unreadable_output_is_a_cold_build_not_a_traceback(
    built: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from timeline import snapshot

    def refused(output: Path) -> None:
        raise PermissionError(13, "Permission denied", str(output / "tags"))

    monkeypatch.setattr(snapshot, "scan", refused)
    EDITS["body"](built)
    result = built.run("build", "--no-search", "-v")
    assert_clean_exit(result)
    assert result.exit_code == 0, result.output
    assert "404.html" in _rendered(result.output)  # built from nothing
    _assert_as_cold(built, tmp_path)


def test_a_build_with_search_keeps_no_snapshot(built: Project) -> None:
    assert _cache(built, "snapshot-")
    built.build("-q")
    assert _cache(built, "snapshot-") == []


def _tree(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}  # fmt: skip


def test_a_one_edit_build_killed_at_any_moment_leaves_one_whole_site(
    project: Project, tmp_path: Path
) -> None:  # fmt: skip
    """One-edit builds killed at random moments: the site is always exactly the one before
    the edit or the one after it, and the next build is again a cold build's site."""
    chooser = random.Random(19)
    project.write(_events(60))
    path = project.root / "events" / "e03.md"
    texts = {version: path.read_text(encoding="utf-8").replace(
        "Body of event 3", f"Body of event 3, {version}") for version in ("old", "new")}  # fmt: skip
    trees = {}
    for version, text in texts.items():
        path.write_text(text, encoding="utf-8")
        project.build("--no-search", "--no-cache", "-q", "--out", str(tmp_path / version))
        trees[version] = _tree(tmp_path / version)
    assert trees["old"] != trees["new"]
    project.build("--no-search", "--no-cache", "-q")
    project.build("--no-search", "--no-cache", "-q")  # the spare exists
    command = [sys.executable, "-m", "timeline", "build", "--no-search", "-q"]
    started = time.monotonic()
    subprocess.run(command, cwd=project.root, check=True, timeout=60)
    duration = time.monotonic() - started
    current, seen = "new", set()
    for attempt in range(16):
        target = "old" if current == "new" else "new"
        path.write_text(texts[target], encoding="utf-8")
        process = subprocess.Popen(command, cwd=project.root, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(duration * 1.2 * chooser.random())
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        tree = _tree(project.site)
        outcome = next((v for v, t in trees.items() if t == tree), None)
        assert outcome in (current, target), f"attempt {attempt}: a mixed site"
        seen.add("finished" if outcome == target else "kept")
        current = outcome
    path.write_text(texts["new"], encoding="utf-8")
    project.build("--no-search", "-q")
    assert _tree(project.site) == trees["new"]
    assert "kept" in seen  # at least one kill fell before the swap


def test_a_scan_that_fails_or_dies_is_a_cold_build(
    built: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The output and the spare are walked in a forked process while the snapshot loads:
    that process failing, or dying without a word, makes a cold build, never a wrong site."""
    from timeline import snapshot

    parent = os.getpid()
    original = snapshot.scan

    def dying(output: Path) -> snapshot.Scan:
        if os.getpid() != parent:  # in the forked process (else the walk ran in this one)
            os.kill(os.getpid(), signal.SIGKILL)
        raise OSError(5, "Input/output error", str(output))

    for n, how in enumerate([dying, original]):
        monkeypatch.setattr(snapshot, "scan", how)
        _edit(built, "events/e03.md", "of event 3", f"of event 3 ({n})")
        result = built.run("build", "--no-search", "-v")
        assert_clean_exit(result)
        assert result.exit_code == 0, result.output
        # built from nothing, then (the walk working again) patched
        assert ("404.html" in _rendered(result.output)) == (how is dying)
        _assert_as_cold(built, tmp_path / str(n))
