"""Feeds, sitemap and robots.txt, as feed readers and search engines read them."""

from __future__ import annotations

import json

import feedparser
import pytest
from bs4 import BeautifulSoup

from tests.conftest import Project, event
from timeline.site.feeds import absolute_body

BASE = "https://timeline.test/iraq/"
FILES: dict[str, str | bytes] = {
    "timeline.toml": f'title = "Feeds"\ndescription = "A test"\nbase_url = "{BASE}"\n',
    "events/2007-08-22-douri.md": event(
        "Al-Douri breaks with al-Qaeda", "2007-08-22",
        body="He broke with them [@s]. See [[notice]] and [the list](2006-07-02-list.md).",
        extra="tags: [Ba'ath Party]\nstatus: disputed",
        sources="sources:\n  - id: s\n    title: AKI wire\n    url: https://example.org/aki\n"
                "    publisher: AKI\n    via: Al Hayat\n",
    ),
    "events/2007-08-18-notice.md": event(
        "Interpol notice", "2007-08-18", extra="status: confirmed\ntags: [warrants]"
    ),
    "events/2006-07-02-list.md": event(
        "Most-wanted list", "2006-07-02",
        extra="tags: [warrants]\nupdates:\n  - date: 2007-09-01\n    note: Corrected the count.",
    ),
}  # fmt: skip


@pytest.fixture
def site(project: Project) -> Project:
    project.write(FILES).build()
    return project


