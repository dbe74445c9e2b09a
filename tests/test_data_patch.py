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


def _shape_of(project: Project, kind: str) -> tuple[exports.Shape, Builder]:
    config = load_config(project.root)[0]
    builder = Builder(config)
    content = builder.collect()
    renderer = builder._renderer(content)
    shape = exports.shape(kind, config, content.index, renderer.views, content.bodies,
                          content.markdown)  # fmt: skip
    return shape, builder


@pytest.mark.parametrize("kind", exports.DATA_KINDS)
def test_a_cold_build_s_data_file_is_described_item_by_item(project: Project, kind: str) -> None:
    project.write(_files())
    assert project.build("--no-search", "-q").exit_code == 0
    name = "timeline.json" if kind == "json" else "timelinejs.json"
    path = project.site / name
    shape, builder = _shape_of(project, kind)
    assert builder.collector.content is not None
    events = builder.collector.content.index.events
    layout = datapatch.describe(path, shape, events)
    assert layout is not None
    data, whole = path.read_bytes(), json.loads(path.read_bytes())
    assert [json.loads(data[at : at + length]) for at, length, _ in layout.items.values()] == (
        whole["events"])  # fmt: skip
    assert list(layout.items) == [e.slug for e in events]
    # Anything else than one item per event, in order, framed as the shape frames them:
    # no layout (the update then encodes every item).
    swapped = data.replace(f'{{"{shape.first}": "e03"'.encode(), f'{{"{shape.first}": "eX"'.encode())
    for damaged in (data[:-2], data.replace(b"{\n", b"{ \n", 1), swapped, data + b"\n"):
        path.write_bytes(damaged)
        assert datapatch.describe(path, shape, events) is None
