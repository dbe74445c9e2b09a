"""The data files of an update (site.datapatch): timeline.json and timelinejs.json hold every
event, and an update encodes again only the items of the events whose inputs changed,
copying the others from the file as last written; the file is byte for byte a cold build's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Project, event, folder_differences
from timeline import build, files, snapshot
from timeline.build import Builder
from timeline.config import load_config
from timeline.site import datapatch, exports

DATA = ("timeline.json", "timelinejs.json")


def _files(count: int = 12) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        "timeline.toml": 'title = "Data"\nbase_url = "https://example.org/t/"\n',
        "events/_sources.yaml": "un:\n  title: A UN report\n  url: https://example.org/un\n",
    }
    for n in range(count):
        files[f"events/e{n:02}.md"] = event(
            f"Event {n}", f"200{n % 4}-0{1 + n % 9}-1{n % 10}",
            body=f"First paragraph of {n}.\n\nSecond, see [[e{(n + 1) % count:02}]].",
        )  # fmt: skip
    return files


def _edit(project: Project, rel: str, old: str, new: str) -> None:
    path = project.root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text  # an edit that edits nothing proves nothing
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _items(path: Path) -> dict[str, bytes]:
    """Each event's item in a data file, as its bytes (one line each), by slug."""
    found = {}
    for line in path.read_bytes().split(b"\n"):
        text = line.strip().rstrip(b",")
        if text.startswith((b'{"slug"', b'{"unique_id"')):
            item = json.loads(text)
            found[item.get("slug") or item["unique_id"]] = text
    return found


def _cold(project: Project, tmp_path: Path, name: str = "cold") -> Path:
    cold = tmp_path / name
    result = project.build("--no-search", "--no-cache", "-q", "--out", str(cold))
    assert result.exit_code == 0, result.output
    return cold


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The slugs whose items are encoded from here on (timeline.json's and TimelineJS's)."""
    encoded: list[str] = []
    for name in ("_timeline_event", "_slide"):
        original = getattr(exports, name)

        def counting(*args: Any, original: Any = original) -> Any:
            encoded.append(args[-1].slug)
            return original(*args)

        monkeypatch.setattr(exports, name, counting)
    return encoded


# An edit, and the events whose items it changes in timeline.json and in timelinejs.json.
EDITS = {
    "body": ("events/e03.md", "Second, see", "Second, now see", {"e03"}, {"e03"}),
    # TimelineJS holds the HTML of the bodies linking to it too, which show its title
    "title": ("events/e04.md", 'title: "Event 4"', 'title: "Event four"', {"e04"},
              {"e03", "e04"}),
    # its item moves: the files are in timeline order
    "date": ("events/e05.md", "2001-06-15", "2003-09-01", {"e05"}, {"e05"}),
    # the first paragraph is its summary
    "summary": ("events/e06.md", "First paragraph of 6.", "A new first paragraph.", {"e06"},
                {"e06"}),
}  # fmt: skip


@pytest.mark.parametrize("kind", EDITS)
def test_a_one_edit_build_changes_only_the_edited_events_items(
    project: Project, tmp_path: Path, kind: str
) -> None:
    project.write(_files())
    assert project.build("--no-search", "-q").exit_code == 0
    before = {name: _items(project.site / name) for name in DATA}
    rel, old, new, *changed = EDITS[kind]
    _edit(project, rel, old, new)
    result = project.build("--no-search", "-v")
    assert result.exit_code == 0, result.output
    assert "404.html" not in result.output  # an update, not a cold build
    assert folder_differences(project.site, _cold(project, tmp_path)) == []
    for name, expected in zip(DATA, changed, strict=True):
        after = _items(project.site / name)
        assert after.keys() == before[name].keys()
        assert {slug for slug in after if after[slug] != before[name][slug]} == expected, name


def _builder(project: Project) -> Builder:
    builder = Builder(load_config(project.root)[0])
    builder.build()
    return builder


def _same_as_cold(project: Project, tmp_path: Path) -> None:
    assert folder_differences(project.site, _cold(project, tmp_path, "cold-builder")) == []


def test_an_update_encodes_only_the_items_whose_inputs_changed(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write(_files())
    builder = _builder(project)
    _edit(project, "events/e01.md", "Second, see", "Second, now see")
    builder.update()  # no layout yet (the build wrote the files whole): every item encoded
    _same_as_cold(project, tmp_path)
    encoded = _counted(monkeypatch)
    _edit(project, "events/e08.md", "Second, see", "Second, now see")
    result = builder.update()
    assert set(DATA) <= set(result.written)
    assert sorted(encoded) == ["e08", "e08"]  # once in each file
    _same_as_cold(project, tmp_path)


def test_an_update_that_changes_no_item_leaves_the_data_files_alone(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write({**_files(), "pages/about.md": "---\ntitle: About\n---\nAbout us.\n"})
    builder = _builder(project)
    inodes = {name: (project.site / name).stat().st_ino for name in DATA}
    # The data files hold no page. No layout yet (the build wrote the files whole): every
    # item encoded, the bytes found the same.
    _edit(project, "pages/about.md", "About us.", "About us, again.")
    result = builder.update()
    assert "about/index.html" in result.written and not set(DATA) & set(result.written)
    # With layouts: nothing encoded, nothing written.
    encoded = _counted(monkeypatch)
    _edit(project, "pages/about.md", "About us, again.", "About us, once more.")
    result = builder.update()
    assert "about/index.html" in result.written and not set(DATA) & set(result.written)
    assert encoded == []
    assert {name: (project.site / name).stat().st_ino for name in DATA} == inodes


def test_a_data_file_changed_since_its_layout_is_encoded_whole(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write(_files())
    builder = _builder(project)
    _edit(project, "events/e01.md", "Second, see", "Second, now see")
    builder.update()
    for name in DATA:  # the same bytes under another inode: the layout describes no file here
        path = project.site / name
        data = path.read_bytes()
        path.unlink()
        path.write_bytes(data.replace(b"Event 7", b"Event 9"))
    encoded = _counted(monkeypatch)
    _edit(project, "events/e02.md", "Second, see", "Second, now see")
    builder.update()
    assert len(encoded) == 2 * 12
    _same_as_cold(project, tmp_path)


@pytest.mark.parametrize("workers", [False, True], ids=["in-process", "workers"])
def test_a_cold_build_s_data_files_are_laid_out_item_by_item(
    project: Project, monkeypatch: pytest.MonkeyPatch, workers: bool
) -> None:
    """Where each item lies is noted as the file is written (by the workers of a large
    site): each span is its event's item, in the events' order, and the stamp the file's."""
    monkeypatch.setattr(build, "SMALL_SITE", 1 if workers else 10**6)
    project.write(_files())
    config = load_config(project.root)[0]
    builder = Builder(config, workers=2, keep=True)
    builder.build()
    builder.collector.unpack()  # the texts as the snapshot keeps them
    content, views = builder.collector.content, builder.views
    assert content is not None and views is not None
    events = content.index.events
    for kind, name in zip(exports.DATA_KINDS, DATA, strict=True):
        shape = exports.shape(kind, config, content.index, views, content.bodies,
                              content.markdown)  # fmt: skip
        layout = datapatch.placed(builder.placed[kind], shape, events)
        assert layout is not None
        path = project.site / name
        data, whole = path.read_bytes(), json.loads(path.read_bytes())
        assert [json.loads(data[at : at + length]) for at, length, _ in layout.items.values()] == (
            whole["events"])  # fmt: skip
        assert list(layout.items) == [e.slug for e in events]
        assert data[layout.tail :].startswith(b"\n ]") and data[: layout.head].endswith(b"[")
        assert layout.stamp == datapatch.stamp_of(path.stat())
        assert [inputs for _, _, inputs in layout.items.values()] == list(map(shape.inputs, events))


