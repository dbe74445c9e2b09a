"""The command line: new, init, check, help texts and exit codes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from tests.conftest import REPO, Project, assert_clean_exit, event, text_of
from timeline.cli import main


def test_new_writes_a_valid_event_that_builds(project: Project) -> None:
    (project.root / "events").mkdir()
    result = project.run("new", "Al-Douri breaks with al-Qaeda", "--date", "2007-08-22",
                         "--tags", "Ba'ath Party,al-Douri", "--status", "disputed")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created events/2007-08-22-al-douri-breaks-with-al-qaeda.md" in result.output
    project.build()
    soup = project.html("events/al-douri-breaks-with-al-qaeda/")
    assert text_of(soup, "h1") == ["Al-Douri breaks with al-Qaeda"]
    assert text_of(soup, ".event-header .status") == ["Disputed"]
    assert text_of(soup, ".terms dd") == ["Ba'ath Party , al-Douri"]


@pytest.mark.parametrize(("date", "name"), [("2007-08~", "2007-08-x.md"), ("2007?", "2007-x.md"),
                                            ("199X", "x.md")])  # fmt: skip
def test_new_names_the_file_after_the_date(project: Project, date: str, name: str) -> None:
    assert project.run("new", "X", "--date", date).exit_code == 0
    assert (project.root / "events" / name).is_file()


def test_new_never_overwrites_and_gives_a_taken_slug_a_number(project: Project) -> None:
    project.run("new", "Same", "--date", "2007-08-22")
    path = project.root / "events" / "2007-08-22-same.md"
    path.write_text(event("Edited by hand"))
    result = project.run("new", "Same", "--date", "2007-08-22")
    assert_clean_exit(result)
    assert result.exit_code == 0, result.output
    assert "Created events/2007-08-22-same-2.md" in result.output
    assert "note: events/2007-08-22-same.md already has the slug made from the title; this event's " \
           "slug is 'same-2'" in result.stderr
    assert "Edited by hand" in path.read_text()
    project.build()
    assert text_of(project.html("events/same-2/"), "h1") == ["Same"]
    assert text_of(project.html("events/same/"), "h1") == ["Edited by hand"]


def test_new_rejects_an_invalid_date_as_a_usage_error(project: Project) -> None:
    result = project.run("new", "X", "--date", "2007-13")
    assert result.exit_code == 2
    assert "--date: '2007-13': month 13 does not exist" in result.stderr
    assert not (project.root / "events").exists()


def test_counts_of_one_read_in_the_singular(project: Project) -> None:
    project.write({"events/2007-08-22-a.md": event(extra="tgas: [x]")})
    check = project.run("check")
    assert check.exit_code == 0, check.output
    assert "OK: 1 event, no errors, 1 warning" in check.output
    build = project.build()
    assert "Built 1 event, " in build.output
    again = project.build()
    assert "is up to date (1 event, " in again.output
    project.write({"events/2007-08-22-a.md": event(date="2007-13")})
    failed = project.run("build")
    assert "Error: 1 problem in 1 file; nothing was written." in failed.stderr


def test_init_creates_a_project_that_builds_at_once(tmp_path: Path) -> None:
    target = tmp_path / "new-timeline"
    project = Project(tmp_path)
    result = project.run("init", str(target))
    assert result.exit_code == 0, result.output
    built = Project(target).build()
    assert "Built 1 event, " in built.output
    assert "warning" not in built.stderr  # a fresh project has nothing to warn about
    assert text_of(Project(target).html(""), ".event-title") == ["Start of the timeline"]
    again = project.run("init", str(target))
    assert again.exit_code == 2 and "already holds a timeline project" in again.stderr


def test_check_validates_without_building(project: Project) -> None:
    project.write({"events/2007-08-22-a.md": event()})
    result = project.run("check")
    assert result.exit_code == 0
    assert "OK: 1 event, no errors" in result.output
    assert not project.site.exists()


@pytest.mark.parametrize("command", ["build", "check", "new", "init"])
def test_every_command_explains_itself_and_each_option(project: Project, command: str) -> None:
    result = project.run(command, "--help")
    assert result.exit_code == 0
    cmd = main.commands[command]  # type: ignore[attr-defined]
    shown = " ".join(result.output.split())
    assert shown.startswith(f"Usage: timeline {command} ")
    assert cmd.help and " ".join(cmd.help.split()) in shown
    for param in cmd.params:
        if isinstance(param, click.Option):
            assert param.help, f"{command} {param.opts} has no help text"
            assert param.opts[-1] in result.output


def test_unknown_option_is_a_usage_error(project: Project) -> None:
    result = project.run("build", "--no-such-flag")
    assert result.exit_code == 2
    assert "No such option" in result.output


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "timeline", "--version"], capture_output=True, text=True,
        cwd=tmp_path, check=False,
    )  # fmt: skip
    assert result.returncode == 0 and "timeline, version" in result.stdout


def test_the_sample_timeline_builds_cleanly(tmp_path: Path) -> None:
    """The shipped sample: strict build (every event sourced, no unknown keys)."""
    project = Project(REPO)
    result = project.run("build", "--strict", "--out", str(tmp_path / "site"))
    assert_clean_exit(result)
    assert result.exit_code == 0, result.output
    site = Project(tmp_path)
    events = site.html("")
    titles = text_of(events, ".event-title")
    assert len(titles) >= 15
    douri = events.select_one("#douri-severs-ties .status")
    assert douri is not None and douri.get_text() in ("Reported", "Disputed")
    notice = events.select_one("#raghad-interpol-red-notice .status")
    assert notice is not None and notice.get_text() == "Confirmed"
    assert events.select(".date-approximate"), "the sample has approximate dates"
    for link in events.select(".event-title a"):
        page = site.html(str(link["href"]))
        sources = page.select(".sources cite a[href^=http]")
        assert sources, f"{link['href']} has no source with a URL"


def _build_in_a_terminal(root: Path) -> str:
    """Run `timeline build` with a pseudo-terminal as its output, as in an interactive shell."""
    import pty

    env = {**os.environ, "TIMELINE_PROGRESS_DELAY": "0"}
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "timeline", "build"], cwd=root, env=env,
                               stdout=follower, stderr=follower)  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode()


def test_progress_shows_on_a_terminal_and_never_in_a_pipe(project: Project) -> None:
    project.write({f"events/e{n}.md": event(f"E{n}", "2007") for n in range(60)})
    shown = _build_in_a_terminal(project.root)
    assert "Reading events..." in shown and "Writing pages [" in shown
    last = [line.split("\x1b[2K")[-1] for line in shown.rstrip().splitlines()[-2:]]
    assert last[0].startswith("Built 60 events")
    assert last[1].startswith("  of which the search index (Pagefind): ")
    piped = subprocess.run(
        [sys.executable, "-m", "timeline", "build", "--no-cache"], cwd=project.root,
        capture_output=True, text=True, env={**os.environ, "TIMELINE_PROGRESS_DELAY": "0"},
        check=True,
    )  # fmt: skip
    assert "Writing pages" not in piped.stderr and "\r" not in piped.stderr + piped.stdout


def test_the_search_index_time_has_a_line_of_its_own(project: Project) -> None:
    project.write({f"events/e{n}.md": event(f"E{n}", "2007") for n in range(3)})
    lines = project.build().output.splitlines()
    built = next(i for i, line in enumerate(lines) if line.startswith("Built 3 events"))
    assert re.fullmatch(r"  of which the search index \(Pagefind\): \d+\.\d\d s", lines[built + 1])
    assert "search index" not in project.build("--no-cache", "--no-search").output
