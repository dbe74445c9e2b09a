"""Hostile text in every field, as the exports hand it on: timelinejs.json in the real
TimelineJS, feed entries as a feed reader shows them, and base_url wherever it is spliced."""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import feedparser
import pytest
import yaml
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page

from tests.conftest import Project, event
from tests.test_timelinejs import timelinejs
from tests.xss_payloads import FIND_INJECTED, INIT_SCRIPT, PAYLOADS

BASE = "https://timeline.test/"
# TimelineJS's autolink turns "www." and every character up to a space into a link, after
# sanitizing, writing it into href='...' as it is.
LINKIFIED = "www.example.org'/onmouseover='window.__xss(42)'/data-xss='"
HOSTILE = (*PAYLOADS, LINKIFIED)
TITLE = "Q&A <b>: " + PAYLOADS[2]
DESCRIPTION = " ".join(HOSTILE)
# A .pdf is shown in an iframe whose src='...' TimelineJS writes as HTML, URL and all.
QUOTED_SRC = "https://example.org/doc.pdf?x='/onload='window.__xss(41)'/"


def _event(n: int, payload: str) -> str:
    meta = {
        "title": payload, "date": f"{1960 + n}-03-01", "summary": payload, "group": payload,
        "tags": [payload], "actors": [payload], "places": [payload],
        "image": {"src": QUOTED_SRC if n == 0 else f"https://example.org/{n}.png",
                  "alt": payload, "caption": payload, "credit": payload},
        "sources": [{"title": payload, "url": f"https://example.org/s{n}", "publisher": payload,
                     "quote": payload}],
    }  # fmt: skip
    return f"---\n{yaml.safe_dump(meta)}---\n\nSomething happened: {payload}\n"


FILES: dict[str, str | bytes] = {
    # JSON strings are TOML basic strings too (these payloads are ASCII)
    "timeline.toml": f"title = {json.dumps(TITLE)}\ndescription = {json.dumps(DESCRIPTION)}\n"
                     f'base_url = "{BASE}"\n',
    **{f"events/e{n:02d}.md": _event(n, p) for n, p in enumerate(HOSTILE)},
}  # fmt: skip


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = Project(tmp_path_factory.mktemp("hostile"))
    project.write(FILES).build("--no-search")
    return project


