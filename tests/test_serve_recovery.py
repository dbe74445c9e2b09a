"""`timeline serve` is never silently wrong: it survives any failure of one rebuild, and once
things are quiet the served site is what a cold build makes, whatever happened to the events
folder or to the served folder meanwhile."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import Project, event, folder_differences
from tests.test_serve import request
from timeline.build import Builder
from timeline.config import Config, load_config
from timeline.serving.preview import Preview, preview_config
from timeline.serving.watch import ChangeKind

FILES = {
    "events/2007-08-22-a.md": event("Event A", "2007-08-22", extra="tags: [Diyala]"),
    "events/2007-08-23-b.md": event("Event B", "2007-08-23", extra="tags: [Diyala, x]"),
    "events/2007-09-01-c.md": event("Event C", "2007-09-01"),
}
QUIET = 1.0  # seconds without a build that count as "things are quiet"


@pytest.fixture
def preview(project: Project) -> Iterator[Preview]:
    project.write(FILES)

    def load() -> Config:
        return preview_config(load_config(project.root)[0])

    lines: list[str] = []
    server = Preview(load(), load=load, port=0, report=lines.append)
    server.start()
    server.lines = lines  # type: ignore[attr-defined]
    yield server
    server.stop()


def _quiet(preview: Preview, since: int, timeout: float = 30) -> None:
    """Wait for a build after epoch ``since``, then until none starts for QUIET seconds."""
    deadline = time.monotonic() + timeout
    assert preview.state.wait_epoch(since, timeout) > since, "no rebuild happened"
    while time.monotonic() < deadline:
        epoch = preview.state.epoch
        if preview.state.wait_epoch(epoch, QUIET) == epoch and not preview.state.building:
            return
    raise AssertionError("the builds never settled")


def _same_as_cold_build(project: Project, served: Path) -> None:
    cold = project.root.parent / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    config = load_config(project.root)[0].with_overrides(base_url="", output_dir=str(cold))
    Builder(config, data_files=False).build()
    assert folder_differences(served, cold) == []


def _panel(preview: Preview, path: str = "/events/a/") -> str | None:
    _, body, _ = request(preview, path)  # type: ignore[arg-type]
    panel = BeautifulSoup(body, "html.parser").select_one("#timeline-build-errors")
    return None if panel is None else panel.get_text(" ", strip=True)


def _edit(project: Project, old: str, new: str, name: str = "2007-08-22-a.md") -> None:
    path = project.root / "events" / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_failure_that_is_no_content_error_is_shown_and_the_next_save_recovers(
    preview: Preview, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise KeyError("Diyala")

    monkeypatch.setattr(preview.builder, "update", broken)
    epoch = preview.state.epoch
    _edit(project, "Something happened.", "Something else happened.")
    _quiet(preview, epoch)
    panel = _panel(preview)
    assert panel is not None and "Timeline failed while rebuilding: KeyError: 'Diyala'" in panel
    _, body, _ = request(preview, "/events/a/")  # type: ignore[arg-type]
    assert "Something happened." in body  # the last good site
    lines = "\n".join(preview.lines)  # type: ignore[attr-defined]
    assert "Traceback (most recent call last)" in lines and "KeyError: 'Diyala'" in lines

    monkeypatch.undo()  # the bug is gone; the next save builds everything again
    epoch = preview.state.epoch
    _edit(project, "Event B", "Event B again", "2007-08-23-b.md")
    _quiet(preview, epoch)
    assert _panel(preview) is None
    _same_as_cold_build(project, preview.server.folder)


def test_a_failing_write_is_shown_and_the_next_save_recovers(
    preview: Preview, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from timeline import files

    real = files.replace

    def full(path: Path, data: bytes) -> object:
        if path.name == "index.html" and path.parent.name == "a":
            raise OSError(28, "No space left on device", str(path))
        return real(path, data)

    monkeypatch.setattr(files, "replace", full)
    epoch = preview.state.epoch
    _edit(project, "Something happened.", "Something else happened.")
    _quiet(preview, epoch)
    panel = _panel(preview, "/")
    assert panel is not None and "No space left on device" in panel
    monkeypatch.undo()
    epoch = preview.state.epoch
    _edit(project, "Event C", "Event C again", "2007-09-01-c.md")
    _quiet(preview, epoch)
    assert _panel(preview) is None
    _same_as_cold_build(project, preview.server.folder)


def test_the_events_folder_deleted_and_made_again(preview: Preview, project: Project) -> None:
    events = project.root / "events"
    kept = {p.name: p.read_text() for p in events.iterdir()}
    epoch = preview.state.epoch
    shutil.rmtree(events)
    _quiet(preview, epoch)
    epoch = preview.state.epoch
    events.mkdir()
    for name, text in kept.items():
        (events / name).write_text(text.replace("Event", "Again"))
    _quiet(preview, epoch)
    _same_as_cold_build(project, preview.server.folder)
    epoch = preview.state.epoch  # the new folder is watched: a later edit is built
    _edit(project, "Again A", "Again and again A")
    _quiet(preview, epoch)
    _same_as_cold_build(project, preview.server.folder)


def test_the_events_folder_swapped_for_another_by_renames(
    preview: Preview, project: Project
) -> None:
    """A branch switch: another events folder renamed into place, the old one away."""
    events = project.root / "events"
    other = project.root / "events-other"
    other.mkdir()
    (other / "2006-01-01-z.md").write_text(event("Zed", "2006-01-01", extra="tags: [y]"))
    for path in events.iterdir():
        (other / path.name).write_text(path.read_text().replace("Event", "Branch"))
    epoch = preview.state.epoch
    events.rename(project.root / "events-old")
    other.rename(events)
    _quiet(preview, epoch)
    _same_as_cold_build(project, preview.server.folder)
    epoch = preview.state.epoch
    _edit(project, "Branch A", "Branch A edited")
    _quiet(preview, epoch)
    _same_as_cold_build(project, preview.server.folder)


def test_the_served_folder_deleted(preview: Preview, project: Project) -> None:
    epoch = preview.state.epoch
    shutil.rmtree(preview.server.folder)
    _quiet(preview, epoch)
    status, body, _ = request(preview, "/events/b/")  # type: ignore[arg-type]
    assert status == 200 and "Event B" in body
    _same_as_cold_build(project, preview.server.folder)


def test_a_request_for_a_deleted_folder_waits_for_it_to_be_built(
    preview: Preview, project: Project
) -> None:
    preview.watcher.stop()  # type: ignore[union-attr]  # only the request can notice
    shutil.rmtree(preview.server.folder)
    status, body, _ = request(preview, "/events/b/")  # type: ignore[arg-type]
    assert status == 200 and "Event B" in body


@pytest.mark.parametrize("change", [ChangeKind.THEME, ChangeKind.CONFIG])
def test_a_theme_or_config_change_while_the_content_is_broken_leaves_no_stale_page(
    project: Project, change: ChangeKind
) -> None:
    """Found by the state machine (tests/test_stateful.py): a theme or config change made the
    builder forget what it had written; when the content was broken at that moment, the pages
    of an event renamed meanwhile were never removed once it was fixed."""
    project.write(FILES)

    def load() -> Config:
        return preview_config(load_config(project.root)[0])

    preview = Preview(load(), load=load, port=0, report=lambda line: None)
    try:
        preview.first_build()
        events = project.root / "events"
        (events / "2007-09-01-c.md").rename(events / "2007-09-01-d.md")  # c's page must go
        _edit(project, "Something happened.", "See [[c]].")  # a link to nowhere: broken
        preview.rebuild({ChangeKind.CONTENT})
        assert preview.state.problems
        if change is ChangeKind.THEME:
            project.write({"theme/static/extra.css": "p { color: red; }\n"})
        else:
            project.write({"timeline.toml": 'title = "Retitled"\n'})
        preview.rebuild({change})
        assert preview.state.problems
        _edit(project, "See [[c]].", "See [[d]].")
        preview.rebuild({ChangeKind.CONTENT})
        assert not preview.state.problems
        assert not (preview.server.folder / "events" / "c").exists()
        _same_as_cold_build(project, preview.server.folder)
    finally:
        preview.server.server_close()
