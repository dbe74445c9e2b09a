"""The embed (issue 14.7): the story in an <iframe> on another site's page.

A host page on another origin (a second local server) embeds embed/ with the code of the
story page's Embed button; the frame takes its content's height by postMessage (pym.js's
message format), the story turns inside it, its links open in the top window, and the
colours can be set by the URL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Frame, Page

from tests.conftest import REPO, Project, static_server
from tests.test_story import FILES, _errors  # errors of a page and of its frames


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = Project(tmp_path_factory.mktemp("embed"))
    result = project.write(FILES).run(
        "build", "--no-search", "--base-url", "https://example.org/t/"
    )
    assert result.exit_code == 0, result.output
    return project.site


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    with static_server(site) as url:
        yield url


def test_the_embed_has_no_chrome_and_sends_its_links_to_the_top_window(site: Path) -> None:
    page = Project(site.parent).html("embed/")
    assert page.select(".site-header, .site-nav, .site-footer, .skip-link") == []
    base = page.select_one("head base")
    assert base is not None and base["target"] == "_top" and not base.get("href")
    assert page.select_one('meta[name="robots"]')["content"] == "noindex"
    assert page.select_one('link[rel="canonical"]')["href"] == "https://example.org/t/story/"
    assert page.select_one("figure.chart") is not None  # the navigator
    assert page.select_one(".story-start")["href"] == "../events/talks-begin/"
    sitemap = (site / "sitemap.xml").read_text()
    assert "https://example.org/t/story/" in sitemap and "/embed/" not in sitemap


def _snippet(page: Page, served: str, query: str) -> str:
    """The Embed button's code, as a reader copies it from the story page."""
    page.goto(served + "story/" + query)
    page.locator(".story-share summary").click()
    code = page.locator("#story-share-code")
    assert code.is_visible()
    return code.input_value()


def _host(folder: Path, snippet: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>An article</title>'
        "<style>body { max-width: 40rem; margin: 2rem auto; font: 18px/1.6 Georgia, serif; }"
        "</style></head><body><h1>An article about Diyala</h1><p>A paragraph before.</p>"
        f"{snippet}<p id='after'>A paragraph after.</p></body></html>",
        encoding="utf-8",
    )


def _frame(page: Page) -> Frame:
    frame = page.frame_locator("iframe").locator("html").element_handle().owner_frame()
    assert frame is not None
    return frame


def _heights(page: Page, frame: Frame) -> tuple[float, int]:
    outer = page.evaluate("document.querySelector('iframe').getBoundingClientRect().height")
    inner = frame.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
    return outer, inner


def _fits(page: Page, frame: Frame) -> None:
    """The frame is as tall as its content: no scrolling inside, no gap below."""
    for _ in range(50):
        outer, inner = _heights(page, frame)
        if abs(outer - inner) <= 1:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the frame is {outer}px tall for {inner}px of content")


