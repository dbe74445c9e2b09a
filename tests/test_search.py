"""Search without a server: the Pagefind index built with the site, used in Chromium through
Timeline's own search box (static/search.js)."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Locator, Page, expect

from tests.conftest import REPO, SOURCE, Project, event, static_server
from tests.xss_payloads import FIND_INJECTED, INIT_SCRIPT, PAYLOADS

WAIT = 10_000  # ms: the first search fetches Pagefind's WebAssembly and index


@dataclass(frozen=True)
class Published:
    url: str  # where the site is served: http://127.0.0.1:PORT/iraq/
    folder: Path  # the built site


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published]:
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
        yield Published(base, root / "iraq")


@dataclass(frozen=True)
class SampleEvent:
    title: str
    text: str  # what the event says itself: title, body, group, tags, actors, places
    tags: tuple[str, ...]
    places: tuple[str, ...]


def sample_events() -> list[SampleEvent]:
    """The sample's event files, read here with PyYAML rather than by Timeline."""
    found = []
    for path in sorted((REPO / "events").glob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.safe_load(front)
        names = [*meta.get("tags", []), *meta.get("actors", []), *meta.get("places", [])]
        text = " ".join([meta["title"], body, meta.get("group", ""), *names])
        found.append(SampleEvent(meta["title"], text, tuple(meta.get("tags", [])),
                                 tuple(meta.get("places", []))))  # fmt: skip
    return found


def mentioning(word: str) -> list[SampleEvent]:
    return [e for e in sample_events() if re.search(rf"\b{re.escape(word)}", e.text, re.I)]


def said(n: int) -> str:
    """What the live region announces for ``n`` results."""
    return "No results" if n == 0 else "1 result" if n == 1 else f"{n} results"


def box(page: Page) -> Locator:
    return page.get_by_role("searchbox", name="Search the timeline")


def count(page: Page) -> Locator:
    return page.locator("#search-status")


def titles(page: Page) -> list[str]:
    return page.locator(".search-result-title").all_inner_texts()


def pick(page: Page, label: str, value: str, expected: str) -> None:
    """Choose ``value`` in the filter ``label``, going through "Any" so the count must change."""
    select = page.get_by_label(label, exact=True)
    select.select_option("")
    if not box(page).input_value() and all(
        s.input_value() == "" for s in page.locator(".search-filter select").all()
    ):
        expect(count(page)).to_have_text("")
    select.select_option(value)
    expect(count(page)).to_have_text(expected, timeout=WAIT)


def test_searching_the_sample_for_diyala_finds_the_events_that_mention_it(
    browser: Browser, published: Published
) -> None:
    expected = mentioning("Diyala")
    assert 0 < len(expected) < len(sample_events())
    page = browser.new_page()
    page.goto(published.url)
    box(page).fill("Diyala")
    expect(count(page)).to_have_text(said(len(expected)), timeout=WAIT)
    assert sorted(titles(page)) == sorted(e.title for e in expected)
    marks = page.locator(".search-result-excerpt mark").all_inner_texts()
    assert marks and all(m.strip(".,").lower() == "diyala" for m in marks)
    page.locator(".search-result-title a").first.click()
    page.wait_for_url(f"{published.url}events/**")  # the link honours the sub-path
    assert "Diyala" in page.locator("main").inner_text()
    page.close()


def test_typing_replaces_the_results_and_escape_clears_them(
    browser: Browser, published: Published
) -> None:
    page = browser.new_page()
    page.goto(f"{published.url}events/douri-severs-ties/")
    box(page).press_sequentially("Buhr")
    box(page).press_sequentially("iz")
    expected = mentioning("Buhriz")
    expect(count(page)).to_have_text(said(len(expected)), timeout=WAIT)
    assert sorted(titles(page)) == sorted(e.title for e in expected)
    box(page).fill("Diyala")
    expect(count(page)).to_have_text(said(len(mentioning("Diyala"))), timeout=WAIT)
    box(page).press("Escape")
    expect(box(page)).to_have_value("")
    expect(count(page)).to_have_text("")
    expect(page.locator(".search-result")).to_have_count(0)
    expect(box(page)).to_be_focused()
    page.close()


def test_results_show_each_events_date_and_status(browser: Browser, published: Published) -> None:
    page = browser.new_page()
    page.goto(published.url)
    box(page).fill("al-Qaeda")
    expect(page.locator(".search-result").first).to_be_visible(timeout=WAIT)
    results = page.locator(".search-result").all()
    events = 0
    for result in results:
        href = result.locator(".search-result-title a").get_attribute("href") or ""
        if href in (f"{published.url}about/", f"{published.url}methodology/"):
            # A page of the site's own: found by its words, with no date or status to show.
            assert result.locator(".search-result-meta .date").count() == 0
            assert result.locator(".search-result-meta .status").count() == 0
            continue
        events += 1
        assert href.startswith(f"{published.url}events/")
        html = published.folder / href.removeprefix(published.url) / "index.html"
        event_page = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        header = event_page.select_one(".event-header .event-meta")
        assert header is not None
        date, status = header.select_one(".date"), header.select_one(".status")
        assert date is not None and status is not None
        expect(result.locator(".search-result-meta .date")).to_have_text(date.get_text())
        expect(result.locator(".search-result-meta .status")).to_have_text(status.get_text())
        assert result.locator(".status").get_attribute("class") == " ".join(status["class"])
    assert events >= 5
    page.close()


def test_filters_narrow_the_results_and_the_count(browser: Browser, published: Published) -> None:
    diyala = mentioning("Diyala")
    tagged = [e for e in diyala if "Diyala operations" in e.tags]
    both = [e for e in tagged if "Buhriz" in e.places]
    assert len(diyala) > len(tagged) > len(both) > 0
    page = browser.new_page()
    page.goto(published.url)
    box(page).fill("Diyala")
    expect(count(page)).to_have_text(said(len(diyala)), timeout=WAIT)
    page.get_by_role("button", name="Filters", exact=True).click()
    expect(page.get_by_role("button", name="Filters", exact=True)).to_have_attribute(
        "aria-expanded", "true"
    )
    for label in ("Tag", "Actor", "Place", "Status", "Year"):
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    page.get_by_label("Tag", exact=True).select_option("Diyala operations")
    expect(count(page)).to_have_text(said(len(tagged)))
    assert sorted(titles(page)) == sorted(e.title for e in tagged)
    page.get_by_label("Place", exact=True).select_option("Buhriz")
    expect(count(page)).to_have_text(said(len(both)))
    assert sorted(titles(page)) == sorted(e.title for e in both)
    expect(page.get_by_role("button", name="Filters (2)")).to_be_visible()
    box(page).fill("")  # a filter alone lists every event it holds
    anywhere = [
        e for e in sample_events() if "Diyala operations" in e.tags and "Buhriz" in e.places
    ]
    expect(count(page)).to_have_text(said(len(anywhere)))
    page.get_by_role("button", name="Clear filters").click()
    expect(count(page)).to_have_text("")
    page.close()


def test_nothing_is_loaded_until_the_reader_asks(browser: Browser, published: Published) -> None:
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(published.url, wait_until="networkidle")
    assert [u for u in requested if "/pagefind/" in u] == []
    html = page.content()
    assert "pagefind-ui" not in html
    with page.expect_request(f"{published.url}pagefind/pagefind.js"):
        box(page).focus()
    assert not [u for u in requested if "pagefind-ui" in u]
    page.close()


def test_without_javascript_there_is_no_search_box(browser: Browser, published: Published) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(published.url)
    expect(page.locator("#site-search")).to_be_hidden()
    expect(page.get_by_role("searchbox")).to_have_count(0)
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_with_results_and_filters_open_has_no_axe_violations(
    browser: Browser, axe_source: str, published: Published, scheme: str
) -> None:
    page = browser.new_page()
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    page.goto(f"{published.url}events/douri-severs-ties/")
    box(page).fill("Diyala")
    expect(page.locator(".search-result").first).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name="Filters", exact=True).click()
    page.get_by_label("Year", exact=True).select_option("2007")
    expect(page.get_by_role("button", name="Filters (1)")).to_be_visible()
    page.add_script_tag(content=axe_source)
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']}))
            .violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"""
    )
    assert violations == []
    page.close()


def hostile_files() -> dict[str, str | bytes]:
    """An event per payload, which is its title, tag and body; its neighbours' are the rest."""
    n = len(PAYLOADS)
    files: dict[str, str | bytes] = {}
    for i, payload in enumerate(PAYLOADS):
        q = json.dumps  # a JSON string is a YAML string
        files[f"events/e{i:02}.md"] = (
            f'---\ntitle: {q(payload + " zebra")}\ndate: "2007-{i % 12 + 1:02}-{i % 28 + 1:02}"\n'
            f"slug: hostile-{i}\ngroup: {q(PAYLOADS[(i + 3) % n])}\n"
            f"summary: {q(PAYLOADS[(i + 4) % n])}\ntags: [{q(payload)}]\n"
            f"actors: [{q(PAYLOADS[(i + 1) % n])}]\nplaces: [{q(PAYLOADS[(i + 2) % n])}]\n"
            f"{SOURCE}---\n\nzebra {payload}\n\nMore zebra text.\n"
        )
    return files


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    project = Project(tmp_path_factory.mktemp("hostile"))
    project.write(hostile_files()).build()
    with static_server(project.site) as url:
        yield url