@pytest.mark.parametrize("workers", [False, True], ids=["in-process", "workers"])
def test_after_a_cold_build_one_edit_encodes_only_its_items_without_reading_the_files_back(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: bool
) -> None:
    """The cold build's snapshot holds the data files' layouts as its workers wrote them:
    the next build encodes only the edited event's items, though the data files could not
    be read between the two builds."""
    monkeypatch.setattr(build, "SMALL_SITE", 1 if workers else 10**6)
    project.write(_files())
    original = files.open_regular

    def refusing(path: Path | str, *args: Any, **kwargs: Any) -> int:
        if Path(path).name in DATA:
            raise PermissionError(13, "refused by the test", str(path))
        return original(path, *args, **kwargs)

    saving = snapshot.save

    def save_refusing(*args: Any, **kwargs: Any) -> None:
        with monkeypatch.context() as refused:
            refused.setattr(files, "open_regular", refusing)
            saving(*args, **kwargs)

    monkeypatch.setattr(snapshot, "save", save_refusing)
    assert project.build("--no-search", "--no-cache", "-q").exit_code == 0
    monkeypatch.setattr(snapshot, "save", saving)
    _edit(project, "events/e03.md", "Second, see", "Second, now see")
    encoded = _counted(monkeypatch)
    result = project.build("--no-search", "-v")
    assert result.exit_code == 0, result.output
    assert "404.html" not in result.output  # an update, not a cold build
    assert sorted(encoded) == ["e03", "e03"]  # once in each file
    monkeypatch.undo()
    assert folder_differences(project.site, _cold(project, tmp_path)) == []
