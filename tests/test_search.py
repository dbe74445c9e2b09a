"""Search without a server: the Pagefind index built with the site, used in Chromium."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import REPO, Project, event, static_server


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample built for, and served under, http://127.0.0.1:PORT/iraq/."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = tmp_path_factory.mktemp("host")
    base = f"http://127.0.0.1:{port}/iraq/"
    result = Project(REPO).run(
        "build", "--no-cache", "--out", str(root / "iraq"), "--base-url", base
    )
    assert result.exit_code == 0, result.output
    with static_server(root, port):
        yield base


def test_searching_the_sample_for_diyala_lands_on_the_event(
    browser: Browser, published: str
) -> None:
    page = browser.new_page()
    page.goto(published)
    box = page.get_by_role("textbox", name="Search the timeline")
    box.fill("Buhriz")
    first = page.locator(".pagefind-ui__result-link").first
    expect(first).to_be_visible(timeout=10_000)
    expect(first).to_have_text("1920 Revolution Brigades turn on al-Qaeda in Buhriz")
    box.fill("Diyala")
    results = page.locator(".pagefind-ui__result-link")
    expect(results.first).to_be_visible(timeout=10_000)
    assert results.count() >= 3
    results.first.click()
    page.wait_for_url(f"{published}events/**")
    assert "Diyala" in page.locator("main").inner_text()
    page.close()


def test_the_index_offers_filters_by_tag_actor_place_status_and_year(tmp_path: Path) -> None:
    project = Project(tmp_path)
    project.write({
        "events/a.md": event("A", "2007-08-22", extra="tags: [Diyala]\nactors: [Al-Douri]\nplaces: [Baquba]"),
        "events/b.md": event("B", "2006", extra="status: confirmed"),
    })  # fmt: skip
    project.build()
    filters = json.loads((project.site / "pagefind" / "pagefind-entry.json").read_text())
    assert filters["languages"], "an index was written"
    html = (project.site / "events" / "a" / "index.html").read_text()
    for marker in ('data-pagefind-body', 'data-pagefind-filter="status:Reported"',
                   'data-pagefind-filter="year:2007"', 'data-pagefind-filter="tag"',
                   'data-pagefind-filter="actor"', 'data-pagefind-filter="place"'):  # fmt: skip
        assert marker in html
    assert "data-pagefind-body" not in (project.site / "index.html").read_text()


def test_no_search_builds_no_index_and_no_search_box(tmp_path: Path) -> None:
    project = Project(tmp_path)
    project.write({"events/a.md": event()}).build("--no-search")
    assert not (project.site / "pagefind").exists()
    assert project.html("").select_one("#site-search") is None


def test_a_site_published_under_a_sub_path_has_no_broken_link(published: str) -> None:
    """Crawl every page over HTTP from /iraq/, following every internal href and src."""
    import urllib.error
    import urllib.request
    from html.parser import HTMLParser
    from urllib.parse import urldefrag, urljoin

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.found += [v for k, v in attrs if k in ("href", "src") and v]

    seen: set[str] = set()
    queue = [published]
    broken = []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        try:
            with urllib.request.urlopen(url) as response:
                body = response.read()
                kind = response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            broken.append((url, exc.code))
            continue
        if "html" not in kind:
            continue
        parser = Links()
        parser.feed(body.decode("utf-8"))
        for link in parser.found:
            target = urldefrag(urljoin(url, link))[0]
            if target.startswith(published):
                queue.append(target)
            else:
                assert not target.startswith(published.rsplit("/iraq/", 1)[0] + "/"), (url, link)
    assert broken == []
    assert len([u for u in seen if u.endswith("/")]) > 60
    assert f"{published}feed.xml" in seen and f"{published}pagefind/pagefind-ui.js" in seen


def test_pagefind_killed_by_a_signal_is_said_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    from timeline.site import search

    def killed(args: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(args, -9, "", "")

    monkeypatch.setattr(search.subprocess, "run", killed)
    with pytest.raises(search.SearchError, match=r"stopped by signal 9 \(out of memory\?\)"):
        search.build_index(tmp_path)
    assert not (tmp_path / search.PARTIAL).exists()