def watched(browser: Browser) -> tuple[Page, list[str]]:
    """A page where any payload that runs is recorded, and any dialog too."""
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.add_init_script(INIT_SCRIPT)
    return page, dialogs


def test_hostile_names_titles_and_bodies_are_shown_as_text(
    browser: Browser, hostile_site: str
) -> None:
    page, dialogs = watched(browser)
    page.goto(f"{hostile_site}events/hostile-0/")
    box(page).fill("zebra")
    expect(count(page)).to_have_text(said(len(PAYLOADS)), timeout=WAIT)
    more = page.get_by_role("button", name="Show more results")
    while more.is_visible():
        shown = page.locator(".search-result").count()
        more.click()
        expect(page.locator(".search-result")).not_to_have_count(shown)
    assert sorted(titles(page)) == sorted(p + " zebra" for p in PAYLOADS)
    texts = page.locator(".search-result-excerpt").all_inner_texts()
    excerpts = dict(zip(titles(page), texts, strict=True))
    assert PAYLOADS[0] in excerpts[PAYLOADS[0] + " zebra"]

    box(page).fill("")
    page.get_by_role("button", name="Filters", exact=True).click()
    n = len(PAYLOADS)
    for label, shift in (("Tag", 0), ("Actor", 1), ("Place", 2)):
        options = page.get_by_label(label, exact=True).locator("option").all_inner_texts()
        assert sorted(options[1:]) == sorted(PAYLOADS)
        for i, payload in enumerate(PAYLOADS):
            pick(page, label, payload, "1 result")
            assert titles(page) == [PAYLOADS[(i - shift) % n] + " zebra"]
        page.get_by_label(label, exact=True).select_option("")
    assert page.evaluate(FIND_INJECTED) == []
    assert dialogs == []
    page.close()