def _slides(project: Project) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The title slide and the event slides, in the order of HOSTILE."""
    data = json.loads((project.site / "timelinejs.json").read_text())
    return data["title"], sorted(data["events"], key=lambda s: str(s["unique_id"]))


def _live(soup: BeautifulSoup) -> list[str]:
    """What in parsed HTML could run: script-like elements, handlers, javascript: URLs."""
    found = [el.name for el in soup.find_all(["script", "iframe", "object", "embed", "base"])]
    for el in soup.find_all(True):
        found += [f"{el.name}.{a}" for a in el.attrs if a.startswith("on") or a == "data-xss"]
        found += [f"{el.name}.{a}" for a, v in el.attrs.items()
                  if isinstance(v, str) and v.strip().lower().startswith("javascript:")]  # fmt: skip
    return found


def test_timelinejs_gets_each_field_escaped_for_how_it_is_shown(hostile: Project) -> None:
    title, slides = _slides(hostile)
    assert title["text"] == {"headline": html.escape(TITLE), "text": html.escape(DESCRIPTION)}
    assert title["autolink"] is False
    assert [html.unescape(s["text"]["headline"]) for s in slides] == list(HOSTILE)
    for slide, payload in zip(slides, HOSTILE, strict=True):
        escaped = html.escape(payload, quote=True)
        # sanitized by TimelineJS, then inserted as HTML: escaped once
        assert slide["text"]["headline"] == escaped
        assert slide["media"]["caption"] == slide["media"]["credit"] == escaped
        # reduced to its text (decoding once), then inserted as HTML: escaped twice
        assert slide["group"] == html.escape(escaped, quote=True)
        assert html.unescape(html.unescape(slide["group"])) == payload
        # set as a DOM property: plain text
        assert slide["media"]["alt"] == payload
        # no links made after sanitizing, with the text spliced into href='...'
        assert slide["autolink"] is False
        text = BeautifulSoup(slide["text"]["text"], "html.parser")
        assert _live(text) == []
        assert [li.get_text() for li in text.select("ol li")] == [f"{payload}, {payload}"]
    url = slides[0]["media"]["url"]
    assert not set(url) & set("'\"<> \\") and unquote(url) == QUOTED_SRC


def test_no_payload_runs_in_timelinejs(hostile: Project, browser: Browser, tmp_path: Path) -> None:
    shutil.copy(hostile.site / "timelinejs.json", tmp_path / "timelinejs.json")
    with timelinejs(browser, tmp_path, "timelinejs.json", INIT_SCRIPT) as embed:
        slides = embed.visit_every_slide()
        # each slide makes its media (and its caption and credit) a moment after it is shown
        embed.page.wait_for_function(
            "n => document.querySelectorAll('.tl-slide .tl-media-item').length == n",
            arg=slides - 1,
        )
        found = embed.page.evaluate(FIND_INJECTED)
        headlines = embed.texts(".tl-slide .tl-headline")
        markers = embed.texts(".tl-timemarker .tl-headline")
        groups = embed.texts(".tl-timegroup-message")
        captions = embed.texts(".tl-slide .tl-caption")
        credits = embed.texts(".tl-slide .tl-credit")
        navigation = embed.texts(".tl-slidenav-title")
        alts = embed.page.eval_on_selector_all(".tl-slide img", "ns => ns.map(n => n.alt)")
    assert embed.errors == [] and embed.dialogs == []
    assert found == []
    assert slides == len(HOSTILE) + 1
    assert sorted(headlines) == sorted([TITLE, *HOSTILE])
    for shown in (markers, groups, captions, credits):
        assert sorted(shown) == sorted(HOSTILE)
    assert set(navigation) <= {TITLE, *HOSTILE}
    assert sorted(alts) == sorted(HOSTILE[1:])  # the first is a .pdf, shown in an iframe


def _feed_entries(project: Project, kind: str) -> list[tuple[str, str]]:
    """(title, content HTML) of each entry of the site's feed, as a feed reader reads it."""
    if kind == "atom":
        # unsanitized: a reader that trusts the feed must be safe too
        feed = feedparser.parse((project.site / "feed.xml").read_bytes(), sanitize_html=False)
        assert not feed.bozo, feed.get("bozo_exception")
        return [(e.title, e.content[0].value) for e in feed.entries]
    items = json.loads((project.site / "feed.json").read_text())["items"]
    return [(i["title"], i["content_html"]) for i in items]


def _reader(browser: Browser) -> tuple[Page, list[str]]:
    """A blank page with the payload probe set up and the network cut off."""
    page = browser.new_page()
    errors: list[str] = []
    page.add_init_script(INIT_SCRIPT)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda d: errors.append(f"dialog: {d.message}"))
    page.route("**/*", lambda route: route.abort())
    page.goto("about:blank")  # the probe is set up on navigation; set_content keeps it
    return page, errors


@pytest.mark.parametrize("kind", ["atom", "json"])
def test_no_payload_runs_in_a_feed_reader(hostile: Project, browser: Browser, kind: str) -> None:
    entries = _feed_entries(hostile, kind)
    assert sorted(title for title, _ in entries) == sorted(HOSTILE)
    page, errors = _reader(browser)
    try:
        for title, content in entries:
            assert _live(BeautifulSoup(content, "html.parser")) == [], title
            page.set_content(content)
            assert page.evaluate(FIND_INJECTED) == [], title
            # the source's title and publisher, shown as text
            assert page.text_content("ol li") == f"{title}, {title}"
    finally:
        page.close()
    assert errors == []


def test_feed_text_fields_hold_the_text_as_written(hostile: Project) -> None:
    atom = feedparser.parse((hostile.site / "feed.xml").read_bytes(), sanitize_html=False)
    for entry in atom.entries:
        assert entry.summary.endswith(f"(Reported). {entry.title}")
        assert entry.title in {t.term for t in entry.tags}
    items = json.loads((hostile.site / "feed.json").read_text())["items"]
    for item in items:
        assert item["summary"] == item["title"] and item["title"] in item["tags"]
    assert sorted(e.title for e in atom.entries) == sorted(i["title"] for i in items)


def test_the_probe_sees_a_payload_that_runs(browser: Browser) -> None:
    """The reader page above would notice unescaped payloads (this test can fail)."""
    page, errors = _reader(browser)
    try:
        page.set_content("".join(PAYLOADS))
        found = page.evaluate(FIND_INJECTED)
    finally:
        page.close()
    assert "1" in found and "handler:IMG.onerror" in found
    assert errors == []


