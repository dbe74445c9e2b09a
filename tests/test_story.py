"""Story mode (issue 14.6): the timeline as a slideshow at story/, one event at a time.

Without JavaScript the page is a cover and a list of every event, and the story is the event
pages' Earlier/Later links; with it, a slide per event (date, status, text, image, sources),
Earlier/Later by links, arrow keys and swipes, the overview as navigator, a URL per slide
(story/#slug) and the URL's filters (?place=diyala) making a story of some events.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import REPO, Project, event, static_server, text_of
from timeline.build import Builder
from timeline.config import load_config


def _png(width: int = 40, height: int = 30) -> bytes:
    """A small valid PNG: a grey rectangle."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))  # fmt: skip


FILES: dict[str, str | bytes] = {
    "events/talks-begin.md": event(
        "Talks begin",
        "2007-01-10",
        "The first talks.",
        extra="""
        places: [Diyala]
        status: confirmed
    """,
    ),
    "events/a-claim-nobody-confirms.md": event(
        "A claim nobody confirms",
        "2007-03",
        "Said, not shown.",
        extra="""
        places: [Anbar]
        image:
          src: photo.png
          alt: A grey square standing in for a photograph
          caption: The square, as seen.
    """,
    ),
    "events/fighting-in-baquba.md": event(
        "Fighting in Baquba",
        "2007-05-02",
        "Fighting [@src].",
        extra="""
        places: [Diyala]
        status: disputed
    """,
        sources="sources:\n  - src\n",
    ),
    "events/the-deal-holds.md": event(
        "The deal holds",
        "2007-08-22",
        "It held.",
        extra="""
        media:
          url: https://www.youtube.com/watch?v=dQw4w9WgXcQ
          caption: The deal, on camera.
    """,
    ),
    "events/_sources.yaml": "src:\n  title: A report\n  url: https://example.org/r\n",
    "static/photo.png": _png(),
}
ORDER = ["talks-begin", "a-claim-nobody-confirms", "fighting-in-baquba", "the-deal-holds"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = Project(tmp_path_factory.mktemp("story"))
    result = project.write(FILES).run("build", "--no-search")
    assert result.exit_code == 0, result.output
    return project.site


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    with static_server(site) as url:
        yield url


def test_the_story_is_in_the_menu_and_holds_every_event_without_javascript(site: Path) -> None:
    project = Project(site.parent)
    story = project.html("story/")
    assert [a["href"] for a in story.select(".site-nav a[aria-current]")] == ["../story/"]
    assert "Story" in text_of(project.html(""), ".site-nav a")
    start = story.select_one(".story-start")
    assert start is not None and start["href"] == "../events/talks-begin/"
    entries = story.select(".story-list li")
    assert [li["id"] for li in entries] == ORDER  # story/#slug lands on its entry
    assert [li.a["href"] for li in entries] == [f"../events/{s}/" for s in ORDER]
    assert text_of(story, ".story-list li .status")[2] == "Disputed"


def test_without_javascript_the_event_pages_are_the_story(site: Path) -> None:
    """From the cover's Start, each event page's Later link leads to the next slide's
    content, to the end: every slide is reachable with no script."""
    project = Project(site.parent)
    seen, rel = [], "events/talks-begin/"
    while rel:
        page = project.html(rel)
        seen.append(rel.split("/")[1])
        assert page.select_one(".event-body") is not None
        later = page.select_one('.prev-next a[rel="next"]')
        rel = ("events/" + later["href"].split("events/")[1]) if later else ""
    assert seen == ORDER


def test_serve_redraws_the_story_when_an_event_changes_what_it_shows(project: Project) -> None:
    project.write(FILES)
    builder = Builder(load_config(project.root)[0])
    builder.build()
    body = project.root / "events/the-deal-holds.md"
    body.write_text(body.read_text().replace("It held.", "It held, for a while."))
    assert "story/index.html" not in builder.update().written  # a slide's text is fetched
    title = project.root / "events/talks-begin.md"
    title.write_text(title.read_text().replace('"Talks begin"', '"Talks open"'))
    written = builder.update().written
    assert {"story/index.html", "embed/index.html"} <= set(written)
    for rel in ("story/", "embed/"):
        page = project.html(rel)
        assert text_of(page, ".story-list li a")[0] == "Talks open"
        assert "Talks open" in page.select_one("script.chart-data").get_text()


def _errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error"
            and not m.location.get("url", "").endswith("favicon.ico") else None)  # fmt: skip
    return errors


def _slide(page: Page) -> str:
    return page.locator("#story-slide .slide-title").inner_text()


def _current_marks(page: Page) -> list[str | None]:
    return [
        m.get_attribute("data-slug") for m in page.locator(".story-navigator a.mark-current").all()
    ]


