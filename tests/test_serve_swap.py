"""In a browser: after a save, the open page swaps in its new HTML instead of reloading, and
shows what a fresh load of the new page shows; it reloads when a swap could not."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import Project, event
from tests.test_serve import started, wait_for_build
from timeline.serving.preview import Preview

LONG = "\n\n".join(f"Paragraph {i} of the first event, long enough to scroll by." for i in range(80))
FILES: dict[str, str | bytes] = {
    "events/2007-08-20-a.md": event("Event A", "2007-08-20", LONG, extra="tags: [x, y]"),
    "events/2007-08-22-b.md": event("Event B", "2007-08-22", extra="tags: [x]"),
    "events/2007-08-25-c.md": event("Event C", "2007-08-25", extra="tags: [y]"),
}
KEPT = "() => window.__kept === true"  # set on the open document: gone once it reloads
SETTLED = "() => document.querySelectorAll('figure.chart.chart-static').length === 0"


@pytest.fixture
def served(project: Project) -> Iterator[Preview]:
    project.write(FILES)
    server = started(project)
    yield server
    server.stop()


def _open(browser: Browser, preview: Preview, path: str) -> Page:
    page = browser.new_page()
    page.goto(f"{preview.server.url}{path}")
    page.wait_for_function(SETTLED)
    page.evaluate("() => { window.__kept = true; }")
    return page


def _listeners(page: Page) -> Counter[str]:
    """The event listeners on window and document, by target and type (DevTools' view)."""
    session = page.context.new_cdp_session(page)
    found: Counter[str] = Counter()
    for target in ("window", "document"):
        handle = session.send("Runtime.evaluate", {"expression": target})["result"]["objectId"]
        listeners = session.send("DOMDebugger.getEventListeners", {"objectId": handle})
        found.update(f"{target} {entry['type']}" for entry in listeners["listeners"])
    session.detach()
    return found


def _seen(page: Page) -> dict[str, object]:
    """What a reader gets: the body as the scripts left it, the title, the meta tags."""
    page.wait_for_function(SETTLED)
    # The overview measures its labels when the browser is idle: let it, in either page.
    page.evaluate("() => new Promise((done) => requestIdleCallback(done, {timeout: 500}))")
    return page.evaluate("""() => ({
        body: document.body.innerHTML,
        text: document.body.innerText,
        title: document.title,
        meta: Array.from(document.querySelectorAll("meta"), (m) => m.outerHTML),
        charts: document.querySelectorAll("figure.chart.chart-live svg *").length,
    })""")  # fmt: skip


def _edit(project: Project, name: str, old: str, new: str) -> None:
    path = project.root / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _wait_text(page: Page, text: str, selector: str = "main") -> None:
    page.wait_for_function(
        "([s, t]) => document.querySelector(s) && document.querySelector(s).textContent.includes(t)",
        arg=[selector, text], timeout=20_000,
    )  # fmt: skip


def test_an_edit_swaps_the_page_in_place_into_what_a_fresh_load_shows(
    served: Preview, project: Project, browser: Browser
) -> None:
    page = _open(browser, served, "events/a/")
    page.evaluate("() => window.scrollTo(0, 600)")
    first = page.evaluate("() => window.scrollY")
    assert first > 0
    listeners = _listeners(page)
    assert listeners["window scroll"] >= 1  # the overview's tooltip hides on scroll
    for title, body in [("Event A, renamed", "Paragraph 0"), ("Event A, again", "Paragraph 1")]:
        _edit(project, "events/2007-08-20-a.md", body + " ", f"New words. {body} ")
        _edit(project, "events/2007-08-20-a.md", "Event A", title)
        _wait_text(page, title, "h1")
        _wait_text(page, "New words. " + body, ".event-body")
        swapped = _seen(page)
        assert page.evaluate(KEPT), "the page was reloaded, not swapped"
        assert page.evaluate("() => window.scrollY") == first
        fresh_page = browser.new_page()
        fresh_page.goto(page.url)
        fresh = _seen(fresh_page)
        assert swapped == fresh
        assert title in str(swapped["title"]) and int(str(swapped["charts"])) > 0
        # The old page's scripts left nothing behind on window and document.
        assert _listeners(page) == _listeners(fresh_page) == listeners
        fresh_page.close()
    around = page.locator("section.event-around")  # its chart, drawn again: look at it
    around.screenshot(path=str(project.root.parent / "swapped.png"))
    page.close()


def test_the_error_panel_comes_and_goes_in_place(
    served: Preview, project: Project, browser: Browser
) -> None:
    page = _open(browser, served, "events/b/")
    (project.root / "events/2007-08-22-b.md").write_text(event("Event B", "2007-13-45"))
    page.wait_for_selector("#timeline-build-errors", timeout=20_000)
    assert "2007-08-22-b.md" in page.inner_text("#timeline-build-errors")
    assert page.evaluate(KEPT)
    (project.root / "events/2007-08-22-b.md").write_text(event("Event B, fixed", "2007-08-22"))
    _wait_text(page, "Event B, fixed", "h1")
    assert page.query_selector("#timeline-build-errors") is None
    assert page.evaluate(KEPT)
    page.close()


@pytest.mark.parametrize(
    "name, text, check",
    [
        ("style.css", "body { background: rgb(1, 2, 3); }\n",
         "() => getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)'"),
        ("filters.js", "window.__theme = 'new';\n", "() => window.__theme === 'new'"),
        ("chart.js", "window.__theme = 'chart';\n", "() => window.__theme === 'chart'"),
    ],
)  # fmt: skip
def test_a_changed_style_sheet_or_script_reloads_the_page(
    served: Preview, project: Project, browser: Browser, name: str, text: str, check: str
) -> None:
    page = _open(browser, served, "events/b/")
    theme = project.root / "theme" / "static"
    theme.mkdir(parents=True)
    (theme / name).write_text(text)
    page.wait_for_function(check, timeout=20_000)
    assert not page.evaluate(KEPT)
    page.close()


def test_a_page_whose_scripts_wait_for_the_load_events_is_reloaded(
    served: Preview, project: Project, browser: Browser
) -> None:
    theme = project.root / "theme" / "static"
    theme.mkdir(parents=True)
    (theme / "filters.js").write_text(
        "document.addEventListener('DOMContentLoaded', function () {\n"
        "  document.body.setAttribute('data-ready', 'yes');\n});\n"
    )
    page = _open(browser, served, "events/b/")
    assert page.get_attribute("body", "data-ready") == "yes"
    _edit(project, "events/2007-08-22-b.md", "Event B", "Event B, renamed")
    _wait_text(page, "Event B, renamed", "h1")
    page.wait_for_function("() => document.body.getAttribute('data-ready') === 'yes'")
    assert not page.evaluate(KEPT)
    page.close()


def test_the_story_is_reloaded_and_works_after_a_save(
    served: Preview, project: Project, browser: Browser
) -> None:
    """The story's script runs deferred from the head, once, and makes the slideshow of the
    body: a swapped body would stay the no-script list. The page reloads instead."""
    page = _open(browser, served, "story/")
    _edit(project, "events/2007-08-22-b.md", "Event B", "Event B, renamed")
    page.wait_for_function("() => document.body.innerHTML.includes('Event B, renamed')")
    page.wait_for_load_state("load")
    assert not page.evaluate(KEPT), "the story was swapped, not reloaded"
    swapped = _seen(page)
    fresh_page = browser.new_page()
    fresh_page.goto(page.url)
    assert swapped == _seen(fresh_page)
    for each in (page, fresh_page):  # the slideshow answers the keys
        each.keyboard.press("ArrowRight")
        each.wait_for_function("() => location.hash === '#a'")
    fresh_page.close()
    page.close()


def test_a_page_gone_is_reloaded_into_the_404_page(
    served: Preview, project: Project, browser: Browser
) -> None:
    page = _open(browser, served, "events/c/")
    Path(project.root / "events/2007-08-25-c.md").unlink()
    page.wait_for_function("() => !document.querySelector('h1') || "
                           "!document.querySelector('h1').textContent.includes('Event C')",
                           timeout=20_000)  # fmt: skip
    assert not page.evaluate(KEPT)
    page.close()


def test_what_the_heads_scripts_hang_on_window_stays_after_a_swap(
    served: Preview, project: Project, browser: Browser
) -> None:
    """The head's scripts are kept, not run again: their listeners must stay too."""
    base = (Path(__file__).parent.parent / "theme" / "templates" / "base.html").read_text()
    head = '<script src="{{ root }}static/head.js"></script>\n</head>'
    epoch = served.state.epoch
    project.write({
        "theme/templates/base.html": base.replace("</head>", head, 1),
        "theme/static/head.js": "window.addEventListener('message', function (event) {\n"
                                "  document.body.setAttribute('data-heard', event.data);\n});\n",
    })  # fmt: skip
    wait_for_build(served, epoch)
    page = _open(browser, served, "events/b/")
    assert page.query_selector("head script[src*='head.js']") is not None
    # Each save swaps in place, the first after head.js was saved too: an update copies the
    # static files before the open pages are made, so no page names one as still to come.
    for old, new in (("Event B", "Event B, renamed"), ("Event B, renamed", "Event B, again")):
        page.evaluate("() => { window.__kept = true; }")
        _edit(project, "events/2007-08-22-b.md", old, new)
        _wait_text(page, new, "h1")
        page.wait_for_function(SETTLED)
        assert page.evaluate(KEPT)  # swapped in place, not reloaded
    page.evaluate("() => window.postMessage('after', '*')")
    page.wait_for_function("() => document.body.getAttribute('data-heard') === 'after'")
    page.close()
