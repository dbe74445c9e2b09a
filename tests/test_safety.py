"""Nothing gets in, nothing is lost: links, FIFOs, unreadable folders, killed workers and
builds, full disks. Each command writes only where it should, never through a link, never
hangs on a file that is not a file, and leaves the previous site whole when it fails."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import Project, assert_clean_exit, default_sigint, event, text_of
from timeline.build import Builder
from timeline.config import load_config

FILES = {
    "events/2007-08-22-a.md": event("A", "2007-08-22", extra="tags: [x]"),
    "events/2007-08-23-b.md": event("B", "2007-08-23"),
}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the project that nothing may ever write into."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep me")
    return folder


def _untouched(outside: Path) -> None:
    assert sorted(p.name for p in outside.iterdir()) == ["precious.txt"]
    assert (outside / "precious.txt").read_text() == "keep me"


def _run(project: Project, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The CLI in a process of its own, so that a hang fails the test instead of freezing it."""
    return subprocess.run(
        [sys.executable, "-m", "timeline", *args], cwd=project.root, capture_output=True,
        text=True, timeout=timeout, check=False,
    )  # fmt: skip


# --- links: every path each command writes ------------------------------------------------


@pytest.mark.parametrize("inside", ["index.html", "events/a/index.html", "static/style.css",
                                    "events/a", "static", "tags"])  # fmt: skip
