"""A site's own look from its config (issue 17.2): logo, favicon, accent colour with its
contrast checked, fonts, footer, extra CSS; seen in the built pages, light and dark."""

from __future__ import annotations

import colorsys
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.conftest import REPO, Project, assert_clean_exit, event
from timeline.site.branding import AA, DARK_BG, LIGHT_BG, _rgb, contrast, nearest_passing

LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><circle cx="16" cy="16" r="14" fill="#1b6e5a"/></svg>'
CONFIG = """\
title = "Branded"
logo = "logo.svg"
favicon = "favicon.svg"
accent = "#1b6e5a"
font_text = 'Georgia, "Noto Serif", serif'
font_ui = '"Helvetica Neue", Arial, sans-serif'
footer = "© 2026 Example Newsroom · [Corrections](https://example.org/corrections) · [no](javascript:alert(1))"
extra_css = ["ours.css"]
"""
FILES: dict[str, str | bytes] = {
    "timeline.toml": CONFIG,
    "static/logo.svg": LOGO,
    "static/favicon.svg": LOGO,
    "static/ours.css": ".site-title { letter-spacing: 0.02em; }\n",
    "events/2007-08-22-a.md": event("An event", "2007-08-22"),
    "events/2007-09-01-b.md": event("Another", "2007-09-01"),
}


def test_every_key_shows_in_the_built_site(project: Project) -> None:
    result = project.write(FILES).build()
    assert "warning" not in result.output  # #1b6e5a passes AA on both backgrounds
    for page in ("", "events/a/", "years/"):
        soup = project.html(page)
        root = "" if page == "" else "../" * page.count("/")
        icon = soup.select_one('link[rel="icon"]')
        assert icon is not None and icon["href"] == f"{root}favicon.svg"
        sheets = [link["href"] for link in soup.select('link[rel="stylesheet"]')]
        assert sheets == [f"{root}static/style.css", f"{root}ours.css"]
        logo = soup.select_one(".site-title img.site-logo")
        assert logo is not None and logo["src"] == f"{root}logo.svg" and logo["alt"] == ""
        style = soup.select_one("head style")
        assert style is not None
        assert "--accent: #1b6e5a;" in style.get_text()
        assert '--serif: Georgia, "Noto Serif", serif;' in style.get_text()
        footer = soup.select_one(".site-footer-text")
        assert footer is not None
        assert [a["href"] for a in footer.select("a")] == ["https://example.org/corrections"]
        assert "[no](javascript:alert(1))" in footer.get_text()  # an unsafe link stays text
    for name in ("logo.svg", "favicon.svg", "ours.css"):
        assert (project.site / name).is_file()


def test_an_accent_failing_wcag_aa_is_a_warning_naming_the_nearest_that_passes(
    project: Project,
) -> None:
    project.write(FILES | {"timeline.toml": CONFIG.replace("#1b6e5a", "#ffcc00")})
    result = project.build()
    found = re.search(r"timeline\.toml:4: accent: warning: #ffcc00 has a contrast of 1\.5:1 "
                      r"against the light background \(#fdfcf9\); WCAG AA needs 4\.5:1 for text\. "
                      r"The nearest colour that passes is (#[0-9a-f]{6})", result.output)  # fmt: skip
    assert found, result.output
    suggested = found[1]
    assert contrast(suggested, LIGHT_BG) >= AA
    # The nearest: the same hue a shade lighter fails, and the hue is kept.
    hue, lightness, saturation = colorsys.rgb_to_hls(*_rgb(suggested))
    lighter = colorsys.hls_to_rgb(hue, lightness + 0.01, saturation)
    assert contrast("#" + "".join(f"{round(c * 255):02x}" for c in lighter), LIGHT_BG) < AA
    assert abs(hue - colorsys.rgb_to_hls(*_rgb("#ffcc00"))[0]) < 0.01
    strict = project.run("build", "--strict")
    assert strict.exit_code == 1


@pytest.mark.parametrize("colour", ["#ffcc00", "#1b6e5a", "#8a3b12", "#000000", "#0000ff"])
def test_the_dark_scheme_gets_an_accent_that_passes(colour: str) -> None:
    derived = nearest_passing(colour, DARK_BG)
    assert contrast(derived, DARK_BG) >= AA
    assert contrast(nearest_passing(colour, LIGHT_BG), LIGHT_BG) >= AA


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('accent = "red"', "timeline.toml:4: accent: 'red' is not a colour"),
        ('logo = "../logo.svg"', "timeline.toml:2: logo: '../logo.svg' must be a file inside the static folder"),
        ('logo = "missing.svg"', "timeline.toml:2: logo: 'missing.svg' is not a file in static/; put it there"),
        ('extra_css = "ours.css"', "timeline.toml:8: extra_css: expected a list of names in quotes"),
        ("font_text = 'Georgia; } body { display: none'", "timeline.toml:5: font_text: expected a CSS font stack"),
    ],
)
def test_bad_branding_is_an_error_naming_the_line(project: Project, line: str, expected: str) -> None:
    key = line.split(" = ")[0]
    config = "\n".join(line if row.startswith(f"{key} = ") else row
                       for row in CONFIG.splitlines()) + "\n"  # fmt: skip
    project.write(FILES).build()
    before = project.snapshot()
    result = project.write({"timeline.toml": config}).run("build")
    assert_clean_exit(result)
    assert result.exit_code == 1, result.output
    assert expected in result.output, result.output
    assert project.snapshot() == before


def test_the_accent_is_seen_light_and_dark(browser: Browser, project: Project, tmp_path: Path) -> None:
    """Computed colours in Chromium, and screenshots to look at (TIMELINE_SCREENSHOTS=1
    writes them to docs/screenshots/)."""
    project.write(FILES).build()
    shots = REPO / "docs" / "screenshots" if os.environ.get("TIMELINE_SCREENSHOTS") == "1" else tmp_path
    for scheme in ("light", "dark"):
        page = browser.new_page(viewport={"width": 900, "height": 700},
                                color_scheme=scheme)  # type: ignore[arg-type]  # fmt: skip
        page.goto((project.site / "index.html").as_uri())
        colour = page.evaluate(
            "getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()"
        )
        if scheme == "light":
            assert colour == "#1b6e5a"
        else:  # derived for the dark background, and passing there
            assert colour != "#1b6e5a" and contrast(colour, DARK_BG) >= AA
        box = page.locator(".site-logo").bounding_box()
        assert box is not None and 24 <= box["height"] <= 40  # sized to the header
        assert page.locator(".site-footer-text").is_visible()
        page.screenshot(path=str(shots / f"branding-{scheme}.png"))
        page.goto((project.site / "events" / "a" / "index.html").as_uri())
        body = page.evaluate("getComputedStyle(document.querySelector('.event-body')).fontFamily")
        title = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
        assert body.startswith("Georgia") and title.startswith('"Helvetica Neue"')
        page.close()
