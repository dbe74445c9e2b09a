"""Import keeps what it is given: Timeline's own exports come back whole, and TimelineJS's
own template files import every slide, with a warning for each thing not kept."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, Project, assert_clean_exit, text_of

TEMPLATES = (
    REPO / "tests" / "js" / "node_modules" / "@knight-lab" / "timelinejs" / "src" / "template"
)


def _events(project: Project) -> list[dict[str, Any]]:
    result = project.run("export", "--format", "json")
    assert result.exit_code == 0, result.output
    events: list[dict[str, Any]] = json.loads(result.stdout)["events"]
    return events


def _sample(tmp_path: Path) -> Project:
    root = tmp_path / "sample"
    shutil.copytree(REPO / "events", root / "events")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return Project(root)


def _import(project: Project, source: Path) -> Any:
    result = project.run("import", str(source))
    assert_clean_exit(result)
    return result


@pytest.mark.parametrize("kind", ["timelinejs", "json"])
def test_the_sample_comes_back_whole_through_export_and_import(tmp_path: Path, kind: str) -> None:
    """Titles, dates (precision and qualifiers), statuses, groups, tags, sources, relations
    and text: timeline.json of the imported copy is the sample's (but for the names of the
    files of intervals, which ``timeline new`` gives no date prefix)."""
    sample = _sample(tmp_path)
    exported = tmp_path / f"export.{kind}.json"
    assert sample.run("export", "--format", kind, "--out", str(exported)).exit_code == 0
    copy = Project(tmp_path / "copy")
    copy.write({"pyproject.toml": (REPO / "pyproject.toml").read_text()})
    result = _import(copy, exported)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # not one warning
    check = copy.run("check", "--strict")
    assert check.exit_code == 0, check.output
    assert "OK: 18 events, no errors" in check.output
    ours, theirs = _events(sample), _events(copy)
    assert all(e.pop("file").endswith(f"{e['slug']}.md") for e in theirs)
    assert [{k: v for k, v in e.items() if k != "file"} for e in ours] == theirs


def test_a_slide_edited_after_export_is_read_from_what_timelinejs_shows(tmp_path: Path) -> None:
    sample = _sample(tmp_path)
    data = json.loads(sample.run("export", "--format", "timelinejs").stdout)
    slide = next(s for s in data["events"] if s["unique_id"] == "douri-severs-ties")
    slide["text"]["headline"] = "Edited in TimelineJS"
    slide["text"]["text"] = "<p><strong>Disputed</strong></p><p>New <em>text</em>.</p>"
    source = tmp_path / "edited.json"
    source.write_text(json.dumps(data))
    copy = Project(tmp_path / "copy")
    copy.root.mkdir()
    result = _import(copy, source)
    assert result.exit_code == 0, result.output
    assert "slide 16: warning: it was changed after `timeline export`" in result.stderr
    page = copy.root / "events" / "2007-08-22-douri-severs-ties.md"
    meta = yaml.safe_load(page.read_text().split("---\n")[1])
    assert meta["title"] == "Edited in TimelineJS" and meta["status"] == "disputed"
    assert meta["tags"] == ["al-Douri's reported turn", "Ba'ath Party"]  # kept
    assert page.read_text().rstrip().endswith("New *text*.")


def test_citations_come_back_as_citations_from_slide_html(project: Project) -> None:
    """A TimelineJS file without Timeline's record (another tool wrote it, say): the
    numbered citations are citations of the listed sources, not links to an event "1"."""
    text = ('<p><strong>Reported</strong></p><p>Said so <sup class="citation"><a '
            'href="https://e.org/events/x/#source-1">[1]</a></sup>.</p><h3>Sources</h3><ol>'
            '<li><a href="https://e.org/aki">AKI wire</a>, AKI, 22 August 2007</li></ol>')  # fmt: skip
    slide = {"start_date": {"year": 2007, "month": 8}, "end_date": {"year": 2007, "month": 8,
             "day": 31}, "text": {"headline": "Cited", "text": text}}  # fmt: skip
    source = project.root.parent / "cited.json"
    source.write_text(json.dumps({"events": [slide]}))
    assert _import(project, source).exit_code == 0
    assert project.run("check", "--strict").exit_code == 0
    project.build()
    soup = project.html("events/cited/")
    assert [a["href"] for a in soup.select(".event-body sup.citation a")] == ["#source-1"]
    assert text_of(soup, ".event-header .date") == ["August 2007"]  # a month, not a span


needs_templates = pytest.mark.skipif(
    not TEMPLATES.exists(), reason="TimelineJS is not installed (npm ci --prefix tests/js)"
)


@needs_templates
@pytest.mark.parametrize(("name", "count"), [
    ("cosmo.json", 7), ("cosmo-mixed.json", 11), ("eras.json", 23),
    ("all-media-types.json", 41), ("my-own-timeline.csv", 10),
])  # fmt: skip
def test_every_slide_of_timelinejss_own_templates_is_imported(
    project: Project, name: str, count: int
) -> None:
    result = _import(project, TEMPLATES / name)
    assert result.exit_code == 0, result.stderr
    assert f"Imported {count} events into events/" in result.stdout
    check = project.run("check")
    assert check.exit_code == 0, check.output
    for file in (project.root / "events").iterdir():
        meta = yaml.safe_load(file.read_text().split("---\n")[1])
        image = meta.get("image") or {}
        assert "<" not in image.get("alt", ""), file.name  # alt text never holds HTML


@needs_templates
def test_deep_time_media_backgrounds_eras_and_embed_code(project: Project) -> None:
    result = _import(project, TEMPLATES / "cosmo.json")
    assert "slide 1: warning: its media" not in result.stderr  # a page: kept as its media
    assert "slide 1: warning: its background colour '#F45B69' is not kept" in result.stderr
    assert "slide 2: warning: its background image is the event's image" in result.stderr
    project.build()
    bang = project.html("events/the-big-bang/")
    assert text_of(bang, ".event-header .date") == ["13800000000 BCE"]
    card = bang.select_one("figure.event-media.media-page")
    assert card is not None and card.select_one(".media-what").get_text() == "Page on Wikipedia"
    assert [a["href"] for a in card.select("a")] == ["https://en.wikipedia.org/wiki/Big_Bang"]
    assert bang.select(".event-image img") == []  # a web page is never an <img>

    eras = Project(project.root.parent / "eras")
    eras.root.mkdir()
    assert (
        "slide 21: warning: it is an era: imported as an event over its dates, tagged 'era'"
        in _import(eras, TEMPLATES / "eras.json").stderr
    )
    media = Project(project.root.parent / "media")
    media.root.mkdir()
    result = _import(media, TEMPLATES / "all-media-types.json")
    assert (
        "slide 9: warning: its media is embed code (<blockquote>), which Timeline does not "
        "run; its media is the page it links to, https://twitter.com/" in result.stderr
    )
    assert (
        "slide 31: warning: its media is embed code (<iframe>), which Timeline does not run"
        in result.stderr
    )


def test_times_locations_links_and_headline_less_slides(project: Project) -> None:
    slides = [
        {"start_date": {"year": 2007, "month": 8, "day": 22, "hour": 10, "minute": 30},
         "text": {"headline": "A statement"}, "location": {"name": "Baghdad", "lat": 33.3,
         "lon": 44.4}, "media": {"url": "https://e.org/p.jpg", "caption": "<em>A</em> photo",
         "link": "https://e.org/photo-page"}},
        {"start_date": {"year": 2007}, "text": {"text": "<p>Only text. And more.</p>"}},
        {"start_date": {"year": 2006}},
    ]  # fmt: skip
    source = project.root.parent / "misc.json"
    source.write_text(json.dumps({"events": slides}))
    result = _import(project, source)
    assert result.exit_code == 0, result.stderr
    assert "slide 1: warning: its location's coordinates (33.3, 44.4) are not kept" in result.stderr
    assert (
        "slide 2: warning: it has no headline; it is titled 'Only text.' from its text"
        in result.stderr
    )
    assert (
        "slide 3: warning: it has no headline; it is titled '2006' from its date" in result.stderr
    )
    project.build()
    statement = project.html("events/a-statement/")
    assert text_of(statement, ".event-header .date") == ["22 August 2007, 10:30"]
    assert statement.select_one(".event-image img")["alt"] == "A photo"  # type: ignore[index]
    assert "https://e.org/photo-page" in [a["href"] for a in statement.select(".event-body a")]
    assert "Baghdad" in text_of(statement, "a")


def test_json_whose_events_are_not_slides_is_refused(project: Project) -> None:
    source = project.root.parent / "other.json"
    source.write_text(json.dumps({"events": [{"name": "x"}, {"name": "y"}]}))
    result = _import(project, source)
    assert result.exit_code == 2
    assert (
        "is not a TimelineJS JSON file: none of its 2 events has a start_date or text"
        in result.stderr
    )
    assert not (project.root / "events").exists()
