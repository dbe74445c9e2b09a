"""timeline import: TimelineJS JSON and its spreadsheet CSV become event files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, Project, assert_clean_exit, event, text_of

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
    assert "Imported 4 events into events/" in result.output
    assert "timeline.json.in: slide 4: not imported: its date cannot be read" in result.stderr
    assert (
        "timeline.json.in: slide 5: not imported: its date is not valid: '2007-13': month 13"
        in result.stderr
    )
    # A slide without a headline is titled from its text, and flagged.
    assert (
        "timeline.json.in: slide 6: warning: it has no headline; it is titled 'no headline' "
        "from its text: give it a title of its own" in result.stderr
    )
    names = sorted(p.name for p in (project.root / "events").iterdir())
    assert "2007-08-22-douri.md" in names and len(names) == 4
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


def test_import_never_overwrites_and_gives_a_taken_slug_a_number(project: Project) -> None:
    project.write({"events/2007-08-22-douri.md": event("Mine", "2007-08-22")})
    source = project.root / "in.json"
    source.write_text(json.dumps({"events": TIMELINEJS["events"][:1]}))
    result = project.run("import", str(source))
    assert result.exit_code == 0, result.output
    assert ("in.json: slide 1: warning: the slug 'douri' is taken by events/2007-08-22-douri.md;"
            " this event's slug is 'douri-2'") in result.stderr
    assert "slide 1: events/2007-08-22-douri-2.md" in result.stdout
    assert "Mine" in (project.root / "events" / "2007-08-22-douri.md").read_text()
    project.build()
    assert text_of(project.html("events/douri-2/"), "h1") == ["Al-Douri breaks with al-Qaeda"]


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


def _import(project: Project, name: str, content: str | bytes) -> Any:
    source = project.root.parent / name
    if isinstance(content, bytes):
        source.write_bytes(content)
    else:
        source.write_text(content, encoding="utf-8")
    result = project.run("import", str(source))
    assert_clean_exit(result)
    return result


@pytest.mark.parametrize(("name", "content", "message"), [
    ("list.json", "[1, 2]", "has no 'events' list, so it is not a TimelineJS JSON file"),
    ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("bad.json", "{\"events\": [", "is not JSON"),
    ("latin1.csv", "Year,Headline\n2007,Caf\xe9\n".encode("latin-1"),
     "latin1.csv:2: is not UTF-8 text (byte 0xe9); save it as UTF-8"),
    ("other.csv", "name,email\nA,a@example.org\n",
     "is not a TimelineJS spreadsheet: its first row has no 'Year' or 'Headline' column "
     "(it has 'name', 'email')"),
])  # fmt: skip
def test_a_file_that_is_not_timelinejs_is_a_usage_error(
    project: Project, name: str, content: str | bytes, message: str
) -> None:
    result = _import(project, name, content)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (project.root / "events").exists()


def test_slides_that_are_not_slides_are_named_and_the_rest_imported(project: Project) -> None:
    slides = [
        "a string", 42, None, {"start_date": "2007", "text": {"headline": "Date as text"}},
        {"start_date": {"year": 2007}, "text": "not an object"},
        {"start_date": {"year": 2007}, "text": {"headline": ["a", "list"]}},
        {"start_date": {"year": 2007, "month": {"x": 1}}, "text": {"headline": "Odd month"}},
        {"start_date": {"year": 2007}, "text": {"headline": "Fine"}, "media": "a string"},
    ]
    result = _import(project, "odd.json", json.dumps({"events": slides}))
    assert result.exit_code == 1
    for number in (1, 2, 3):
        assert f"odd.json: slide {number}: not imported: it is not a slide" in result.stderr
    assert "odd.json: slide 4: not imported: no start_date" in result.stderr
    assert "odd.json: slide 5: not imported: no headline or text (its 'text' is not an object)" in result.stderr
    assert "odd.json: slide 6: not imported: no headline (its 'headline' is not text)" in result.stderr
    assert "odd.json: slide 7: not imported: its date cannot be read" in result.stderr
    assert "Imported 1 event into events/" in result.stdout
    project.build()


def test_a_huge_cell_and_multi_line_cells_are_read(project: Project) -> None:
    long_text = "word " * 40_000  # 200 KB, over the csv module's default limit of 128 KB
    sheet = f'Year,Headline,Text\n2007,Long,"{long_text}"\n2006,Lines,"one\ntwo\n\nthree"\n'
    result = _import(project, "big.csv", sheet)
    assert result.exit_code == 0, result.stderr
    assert "row 2: events/2007-long.md" in result.stdout
    assert "row 3: events/2006-lines.md" in result.stdout
    project.build()
    assert "three" in project.html("events/lines/").get_text()


def test_unsafe_links_and_timeline_syntax_become_plain_text_with_warnings(
    project: Project,
) -> None:
    slide = {
        "start_date": {"year": 2007, "month": 8, "day": 22},
        "text": {"headline": "Links", "text":
                 "<p>See [[nowhere]] and [@nobody], <a href='javascript:alert(1)'>this</a>, "
                 "<a href='page.html'>that</a> and <a href='https://example.org/a b'>ok</a>."
                 " 5 * 3 = 15 and a_b_c.</p>"
                 "<h3>Sources</h3><ol><li><a href='javascript:x()'>Bad source</a></li></ol>"},
        "media": {"url": "https://example.org/my photo.jpg", "caption": "A photo"},
    }  # fmt: skip
    result = _import(project, "links.json", json.dumps({"events": [slide]}))
    assert result.exit_code == 0, result.stderr
    for warning in ("a link to 'javascript:alert(1)' is not an http(s) or mailto: URL",
                    "a link to 'page.html' is not an http(s) or mailto: URL",
                    "the source 'Bad source' links to 'javascript:x()', which is not an "
                    "http(s) URL", "its media URL 'https://example.org/my photo.jpg' held "
                    "spaces"):  # fmt: skip
        assert f"links.json: slide 1: warning: {warning}" in result.stderr
    check = project.run("check", "--strict")
    assert check.exit_code == 0, check.output
    project.build()
    soup = project.html("events/links/")
    body = " ".join(soup.select_one(".event-body").get_text().split())  # type: ignore[union-attr]
    assert "See [[nowhere]] and [@nobody], this, that and ok. 5 * 3 = 15 and a_b_c." in body
    assert [a["href"] for a in soup.select(".event-body a")] == ["https://example.org/a%20b"]
    assert soup.select_one(".event-image img")["src"] == "https://example.org/my%20photo.jpg"  # type: ignore[index]
    assert text_of(soup, ".sources li")[0].startswith("Bad source")
    assert soup.select(".sources li a[href^=javascript]") == []


def test_lone_surrogates_are_replaced_with_a_warning(project: Project) -> None:
    text = '{"events": [{"start_date": {"year": 2007}, "text": {"headline": "Bad \\ud800 text"}}]}'
    result = _import(project, "surrogates.json", text)
    assert result.exit_code == 0, result.stderr
    assert "characters that are not text" in result.stderr
    project.build()
    assert text_of(project.html("events/bad-text/"), "h1") == ["Bad \ufffd text"]


def test_a_title_whose_number_reads_as_a_day_keeps_its_slug(project: Project) -> None:
    slides = [{"start_date": {"year": 2007, "month": 8}, "text": {"headline": "12 killed"}},
              {"start_date": {"year": 2007, "month": 8}, "text": {"headline": "Killed"}}]
    result = _import(project, "days.json", json.dumps({"events": slides}))
    assert result.exit_code == 0, result.stderr
    project.build()
    assert text_of(project.html("events/12-killed/"), "h1") == ["12 killed"]
    assert text_of(project.html("events/killed/"), "h1") == ["Killed"]


def test_an_import_that_cannot_write_every_file_writes_none(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from timeline import files

    real = files.create_whole
    calls = {"n": 0}

    def failing(path: Path, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(files, "create_whole", failing)
    slides = [{"start_date": {"year": 2000 + n}, "text": {"headline": f"Event {n}"}}
              for n in range(5)]  # fmt: skip
    result = _import(project, "five.json", json.dumps({"events": slides}))
    assert result.exit_code == 2
    assert "No space left on device; nothing was imported (5 files to be written)" \
        in result.stderr
    assert list((project.root / "events").iterdir()) == []


def test_a_dangling_link_where_an_import_writes_is_never_followed(
    project: Project, tmp_path: Path
) -> None:
    (project.root / "events").mkdir()
    target = tmp_path / "planted.md"
    os.symlink(target, project.root / "events" / "2007-douri.md")
    slide = {"start_date": {"year": 2007}, "text": {"headline": "Douri"}}
    result = _import(project, "one.json", json.dumps({"events": [slide]}))
    assert result.exit_code == 0, result.stderr
    assert not target.exists()
    assert (project.root / "events" / "2007-douri-2.md").is_file()
