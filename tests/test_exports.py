"""The timeline as data: timeline.json, TimelineJS 3 JSON and CSV, built and exported."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.conftest import Project, event

FILES: dict[str, str | bytes] = {
    "timeline.toml": 'title = "Data"\nbase_url = "https://timeline.test/"\n',
    "events/2007-08-22-douri.md": event(
        "Al-Douri breaks with al-Qaeda", "2007-08~", body="He broke [@s].",
        extra="status: disputed\ngroup: Insurgency\ntags: [a, b]\nactors: [Al-Douri]\nrelated: [old]",
        sources="sources:\n  - id: s\n    title: AKI\n    url: https://example.org/aki\n    via: Al Hayat\n",
    ),
    "events/0499-old.md": event("An old event", "-0499"),
    "events/0000-older.md": event("Even older", "0000"),
    "events/2007-05-range.md": event("A range", "2007-05/2007-08"),
}  # fmt: skip


@pytest.fixture
def site(project: Project) -> Project:
    project.write(FILES).build()
    return project


def test_timeline_json_holds_every_event_with_dates_sources_and_relations(site: Project) -> None:
    data = json.loads((site.site / "timeline.json").read_text())
    assert data["schema"] == "timeline" and data["version"] == 1
    douri = next(e for e in data["events"] if e["slug"] == "douri")
    assert douri["date"] == {
        "edtf": "2007-08~", "display": "c. August 2007", "earliest": "2007-08-01",
        "latest": "2007-08-31", "precision": "month", "approximate": True, "uncertain": False,
    }  # fmt: skip
    assert douri["status"] == "disputed" and douri["group"] == "Insurgency"
    assert douri["tags"] == ["a", "b"] and douri["actors"] == ["Al-Douri"]
    assert douri["sources"][0]["title"] == "AKI" and douri["sources"][0]["via"] == "Al Hayat"
    assert douri["related"] == ["old"]
    old = next(e for e in data["events"] if e["slug"] == "old")
    assert old["referred_by"] == ["douri"]
    assert old["date"]["earliest"] == "-0499-01-01"
    assert douri["url"] == "https://timeline.test/events/douri/"
    assert [e["slug"] for e in data["events"]] == ["old", "older", "range", "douri"]


def test_timelinejs_json_maps_dates_honestly(site: Project) -> None:
    data = json.loads((site.site / "timelinejs.json").read_text())
    slides = {s["unique_id"]: s for s in data["events"]}
    douri = slides["douri"]
    assert douri["display_date"] == "c. August 2007"
    assert douri["start_date"]["year"] == 2007 and douri["start_date"]["month"] == 8
    assert douri["end_date"]["month"] == 8  # a month is a span, not a day
    assert douri["group"] == "Insurgency"
    assert douri["text"]["headline"] == "Al-Douri breaks with al-Qaeda"
    assert (
        "Disputed" in douri["text"]["text"] and "https://example.org/aki" in douri["text"]["text"]
    )
    # EDTF 0000 is 1 BCE and -0499 is 500 BCE; TimelineJS has no year 0 (-1 is 1 BCE).
    assert slides["older"]["start_date"]["year"] == -1
    assert slides["old"]["start_date"]["year"] == -500
    assert slides["old"]["display_date"] == "500 BCE"
    assert slides["range"]["end_date"]["month"] == 8
    assert [era["text"]["headline"] for era in data["eras"]] == ["500 BCE", "1 BCE", "2007"]


def test_export_command_writes_each_format(site: Project) -> None:
    result = site.run("export", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["slug"] for r in rows] == ["old", "older", "range", "douri"]
    assert rows[3]["display_date"] == "c. August 2007" and rows[3]["tags"] == "a; b"
    assert rows[3]["sources"] == "https://example.org/aki"
    exported = site.run("export", "--format", "json")
    assert exported.stdout == (site.site / "timeline.json").read_text()
    out = site.root / "tl.json"
    assert site.run("export", "--format", "timelinejs", "--out", str(out)).exit_code == 0
    assert out.read_text() == (site.site / "timelinejs.json").read_text()


def test_export_reports_content_errors_like_build(project: Project) -> None:
    project.write({"events/a.md": event(date="2007-13")})
    result = project.run("export", "--format", "json")
    assert result.exit_code == 1 and "events/a.md:3: date:" in result.stderr
