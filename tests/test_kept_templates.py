"""Compiled templates kept in the cache folder (timeline.site.compiled): a new build process
loads the theme's code instead of compiling it again, and never uses code that is not the
current template's, whatever the cache folder holds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from tests.conftest import Project, event, folder_differences

FILES: dict[str, str | bytes] = {
    "timeline.toml": 'title = "Kept"\n',
    "events/a.md": event("An event", "2007-08-22"),
    "events/b.md": event("Another", "2007-09-01"),
}
BUILD = [sys.executable, "-m", "timeline", "build", "--no-search", "--no-cache"]


def _kept(project: Project) -> list[Path]:
    return sorted((project.root / ".timeline-cache" / "templates").glob("*.jinja"))


def _compiles(project: Project, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The templates a build compiled from their source (in this process)."""
    compiled: list[str] = []
    original = jinja2.Environment.compile

    def compile_(self: jinja2.Environment, source: object, name: str | None = None,
                 *args: object, **kwargs: object) -> object:  # fmt: skip
        compiled.append(str(name))
        return original(self, source, name, *args, **kwargs)  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(jinja2.Environment, "compile", compile_)
        project.build("--no-search", "--no-cache")
    return compiled


def test_a_second_build_compiles_no_template(project: Project,
                                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    project.write(FILES)
    first = _compiles(project, monkeypatch)
    assert "event.html" in first and "base.html" in first
    # The macros are compiled before the first build has made its cache folder.
    assert _compiles(project, monkeypatch) == ["macros.html"]
    assert len(_kept(project)) == len(set(first))
    assert _compiles(project, monkeypatch) == []


def test_an_edited_template_is_compiled_again(project: Project,
                                              monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """The kept code is the template's as it was: an edit of the theme shows at once."""
    override = "{% extends 'base.html' %}{% block content %}<p id=v>one</p>{% endblock %}"
    project.write({**FILES, "theme/templates/404.html": override})
    project.build("--no-search")
    project.build("--no-search", "--no-cache")  # the macros kept too (see above)
    assert project.html("404.html").select_one("#v").text == "one"
    project.write({"theme/templates/404.html": override.replace("one", "two")})
    assert _compiles(project, monkeypatch) == ["404.html"]
    assert project.html("404.html").select_one("#v").text == "two"
    (project.root / "theme/templates/404.html").unlink()  # the default theme's again
    project.build("--no-search")
    assert project.html("404.html").select_one("#v") is None


@pytest.mark.parametrize("damage", ["garbage", "truncated", "fifo", "link", "folder"])
def test_a_damaged_kept_template_is_compiled_again(project: Project, tmp_path: Path,
                                                   damage: str) -> None:  # fmt: skip
    """Whatever is in the cache folder, a new build process makes the site a cold build
    makes from nothing (run as processes, with a timeout: a FIFO must not block the read)."""
    project.write(FILES)
    subprocess.run(BUILD, cwd=project.root, check=True, capture_output=True, timeout=120)
    elsewhere = tmp_path / "elsewhere.bin"
    elsewhere.write_bytes(b"j2 not a template")
    for path in _kept(project):
        data = path.read_bytes()
        path.unlink()
        if damage == "garbage":
            path.write_bytes(b"\x00garbage" * 40)
        elif damage == "truncated":
            path.write_bytes(data[: len(data) // 2])
        elif damage == "fifo":
            os.mkfifo(path)
        elif damage == "link":
            path.symlink_to(elsewhere)
        else:
            path.mkdir()
    done = subprocess.run(BUILD, cwd=project.root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    fresh = Project(tmp_path / "fresh")
    fresh.root.mkdir()
    fresh.write(FILES)
    subprocess.run(BUILD, cwd=fresh.root, check=True, capture_output=True, timeout=120)
    assert folder_differences(project.site, fresh.site) == []
    assert elsewhere.read_bytes() == b"j2 not a template"  # never written through the link


def test_a_cache_folder_that_cannot_keep_them_only_means_compiling(project: Project) -> None:
    """``templates`` a file, not a folder (as a read-only folder would, for a user other than
    root): nothing kept, the build as always."""
    project.write(FILES)
    project.build("--no-search", "--no-cache")
    before = project.snapshot()
    kept = project.root / ".timeline-cache" / "templates"
    for path in _kept(project):
        path.unlink()
    kept.rmdir()
    kept.write_text("not a folder")
    project.build("--no-search", "--no-cache")
    assert kept.read_text() == "not a folder"
    assert project.snapshot() == before