def test_a_page_on_another_origin_embeds_the_story(
    browser: Browser, served: str, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    page = context.new_page()
    errors = _errors(page)
    snippet = _snippet(page, served, "?place=diyala")
    src = re.search(r'<iframe src="([^"]+)"', snippet)
    assert src is not None and src[1] == served + "embed/?place=diyala"
    _host(tmp_path / "host", snippet)
    with static_server(tmp_path / "host") as host:
        assert host.split(":")[2] != served.split(":")[2]  # another port: another origin
        page.goto(host)
        frame = _frame(page)
        frame.wait_for_selector(".story-live")
        _fits(page, frame)
        first, _ = _heights(page, frame)
        steps = page.evaluate("history.length")
        assert first != 640  # the snippet's starting height gave way to the content's
        assert frame.locator("#story-scope").inner_text().startswith("2 of 4 events")
        frame.locator(".story-start").click()
        frame.wait_for_selector("#story-slide .slide-body")
        assert frame.locator("#story-slide .slide-title").inner_text() == "Talks begin"
        _fits(page, frame)
        page.keyboard.press("ArrowRight")  # the focus is in the frame, after the click
        frame.wait_for_selector("#story-slide .slide-body >> text=Fighting")
        assert frame.locator("#story-slide .slide-title").inner_text() == "Fighting in Baquba"
        _fits(page, frame)
        assert frame.url.endswith("/embed/?place=diyala#fighting-in-baquba")
        assert page.url == host  # the host page's URL and history are its own
        assert page.evaluate("history.length") == steps  # Back leaves the article
        assert frame.locator(".story-navigator a.mark-current").get_attribute(
            "data-slug") == "fighting-in-baquba"  # fmt: skip
        frame.locator(".slide-more a").click()  # a link: in the top window
        page.wait_for_url(served + "events/fighting-in-baquba/")
    context.close()
    assert errors == []


# Inside the frame: how far its last visible content ends above the frame's bottom, and how
# far its content reaches past that bottom (what it would have to scroll).
ROOM_BELOW = """() => {
  const seen = [...document.body.querySelectorAll("*")].filter((el) => el.getClientRects().length
    && getComputedStyle(el).visibility !== "hidden" && !el.closest(".visually-hidden, [hidden]"));
  const bottom = Math.max(...seen.map((el) => el.getBoundingClientRect().bottom));
  const frame = document.documentElement.clientHeight;
  return [frame - bottom, document.documentElement.scrollHeight - frame];
}"""


@pytest.mark.parametrize("width", [1000, 390])
def test_the_frame_ends_where_its_content_does(
    browser: Browser, served: str, tmp_path: Path, width: int
) -> None:
    """On the cover and on a slide, the frame is as tall as the story: no empty band under the
    navigator, and nothing left to scroll inside."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    _host(tmp_path / "host", _snippet(page, served, ""))
    with static_server(tmp_path / "host") as host:
        page.goto(host)
        frame = _frame(page)
        frame.wait_for_selector(".story-live")
        for step in ("cover", "slide"):
            if step == "slide":
                frame.locator(".story-start").click()
                frame.wait_for_selector("#story-slide .slide-body")
            _fits(page, frame)
            below, beyond = frame.evaluate(ROOM_BELOW)
            assert 0 <= below <= 16 and beyond <= 0, (width, step, below, beyond)
    context.close()


def test_the_height_speaks_pym_js_s_format(browser: Browser, served: str, tmp_path: Path) -> None:
    """A page using pym.js's Parent gets what it expects: "pymxPYMx<id>xPYMxheightxPYMx<px>"
    for the frame's ?childId=, again whenever it sends its width."""
    folder = tmp_path / "pym"
    folder.mkdir()
    (folder / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>pym</title></head><body>'
        f'<iframe src="{served}embed/?childId=story-1&amp;initialWidth=600" title="A story" '
        'style="width: 600px; height: 300px"></iframe><script>window.got = [];'
        'addEventListener("message", function (e) { window.got.push(e.data); });</script>'
        "</body></html>", encoding="utf-8",
    )  # fmt: skip
    with static_server(folder) as host:
        page = browser.new_page()
        page.goto(host)
        page.wait_for_function("window.got.length > 0")
        message = page.evaluate("window.got[0]")
        assert re.fullmatch(r"pymxPYMxstory-1xPYMxheightxPYMx\d+", message), message
        assert int(message.rsplit("x", 1)[1]) > 300  # its content, not the frame's 300 px
        page.evaluate("""() => document.querySelector('iframe').contentWindow.postMessage(
            'pymxPYMxstory-1xPYMxwidthxPYMx600', '*')""")
        page.wait_for_function("window.got.length > 1")
        assert page.evaluate("window.got[1]") == message
        page.close()


def test_the_embed_button_s_code_carries_the_options(browser: Browser, served: str) -> None:
    page = browser.new_page()
    page.goto(served + "story/?status=disputed#fighting-in-baquba")
    page.locator(".story-share summary").click()
    page.locator("#story-share-theme").select_option("dark")
    page.locator("#story-share-slide").check()
    code = page.locator("#story-share-code").input_value()
    assert (f'<iframe src="{served}embed/?status=disputed&amp;theme=dark#fighting-in-baquba"'
            in code)  # fmt: skip
    assert re.search(r'title="[^"]+: a story in 1 event"', code)
    assert 'addEventListener("message"' in code and "http" not in code.split("<script>")[1]
    page.close()


def _variables() -> list[str]:
    """The colour custom properties of style.css's :root."""
    css = (REPO / "theme" / "static" / "style.css").read_text()
    block = css[css.index(":root {") : css.index("}", css.index(":root {"))]
    return [name for name in re.findall(r"(--[a-z-]+):", block)
            if not name.startswith(("--measure", "--sans", "--serif"))]  # fmt: skip


@pytest.mark.parametrize(("theme", "reader"), [("dark", "light"), ("light", "dark")])
def test_the_url_sets_the_colours(browser: Browser, served: str, theme: str, reader: str) -> None:
    """embed/?theme=dark for a reader whose system is light looks as the site does for a
    reader whose system is dark (and the other way round)."""
    names = _variables()
    assert len(names) > 15
    read = f"() => {names!r}.map(n => getComputedStyle(document.documentElement).getPropertyValue(n).trim())"
    values = {}
    for url, scheme in ((f"embed/?theme={theme}", reader), ("story/", theme)):
        context = browser.new_context(color_scheme=scheme)  # type: ignore[arg-type]
        page = context.new_page()
        page.goto(served + url)
        values[url] = page.evaluate(read)
        if url != "story/":
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        else:
            assert page.evaluate("getComputedStyle(document.body).backgroundColor") == background
        context.close()
    assert values[f"embed/?theme={theme}"] == values["story/"]


def test_screenshot_of_the_embed_in_its_host(browser: Browser, tmp_path: Path) -> None:
    """The sample's story in an article, light and at 390 px dark; written to docs/screenshots/
    when TIMELINE_SCREENSHOTS=1."""
    out = tmp_path / "site"
    result = Project(REPO).run("build", "--no-cache", "--no-search", "--out", str(out))
    assert result.exit_code == 0, result.output
    folder = (REPO / "docs" / "screenshots" if os.environ.get("TIMELINE_SCREENSHOTS") == "1"
              else tmp_path)  # fmt: skip
    with static_server(out) as served:
        for name, width, scheme in (("embed", 1000, "light"), ("embed-phone", 390, "dark")):
            context = browser.new_context(viewport={"width": width, "height": 900},
                                          color_scheme=scheme)  # type: ignore[arg-type]  # fmt: skip
            page = context.new_page()
            snippet = _snippet(page, served, "?place=diyala")
            _host(
                tmp_path / name,
                snippet.replace('"width: 100%;', '"width: 100%; outline: 1px solid #999;'),
            )
            with static_server(tmp_path / name) as host:
                page.goto(host)
                frame = _frame(page)
                # Once the story's script runs (before, the link leaves for the event page).
                frame.wait_for_selector(".story-live")
                frame.locator(".story-start").click()
                frame.wait_for_selector("#story-slide .slide-body")
                _fits(page, frame)
                target = folder / f"{name}-{scheme}.png"
                page.screenshot(path=str(target), full_page=True)
                assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            context.close()
