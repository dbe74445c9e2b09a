"""A large timeline's whole-timeline data in scripts of their own (issue 19.5: no page over
2 MB at 100,000 events, where the index, story/ and embed/ each held 10-14 MB).

Over 500 events (when the index lists years only), the chart of every event and the story's
filters are written once, to ``overview-data.js`` and ``story-data.js``, which the three
pages load (a browser fetches them once for all three) with a digest in the URL, so that a
browser that kept the last ones asks for the new ones. A smaller timeline keeps its data in
the page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.conftest import Project, event, folder_differences, static_server
from timeline.build import Builder
from timeline.config import load_config
from timeline.site.render import shared_script

COUNT = 520
TAGS = ["Diyala", "Anbar", "Baghdad"]


def _events(count: int = COUNT) -> dict[str, str | bytes]:
    return {
        f"events/e{n:03d}.md": event(
            f"Event {n}", f"{2000 + n // 50}-{1 + n % 12:02d}-{1 + n % 28:02d}",
            extra=f"tags: [{TAGS[n % 3]}]",
        )
        for n in range(count)
    }  # fmt: skip


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = Project(tmp_path_factory.mktemp("shared"))
    project.write(_events())
    result = project.run("build", "--no-search")
    assert result.exit_code == 0, result.output
    return project


def _loaded(text: str, name: str) -> object:
    """The value a shared script gives its global (``window.NAME = ...;``)."""
    prefix = f"window.{name} = "
    assert text.startswith(prefix) and text.endswith(";\n"), text[:80]
    return json.loads(text[len(prefix) : -2])


def _src(page_text: str, file: str) -> str:
    found = re.findall(rf'<script src="(?:\.\./)*({re.escape(file)}\?v=[0-9a-f]+)"', page_text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("rel", ["", "story/", "embed/"])
def test_the_pages_load_the_whole_timeline_s_data_instead_of_holding_it(
    large: Project, rel: str
) -> None:  # fmt: skip
    page = large.html(rel)
    assert page.select("script[type='application/json']") == []  # no data in the page
    text = (large.site / rel / "index.html").read_text(encoding="utf-8")
    _src(text, "overview-data.js")
    if rel:
        _src(text, "story-data.js")
    assert len(text) < 100_000  # against 1 MB of data per 10,000 events before


def test_the_shared_scripts_hold_every_event(large: Project) -> None:
    chart = _loaded((large.site / "overview-data.js").read_text(encoding="utf-8"),
                    "timelineOverview")  # fmt: skip
    assert isinstance(chart, dict)
    assert sorted(row[0] for row in chart["events"]) == [f"e{n:03d}" for n in range(COUNT)]
    story = _loaded((large.site / "story-data.js").read_text(encoding="utf-8"), "timelineStory")
    assert isinstance(story, dict)
    assert len(story["events"]) == COUNT
    assert sorted(name for _, name in story["tag"]) == sorted(TAGS)


def test_a_small_timeline_keeps_its_data_in_the_page(project: Project) -> None:
    project.write(_events(30))
    assert project.run("build", "--no-search").exit_code == 0
    assert project.html("").select_one("script.chart-data[type='application/json']")
    assert project.html("story/").select_one("script#story-data[type='application/json']")
    assert not (project.site / "overview-data.js").exists()
    assert not (project.site / "story-data.js").exists()


def test_serve_rewrites_the_shared_data_only_when_it_changes(
    project: Project, tmp_path: Path
) -> None:  # fmt: skip
    project.write(_events())
    builder = Builder(load_config(project.root)[0])
    builder.build()
    index = (project.site / "index.html").read_text(encoding="utf-8")
    body = project.root / "events/e007.md"
    body.write_text(body.read_text().replace("Something happened.", "Something else."))
    assert not {"overview-data.js", "story-data.js", "index.html"} & set(builder.update().written)
    body.write_text(body.read_text().replace('"Event 7"', '"Event seven"'))
    written = set(builder.update().written)
    assert {"overview-data.js", "index.html", "story/index.html", "embed/index.html"} <= written
    assert "Event seven" in (project.site / "overview-data.js").read_text(encoding="utf-8")
    after = (project.site / "index.html").read_text(encoding="utf-8")
    assert _src(after, "overview-data.js") != _src(index, "overview-data.js")  # a new digest
    cold = tmp_path / "cold"
    Builder(load_config(project.root)[0].with_overrides(output_dir=str(cold))).build()
    assert folder_differences(project.site, cold) == []


def test_serve_makes_the_scripts_an_open_index_loads_with_it(project: Project) -> None:
    """The index open in a browser is made first and reloaded while the rest is made: the
    script holding its chart's data is made with it, or the page would wait for it."""
    project.write(_events())
    builder = Builder(load_config(project.root)[0], remember=True)
    builder.build()
    path = project.root / "events/e007.md"
    path.write_text(path.read_text().replace('"Event 7"', '"Event seven"'))
    pending: list[frozenset[str]] = []
    result = builder.update(first={"index.html"}, ready=pending.append)
    assert {"index.html", "overview-data.js"} <= set(result.written)
    assert len(pending) == 1 and not {"index.html", "overview-data.js"} & pending[0]
    assert "story/index.html" in pending[0]  # the rest waits as before


