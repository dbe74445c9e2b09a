"""Exploring the sample in Chromium: the overview's marks, filters with shareable URLs, deep
links, and the same pages without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import REPO, Project, static_server


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("explore") / "site"
    assert Project(REPO).run("build", "--no-cache", "--no-search", "--out", str(out)).exit_code == 0
    with static_server(out) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_marks_link_to_their_events(page: Page, sample: str) -> None:
    page.goto(sample)
    marks = page.locator("svg.chart-svg a.mark")
    assert marks.count() == 18
    mark = page.locator("svg a.mark[href='events/raghad-interpol-red-notice/']")
    assert (
        mark.get_attribute("aria-label")
        == "Interpol issues a red notice for Raghad Hussein, 18 August 2007, Confirmed"
    )
    mark.click()
    expect(page.locator("h1")).to_have_text("Interpol issues a red notice for Raghad Hussein")


def test_keyboard_focus_reaches_every_mark(page: Page, sample: str) -> None:
    page.goto(sample)
    labels = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        label = page.evaluate("document.activeElement.getAttribute('aria-label')")
        if label and page.evaluate("document.activeElement.closest('svg a.mark') !== null"):
            labels.add(label)
    assert len(labels) == 18


def test_filters_change_what_is_shown_and_the_url(page: Page, sample: str) -> None:
    page.goto(sample)
    events = page.locator("li.event")
    assert events.count() == 18
    page.select_option("#filters select[name=status]", "Confirmed")
    assert "status=Confirmed" in page.url
    visible = page.locator("li.event:visible")
    assert 0 < visible.count() < 18
    for i in range(visible.count()):
        expect(visible.nth(i).locator(".status")).to_have_text("Confirmed")
    shared = page.url
    page.goto(sample + "?tag=Diyala+operations")
    expect(page.locator("#filters select[name=tag]")).to_have_value("Diyala operations")
    assert page.locator("li.event:visible").count() == 3
    page.goto(shared)
    expect(page.locator("#filters select[name=status]")).to_have_value("Confirmed")


def test_a_deep_link_highlights_its_event(page: Page, sample: str) -> None:
    page.goto(sample + "#douri-severs-ties")
    target = page.evaluate(
        "getComputedStyle(document.getElementById('douri-severs-ties')).backgroundColor"
    )
    other = page.evaluate(
        "getComputedStyle(document.getElementById('abu-risha-killed')).backgroundColor"
    )
    assert target != other


def test_without_javascript_every_event_and_mark_is_there(browser: Browser, sample: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(sample)
    assert page.locator("li.event:visible").count() == 18
    assert page.locator("svg a.mark").count() == 18
    assert page.locator("#filters").is_hidden()
    context.close()


def test_zoom_pan_and_tooltips_on_the_overview(page: Page, sample: str) -> None:
    page.goto(sample)
    svg = page.locator("figure.chart svg").first
    full = page.locator(".chart-range").first.inner_text()
    page.get_by_role("button", name="Zoom in").first.click()
    zoomed = page.locator(".chart-range").first.inner_text()
    assert zoomed != full
    svg.locator("a.mark").first.focus()  # focus inside the chart, then pan with the arrows
    page.keyboard.press("ArrowRight")
    assert page.locator(".chart-range").first.inner_text() != zoomed
    tip = page.locator(".chart-tip").first
    expect(tip).to_be_visible()
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert tip.inner_text().replace("\n", ", ").replace(" · ", ", ") == label
    page.get_by_role("button", name="Show all").first.click()
    assert page.locator(".chart-range").first.inner_text() == full
