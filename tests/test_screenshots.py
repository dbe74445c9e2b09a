"""Screenshots of the sample, light and dark, by the test suite's browser.

Written to docs/screenshots/ when TIMELINE_SCREENSHOTS=1 (to refresh the README's pictures),
to a temporary folder otherwise; either way the test checks they are real images.
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Browser

from tests.conftest import REPO, Project, static_server

SHOTS = [("index", ""), ("event", "events/douri-severs-ties/"),
         # The overview zoomed in time: a quarter of the sample, then a month, then days.
         ("zoom-quarter", "?from=2007-05-01&to=2007-08-31"),
         ("zoom-month", "?from=2007-08-01&to=2007-08-31"),
         ("zoom-days", "?from=2007-08-17&to=2007-08-24")]
PHONE = [("index-phone", ""), ("zoom-days-phone", "?from=2007-08-17&to=2007-08-24")]


def test_screenshots_of_the_sample(browser: Browser, tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert (
        Project(REPO).run("build", "--no-cache", "--no-search", "--out", str(site)).exit_code == 0
    )
    folder = (
        REPO / "docs" / "screenshots" if os.environ.get("TIMELINE_SCREENSHOTS") == "1" else tmp_path
    )
    folder.mkdir(exist_ok=True)
    with static_server(site) as url:
        for scheme, (width, height, shots) in [
            (scheme, size) for scheme in ("light", "dark")
            for size in ((1100, 900, SHOTS), (390, 844, PHONE))
        ]:  # fmt: skip
            context = browser.new_context(viewport={"width": width, "height": height},
                                          color_scheme=scheme)  # type: ignore[arg-type]  # fmt: skip
            page = context.new_page()
            for name, path in shots:
                page.goto(f"{url}{path}")
                page.wait_for_timeout(200)  # the chart drawn for the view in the URL
                target = folder / f"{name}-{scheme}.png"
                page.screenshot(path=str(target))
                data = target.read_bytes()
                assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
            context.close()
