"""An offline copy (issue 17.5): `timeline build --offline` makes a site whose every link
works opened from disk, clicked through in Chromium from file://."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, expect

from tests.conftest import REPO, Project
from timeline.site.offline import folder_link


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", "index.html"), ("../", "../index.html"), ("../../", "../../index.html"),
        ("events/x/", "events/x/index.html"), ("../../tags/diyala/", "../../tags/diyala/index.html"),
        ("sources/#s3", "sources/index.html#s3"), ("years/?tag=x", "years/index.html?tag=x"),
        ("#main", "#main"), ("static/style.css", "static/style.css"),
        ("https://example.org/", "https://example.org/"), ("mailto:a@b.org", "mailto:a@b.org"),
        ("/absolute/", "/absolute/"), (".", "./index.html"), ("..", "../index.html"),
    ],
)  # fmt: skip
def test_folder_links_point_at_their_index(url: str, expected: str) -> None:
    assert folder_link(url) == expected


@pytest.fixture
def offline(tmp_path: Path) -> Project:
    project = Project(tmp_path / "sample")
    shutil.copytree(REPO / "events", project.root / "events")
    shutil.copytree(REPO / "pages", project.root / "pages")
    shutil.copy(REPO / "pyproject.toml", project.root / "pyproject.toml")
    project.build("--offline", "--no-search")
    return project


def test_no_page_links_to_a_bare_folder(offline: Project) -> None:
    pages = list(offline.site.rglob("*.html"))
    assert len(pages) > 50
    for page in pages:
        if page.name == "404.html":  # a server's page for any depth: root-relative, unused here
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.select("[href]"):
            href = str(tag["href"])
            if "://" in href or href.startswith(("#", "mailto:")):
                continue
            target = (page.parent / href.split("#")[0].split("?")[0]).resolve()
            assert target.is_file(), f"{page.relative_to(offline.site)}: {href}"
        refresh = soup.select_one('meta[http-equiv="refresh"]')
        if refresh is not None:
            url = re.search(r"url=(.*)", str(refresh["content"]))
            assert url and (page.parent / url[1]).resolve().is_file()


def test_a_reader_clicks_through_from_disk(browser: Browser, offline: Project) -> None:
    page = browser.new_page()
    page.goto((offline.site / "index.html").as_uri())
    page.locator("main a[href*='events/douri-severs-ties/']").first.click()
    expect(page.locator("h1")).to_have_text("Al-Douri reportedly decides to sever ties with al-Qaeda")
    assert page.url.endswith("/events/douri-severs-ties/index.html")
    page.locator(".event-terms a, .terms a").first.click()  # a tag, actor or place
    assert page.url.endswith("/index.html") and ("/tags/" in page.url or "/actors/" in page.url
                                                  or "/places/" in page.url)  # fmt: skip
    page.go_back()
    page.locator("a.all-citations").first.click()
    assert "/sources/index.html#" in page.url
    expect(page.locator(":target")).to_be_visible()
    page.go_back()
    expect(page.locator("h1")).to_have_text("Al-Douri reportedly decides to sever ties with al-Qaeda")
    page.locator(".site-nav a", has_text="Years").click()
    assert page.url.endswith("/years/index.html")
    page.locator(".site-nav a", has_text="About").click()
    expect(page.locator("h1")).to_have_text("About")
    page.locator(".site-title").click()
    assert page.url.endswith("/index.html")
    page.close()


def test_links_made_by_scripts_work_from_disk(browser: Browser, offline: Project) -> None:
    """A link the page's scripts add (the overview's marks when zoomed, story slides) to a
    folder is followed to its index.html."""
    page = browser.new_page()
    page.goto((offline.site / "index.html").as_uri())
    page.evaluate("""() => {
        const a = document.createElement('a');
        a.href = 'events/douri-severs-ties/'; a.id = 'made'; a.textContent = 'made';
        document.querySelector('main').prepend(a);
    }""")
    page.locator("#made").click()
    expect(page.locator("h1")).to_have_text("Al-Douri reportedly decides to sever ties with al-Qaeda")
    page.close()


def test_the_overview_is_live_from_disk(browser: Browser, offline: Project) -> None:
    """The overview's scripts (plain scripts, not modules, which a browser refuses from
    file://) run from disk: the chart zooms in time, and a mark drawn by them opens its event."""
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((offline.site / "index.html").as_uri())
    expect(page.locator("figure.chart").first).to_have_class(re.compile(r"\bchart-live\b"))
    svg = page.locator("figure.chart svg.chart-svg").first
    assert svg.get_attribute("data-unit") == "month"
    for _ in range(4):
        page.get_by_role("button", name="Zoom in").first.click()
    assert svg.get_attribute("data-unit") == "day"
    svg.locator("a.mark").first.click()
    expect(page.locator("h1")).to_be_visible()
    assert re.search(r"/events/[^/]+/index\.html$", page.url), page.url
    assert errors == []
    page.close()


def test_search_says_it_needs_a_server_from_disk(tmp_path: Path, browser: Browser) -> None:
    project = Project(tmp_path / "searchable")
    shutil.copytree(REPO / "events", project.root / "events")
    shutil.copy(REPO / "pyproject.toml", project.root / "pyproject.toml")
    project.build("--offline")
    page = browser.new_page()
    page.goto((project.site / "index.html").as_uri())
    page.locator("#search-input").fill("Diyala")
    expect(page.locator("#search-status")).to_contain_text("Search needs the site to be served")
    page.close()


def test_a_normal_build_keeps_folder_links(project: Project) -> None:
    shutil.copytree(REPO / "events", project.root / "events")
    project.build("--no-search")
    html = (project.site / "index.html").read_text()
    assert 'href="events/douri-severs-ties/"' in html and "index.html\"" not in html
