"""In a real browser: save in the editor, see it in the page; break it, see why; fix it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import Project, event
from timeline.serving.preview import Preview

FILES: dict[str, str | bytes] = {
    "events/2007-08-22-douri.md": event("Al-Douri breaks with al-Qaeda", "2007-08-22"),
    "events/2007-08-18-notice.md": event("Interpol notice", "2007-08-18"),
}


@pytest.fixture(autouse=True)
def files(project: Project) -> None:
    project.write(FILES)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def test_edit_break_and_fix_an_event_while_the_page_is_open(
    preview: Preview, project: Project, page: Page
) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{preview.server.url}events/douri/")
    expect(page.locator("h1")).to_have_text("Al-Douri breaks with al-Qaeda")

    path = project.root / "events" / "2007-08-22-douri.md"
    path.write_text(path.read_text().replace("Al-Douri breaks", "Al-Douri reportedly breaks"))
    expect(page.locator("h1")).to_have_text("Al-Douri reportedly breaks with al-Qaeda")

    path.write_text(path.read_text().replace('"2007-08-22"', '"2007-13"'))
    panel = page.locator("#timeline-build-errors")
    expect(panel).to_contain_text(
        "events/2007-08-22-douri.md:3: date: '2007-13': month 13 does not exist"
    )
    expect(page.locator("h1")).to_have_text("Al-Douri reportedly breaks with al-Qaeda")

    page.reload()  # the error stays on a manual refresh, and on other pages
    expect(panel).to_be_visible()
    page.goto(f"{preview.server.url}events/notice/")
    expect(page.locator("#timeline-build-errors")).to_be_visible()

    path.write_text(path.read_text().replace('"2007-13"', '"2007-08-23"'))
    expect(page.locator("#timeline-build-errors")).to_have_count(0)
    page.goto(f"{preview.server.url}events/douri/")
    expect(page.locator(".event-header .date")).to_have_text("23 August 2007")

    outside = [u for u in requests if not u.startswith(preview.server.url)]
    assert outside == [], "nothing may be loaded from the internet"


def test_a_new_event_appears_on_the_open_index(
    preview: Preview, project: Project, page: Page
) -> None:
    page.goto(preview.server.url)
    expect(page.locator(".event-title")).to_have_count(2)
    project.write({"events/2007-09-13-abu-risha.md": event("Abu Risha killed", "2007-09-13")})
    expect(page.locator(".event-title")).to_have_count(3)
    expect(page.locator(".event-title").last).to_have_text("Abu Risha killed")