def test_a_build_replaces_links_in_the_old_site_and_never_writes_through_them(
    project: Project, outside: Path, inside: str
) -> None:
    project.write(FILES).build()
    target = project.site / inside
    if target.is_dir():
        for path in sorted(target.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        target.rmdir()
    else:
        target.unlink()
    os.symlink(outside / "precious.txt" if "." in inside else outside, target)
    project.build("--no-cache")
    _untouched(outside)
    assert not (project.site / inside).is_symlink()
    assert text_of(project.html(""), ".site-title") == ["Timeline"]


def test_dangling_links_where_a_build_writes_are_never_followed(
    project: Project, outside: Path
) -> None:
    project.write(FILES).build()
    (project.site / "events" / "a" / "index.html").unlink()
    os.symlink(outside / "created-a.html", project.site / "events" / "a" / "index.html")
    cache = project.root / ".timeline-cache"
    record = next(cache.glob("record-*.json"))
    record.unlink()
    os.symlink(outside / "created-record", record)
    project.build("--no-cache")
    _untouched(outside)
    assert record.is_file() and not record.is_symlink()
    assert (project.site / "events" / "a" / "index.html").is_file()


def test_a_cache_folder_that_is_a_link_is_refused(project: Project, outside: Path) -> None:
    project.write(FILES)
    os.symlink(outside, project.root / ".timeline-cache")
    result = project.run("build")
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert "is not a folder; remove it" in result.stderr
    _untouched(outside)


def test_the_lock_file_as_a_link_is_an_error_not_a_write(project: Project, outside: Path) -> None:
    project.write(FILES)
    (project.root / ".timeline-cache").mkdir()
    os.symlink(outside / "lock", project.root / ".timeline-cache" / "build.lock")
    result = project.run("build")
    assert_clean_exit(result)
    assert result.exit_code == 1
    assert "cannot write" in result.stderr and "build.lock" in result.stderr
    _untouched(outside)


def test_new_never_writes_through_a_dangling_link(project: Project, outside: Path) -> None:
    (project.root / "events").mkdir()
    os.symlink(outside / "planted.md", project.root / "events" / "2007-08-22-same.md")
    result = project.run("new", "Same", "--date", "2007-08-22")
    assert_clean_exit(result)
    _untouched(outside)
    # The link's name counts as taken: the event gets another file and slug.
    assert result.exit_code == 0, result.output
    assert "Created events/2007-08-22-same-2.md" in result.output


def test_new_into_an_events_folder_that_is_a_link_is_refused(
    project: Project, outside: Path
) -> None:
    os.symlink(outside, project.root / "events")
    result = project.run("new", "X", "--date", "2007")
    assert_clean_exit(result)
    assert result.exit_code == 2
    _untouched(outside)


def test_new_into_an_events_file_is_a_usage_error(project: Project) -> None:
    project.write({"events": "not a folder"})
    result = project.run("new", "X", "--date", "2007")
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert "events is a file, not a folder" in result.stderr


def test_init_never_writes_through_a_dangling_link(tmp_path: Path, outside: Path) -> None:
    target = tmp_path / "fresh"
    target.mkdir()
    os.symlink(outside / "planted.toml", target / "timeline.toml")
    result = Project(tmp_path).run("init", str(target))
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert "already holds a timeline project (timeline.toml is there)" in result.stderr
    _untouched(outside)
    assert sorted(p.name for p in target.iterdir()) == ["timeline.toml"]


def test_init_leaves_a_gitignore_it_finds_and_says_so(tmp_path: Path, outside: Path) -> None:
    target = tmp_path / "repo"
    target.mkdir()
    os.symlink(outside / "planted", target / ".gitignore")
    result = Project(tmp_path).run("init", str(target))
    assert_clean_exit(result)
    assert result.exit_code == 0
    assert ".gitignore already exists (or is a link); not written" in result.stderr
    _untouched(outside)
    assert (target / "events" / "_sources.yaml").is_file()
    assert Project(target).build().exit_code == 0


def test_export_refuses_to_write_through_a_link(project: Project, outside: Path) -> None:
    project.write(FILES)
    os.symlink(outside / "precious.txt", project.root / "out.json")
    result = project.run("export", "--format", "json", "--out", "out.json")
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert "is a link or not a file" in result.stderr
    _untouched(outside)


def test_export_replaces_its_file_whole(project: Project) -> None:
    project.write(FILES)
    assert project.run("export", "--format", "json", "--out", "out.json").exit_code == 0
    assert [e["title"] for e in json.loads((project.root / "out.json").read_text())["events"]] \
        == ["A", "B"]
    assert sorted(p.name for p in project.root.iterdir()) == ["events", "out.json"]


# --- files that are not files, folders that cannot be read --------------------------------


@pytest.mark.parametrize(("where", "command"), [
    ("events/2007-08-24-fifo.md", "build"), ("events/2007-08-24-fifo.md", "check"),
    ("events/_sources.yaml", "build"), ("events/_sources.yaml", "check"),
    ("static/pipe.css", "build"), ("static/pipe.css", "check"),
    ("theme/templates/pipe.html", "build"), ("theme/static/pipe.js", "check"),
])  # fmt: skip
def test_a_fifo_is_named_never_read(project: Project, where: str, command: str) -> None:
    project.write(FILES)
    if command == "build":
        project.build()
    before = project.snapshot() if project.site.exists() else {}
    fifo = project.root / where
    fifo.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(fifo)
    result = _run(project, command, timeout=60)  # a hang would time out and fail
    assert result.returncode == 1, result.stderr
    assert f"{where}: is a named pipe (FIFO)" in result.stderr
    assert "Traceback" not in result.stderr
    assert (project.snapshot() if project.site.exists() else {}) == before


def test_an_unreadable_folder_of_events_is_an_error(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write({**FILES, "events/2006/2006-01-01-c.md": event("C", "2006-01-01")})
    locked = project.root / "events" / "2006"
    if os.geteuid() != 0:  # a real unreadable folder where permissions bind
        locked.chmod(0)
    else:  # root reads everything: the system's refusal is played instead
        real = os.scandir

        def scandir(path: str | os.PathLike[str] = ".") -> object:
            if os.fspath(path) == str(locked):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real(path)

        monkeypatch.setattr(os, "scandir", scandir)
    try:
        for command in ("build", "check"):
            result = project.run(command)
            assert_clean_exit(result)
            assert result.exit_code == 1, result.output
            assert "events/2006/: this folder cannot be read (Permission denied), so its " \
                   "events would be left out" in result.stderr
    finally:
        locked.chmod(0o755)
    assert not project.site.exists()


def test_an_event_file_name_that_is_not_utf8_is_an_error(project: Project) -> None:
    project.write(FILES)
    name = os.fsencode(project.root / "events") + b"/2007-08-24-caf\xe9.md"
    with open(name, "wb") as handle:
        handle.write(event("Cafe").encode())
    result = project.run("build")
    assert_clean_exit(result)
    assert result.exit_code == 1
    assert "events/2007-08-24-caf\\xe9.md: the file name is not UTF-8 text; rename the file" \
        in result.stderr


def test_a_new_event_file_whose_name_is_not_utf8_is_an_error_after_a_good_build(
    project: Project,
) -> None:
    """The no-change check lists the event files too: a name no build takes must not make it
    say "up to date" while a build would report it."""
    project.write(FILES)
    assert project.run("build").exit_code == 0
    assert "up to date" in project.run("build").output  # nothing changed
    name = os.fsencode(project.root / "events") + b"/2007-08-24-caf\xe9.md"
    with open(name, "wb") as handle:
        handle.write(event("Cafe").encode())
    for _ in range(2):  # and again: a build with errors records nothing
        result = project.run("build")
        assert_clean_exit(result)
        assert result.exit_code == 1, result.output
        assert "up to date" not in result.output
        assert "events/2007-08-24-caf\\xe9.md: the file name is not UTF-8 text; rename the " \
            "file" in result.stderr


def test_an_events_path_that_is_a_file_is_an_error(project: Project) -> None:
    project.write({"events": "oops"})
    for command in ("build", "check"):
        result = project.run(command)
        assert_clean_exit(result)
        assert result.exit_code == 1
        assert "events: is a file; the events folder must be a folder of event files" \
            in result.stderr


# --- failures while writing: the previous site stays whole --------------------------------


def test_a_full_disk_is_a_message_and_the_old_site_stays(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write(FILES).build()
    before = project.snapshot()
    project.write({"events/2007-08-22-a.md": event("A edited", "2007-08-22")})
    from timeline import files

    real = files.create

    def full(path: str | os.PathLike[str], data: bytes) -> os.stat_result:
        if str(path).endswith("index.html") and "/events/a/" in str(path):
            raise OSError(28, "No space left on device", str(path))
        return real(path, data)

    monkeypatch.setattr(files, "create", full)
    result = project.run("build")
    assert_clean_exit(result)
    assert result.exit_code == 1
    assert "cannot write" in result.stderr and "No space left on device" in result.stderr
    assert "the previous site is kept" in result.stderr
    assert project.snapshot() == before
    assert not list((project.root / ".timeline-cache").glob("staging-*"))


def test_an_unwritable_parent_folder_is_a_message(project: Project, tmp_path: Path) -> None:
    project.write(FILES)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a folder should be")
    result = project.run("build", "--out", str(blocked / "site"))
    assert_clean_exit(result)
    assert result.exit_code in (1, 2)
    assert "Error:" in result.stderr and "blocked" in result.stderr


# --- workers ------------------------------------------------------------------------------


def _many(n: int) -> dict[str, str]:
    return {f"events/2007-{m:02d}-{d:02d}-e{i}.md": event(f"E{i}", f"2007-{m:02d}-{d:02d}")
            for i in range(n) for m, d in [(i % 12 + 1, i % 28 + 1)]}  # fmt: skip


def test_a_killed_worker_fails_the_build_at_once_and_keeps_the_site(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write(_many(240)).build()
    before = project.snapshot()
    project.write({"events/2007-01-01-e0.md": event("E0 edited", "2007-01-01")})
    parent = os.getpid()
    import timeline.site.shares as shares_module

    real = shares_module.render_page

    def dying(renderer: object, spec: object) -> str:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
        return real(renderer, spec)  # type: ignore[arg-type]

    monkeypatch.setattr(shares_module, "render_page", dying)
    builder = Builder(load_config(project.root)[0], workers=2)
    from timeline.parallel import WorkerDied

    with pytest.raises(WorkerDied, match="a build worker process stopped unexpectedly"):
        builder.build()
    assert project.snapshot() == before


def test_without_fork_the_build_runs_in_one_process(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    project.write(_many(240))
    from timeline.progress import Progress

    class Terminal:
        text = ""

        def write(self, s: str) -> None:
            self.text += s

        def flush(self) -> None:
            pass

    from timeline.build import build

    screen = Terminal()
    progress = Progress(screen, enabled=True)  # type: ignore[arg-type]
    result = build(load_config(project.root)[0], progress=progress, search=False)
    progress.close()
    assert result.events == 240
    assert text_of(project.html("events/e7/"), "h1") == ["E7"]


def test_no_thread_is_alive_when_the_build_forks(project: Project) -> None:
    """Forking with a second thread alive can deadlock the child (Python 3.12 warns)."""
    project.write(_many(240))
    script = textwrap.dedent("""
        import os, sys, threading
        from timeline.build import build
        from timeline.config import load_config
        from timeline.progress import Progress
        counts = []
        os.register_at_fork(before=lambda: counts.append(threading.active_count()))
        progress = Progress(open(os.devnull, "w"), enabled=True)
        build(load_config(__import__("pathlib").Path(".").resolve())[0], progress=progress,
              search=False)
        progress.close()
        print(counts)
    """)
    result = subprocess.run([sys.executable, "-W", "error", "-c", script], cwd=project.root,
                            capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)
    assert counts and set(counts) == {1}, counts


# --- a build killed at any moment ---------------------------------------------------------


def _tree(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*")) if p.is_file()
    }  # fmt: skip


def _alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_build_killed_at_any_moment_leaves_one_whole_site(project: Project) -> None:
    """Twenty-four builds killed at random moments, alternately the main process alone and
    the whole process group: the site is always exactly the old one or the new one, nothing
    of the build is left inside it, no worker outlives its build, and the next build removes
    every leftover."""
    import random
    import time

    chooser = random.Random(18)
    versions = {}
    texts = {}
    for version in ("old", "new"):
        files = _many(300)
        files["events/2007-01-01-e0.md"] = event(f"E0 {version}", "2007-01-01")
        texts[version] = files
        project.write(files)
        started = time.monotonic()
        done = _run(project, "build", "--no-cache", "--no-search", timeout=120)
        assert done.returncode == 0, done.stderr
        versions[version] = (_tree(project.site), time.monotonic() - started)
    duration = max(d for _, d in versions.values())
    current = "new"
    seen = set()
    # Moments spread over the whole build and a little after (one in each 24th of that
    # span, at random within it), in random order; then, should the machine have been so
    # slow that no build finished, a few kills later still.
    span = duration * 1.3
    moments = [span * (k + chooser.random()) / 24 for k in range(24)]
    chooser.shuffle(moments)
    moments += [duration * 3] * 4
    for attempt, moment in enumerate(moments):
        if attempt >= 24 and "finished" in seen:
            break
        target = "old" if current == "new" else "new"
        project.write(texts[target])
        process = subprocess.Popen(
            [sys.executable, "-m", "timeline", "build", "--no-cache", "--no-search"],
            cwd=project.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        time.sleep(moment)
        if attempt % 2:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        deadline = time.monotonic() + 10
        while _alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(process.pid), "a worker outlived its killed build"
        tree = _tree(project.site)
        outcome = next((v for v, (t, _) in versions.items() if t == tree), None)
        differ = {v: sorted({k for k in t.keys() | tree.keys() if t.get(k) != tree.get(k)})[:5]
                  for v, (t, _) in versions.items()}  # fmt: skip
        assert outcome in (current, target), f"attempt {attempt}: a mixed site: {differ}"
        assert not [p for p in project.site.rglob("*") if p.name.startswith(".")]
        seen.add("finished" if outcome == target else "kept")
        current = outcome
    assert seen == {"finished", "kept"}, "the kills all fell on one side of the swap"
    final = _run(project, "build", "--no-cache", "--no-search")
    assert final.returncode == 0
    # The record, the lock, what the next one-edit build starts from (the snapshot, its
    # shards and the site this build replaced: timeline.snapshot) and the compiled
    # templates: nothing of the killed builds.
    leftovers = [p.name for p in (project.root / ".timeline-cache").iterdir()
                 if not p.name.startswith(("record-", "build.lock", "snapshot-", "shards-",
                                           "spare-"))
                 and p.name != "templates"]  # fmt: skip
    assert leftovers == []
    assert sorted(p.name for p in project.root.iterdir()) == [".timeline-cache", "events", "site"]


# --- inputs that used to end in a traceback or a blow-up ----------------------------------


def test_names_too_long_for_a_file_name_get_short_distinct_pages(project: Project) -> None:
    long_tag = "x" * 300
    arabic = "ب" * 130
    project.write({
        "events/2007-08-22-a.md": event("A", extra=f'tags: ["{long_tag}", "{long_tag}y"]\n'
                                                   f'actors: ["{arabic}"]'),
    })  # fmt: skip
    project.build()
    tags = sorted(p.name for p in (project.site / "tags").iterdir() if p.is_dir())
    assert len(tags) == 2 and all(len(t.encode()) <= 200 for t in tags)
    shown = {text_of(project.html(f"tags/{t}/"), "h1")[0] for t in tags}
    assert shown == {f"{long_tag} 1 event", f"{long_tag}y 1 event"}
    (actor,) = [p.name for p in (project.site / "actors").iterdir() if p.is_dir()]
    assert actor.startswith("ب" * 10) and len(actor.encode()) <= 200


def test_a_bibliography_of_ten_thousand_sources_builds(project: Project) -> None:
    entries = "".join(
        f"s{n}:\n  title: Source {n}\n  url: https://example.org/{n}\n  publisher: P\n"
        f"  date: \"2007-08\"\n" for n in range(10_000)
    )  # fmt: skip
    project.write({"events/_sources.yaml": entries,
                   "events/2007-08-22-a.md": event("A", sources="sources: [s9999]\n")})
    project.build("--no-search")
    assert "Source 9999" in project.html("events/a/").get_text()


def test_yaml_merge_keys_are_honoured(project: Project) -> None:
    project.write({"events/2007-08-22-a.md": textwrap.dedent("""\
        ---
        title: A
        date: 2007-08-22
        _defaults: &defaults
          status: retracted
          group: Insurgency
        <<: *defaults
        group: Awakening
        sources: []
        ---
        Body.
        """)})  # fmt: skip
    result = project.build()
    soup = project.html("events/a/")
    assert text_of(soup, ".event-header .status") == ["Retracted"]
    assert "Awakening" in " ".join(text_of(soup, ".event-meta"))
    assert "_defaults: warning: unknown key" in result.stderr


def test_an_events_many_tags_cost_each_list_page_a_fixed_size(project: Project) -> None:
    """Each tag page shows the event's entry: with all its tags there, the site grows with
    the square of their number (3,000 tags took 142 s and 1 GB)."""
    sizes = {}
    for count in (200, 400):
        tags = ", ".join(f"t{n}" for n in range(count))
        project.write({"events/2007-08-22-a.md": event("A", extra=f"tags: [{tags}]")})
        project.build("--no-search")
        page = project.site / "tags" / "t7" / "index.html"
        sizes[count] = page.stat().st_size
        entry = project.html("tags/t7/").select_one("li.event")
        assert entry is not None
        assert len(entry.select(".tags a.tag:not(.tag-more)")) == 8
        assert text_of(entry, ".tag-more") == [f"+{count - 8} more"]
        assert len(str(entry["data-tag"]).split("|")) == 100
        # The event's own page still files it under every one.
        assert len(project.html("events/a/").select(".terms a")) == count
    assert sizes[200] == sizes[400]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _state(pid: int) -> str | None:
    """A process's state letter ("Z" for dead but not yet reaped), None if it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def test_pagefind_dies_with_a_killed_build(project: Project) -> None:
    """Pagefind takes seconds on this site; killed with its build, it is gone at once."""
    import time

    project.write(_many(1500))
    process = subprocess.Popen([sys.executable, "-m", "timeline", "build"], cwd=project.root,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 120
    indexer = None
    while indexer is None and time.monotonic() < deadline and process.poll() is None:
        for child in _children(process.pid):
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"--output-subdir" in command and b"-c\0" not in command:  # the binary
                indexer = child
        time.sleep(0.01)
    assert indexer is not None, "Pagefind was never seen running"
    time.sleep(0.2)  # well into its work
    assert _state(indexer) not in (None, "Z"), "Pagefind finished too soon to test this"
    process.kill()
    process.wait(timeout=10)
    deadline = time.monotonic() + 0.5
    while _state(indexer) not in (None, "Z") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _state(indexer) in (None, "Z"), "Pagefind outlived its build"


def test_workers_die_with_a_killed_build(project: Project) -> None:
    """A worker busy with a long page is killed with its build, not left to finish."""
    import time

    project.write(_many(240))
    script = textwrap.dedent("""
        import os, sys, time
        import timeline.build as build
        import timeline.site.shares as shares
        from timeline.config import load_config
        parent = os.getpid()
        real = shares.render_page
        def slow(renderer, spec):
            if os.getpid() != parent:
                print("worker", os.getpid(), flush=True)
                time.sleep(60)
            return real(renderer, spec)
        shares.render_page = slow
        build.build(load_config(__import__("pathlib").Path(".").resolve())[0], search=False)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], cwd=project.root, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)  # fmt: skip
    assert process.stdout is not None
    worker = int(process.stdout.readline().split()[1])
    assert _state(worker) not in (None, "Z")
    process.kill()
    process.wait(timeout=10)
    process.stdout.close()
    deadline = time.monotonic() + 2
    try:
        while _state(worker) not in (None, "Z") and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _state(worker) in (None, "Z"), "a worker outlived its build"
    finally:  # never leave one behind, even when this fails
        with contextlib.suppress(OSError):
            os.kill(worker, signal.SIGKILL)


def test_ctrl_c_stops_a_build_at_once(project: Project) -> None:
    """The queued parts of the pages are not written first (3 to 4 s here at 3,000 events,
    and more with the site)."""
    import time

    project.write(_many(1500))
    process = subprocess.Popen(
        [sys.executable, "-m", "timeline", "build", "--no-search"], cwd=project.root,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=default_sigint,  # as a terminal gives it, even to a run in the background
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},  # SIGABRT: every thread's traceback
    )  # fmt: skip
    cache = project.root / ".timeline-cache"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # until pages are being written
        staging = list(cache.glob("staging-*")) if cache.is_dir() else []
        # Pages of any kind being written: seconds of work are still ahead at 1,500 events
        # (event pages alone can come last in the schedule, and be quick on a fast machine).
        if staging and next(itertools.islice(staging[0].rglob("*.html"), 20, None), None):
            break
        time.sleep(0.01)
    else:
        raise AssertionError("the build never began writing pages")
    started = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
    try:
        _, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:  # once, under heavy load on 3.13: say where it hangs
        process.send_signal(signal.SIGABRT)
        _, stderr = process.communicate(timeout=30)
        raise AssertionError(f"the build did not stop after Ctrl-C:\n{stderr}") from None
    took = time.monotonic() - started
    assert took < 2, f"{took:.1f} s to stop"
    assert "Traceback" not in stderr and "Aborted" in stderr
    assert not project.site.exists()


# --- what the review of the first version found -------------------------------------------


def test_an_up_to_date_build_still_removes_a_killed_builds_leftovers(project: Project) -> None:
    project.write(FILES).build()
    cache = project.root / ".timeline-cache"
    record = next(cache.glob("record-*.json")).name
    leftover = cache / f"staging-{_output_tag(project.site)}-99999"
    (leftover / "events").mkdir(parents=True)
    (leftover / "events" / "x.html").write_text("half a site")
    result = project.build()
    assert "is up to date" in result.output
    assert sorted(p.name for p in cache.iterdir()) == ["build.lock", record, "templates"]


@pytest.mark.parametrize("up_to_date", [False, True])
def test_a_build_removes_the_half_written_files_of_killed_processes(
    project: Project, tmp_path: Path, up_to_date: bool
) -> None:
    """A process killed while writing a record, snapshot or compiled template leaves its
    temporary file (named by its process, so no later write replaces it): the next build
    removes those older than a few minutes, not a fresh one (another process still writing
    it) or one whose process still runs, and deletes a link by that name, never what it
    points at."""
    project.write(FILES).build("--no-search")
    cache = project.root / ".timeline-cache"
    outside = tmp_path / "outside.txt"
    outside.write_text("not the build's")
    old = time.time() - 3600
    gone = 2**31 - 7  # above any pid_max: no such process
    abandoned = [cache / f".snapshot-0123.pickle.{gone}.timeline-tmp",
                 cache / "templates" / f".event.html.py.{gone}.timeline-tmp"]  # fmt: skip
    for path in abandoned:
        path.write_bytes(b"half" * 1000)
        os.utime(path, (old, old))
    link = cache / f".record-0123.json.{gone}.timeline-tmp"
    os.symlink(outside, link)
    os.utime(link, (old, old), follow_symlinks=False)
    fresh = cache / f".record-0123.json.{gone - 1}.timeline-tmp"
    fresh.write_text("still being written")
    with subprocess.Popen(["sleep", "60"]) as writer:  # a writer stalled for an hour
        stalled = cache / f".sources.json.{writer.pid}.timeline-tmp"
        stalled.write_text("its process still runs")
        os.utime(stalled, (old, old))
        if not up_to_date:
            (project.root / "events" / "2007-08-22-douri.md").write_text(event("Edited"))
        result = project.build("--no-search")
        writer.kill()
    assert result.exit_code == 0, result.output
    assert ("is up to date" in result.output) is up_to_date
    assert [p for p in [*abandoned, link] if os.path.lexists(p)] == []
    assert fresh.read_text() == "still being written"
    assert stalled.read_text() == "its process still runs"
    assert outside.read_text() == "not the build's"


def test_a_linked_cache_templates_folder_is_not_followed_to_remove_files(
    project: Project, tmp_path: Path
) -> None:
    project.write(FILES).build("--no-search")
    templates = project.root / ".timeline-cache" / "templates"
    shutil.rmtree(templates)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    theirs = elsewhere / ".notes.txt.2147483640.timeline-tmp"
    theirs.write_text("someone else's")
    old = time.time() - 3600
    os.utime(theirs, (old, old))
    templates.symlink_to(elsewhere)
    assert project.build("--no-search", "--no-cache").exit_code == 0
    assert theirs.read_text() == "someone else's"


def _output_tag(output: Path) -> str:
    return hashlib.blake2b(os.fsencode(output), digest_size=4).hexdigest()


def test_the_new_sites_folder_keeps_the_old_ones_permissions(project: Project) -> None:
    project.write(FILES).build()
    project.site.chmod(0o2775)
    project.build("--no-cache")
    assert oct(project.site.stat().st_mode & 0o7777) == oct(0o2775)


def test_a_mount_point_as_output_is_explained(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write(FILES).build()
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: str(p) == str(project.site) or real(p))
    result = project.run("build", "--no-cache")
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert "is a mount point, and a build replaces the output folder whole" in result.stderr


def test_new_takes_another_file_name_when_the_one_it_wants_is_taken(project: Project) -> None:
    project.write({"events/2007-08-22-douri.md": event("Mine", "2007-08-22",
                                                       extra="slug: douri-breaks")})  # fmt: skip
    result = project.run("new", "Douri", "--date", "2007-08-22")
    assert_clean_exit(result)
    assert result.exit_code == 0, result.output
    assert "Created events/2007-08-22-douri-2.md" in result.output
    project.build()
    assert text_of(project.html("events/douri-2/"), "h1") == ["Douri"]


def test_new_and_import_explain_a_linked_events_folder(project: Project, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, project.root / "events")
    new = project.run("new", "X", "--date", "2007")
    assert new.exit_code == 2 and "events is a symbolic link (to " in new.stderr
    source = tmp_path / "in.json"
    source.write_text(json.dumps({"events": [{"start_date": {"year": 2007},
                                              "text": {"headline": "X"}}]}))  # fmt: skip
    imported = project.run("import", str(source))
    assert imported.exit_code == 2 and "events is a symbolic link (to " in imported.stderr
    assert list(elsewhere.iterdir()) == []


def test_an_interrupted_import_writes_nothing(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from timeline import files

    real = files.create_whole
    calls = {"n": 0}

    def interrupted(path: Path, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        real(path, data)

    monkeypatch.setattr(files, "create_whole", interrupted)
    source = tmp_path / "in.json"
    source.write_text(json.dumps({"events": [
        {"start_date": {"year": 2000 + n}, "text": {"headline": f"E{n}"}} for n in range(9)]}))
    result = project.run("import", str(source))
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert "interrupted; nothing was imported (9 files to be written)" in result.stderr
    assert list((project.root / "events").iterdir()) == []


def test_a_record_that_cannot_be_written_is_a_warning_after_the_build(project: Project) -> None:
    project.write(FILES).build()
    cache = project.root / ".timeline-cache"
    record = next(cache.glob("record-*.json"))
    record.unlink()
    record.mkdir()  # a folder in its place: it cannot be replaced by a file
    result = project.build("--no-cache")
    assert result.exit_code == 0
    assert "warning: the site is built, but its record" in result.stderr
    assert text_of(project.html("events/a/"), "h1") == ["A"]
