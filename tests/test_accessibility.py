"""axe-core in Chromium: no accessibility violations on each kind of page, light and dark."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.conftest import REPO, Project, static_server

PAGES = [
    "",
    "events/douri-severs-ties/",
    "events/raghad-arrest-warrant/",
    "years/",
    "years/2007/",
    "tags/",
    "tags/insurgent-split/",
    "actors/izzat-ibrahim-al-douri/",
    "sources/",
    "404.html",
]


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("a11y") / "site"
    result = Project(REPO).run("build", "--no-cache", "--out", str(out))
    assert result.exit_code == 0, result.output
    with static_server(out) as url:
        yield url


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations(
    browser: Browser, axe_source: str, sample_site: str, scheme: str
) -> None:
    context = browser.new_context(color_scheme=scheme)  # type: ignore[arg-type]
    page = context.new_page()
    found = {}
    for path in PAGES:
        page.goto(sample_site + path)
        page.add_script_tag(content=axe_source)
        violations = page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']}))
                .violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"""
        )
        if violations:
            found[path or "/"] = violations
    context.close()
    assert found == {}


def test_the_served_pages_exist(sample_site: str) -> None:
    """Guard against axe passing on error pages: every page checked above was built."""
    import urllib.request

    for path in PAGES:
        with urllib.request.urlopen(sample_site + path) as response:
            assert response.status == 200
            assert b"<main" in response.read()