def test_atom_feed_parses_cleanly_with_absolute_links_in_update_order(site: Project) -> None:
    feed = feedparser.parse((site.site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "Feeds"
    assert [e.title for e in feed.entries] == [
        "Most-wanted list",  # corrected on 1 September 2007: back on top
        "Al-Douri breaks with al-Qaeda",
        "Interpol notice",
    ]
    douri = feed.entries[1]
    assert douri.link == f"{BASE}events/douri/"
    assert douri.updated.startswith("2007-08-22")
    content = douri.content[0].value
    assert "22 August 2007" in content and "Disputed" in content
    assert f'href="{BASE}events/notice/"' in content  # the wiki link, made absolute
    assert f'href="{BASE}events/list/"' in content  # the .md link, made absolute
    assert f'href="{BASE}events/douri/#source-1"' in content  # the citation
    assert "AKI wire" in content and "via Al Hayat" in content
    assert {t.term for t in douri.tags} == {"disputed", "Ba'ath Party"}
    assert feed.entries[0].updated.startswith("2007-09-01")


def test_json_feed_has_the_same_entries(site: Project) -> None:
    data = json.loads((site.site / "feed.json").read_text())
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["feed_url"] == f"{BASE}feed.json"
    assert [i["title"] for i in data["items"]] == [
        "Most-wanted list",
        "Al-Douri breaks with al-Qaeda",
        "Interpol notice",
    ]
    item = data["items"][1]
    assert item["url"] == f"{BASE}events/douri/"
    assert item["date_modified"] == "2007-08-22T00:00:00Z"
    assert "disputed" in item["tags"] and "AKI wire" in item["content_html"]


def test_each_tag_has_its_own_feeds(site: Project) -> None:
    feed = feedparser.parse((site.site / "tags" / "warrants" / "feed.xml").read_bytes())
    assert not feed.bozo
    assert [e.title for e in feed.entries] == ["Most-wanted list", "Interpol notice"]
    data = json.loads((site.site / "tags" / "warrants" / "feed.json").read_text())
    assert data["home_page_url"] == f"{BASE}tags/warrants/"
    assert len(data["items"]) == 2


def test_pages_link_their_feeds_and_canonical_urls(site: Project) -> None:
    soup = site.html("events/douri/")
    assert soup.select_one("link[type='application/atom+xml']")["href"] == f"{BASE}feed.xml"  # type: ignore[index]
    assert soup.select_one("link[rel=canonical]")["href"] == f"{BASE}events/douri/"  # type: ignore[index]
    assert (
        soup.select_one("meta[property='og:title']")["content"] == "Al-Douri breaks with al-Qaeda"
    )  # type: ignore[index]
    assert soup.select_one("meta[name=description]")["content"]  # type: ignore[index]


def test_sitemap_lists_every_page_and_robots_points_to_it(site: Project) -> None:
    sitemap = (site.site / "sitemap.xml").read_text()
    assert f"<loc>{BASE}</loc>" in sitemap and f"<loc>{BASE}events/douri/</loc>" in sitemap
    assert f"<loc>{BASE}tags/warrants/</loc>" in sitemap and "404" not in sitemap
    pages = [p for p in site.site.rglob("index.html")]
    assert sitemap.count("<loc>") == len(pages) - 1  # but embed/: story/ for frames, noindex
    assert f"<loc>{BASE}story/</loc>" in sitemap and "embed/" not in sitemap
    assert (site.site / "robots.txt").read_text().endswith(f"Sitemap: {BASE}sitemap.xml\n")


def test_without_base_url_feeds_are_skipped_with_a_note(project: Project) -> None:
    files = dict(FILES)
    files["timeline.toml"] = 'title = "No base"\n'
    result = project.write(files).build()
    assert (
        "note: base_url is not set, so feed.xml, feed.json and sitemap.xml were not written"
        in result.stderr
    )
    assert not (project.site / "feed.xml").exists() and not (project.site / "sitemap.xml").exists()
    assert "Sitemap" not in (project.site / "robots.txt").read_text()


def test_a_quote_in_a_source_url_stays_inside_its_href(project: Project) -> None:
    url = 'https://example.org/a"onmouseover="alert(1)'
    project.write({
        "timeline.toml": f'title = "Feeds"\nbase_url = "{BASE}"\n',
        "events/2007-08-22-a.md": event(
            "A", sources=f"sources:\n  - title: Odd\n    url: '{url}'\n    archived: '{url}'\n"
        ),
    }).build()  # fmt: skip
    entry = json.loads((project.site / "feed.json").read_text())["items"][0]
    slide = json.loads((project.site / "timelinejs.json").read_text())["events"][0]
    atom = feedparser.parse((project.site / "feed.xml").read_bytes()).entries[0]
    for html in (entry["content_html"], slide["text"]["text"], atom.content[0].value):
        links = BeautifulSoup(html, "html.parser").select("a[href]")
        assert [a["href"] for a in links] == [url, url]
        assert not any(a.has_attr("onmouseover") for a in links)


def test_base_url_spliced_into_a_body_stays_inside_its_attribute() -> None:
    # The config refuses such a base_url; the splicing escapes it all the same.
    base = 'https://timeline.test/"onmouseover="window.__xss(1)"<b>/'
    body = '<p><a href="../../events/x/">x</a> <a href="#fn-1">1</a> <img src="../../a.png"></p>'
    soup = BeautifulSoup(absolute_body(body, base, f"{base}events/y/"), "html.parser")
    assert [a["href"] for a in soup.select("a")] == [f"{base}events/x/", f"{base}events/y/#fn-1"]
    assert soup.select_one("img")["src"] == f"{base}a.png"  # type: ignore[index]
    assert not soup.select("b, [onmouseover]")


def test_a_percent_encoded_base_url_is_kept_as_written(project: Project) -> None:
    base = "https://timeline.test/a%20b/"
    files = dict(FILES)
    files["timeline.toml"] = f'title = "Feeds"\nbase_url = "{base}"\n'
    project.write(files).build()
    feed = feedparser.parse((project.site / "feed.xml").read_bytes())
    assert {e.link for e in feed.entries} == {
        f"{base}events/{slug}/" for slug in ("douri", "notice", "list")
    }
    assert f'href="{base}events/notice/"' in feed.entries[1].content[0].value


def test_sitemap_urls_in_any_script_are_percent_encoded(project: Project) -> None:
    """The sitemap protocol wants escaped URLs: an Arabic tag's page is listed as a browser
    would request it."""
    files = dict(FILES)
    files["events/2007-08-18-notice.md"] = event(
        "Interpol notice", "2007-08-18", extra="status: confirmed\ntags: [البعث]"
    )
    project.write(files).build()
    sitemap = (project.site / "sitemap.xml").read_text()
    assert f"<loc>{BASE}tags/%D8%A7%D9%84%D8%A8%D8%B9%D8%AB/</loc>" in sitemap
    assert (project.site / "tags" / "البعث" / "index.html").is_file()
    assert all(loc.isascii() for loc in sitemap.split("<loc>")[1:])
