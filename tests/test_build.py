"""Build guarantees: atomic replacement, no stale pages, byte-identical output, safe paths."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import (
    Project,
    assert_clean_exit,
    event,
    save_keeping_the_stamp,
    text_of,
)
from timeline import cache
from timeline.errors import UsageError
from timeline.site.output import SiteWriter

FILES: dict[str, str | bytes] = {
    "events/2007-08-22-a.md": event("A", "2007-08-22", extra="tags: [x, y]\nrelated: [b]"),
    "events/2007-08-23-b.md": event("B", "2007-08-23", extra="actors: [Someone]"),
}


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "site" not in p.relative_to(root).parts[:1]
    }


def test_second_build_is_byte_identical(project: Project) -> None:
    project.write(FILES).build()
    first = project.snapshot()
    project.build()
    assert project.snapshot() == first


def test_renamed_and_deleted_events_leave_no_stale_pages(project: Project) -> None:
    project.write(FILES).build()
    assert (project.site / "events" / "b" / "index.html").is_file()
    assert (project.site / "actors" / "someone" / "index.html").is_file()
    (project.root / "events" / "2007-08-23-b.md").rename(
        project.root / "events" / "2007-08-23-c.md"
    )
    (project.root / "events" / "2007-08-22-a.md").write_text(event("A", "2007-08-22"))
    project.build()
    assert not (project.site / "events" / "b").exists()
    assert (project.site / "events" / "c" / "index.html").is_file()
    assert not (project.site / "tags" / "x").exists()


def test_build_writes_nothing_outside_the_output_and_cache_folders(project: Project) -> None:
    project.write(FILES)
    before = _tree(project.root)
    parent_before = sorted(p.name for p in project.root.parent.iterdir())
    project.build()
    after = _tree(project.root)
    cached = sorted(rel for rel in after if rel.startswith(".timeline-cache/"))
    assert {rel: data for rel, data in after.items() if rel not in cached} == before
    # The cache holds the lock, the record of the build and the compiled templates; no
    # staging folder is left.
    assert cached[:2] == [".timeline-cache/build.lock", cached[1]]
    assert cached[1].startswith(".timeline-cache/record-")
    assert cached[2:] and all(re.fullmatch(r"\.timeline-cache/templates/[0-9a-f]{40}\.jinja", rel)
                              for rel in cached[2:])  # fmt: skip
    assert sorted(p.name for p in project.root.parent.iterdir()) == parent_before
    assert not [p for p in project.site.rglob("*") if p.name.startswith(".")]


def test_a_failing_build_keeps_the_previous_site(project: Project) -> None:
    project.write(FILES).build()
    before = project.snapshot()
    project.write({"events/2007-08-24-bad.md": event("Bad", "2007-99")})
    assert project.run("build").exit_code == 1
    assert project.snapshot() == before


def test_an_interrupted_write_keeps_the_previous_site(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash while pages are being written (disk full, Ctrl-C) never half-replaces site/."""
    project.write(FILES).build()
    before = project.snapshot()
    calls = {"n": 0}
    real = SiteWriter.write

    def failing(self: SiteWriter, rel: str, content: str | bytes) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        real(self, rel, content)

    monkeypatch.setattr(SiteWriter, "write", failing)
    with pytest.raises(KeyboardInterrupt):
        from timeline.build import build
        from timeline.config import load_config

        build(load_config(project.root)[0], use_cache=False)
    assert project.snapshot() == before
    assert not list(project.root.glob(".site.*"))
    assert [p.name for p in (project.root / ".timeline-cache").iterdir()] != []
    assert not list((project.root / ".timeline-cache").glob("staging-*"))


@pytest.mark.parametrize("rel", ["../x.html", "/etc/x", "a/../../x", "", "."])
def test_writer_refuses_paths_outside_the_site(tmp_path: Path, rel: str) -> None:
    writer = SiteWriter(tmp_path / "out")
    with pytest.raises(UsageError):
        writer.write(rel, "x")
    assert not (tmp_path / "x.html").exists()