BAD_BASE_URLS = [
    ('https://timeline.test/"><script>window.__xss(1)</script>/', "a double quote", "%22"),
    ("https://timeline.test/'onmouseover='window.__xss(2)'/", "an apostrophe", "%27"),
    ("https://timeline.test/<b>/", "'<'", "%3C"),
    ("https://timeline.test/a b/", "a space", "%20"),
    ("https://timeline.test/a\\b/", "a backslash", "%5C"),
    ("https://timeline.test/a\nSitemap: https://evil.test/", "the character U+000A", "%0A"),
    ("https://timeline.test/a\x01/", "the character U+0001", "%01"),
    ("https://timeline.test/`{}|^/", "'`'", "%60"),
]


@pytest.mark.parametrize(("url", "name", "code"), BAD_BASE_URLS)
def test_a_hostile_base_url_in_the_config_is_a_content_error(
    project: Project, url: str, name: str, code: str
) -> None:
    project.write({"timeline.toml": f'title = "T"\nbase_url = {json.dumps(url)}\n',
                   "events/a.md": event()})  # fmt: skip
    result = project.run("build")
    assert result.exit_code == 1
    assert (f"timeline.toml:2: base_url: {url!r} holds {name}; percent-encode it ({code})"
            in result.stderr)  # fmt: skip
    assert not project.site.exists()


@pytest.mark.parametrize(("url", "name", "code"), BAD_BASE_URLS)
def test_a_hostile_base_url_flag_is_a_usage_error(
    project: Project, url: str, name: str, code: str
) -> None:
    project.write({"events/a.md": event()})
    result = project.run("build", "--base-url", url)
    assert result.exit_code == 2
    assert f"Error: --base-url: {url!r} holds {name}; percent-encode it ({code})" in result.stderr
    assert not project.site.exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:window.__xss(1)//", "must be an absolute http(s) URL"),
        ("https://timeline.test/?a=1", "has a query or fragment"),
        ("https://timeline.test/100%/", "holds a '%' that starts no escape such as %20"),
        ("https://tïmeline.test/", "percent-encode it (%C3%AF), or write a domain name in its xn--"),
    ],
)  # fmt: skip
def test_a_base_url_that_is_no_folder_address_is_refused(
    project: Project, url: str, message: str
) -> None:
    project.write({"events/a.md": event()})
    flag = project.run("build", "--base-url", url)
    assert flag.exit_code == 2 and message in flag.stderr
    project.write({"timeline.toml": f"base_url = {json.dumps(url, ensure_ascii=False)}\n"})
    config = project.run("build")
    assert config.exit_code == 1 and "timeline.toml:1: base_url: " in config.stderr
    assert message in config.stderr


def test_no_payload_runs_on_any_page_of_the_site(hostile: Project, browser: Browser) -> None:
    """Every page of the hostile site, scripts on, its list filters each set to a hostile
    name in turn: nothing runs, nothing is injected."""
    from tests.conftest import static_server

    pages = sorted(p.relative_to(hostile.site).as_posix()
                   for p in hostile.site.rglob("*.html"))  # fmt: skip
    assert len(pages) > 150
    dialogs: list[str] = []
    with static_server(hostile.site) as url:
        context = browser.new_context()
        context.add_init_script(INIT_SCRIPT)
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for rel in pages:
            page.goto(url + rel)
            assert page.evaluate(FIND_INJECTED) == [], rel
        page.goto(url)
        for select in page.locator("#filters select").all():
            for value in select.locator("option").all_inner_texts()[1:6]:
                select.select_option(label=value)
                assert page.evaluate(FIND_INJECTED) == [], value
            select.select_option(index=0)
        context.close()
    assert dialogs == []


@pytest.mark.parametrize("view", ["story/", "embed/"])
def test_no_payload_runs_in_the_story_or_the_embed(
    hostile: Project, browser: Browser, view: str
) -> None:
    """Every slide of the story, and of the embed, shown in turn: each field's payload
    stays text (issue 18.1: the story and embed views)."""
    from tests.conftest import static_server

    with static_server(hostile.site) as url:
        context = browser.new_context()
        context.add_init_script(INIT_SCRIPT)
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(url + view)
        titles = set()
        for _ in range(len(HOSTILE) + 1):
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(80)
            title = page.locator("#story-slide .slide-title")
            if title.count():
                titles.add(title.inner_text())
        page.wait_for_timeout(300)
        found = page.evaluate(FIND_INJECTED)
        context.close()
    assert dialogs == [] and found == []
    assert titles == set(HOSTILE)  # every payload was on screen, as text