def test_names_with_quotes_backslashes_and_entities_filter_as_written(
    browser: Browser, tmp_path: Path
) -> None:
    """Pagefind cannot match " or \\ in a filter and decodes &lt; twice: the theme works round."""
    names = ['Operation "Arrowhead Ripper"', "C:\\Users", "AT&T", "&lt;b&gt; as written"]
    project = Project(tmp_path)
    project.write({
        "events/a.md": event("Odd names", extra=f"tags: {json.dumps(names)}"),
        "events/b.md": event("Plain names", "2007-08-23", extra="tags: [plain]"),
    })  # fmt: skip
    project.build()
    with static_server(project.site) as url:
        page = browser.new_page()
        page.goto(url)
        page.get_by_role("button", name="Filters", exact=True).click()
        tag = page.get_by_label("Tag", exact=True)
        expect(tag.locator("option")).to_have_count(len(names) + 2)
        assert sorted(tag.locator("option").all_inner_texts()[1:]) == sorted([*names, "plain"])
        for name in names:
            pick(page, "Tag", name, "1 result")
            assert titles(page) == ["Odd names"]
        page.close()


FAKE_INDEX = """
const hostile = "<img src=x onerror=window.__xss(2) data-xss>";
export async function options(o) { window.__pagefind_options = o; }
export async function filters() { return {tag: {[hostile]: 1}, "<b>kind</b>": {x: 1}}; }
const urls = ["javascript:window.__xss(11)", "https://elsewhere.example/events/x/",
              "//elsewhere.example/events/y/", "data:text/html,<script>window.__xss(12)</script>",
              "/iraq/events/same-origin/", "events/relative/"];
const page = (url) => ({url, meta: {title: hostile, date: "<b>1 May</b>",
  status: "<i>Reported</i>", status_key: "reported x\\" onclick=\\"window.__xss(3)"},
  excerpt: "before <mark>hit</mark> <img src=x onerror=window.__xss(2) data-xss>" +
           "<script>window.__xss(1)<\\/script><a href='javascript:window.__xss(4)'>link</a>" +
           " &lt;b&gt; after"});
export async function search() { return {results: urls.map(u => ({data: async () => page(u)}))}; }
export const debouncedSearch = search;
"""