def test_writer_refuses_to_write_a_path_twice_even_by_case(tmp_path: Path) -> None:
    writer = SiteWriter(tmp_path)
    writer.write("events/a/index.html", "x")
    with pytest.raises(UsageError, match="two pages want the same output file"):
        writer.write("events/A/index.html", "y")


def test_symlinked_event_leaving_the_project_is_refused(project: Project, tmp_path: Path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text(event("Secret"))
    project.write(FILES)
    os.symlink(outside, project.root / "events" / "2007-08-25-link.md")
    result = project.run("build")
    assert result.exit_code == 1
    assert (
        "events/2007-08-25-link.md: is a symbolic link leading outside the project" in result.stderr
    )


def test_aliases_get_redirect_pages(project: Project) -> None:
    project.write({"events/2007-08-22-a.md": event("A", extra="aliases: [old-name]")}).build()
    soup = project.html("events/old-name/")
    refresh = soup.select_one("meta[http-equiv=refresh]")
    assert refresh is not None and refresh["content"] == "0; url=../../events/a/"
    assert soup.select_one("a")["href"] == "../../events/a/"  # type: ignore[index]


def test_output_folder_option(project: Project) -> None:
    project.write(FILES).build("--out", "public")
    assert (project.root / "public" / "index.html").is_file()
    assert not project.site.exists()


def test_a_rebuild_rewrites_only_pages_whose_bytes_changed(project: Project) -> None:
    project.write(FILES).build()
    unchanged = project.site / "actors" / "someone" / "index.html"
    edited = project.site / "events" / "a" / "index.html"
    before = (unchanged.stat().st_ino, unchanged.stat().st_mtime_ns)
    path = project.root / "events" / "2007-08-22-a.md"
    path.write_text(path.read_text().replace("Something happened.", "Something else happened."))
    result = project.build("-v")
    assert (unchanged.stat().st_ino, unchanged.stat().st_mtime_ns) == before
    assert "Something else happened." in edited.read_text()
    assert not [p for p in project.site.rglob("*") if p.name.startswith(".")]
    assert "publish" in result.output


def test_an_unchanged_project_is_not_rebuilt_until_something_changes(project: Project) -> None:
    project.write(FILES).build()
    again = project.build("-v")
    assert "site/ is up to date (2 events, " in again.output
    assert "event.html" not in again.output  # nothing rendered

    page = project.site / "events" / "a" / "index.html"
    page.write_text("edited by hand")  # the output no longer matches the last build
    assert "Built 2 events" in project.build().output
    assert "edited by hand" not in page.read_text()

    project.write({"theme/static/style.css": "body { color: red; }\n"})  # an input changed
    assert "Built 2 events" in project.build().output
    assert "Built 2 events" in project.build("--no-cache").output
    assert "up to date" in project.build().output


def _saved_long_ago(project: Project) -> None:
    """Every event file as if saved an hour ago (so its stamp can vouch for its content)."""
    hour_ago = time.time() - 3600
    for path in (project.root / "events").glob("*.md"):
        os.utime(path, (hour_ago, hour_ago))


def test_a_no_change_build_reads_only_the_event_files_whose_stamp_changed(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write(FILES)
    _saved_long_ago(project)
    project.build()
    read: list[str] = []
    real = cache.contents

    def counted(path: Path) -> bytes:
        read.append(path.name)
        return real(path)

    monkeypatch.setattr(cache, "contents", counted)
    assert "up to date" in project.build().output
    assert not [name for name in read if name.endswith(".md")]  # the stamps vouched for them

    path = project.root / "events" / "2007-08-22-a.md"
    path.write_text(path.read_text().replace("Something happened.", "Something else happened."))
    assert "Built 2 events" in project.build().output  # a new stamp: read, and so rebuilt
    assert "2007-08-22-a.md" in read and "2007-08-23-b.md" not in read


def test_an_up_to_date_build_does_not_load_the_page_code(project: Project) -> None:
    """Half of a no-change build was importing what renders pages: it is loaded only when
    there is something to build."""
    project.write(FILES).build()
    script = (
        "import sys\nfrom timeline.cli import main\ntry:\n    main(['build'])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in ('jinja2', 'markdown_it', 'timeline.build') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=project.root, capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip
    assert "is up to date" in done.stdout, done.stderr
    assert done.stdout.rstrip().endswith("[]")
    project.write({"theme/static/style.css": "body { color: red; }\n"})
    done = subprocess.run([sys.executable, "-c", script], cwd=project.root, capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip
    assert "Built 2 events" in done.stdout, done.stderr
    assert done.stdout.rstrip().endswith("['jinja2', 'markdown_it', 'timeline.build']")


def test_an_edit_that_keeps_the_stamp_is_seen_when_the_stamp_was_recent(project: Project) -> None:
    """A file saved twice within one step of a coarse clock, at the same size, keeps its
    stamp: one that was that close to the moment it was read is read again."""
    project.write(FILES).build()  # the files were written just before they were read
    save_keeping_the_stamp(project.root / "events" / "2007-08-22-a.md", "Something happened.",
                           "Something HAPPENED.")  # fmt: skip
    assert "Built 2 events" in project.build().output
    assert "Something HAPPENED." in (project.site / "events" / "a" / "index.html").read_text()


@pytest.mark.parametrize("read", [
    "not a table", {"events/2007-08-22-a.md": [1, 2]}, {"events/2007-08-22-a.md": "x"},
    {"events/2007-08-22-a.md": [0, 0, 0, 0, "not hex"]},
])  # fmt: skip
def test_a_record_with_stamps_it_cannot_vouch_for_builds_correctly(
    project: Project, read: object
) -> None:
    project.write(FILES)
    _saved_long_ago(project)
    project.build()
    (record,) = (project.root / ".timeline-cache").glob("record-*.json")
    state = json.loads(record.read_text())
    state["read"] = read
    record.write_text(json.dumps(state))
    assert "up to date" in project.build().output  # every file read: nothing changed

    path = project.root / "events" / "2007-08-22-a.md"
    path.write_text(path.read_text().replace("Something happened.", "Something else happened."))
    state["read"] = read
    record.write_text(json.dumps(state))
    assert "Built 2 events" in project.build().output
    assert "Something else" in (project.site / "events" / "a" / "index.html").read_text()


def test_a_record_whose_digest_is_wrong_for_an_unchanged_stamp_rebuilds(project: Project) -> None:
    """A stale or tampered record cannot make a build skip: its digests make up the key."""
    project.write(FILES)
    _saved_long_ago(project)
    project.build()
    (record,) = (project.root / ".timeline-cache").glob("record-*.json")
    state = json.loads(record.read_text())
    entry = state["read"]["events/2007-08-22-a.md"]
    entry[-1] = "00" * (len(entry[-1]) // 2)
    record.write_text(json.dumps(state))
    assert "Built 2 events" in project.build().output
    assert "up to date" in project.build().output


def test_check_links_passes_on_a_built_site_and_names_broken_links(project: Project) -> None:
    project.write(FILES).build()
    ok = project.run("check", "--links")
    assert ok.exit_code == 0, ok.output
    assert "Links OK: every internal link and anchor on" in ok.output

    page = project.site / "events" / "a" / "index.html"
    html = page.read_text()
    html = html.replace("</main>", '<a href="../gone/">x</a><a href="../b/#nowhere">y</a></main>')
    page.write_text(html)
    bad = project.run("check", "--links")
    assert bad.exit_code == 1
    assert "site/events/a/index.html: broken link to ../gone/ (no such page)" in bad.stderr
    assert (
        "site/events/a/index.html: broken link to ../b/#nowhere (no #nowhere on that page)"
        in bad.stderr
    )
    assert "Error: 2 broken links." in bad.stderr


def test_check_links_needs_a_built_site(project: Project) -> None:
    project.write(FILES)
    result = project.run("check", "--links")
    assert result.exit_code == 2 and "holds no built site; run timeline build" in result.stderr


def test_the_sample_site_has_no_broken_links(tmp_path: Path) -> None:
    from tests.conftest import REPO
    from timeline.site.links import check_links

    out = tmp_path / "site"
    assert Project(REPO).run("build", "--no-cache", "--out", str(out)).exit_code == 0
    assert check_links(out) == []
    under = tmp_path / "under"
    args = ("build", "--no-cache", "--out", str(under), "--base-url", "https://x.test/iraq/")
    assert Project(REPO).run(*args).exit_code == 0
    assert check_links(under, "/iraq/") == []


def test_an_unreadable_event_file_is_an_error_not_a_crash(project: Project) -> None:
    project.write(FILES).build()
    before = project.snapshot()
    os.symlink(project.root / "events" / "missing.md", project.root / "events" / "2007-08-26-x.md")
    result = project.run("build")
    assert result.exit_code == 1
    assert "events/2007-08-26-x.md: cannot be read: No such file or directory" in result.stderr
    assert project.snapshot() == before


def test_pages_are_scheduled_once_each_list_kinds_together_events_last() -> None:
    from timeline.reading.model import Taxonomy
    from timeline.site.pages import EventPage, Page, TermPage, YearPage
    from timeline.site.schedule import EVENT_RUNS, schedule

    events: list[Page] = [EventPage(f"e{i}") for i in range(400)]
    keys = events + [YearPage(2000 + i) for i in range(10)]
    keys += [TermPage(Taxonomy.TAGS, f"t{i}") for i in range(30)]
    parts = schedule(keys, lambda key: 10.0 if isinstance(key, YearPage) else 1.0, 2)
    assert sorted(map(repr, (key for part in parts for key in part))) == sorted(map(repr, keys))
    fixed, tail = parts[:2], parts[2:]
    assert all(not isinstance(key, EventPage) for part in fixed for key in part)
    assert sum(1 for part in fixed if any(isinstance(key, YearPage) for key in part)) == 1
    assert all(isinstance(key, EventPage) for part in tail for key in part)
    assert EVENT_RUNS <= len(tail) <= 2 * EVENT_RUNS * 2
    assert [key for part in tail for key in part] == events  # in order: neighbours together


def test_each_page_is_written_where_its_record_says(project: Project) -> None:
    """A page's output file comes from its record alone (pages.path), and so does its URL
    in the sitemap: the renderer's description of it agrees, for every page of a site with
    feeds, paged lists, aliases, a page of its own and data files."""
    from timeline.build import Builder
    from timeline.config import load_config
    from timeline.reading.model import Taxonomy
    from timeline.site import pages

    project.write({
        "timeline.toml": 'base_url = "https://example.org/t/"\n',
        "pages/about.md": "---\ntitle: About\n---\n\nWho we are.\n",
        **{f"events/2007-01-{n % 28 + 1:02d}-e{n}.md":
           event(f"E{n}", f"2007-01-{n % 28 + 1:02d}", extra=f"tags: [many]\naliases: [old-e{n}]")
           for n in range(505)},
    })  # fmt: skip
    builder = Builder(load_config(project.root)[0])
    content = builder.collect()
    renderer = builder.renderer(content)
    keys = renderer.keys()
    assert {type(key) for key in keys} == set(pages.Page.__args__)  # type: ignore[attr-defined]
    assert pages.YearPage(2007, 2) in keys and pages.TermPage(Taxonomy.TAGS, "many", 2) in keys
    for key in keys:
        assert renderer.spec(key).path == pages.path(key), key
def test_symlinked_event_inside_the_project_is_read_and_a_loop_is_an_error(
    project: Project,
) -> None:
    project.write(FILES)
    project.write({"notes/kept.md": event("Kept elsewhere", "2007-08-26")})
    os.symlink(project.root / "notes" / "kept.md", project.root / "events" / "2007-08-26-kept.md")
    project.build()
    assert text_of(project.html("events/kept/"), "h1") == ["Kept elsewhere"]
    os.symlink("2007-08-27-loop.md", project.root / "events" / "2007-08-27-loop.md")
    result = project.run("build")
    assert_clean_exit(result)
    assert result.exit_code == 1
    assert "events/2007-08-27-loop.md: cannot be read: " in result.stderr
