"""Static files saved during or just after a build are copied again by the next one.

A build stamps each static file (modification time and size) so that later updates copy only
the files whose stamp changed. Some file systems keep modification times in coarse steps, so
a second save at the same size within one step keeps the stamp; the stamp of a file saved
this recently cannot vouch for what was copied. Each test makes that happen on purpose: the
file is saved again with the same size and its first modification time put back, as a coarse
clock would leave it.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import Project, event, folder_differences, save_keeping_the_stamp
from timeline.build import Builder
from timeline.config import load_config

FILES: dict[str, str | bytes] = {
    "timeline.toml": 'title = "Static"\n',
    "static/notes.txt": "first\n",
    **{f"events/e{n}.md": event(f"Event {n}", f"2007-0{n}-01") for n in range(1, 6)},
}


def _assert_as_cold(project: Project, tmp_path: Path) -> None:
    cold = tmp_path / "cold"
    assert project.build("--no-search", "--no-cache", "-q", "--out", str(cold)).exit_code == 0
    assert folder_differences(project.site, cold) == []


def test_the_one_edit_build_copies_a_static_file_saved_within_the_stamp_s_step(
    project: Project, tmp_path: Path
) -> None:  # fmt: skip
    project.write(FILES)
    for _ in range(2):  # the second cold build leaves the spare the one-edit build uses
        assert project.build("--no-search", "--no-cache", "-q").exit_code == 0
    assert project.build("--no-search", "-q").exit_code == 0  # up to date: nothing to do
    save_keeping_the_stamp(project.root / "static/notes.txt", "first", "again")
    result = project.build("--no-search", "-v")
    assert result.exit_code == 0, result.output
    assert "404.html" not in result.output  # the one-edit build: no page rendered again
    assert (project.site / "notes.txt").read_text(encoding="utf-8") == "again\n"
    _assert_as_cold(project, tmp_path)


def test_serve_s_update_copies_a_static_file_saved_within_the_stamp_s_step(
    project: Project, tmp_path: Path
) -> None:  # fmt: skip
    project.write(FILES)
    builder = Builder(load_config(project.root)[0], remember=True)
    builder.build()
    save_keeping_the_stamp(project.root / "static/notes.txt", "first", "again")
    result = builder.update()
    assert "notes.txt" in result.written
    assert (project.site / "notes.txt").read_text(encoding="utf-8") == "again\n"
    result = builder.update()  # still too recent to trust: copied again, not rewritten
    assert result.written == ()


def test_a_file_copied_over_with_its_old_time_is_copied_again(project: Project) -> None:
    """``cp -p``, ``touch -r`` and ``tar`` give a file an old modification time: its stamp is
    old enough to trust, and only its change time (which no program sets back) tells."""
    project.write(FILES)
    notes = project.root / "static/notes.txt"
    long_ago = notes.stat().st_mtime_ns - 3600 * 10**9
    os.utime(notes, ns=(long_ago, long_ago))
    builder = Builder(load_config(project.root)[0], remember=True)
    builder.build()
    assert builder.update().written == ()  # trusted: not copied again
    save_keeping_the_stamp(notes, "first", "again")
    assert "notes.txt" in builder.update().written
    assert (project.site / "notes.txt").read_text(encoding="utf-8") == "again\n"