def test_an_index_is_not_trusted(browser: Browser, published: Published) -> None:
    """Whatever pagefind.js returns, only text, <mark>s and same-site links reach the page."""
    page, dialogs = watched(browser)
    page.route(f"{published.url}pagefind/pagefind.js", lambda route: route.fulfill(
        body=FAKE_INDEX, content_type="text/javascript"))  # fmt: skip
    page.goto(f"{published.url}events/douri-severs-ties/")
    box(page).fill("anything")
    expect(count(page)).to_have_text("6 results", timeout=WAIT)
    options: dict[str, Any] = page.evaluate("window.__pagefind_options")
    assert options == {"baseUrl": "/iraq/"}
    assert titles(page) == ["<img src=x onerror=window.__xss(2) data-xss>"] * 6
    links = page.locator(".search-result-title a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        f"{published.url}events/same-origin/",
        f"{published.url}events/douri-severs-ties/events/relative/",
    ]
    excerpt = page.locator(".search-result-excerpt").first
    expect(excerpt).to_have_text("before hit link <b> after")
    assert excerpt.locator("*").evaluate_all("els => els.map(e => e.localName)") == ["mark"]
    assert page.locator(".search-result .status").first.get_attribute("class") == "status"
    expect(page.locator(".search-result-meta").first).to_have_text("<b>1 May</b> <i>Reported</i>")
    page.get_by_role("button", name="Filters", exact=True).click()
    options_text = page.get_by_label("Tag", exact=True).locator("option").all_inner_texts()
    assert options_text == ["Any", "<img src=x onerror=window.__xss(2) data-xss>"]
    assert page.evaluate(FIND_INJECTED) == []
    assert dialogs == []
    page.close()


def test_the_index_offers_filters_by_tag_actor_place_status_and_year(tmp_path: Path) -> None:
    project = Project(tmp_path)
    project.write({
        "events/a.md": event("A", "2007-08-22", extra="tags: [Diyala]\nactors: [Al-Douri]\nplaces: [Baquba]"),
        "events/b.md": event("B", "2006", extra="status: confirmed"),
    })  # fmt: skip
    project.build()
    entry = json.loads((project.site / "pagefind" / "pagefind-entry.json").read_text())
    assert entry["languages"], "an index was written"
    page = project.html("events/a/")
    filters = [s["data-pagefind-filter"] for s in page.select("[data-pagefind-filter]")]
    assert filters == ["status:Reported", "year:2007", "tag:Diyala", "actor:Al-Douri",
                       "place:Baquba"]  # fmt: skip
    assert [s["data-pagefind-meta"] for s in page.select("[data-pagefind-meta]")] == [
        "date:22 August 2007", "status:Reported", "status_key:reported"]  # fmt: skip
    assert page.select_one("[data-pagefind-body]") is not None
    assert project.html("").select_one("[data-pagefind-body]") is None


def test_no_search_builds_no_index_and_no_search_box(tmp_path: Path) -> None:
    project = Project(tmp_path)
    project.write({"events/a.md": event()}).build("--no-search")
    assert not (project.site / "pagefind").exists()
    page = project.html("")
    assert page.select_one("#site-search") is None
    assert not [s for s in page.select("script[src]") if "search" in s["src"]]


def test_a_site_published_under_a_sub_path_has_no_broken_link(published: Published) -> None:
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

    base = published.url
    seen: set[str] = set()
    queue = [base]
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
            if target.startswith(base):
                queue.append(target)
            else:
                assert not target.startswith(base.rsplit("/iraq/", 1)[0] + "/"), (url, link)
    assert broken == []
    assert len([u for u in seen if u.endswith("/")]) > 60
    assert f"{base}feed.xml" in seen and f"{base}static/search.js" in seen
    assert not [u for u in seen if "pagefind-ui" in u]


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
