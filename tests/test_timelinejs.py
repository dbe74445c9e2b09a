"""timelinejs.json in the real TimelineJS (npm @knight-lab/timelinejs, tests only), in Chromium."""

from __future__ import annotations

import contextlib
import html
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, Route

from tests.conftest import REPO, Project, static_server

TLJS = REPO / "tests" / "js" / "node_modules" / "@knight-lab" / "timelinejs" / "dist"

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Embed</title>
<link rel="stylesheet" href="tljs/css/timeline.css"></head>
<body><div id="embed" style="width: 1000px; height: 600px"></div>
<script src="tljs/js/timeline.js"></script>
<script>
  window.timeline = new TL.Timeline("embed", "DATA",
    {hash_bookmark: false, font: null, ga_measurement_id: null});
</script></body></html>"""


@dataclass
class Embed:
    """A page showing a timelinejs.json in TimelineJS, and what went wrong in it."""

    page: Page
    errors: list[str] = field(default_factory=list)  # uncaught exceptions
    dialogs: list[str] = field(default_factory=list)  # alert, confirm and prompt messages

    def visit_every_slide(self) -> int:
        """Go to each slide in turn, the title slide first, as a reader paging through (each
        slide loads its media when it is shown); returns how many slides there are."""
        count: int = self.page.evaluate(
            "window.timeline.config.events.length + (window.timeline.config.title ? 1 : 0)"
        )
        for n in range(count):
            self.page.evaluate("n => window.timeline.goTo(n)", n)
        return count

    def texts(self, selector: str) -> list[str]:
        """The text of every element matching ``selector``, stripped."""
        texts: list[str] = self.page.eval_on_selector_all(
            selector, "nodes => nodes.map(n => n.textContent.trim())"
        )
        return texts


@contextlib.contextmanager
def timelinejs(browser: Browser, folder: Path, data: str, init_script: str = "") -> Iterator[Embed]:
    """``folder``/``data`` in TimelineJS, served from ``folder`` (TimelineJS is copied in);
    requests to any other host fail, as offline, and dialogs are recorded and dismissed."""
    if not TLJS.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("TimelineJS is missing: npm ci --prefix tests/js")
        pytest.skip("TimelineJS is not installed (npm ci --prefix tests/js)")
    shutil.copytree(TLJS, folder / "tljs")
    (folder / "embed.html").write_text(PAGE.replace("DATA", data))
    with static_server(folder) as url:
        embed = Embed(browser.new_page())

        def dialog(d: Dialog) -> None:
            embed.dialogs.append(d.message)
            d.dismiss()

        def route(r: Route) -> None:
            if r.request.url.startswith(url):
                r.continue_()
            else:
                r.abort()

        if init_script:
            embed.page.add_init_script(init_script)
        embed.page.on("pageerror", lambda exc: embed.errors.append(str(exc)))
        embed.page.on("dialog", dialog)
        embed.page.route("**/*", route)
        try:
            embed.page.goto(f"{url}embed.html")
            embed.page.wait_for_function("window.timeline && window.timeline.ready",
                                         timeout=20_000)  # fmt: skip
            yield embed
        finally:
            embed.page.close()


def test_every_event_is_a_slide_in_timelinejs(browser: Browser, tmp_path: Path) -> None:
    assert Project(REPO).run("build", "--no-cache", "--no-search", "--out",
                             str(tmp_path / "site")).exit_code == 0  # fmt: skip
    # Headlines are HTML to TimelineJS: the JSON holds them escaped ("Ba&#x27;ath").
    expected = [html.unescape(e["text"]["headline"]) for e in
                json.loads((tmp_path / "site" / "timelinejs.json").read_text())["events"]]  # fmt: skip
    with timelinejs(browser, tmp_path, "site/timelinejs.json") as embed:
        headlines = embed.texts(".tl-slide .tl-headline")
        markers = embed.page.locator(".tl-timemarker").count()
    assert embed.errors == []
    assert markers == len(expected) == 18
    for headline in expected:
        assert headline in headlines


def _day(data: dict[str, object]) -> str:
    """A TimelineJS date's day as ISO text (its year counted as historians do)."""
    year = int(str(data["year"]))
    year = year + 1 if year < 0 else year  # EDTF's year 0 is 1 BCE
    sign = "-" if year < 0 else ""
    return f"{sign}{abs(year):04d}-{int(str(data.get('month') or 1)):02d}-{int(str(data.get('day') or 1)):02d}"


@pytest.mark.parametrize("site", ["sample", "corners"])
def test_each_event_spans_its_earliest_to_its_latest_day_in_timelinejs(
    browser: Browser, tmp_path: Path, site: str
) -> None:
    """Months, seasons, years, decades and intervals are drawn from their first possible
    day to their last in TimelineJS itself, not as a point at their start."""
    from tests.test_golden import CORNERS  # every kind of date, with seasons and decades

    project = Project(REPO)
    if site == "corners":
        (tmp_path / "corners").mkdir()
        project = Project(tmp_path / "corners").write(CORNERS)
    assert project.run("build", "--no-cache", "--no-search", "--out",
                       str(tmp_path / "site")).exit_code == 0  # fmt: skip
    events = json.loads((tmp_path / "site" / "timeline.json").read_text())["events"]
    with timelinejs(browser, tmp_path, "site/timelinejs.json") as embed:
        shown = embed.page.evaluate(
            "(() => { const parts = d => d && {year: d.data.year, month: d.data.month,"
            " day: d.data.day}; return window.timeline.config.events.map("
            "e => [e.unique_id, parts(e.start_date), parts(e.end_date)]); })()"
        )
    assert embed.errors == []
    spans = {slug: (_day(start), _day(end) if end else None) for slug, start, end in shown}
    coarse = 0
    for event in events:
        date = event["date"]
        first, last = spans[event["slug"]]
        assert first == date["earliest"] or date["earliest"] is None, event["slug"]  # open start
        if date["precision"] in ("day", "time") or date["earliest"] == date["latest"]:
            assert last in (None, first), event["slug"]
        elif date["latest"] is not None:
            coarse += 1
            assert last == date["latest"], event["slug"]
    assert coarse >= 6 if site == "sample" else coarse > 0
