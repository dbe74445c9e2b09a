"""timelinejs.json in the real TimelineJS (npm @knight-lab/timelinejs, tests only), in Chromium."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.conftest import REPO, Project, static_server

TLJS = REPO / "tests" / "js" / "node_modules" / "@knight-lab" / "timelinejs" / "dist"

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Embed</title>
<link rel="stylesheet" href="tljs/css/timeline.css"></head>
<body><div id="embed" style="width: 1000px; height: 600px"></div>
<script src="tljs/js/timeline.js"></script>
<script>
  window.timeline = new TL.Timeline("embed", "site/timelinejs.json",
    {hash_bookmark: false, font: null, ga_measurement_id: null});
</script></body></html>"""


def test_every_event_is_a_slide_in_timelinejs(browser: Browser, tmp_path: Path) -> None:
    if not TLJS.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("TimelineJS is missing: npm ci --prefix tests/js")
        pytest.skip("TimelineJS is not installed (npm ci --prefix tests/js)")
    assert Project(REPO).run("build", "--no-cache", "--no-search", "--out",
                             str(tmp_path / "site")).exit_code == 0  # fmt: skip
    shutil.copytree(TLJS, tmp_path / "tljs")
    (tmp_path / "embed.html").write_text(PAGE)
    expected = [e["text"]["headline"] for e in
                json.loads((tmp_path / "site" / "timelinejs.json").read_text())["events"]]  # fmt: skip
    with static_server(tmp_path) as url:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{url}embed.html")
        page.wait_for_function("window.timeline && window.timeline.ready", timeout=20_000)
        headlines = page.eval_on_selector_all(
            ".tl-slide .tl-headline", "nodes => nodes.map(n => n.textContent.trim())"
        )
        markers = page.locator(".tl-timemarker").count()
        page.close()
    assert errors == []
    assert markers == len(expected) == 18
    for headline in expected:
        assert headline in headlines