def test_a_tag_edit_rewrites_the_story_s_names(project: Project, tmp_path: Path) -> None:
    project.write(_events())
    builder = Builder(load_config(project.root)[0])
    builder.build()
    path = project.root / "events/e010.md"
    path.write_text(path.read_text().replace("tags: [Anbar]", "tags: [Anbar, Basra]"))
    assert "story-data.js" in builder.update().written
    story = _loaded((project.site / "story-data.js").read_text(encoding="utf-8"), "timelineStory")
    assert isinstance(story, dict) and "Basra" in [name for _, name in story["tag"]]
    cold = tmp_path / "cold"
    Builder(load_config(project.root)[0].with_overrides(output_dir=str(cold))).build()
    assert folder_differences(project.site, cold) == []


def test_the_one_edit_build_of_a_large_timeline_is_a_cold_build(
    project: Project, tmp_path: Path
) -> None:  # fmt: skip
    project.write(_events())
    for _ in range(2):  # the second leaves the spare the one-edit build starts from
        assert project.run("build", "--no-search", "--no-cache", "-q").exit_code == 0
    path = project.root / "events/e020.md"
    path.write_text(path.read_text().replace('"Event 20"', '"Event twenty"'))
    result = project.run("build", "--no-search", "-v")
    assert result.exit_code == 0, result.output
    assert "404.html" not in result.output  # not a cold build: only what the edit changed
    assert "Event twenty" in (project.site / "overview-data.js").read_text(encoding="utf-8")
    cold = tmp_path / "cold"
    assert project.run("build", "--no-search", "--no-cache", "-q", "--out", str(cold)).exit_code == 0
    assert folder_differences(project.site, cold) == []


# In Chromium ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(large: Project) -> Iterator[str]:
    with static_server(large.site) as url:
        yield url


def _errors_of(page: object) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))  # type: ignore[attr-defined]
    return errors


def test_the_index_s_chart_reads_the_shared_script(browser: Browser, served: str) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors = _errors_of(page)
    page.goto(served)
    page.wait_for_selector("figure.chart.chart-live")
    assert page.evaluate("document.querySelector('figure.chart').chart.events.length") == COUNT
    page.close()
    assert errors == []


def test_the_story_filters_by_the_shared_names(browser: Browser, served: str) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors = _errors_of(page)
    page.goto(served + "story/?tag=anbar")
    page.wait_for_selector(".story-live")
    count = sum(1 for n in range(COUNT) if TAGS[n % 3] == "Anbar")
    assert page.locator("#story-scope").inner_text().startswith(f"{count} of {COUNT} events")
    page.close()
    assert errors == []


def test_the_chart_works_from_disk(browser: Browser, large: Project) -> None:
    """Opened as files (an offline copy, or a site saved to disk), the scripts still load."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors = _errors_of(page)
    page.goto((large.site / "index.html").as_uri())
    page.wait_for_selector("figure.chart.chart-live")
    page.close()
    assert errors == []


def test_without_the_shared_script_the_chart_stays_as_drawn(
    browser: Browser, served: str
) -> None:  # fmt: skip
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors = _errors_of(page)
    page.route("**/overview-data.js*", lambda route: route.abort())
    page.goto(served)
    page.wait_for_load_state("load")
    assert page.locator("figure.chart.chart-static").count() == 1  # Python's drawing
    assert page.locator("figure.chart.chart-live").count() == 0
    page.close()
    assert errors == []


def test_line_separators_in_a_title_are_escaped_for_older_browsers() -> None:
    """Scripts before ECMAScript 2019 refuse U+2028 and U+2029 inside strings: one title
    holding either would stop the chart and the story of the whole site there."""
    data = json.dumps({"events": [["a", "One\u2028two\u2029three"]]}, ensure_ascii=False)
    text = shared_script("overview", data)
    assert "\u2028" not in text and "\u2029" not in text
    assert _loaded(text, "timelineOverview") == json.loads(data)