@pytest.fixture
def story(browser: Browser, served: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    errors = _errors(page)
    yield page
    context.close()
    assert errors == []


def test_arrow_keys_step_through_slides_with_their_content(story: Page, served: str) -> None:
    story.goto(served + "story/")
    assert story.locator("#story-slide.slide-cover").count() == 1
    assert _current_marks(story) == []
    story.keyboard.press("ArrowRight")
    assert _slide(story) == "Talks begin"
    story.wait_for_selector("#story-slide .slide-body")
    assert story.locator("#story-slide .event-body").inner_text().strip() == "The first talks."
    assert story.locator("#story-slide .status").text_content() == "Confirmed"
    assert story.locator("#story-slide .event-meta time").inner_text() == "10 January 2007"
    assert story.locator("#story-slide .sources li").count() == 1
    assert story.evaluate("location.hash") == "#talks-begin"
    assert _current_marks(story) == ["talks-begin"]
    assert story.locator(".story-nav .story-count").first.inner_text() == "1 of 4"
    story.keyboard.press("ArrowRight")
    assert _slide(story) == "A claim nobody confirms"
    story.wait_for_selector("#story-slide .slide-media img")
    image = story.locator("#story-slide .slide-media img")
    assert image.get_attribute("alt") == "A grey square standing in for a photograph"
    assert (
        story.evaluate("document.querySelector('#story-slide .slide-media img').naturalWidth") == 40
    )
    assert _current_marks(story) == ["a-claim-nobody-confirms"]
    story.keyboard.press("ArrowLeft")
    assert _slide(story) == "Talks begin"
    story.go_back()  # a step in the history per slide: back to the one before
    assert _slide(story) == "A claim nobody confirms"


def test_the_buttons_lead_on_and_stop_at_the_ends(story: Page, served: str) -> None:
    story.goto(served + "story/#fighting-in-baquba")
    assert _slide(story) == "Fighting in Baquba"  # a URL per slide
    later = story.locator("nav.story-nav .story-next")
    assert "The deal holds" in later.inner_text()
    later.click()
    assert _slide(story) == "The deal holds"
    assert later.get_attribute("href") is None  # the last slide: no Later
    assert later.get_attribute("aria-disabled") == "true"
    story.keyboard.press("ArrowRight")
    assert _slide(story) == "The deal holds"
    story.locator("nav.story-nav .story-prev").click()
    assert _slide(story) == "Fighting in Baquba"
    story.wait_for_selector("#story-slide .event-body a[href='#source-1']")
    story.locator("#story-slide .event-body a[href='#source-1']").click()  # a citation
    assert story.evaluate("location.hash") == "#fighting-in-baquba"  # still this slide
    assert _slide(story) == "Fighting in Baquba"


def test_a_mark_of_the_navigator_opens_its_slide(story: Page, served: str) -> None:
    story.goto(served + "story/")
    story.locator('.story-navigator a.mark[data-slug="the-deal-holds"]').click()
    assert story.url.endswith("/story/#the-deal-holds")
    assert _slide(story) == "The deal holds"
    assert _current_marks(story) == ["the-deal-holds"]


def _swipe(page: Page, x0: float, x1: float, y: float) -> None:
    cdp = page.context.new_cdp_session(page)
    steps = [x0 + (x1 - x0) * i / 6 for i in range(7)]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y}]})
    for x in steps[1:]:
        cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
        )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_a_swipe_turns_the_slide_on_a_phone(browser: Browser, served: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True,
                                  is_mobile=True)  # fmt: skip
    page = context.new_page()
    errors = _errors(page)
    page.goto(served + "story/#talks-begin")
    box = page.locator("#story-slide").bounding_box()
    assert box is not None
    y = box["y"] + 40
    _swipe(page, 320, 60, y)  # right to left: the next slide
    page.wait_for_function("location.hash === '#a-claim-nobody-confirms'")
    assert _slide(page) == "A claim nobody confirms"
    _swipe(page, 60, 320, y)  # left to right: back
    page.wait_for_function("location.hash === '#talks-begin'")
    _swipe(page, 200, 190, y)  # a tap-sized move is no swipe
    assert _slide(page) == "Talks begin"
    assert errors == []
    context.close()


