"""timeline import: TimelineJS JSON and its spreadsheet CSV become event files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import REPO, Project, event, text_of

TIMELINEJS = {
    "title": {"text": {"headline": "Imported"}},
    "events": [
        {"start_date": {"year": "2007", "month": "8", "day": "22"},
         "text": {"headline": "Al-Douri <b>breaks</b> with al-Qaeda",
                  "text": "<p>He <em>reportedly</em> broke with them, says <a href='https://example.org/aki'>AKI</a>.</p>"},
         "group": "Insurgency", "unique_id": "douri",
         "media": {"url": "https://example.org/douri.jpg", "caption": "Al-Douri", "credit": "BBC"}},
        {"start_date": {"year": 2007, "month": 5}, "end_date": {"year": 2007, "month": 8},
         "display_date": "c. May – c. August 2007", "text": {"headline": "Joint operations"}},
        {"start_date": {"year": -500}, "text": {"headline": "An old event"}},
        {"start_date": {"month": 3}, "text": {"headline": "No year"}},
        {"start_date": {"year": 2007, "month": 13}, "text": {"headline": "Month 13"}},
        {"start_date": {"year": 2007}, "text": {"text": "no headline"}},
    ],
}  # fmt: skip


def test_timelinejs_json_becomes_event_files_and_bad_slides_are_named(project: Project) -> None:
    source = project.root / "timeline.json.in"
    source.write_text(json.dumps(TIMELINEJS))
    result = project.run("import", str(source))
    assert result.exit_code == 1
    assert "Imported 3 events into events/" in result.output
    assert "timeline.json.in: slide 4: not imported: its date cannot be read" in result.stderr
    assert (
        "timeline.json.in: slide 5: not imported: its date is not valid: '2007-13': month 13"
        in result.stderr
    )
    assert "timeline.json.in: slide 6: not imported: no headline" in result.stderr
    names = sorted(p.name for p in (project.root / "events").iterdir())
    assert names == [
        "-0499-an-old-event.md",
        "2007-05-joint-operations.md",
        "2007-08-22-douri.md",
    ] or ("2007-08-22-douri.md" in names and len(names) == 3)
    project.build()
    soup = project.html("events/douri/")
    assert text_of(soup, "h1") == ["Al-Douri breaks with al-Qaeda"]
    assert soup.select_one(".event-body a")["href"] == "https://example.org/aki"  # type: ignore[index]
    assert soup.select_one(".event-image img")["alt"] == "Al-Douri"  # type: ignore[index]
    joint = project.html("events/joint-operations/")
    assert text_of(joint, ".event-header .date") == ["c. May 2007 – c. August 2007"]
    assert text_of(project.html("events/an-old-event/"), ".event-header .date") == ["500 BCE"]


def test_the_spreadsheet_template_as_csv(project: Project) -> None:
    csv_text = (
        "Year,Month,Day,Time,End Year,End Month,End Day,End Time,Display Date,Headline,Text,"
        "Media,Media Credit,Media Caption,Media Thumbnail,Type,Group,Background\n"
        ",,,,,,,,,A title slide,Intro,,,,,title,,\n"
        "2007,8,18,,,,,,,Interpol notice,<p>Red notice.</p>,,,,,,International,\n"
        "2007,,,,,,,,2007?,Unsure,,,,,,,,\n"
        "abc,,,,,,,,,Bad year,,,,,,,,\n"
    )
    source = project.root / "sheet.csv"
    source.write_text(csv_text)
    result = project.run("import", str(source))
    assert "sheet.csv: row 5: not imported: its date cannot be read" in result.stderr
    assert "Imported 2 events" in result.output
    assert (project.root / "events" / "2007-08-18-interpol-notice.md").is_file()
    assert "date: 2007?" in (project.root / "events" / "2007-unsure.md").read_text()


def test_import_never_overwrites(project: Project) -> None:
    project.write({"events/2007-08-22-douri.md": event("Mine", "2007-08-22")})
    source = project.root / "in.json"
    source.write_text(json.dumps({"events": TIMELINEJS["events"][:1]}))
    result = project.run("import", str(source))
    assert "in.json: slide 1: 2007-08-22-douri.md already exists; not overwritten" in result.stderr
    assert "Mine" in (project.root / "events" / "2007-08-22-douri.md").read_text()


def _exported_and_imported(project: Project, tmp_path: Path) -> tuple[str, Project]:
    """The project's timelinejs.json, and a new project it was imported into."""
    exported = project.run("export", "--format", "timelinejs").stdout
    source = tmp_path / "exported.json"
    source.write_text(exported)
    copy = Project(tmp_path / "copy")
    copy.root.mkdir()
    assert copy.run("import", str(source)).exit_code == 0
    return exported, copy


def test_export_import_export_is_stable(project: Project, tmp_path: Path) -> None:
    project.write({
        "events/2007-08-22-douri.md": event(
            "Al-Douri breaks with al-Qaeda", "2007-08-22",
            body="He *reportedly* broke with them, says [AKI](https://example.org/aki).",
            extra="status: disputed\ngroup: Insurgency",
            sources="sources:\n  - title: AKI wire\n    url: https://example.org/aki\n",
        ),
        "events/2007-05-joint.md": event("Joint operations", "2007-05~/2007-08~"),
        "events/0499-old.md": event("An old event", "-0499", extra="status: confirmed"),
        "events/2007-uncertain.md": event("Unsure", "2007?"),
    })  # fmt: skip
    first, copy = _exported_and_imported(project, tmp_path)
    second = copy.run("export", "--format", "timelinejs").stdout
    # The title slide comes from the config, which an import does not write.
    assert json.loads(second)["events"] == json.loads(first)["events"]


def _front_matter(path: Path) -> dict[str, Any]:
    meta: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
    return meta


def test_markup_characters_come_back_as_the_text_they_were(
    project: Project, tmp_path: Path
) -> None:
    # timelinejs.json holds them escaped (TimelineJS reads those fields as HTML, the group
    # twice); the import reads them back as text.
    literal = "Q&A <b> \"x\" 'y' &amp;"
    image = {"src": "https://example.org/a.png", "alt": literal, "caption": literal,
             "credit": literal}  # fmt: skip
    meta = {"title": literal, "date": "2007-08-22", "group": literal, "image": image,
            "sources": [{"title": literal, "url": "https://example.org/s"}]}  # fmt: skip
    project.write({"events/2007-08-22-qa.md": f"---\n{yaml.safe_dump(meta)}---\n\nText.\n"})
    first, copy = _exported_and_imported(project, tmp_path)
    meta = _front_matter(copy.root / "events" / "2007-08-22-qa.md")
    assert meta["title"] == meta["group"] == literal
    assert meta["image"] == image and meta["sources"][0]["title"] == literal
    second = copy.run("export", "--format", "timelinejs").stdout
    assert json.loads(second)["events"] == json.loads(first)["events"]


def test_the_sample_keeps_its_titles_through_export_and_import(tmp_path: Path) -> None:
    sample = Project(REPO)
    _, copy = _exported_and_imported(sample, tmp_path)
    events = json.loads(sample.run("export", "--format", "json").stdout)["events"]
    assert any("'" in e["title"] for e in events)  # "Ba'ath": &#x27; in timelinejs.json
    back = [_front_matter(path) for path in (copy.root / "events").iterdir()]
    assert sorted((m["title"], m.get("group")) for m in back) == sorted(
        (e["title"], e["group"]) for e in events
    )