def test_the_url_s_filter_makes_a_story_of_some_events(story: Page, served: str) -> None:
    story.goto(served + "places/diyala/")  # a name's page tells its events as a story
    story.get_by_role("link", name="Tell these 2 events as a story").click()
    assert story.url == served + "story/?place=diyala"
    story.wait_for_selector(".story-live")
    assert story.locator("#story-scope").inner_text().startswith("2 of 4 events, in Diyala")
    assert sorted(story.locator(".story-navigator a.mark").evaluate_all(
        "marks => marks.map(m => m.dataset.slug)")) == ["fighting-in-baquba", "talks-begin"]  # fmt: skip
    story.keyboard.press("ArrowRight")
    assert _slide(story) == "Talks begin"
    story.keyboard.press("ArrowRight")
    assert _slide(story) == "Fighting in Baquba"  # the events between are not in this story
    assert story.locator(".story-nav .story-count").first.inner_text() == "2 of 2"
    assert story.url.endswith("/story/?place=diyala#fighting-in-baquba")
    story.goto(served + "story/?status=Disputed")  # the index's filter values work too
    assert story.locator("#story-scope").inner_text().startswith("1 of 4 events")
    story.goto(served + "story/?from=2007-03-01&to=2007-12-31")
    assert story.locator("#story-scope").inner_text().startswith("3 of 4 events, from")


def test_a_slide_link_without_javascript_marks_that_event(browser: Browser, served: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served + "story/#fighting-in-baquba")
    marked = page.locator(".story-list li:target")
    assert marked.inner_text().split("\n")[0].find("Fighting in Baquba") >= 0
    page.locator(".story-start").click()
    assert page.url.endswith("/events/talks-begin/")
    context.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("story-sample") / "site"
    result = Project(REPO).run("build", "--no-cache", "--no-search", "--out", str(out))
    assert result.exit_code == 0, result.output
    with static_server(out) as url:
        yield url


AXE = """async () => (await axe.run(document, {resultTypes: ['violations']}))
    .violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations_on_the_story(
    browser: Browser, axe_source: str, sample: str, scheme: str
) -> None:
    found = {}
    for width in (1100, 390):
        context = browser.new_context(viewport={"width": width, "height": 900},
                                      color_scheme=scheme)  # type: ignore[arg-type]  # fmt: skip
        page = context.new_page()
        for path in ("story/", "story/#douri-severs-ties", "story/?place=diyala#1920-brigades-buhriz",
                     "embed/?theme=dark#raghad-arrest-warrant", "embed/?theme=light"):  # fmt: skip
            page.goto(sample + path)
            if "#" in path:
                page.wait_for_selector("#story-slide .slide-body")
            page.add_script_tag(content=axe_source)
            if violations := page.evaluate(AXE):
                found[f"{path} at {width}px"] = violations
        context.close()
    assert found == {}


SHOTS = [("story", "story/#us-arms-nationalists-diyala"), ("story-cover", "story/")]


def test_screenshots_of_the_story(browser: Browser, sample: str, tmp_path: Path) -> None:
    """Written to docs/screenshots/ when TIMELINE_SCREENSHOTS=1, as test_screenshots.py does."""
    folder = (REPO / "docs" / "screenshots" if os.environ.get("TIMELINE_SCREENSHOTS") == "1"
              else tmp_path)  # fmt: skip
    for scheme in ("light", "dark"):
        for device, width, height in (("", 1100, 900), ("-phone", 390, 844)):
            context = browser.new_context(viewport={"width": width, "height": height},
                                          color_scheme=scheme)  # type: ignore[arg-type]  # fmt: skip
            page = context.new_page()
            for name, path in SHOTS:
                page.goto(sample + path)
                if "#" in path:
                    page.wait_for_selector("#story-slide .slide-body")
                target = folder / f"{name}{device}-{scheme}.png"
                page.screenshot(path=str(target), full_page=True)
                data = target.read_bytes()
                assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
            context.close()


def test_a_slide_as_shown_is_valid_html(story: Page, served: str, tmp_path: Path) -> None:
    """The Nu checker on the slides as the script leaves them, on a slide with an image (the
    chart, with its tooltip, is chart.js's)."""
    from tests.test_html_valid import _vnu

    story.goto(served + "story/#a-claim-nobody-confirms")
    story.wait_for_selector("#story-slide .slide-media img")
    stage = story.evaluate("document.getElementById('story-stage').outerHTML")
    (tmp_path / "slide.html").write_text(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>A slide</title></head>'
        f"<body><main>{stage}</main></body></html>", encoding="utf-8"
    )  # fmt: skip
    assert [m for m in _vnu(tmp_path) if m["type"] == "error"] == []


def test_a_large_timeline_s_navigator_zooms_in_to_mark_the_slide(
    browser: Browser, tmp_path: Path
) -> None:
    """Over 500 events the page lists none (the cover and the navigator lead on), and where
    the navigator would count the events in view it zooms in until the slide's mark shows."""
    project = Project(tmp_path)
    project.write({
        f"events/e{n:03d}.md": event(f"Event {n}", f"{2000 + n // 50}-{1 + n % 12:02d}-{1 + n % 28:02d}")
        for n in range(520)
    })  # fmt: skip
    result = project.run("build", "--no-search")
    assert result.exit_code == 0, result.output
    assert project.html("story/").select(".story-list li") == []
    with static_server(project.site) as url:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        errors = _errors(page)
        page.goto(url + "story/")
        assert page.locator(".story-navigator a.mark").count() == 0  # counted, not marked
        page.goto(url + "story/#e260")
        page.wait_for_selector("#story-slide .slide-body")
        assert _current_marks(page) == ["e260"]
        assert "of 520 events" in page.locator(".story-navigator .chart-range").inner_text()
        page.keyboard.press("ArrowRight")
        assert _slide(page) != "Event 260" and len(_current_marks(page)) == 1
        page.close()
        assert errors == []


def test_the_menus_story_tells_what_the_index_filter_shows(story: Page, served: str) -> None:
    story.goto(served)
    menu = story.locator(".site-nav a", has_text="Story")
    assert menu.get_attribute("href") == "story/"
    story.locator("select[name=place]").select_option("Diyala")
    assert menu.get_attribute("href") == "story/?place=Diyala"
    menu.click()
    story.wait_for_selector(".story-live")
    assert story.locator("#story-scope").inner_text().startswith("2 of 4 events, in Diyala")
    story.go_back()
    story.locator("select[name=place]").select_option("")
    assert menu.get_attribute("href") == "story/"


# The lanes the navigator draws (name, top, bottom) and the middle of each mark, in page px.
LANES = """() => {
  const svg = document.querySelector(".story-navigator svg.chart-svg");
  const names = [...svg.querySelectorAll("text.lane-name")].map((t) => [t.textContent, t.getBoundingClientRect().top]);
  const axis = svg.querySelector("line.axis").getBoundingClientRect().top;
  return {lanes: names.map((n, i) => [n[0], n[1], i + 1 < names.length ? names[i + 1][1] : axis]),
          marks: [...svg.querySelectorAll("a.mark .hit")].map((h) => { const r = h.getBoundingClientRect(); return (r.top + r.bottom) / 2; }),
          height: svg.getBoundingClientRect().height};
}"""


def test_a_filtered_navigator_draws_only_the_lanes_it_tells(browser: Browser, sample: str) -> None:
    """The story of one place, and its embed, draw the lanes of that place's events, each with
    its marks, and no empty lane for a group that has none."""
    import json
    import urllib.request

    with urllib.request.urlopen(sample + "timeline.json") as response:
        events = json.load(response)["events"]
    diyala = {e["group"] for e in events if "Diyala" in e["places"]}
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors = _errors(page)
    page.goto(sample + "story/")
    whole = page.evaluate(LANES)
    groups = [lane[0] for lane in whole["lanes"]]
    assert sorted(groups) == sorted({e["group"] for e in events})  # every lane, unfiltered
    assert 0 < len(diyala) < len(groups)  # the sample's Diyala story leaves some lanes out
    for path in ("story/?place=diyala", "embed/?place=diyala"):
        page.goto(sample + path)
        page.wait_for_selector(".story-live")
        drawn = page.evaluate(LANES)
        assert [lane[0] for lane in drawn["lanes"]] == [g for g in groups if g in diyala], path
        for name, top, bottom in drawn["lanes"]:
            assert any(top <= m < bottom for m in drawn["marks"]), (path, name)  # none empty
        assert drawn["height"] < whole["height"]
    page.close()
    assert errors == []


@pytest.mark.parametrize("where", ["story/", "embed/"])
def test_a_slide_shows_the_event_s_media_and_loads_its_player_on_request(
    browser: Browser, served: str, where: str
) -> None:
    """A slide shows the media card its event page shows; the player is loaded only when the
    reader asks for it, as on the event page: until then nothing is asked of the provider."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors = _errors(page)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if not r.url.startswith(served) else None)
    page.route("https://**/*", lambda route: route.abort())  # no network here anyway
    page.goto(served + where + "#the-deal-holds")
    page.wait_for_selector("#story-slide .slide-body")
    card = page.locator("#story-slide .media-card")
    assert card.locator(".media-what").inner_text() == "Video on YouTube"
    caption = page.locator("#story-slide .event-media figcaption")
    assert caption.inner_text() == "The deal, on camera."
    button = card.get_by_role("button", name="Load the player here")
    assert button.is_visible() and card.locator(".media-load-note").is_visible()
    assert card.evaluate("c => getComputedStyle(c).borderTopStyle") == "solid"  # media.css
    page.wait_for_timeout(300)
    assert asked == []
    # The click asks for the player (the lazy frame is focused, so in view: it loads; waited
    # for, as a busy machine may ask a moment after the click returns).
    with page.expect_request(lambda r: r.url.startswith("https://www.youtube-nocookie.com/")):
        button.click()
    frame = page.locator("#story-slide iframe.media-player")
    assert frame.get_attribute("src") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert frame.get_attribute("title") == "Video: The deal holds"
    page.close()
    assert [e for e in errors if "youtube" not in e] == []  # the aborted player's own error
