"""Event bodies: CommonMark extensions, links, citations, and nothing unsafe reaching the page."""

from __future__ import annotations

import hashlib

import pytest
from bs4 import BeautifulSoup

from tests.conftest import Project, event, text_of
from timeline.site.bodyrules import UNICODE, anchor_slug, is_punctuation, summary_text


def body_of(project: Project, markdown: str, *, config: str = "", extra: str = "") -> str:
    files: dict[str, str | bytes] = {
        "events/2007-08-22-a.md": event("A", body=markdown, extra=extra),
        "events/2007-08-23-other.md": event("The other event", "2007-08-23"),
    }
    if config:
        files["timeline.toml"] = config
    project.write(files).build()
    body = project.html("events/a/").select_one(".event-body")
    assert body is not None
    return str(body)


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "Text <a href='javascript:alert(1)'>x</a>",
    ],
)
def test_raw_html_is_escaped_by_default(project: Project, markdown: str) -> None:
    html = body_of(project, markdown)
    assert "<script" not in html and "<img" not in html and "<a href='javascript" not in html
    assert "&lt;" in html


def test_raw_html_passes_only_when_the_config_allows_it(project: Project) -> None:
    html = body_of(project, "<mark>kept</mark>", config="allow_html = true\n")
    assert "<mark>kept</mark>" in html


@pytest.mark.parametrize(
    "markdown",
    [
        "[x](javascript:alert(1))",
        "[x](JavaScript:alert(1))",
        "[x](java&#115;cript:alert(1))",
        "[x](vbscript:msgbox)",
        "[x](data:text/html,<script>alert(1)</script>)",
        "![x](javascript:alert(1))",
        "<javascript:alert(1)>",
    ],
)
def test_only_safe_url_schemes_survive(project: Project, markdown: str) -> None:
    body = BeautifulSoup(body_of(project, markdown), "html.parser")
    urls = [str(t.get("href") or t.get("src") or "") for t in body.find_all(["a", "img"])]
    assert not [u for u in urls if u.split(":")[0].lower() in ("javascript", "vbscript", "data")]
    assert body.get_text().strip()  # the text is still shown, just not as a link


@pytest.mark.parametrize(
    "url", ["https://example.org/", "http://example.org/", "mailto:desk@example.org", "../x/"]
)
def test_safe_links_are_kept(project: Project, url: str) -> None:
    project.write({"events/2007-08-22-a.md": event("A", body=f"[link]({url})")}).build()
    link = project.html("events/a/").select_one(".event-body a")
    assert link is not None and link["href"] == url


def test_template_syntax_in_text_stays_literal(project: Project) -> None:
    project.write(
        {"events/2007-08-22-a.md": event("{{ 7*7 }}", body="{{ 7*7 }} {% if 1 %}x{% endif %}")}
    )
    project.build()
    soup = project.html("events/a/")
    assert text_of(soup, "h1") == ["{{ 7*7 }}"]
    assert "{{ 7*7 }} {% if 1 %}x{% endif %}" in text_of(soup, ".event-body")[0]
    assert "49" not in soup.get_text()


def test_wiki_links_with_and_without_text(project: Project) -> None:
    html = body_of(project, "See [[other]] and [[other|that one]].")
    assert 'href="../../events/other/"' in html
    assert ">The other event</a>" in html and ">that one</a>" in html


def test_relative_links_to_event_files_become_page_links(project: Project) -> None:
    html = body_of(project, "See [it](2007-08-23-other.md#detail).")
    assert 'href="../../events/other/#detail"' in html


def test_citations_number_the_events_own_sources(project: Project) -> None:
    sources = (
        "sources:\n  - title: First\n    url: https://example.org/1\n"
        "  - id: second\n    title: Second\n    url: https://example.org/2\n"
    )
    project.write({"events/2007-08-22-a.md": event("A", body="Claim [@second].", sources=sources)})
    project.build()
    soup = project.html("events/a/")
    cite = soup.select_one(".event-body sup.citation a")
    assert cite is not None and cite.get_text() == "[2]" and cite["href"] == "#source-2"
    assert soup.select_one("#source-2 cite").get_text() == "Second"  # type: ignore[union-attr]


def test_tables_strikethrough_footnotes_and_heading_anchors(project: Project) -> None:
    markdown = """
    # Top heading

    | a | b |
    |---|---|
    | 1 | 2 |

    ~~withdrawn~~ claim.[^1]

    ## Second part

    [^1]: A footnote.
    """
    html = body_of(project, markdown)
    assert "<table>" in html and "<td>1</td>" in html
    assert "<s>withdrawn</s>" in html
    assert 'class="footnote-ref"' in html and "A footnote." in html
    assert '<h2 id="top-heading">' in html  # the page title is the only h1
    assert '<h2 id="second-part">' in html


def test_summary_defaults_to_the_first_paragraph_and_can_be_set(project: Project) -> None:
    project.write({
        "events/2007-08-22-a.md": event("A", body="First *para* [@x].\n\nSecond.",
                                        sources="sources:\n  - id: x\n    title: X\n"),
        "events/2007-08-23-b.md": event("B", "2007-08-23", extra="summary: Set by hand."),
    })  # fmt: skip
    project.build()
    assert text_of(project.html(""), ".event-summary") == ["First para.", "Set by hand."]
    meta = project.html("events/b/").select_one("meta[name=description]")
    assert meta is not None and meta["content"] == "Set by hand."


def test_pathological_nesting_renders(project: Project) -> None:
    """markdown-it caps nesting; absurd input still builds (and ordinary depth keeps its text)."""
    html = body_of(project, "> " * 10 + "deep\n\n" + "> " * 500 + "x\n\n" + "*" * 5000 + "[" * 3000)
    assert "deep" in html
    assert html.count("<blockquote>") < 1000


@pytest.mark.parametrize(
    ("words", "summary"),
    [
        ("  First\n\tline \u00a0and\u3000more  ", "First line and more"),
        ("Said so , twice ; then ? and . end !", "Said so, twice; then? and. end!"),
        ("A claim \n: its note", "A claim: its note"),
        ("", ""),
    ],
)
def test_summary_text_collapses_every_space_and_none_before_punctuation(
    words: str, summary: str
) -> None:
    assert summary_text(words) == summary


@pytest.mark.parametrize(
    ("markdown", "href", "text"),
    [
        (
            "<https://ar.wikipedia.org/wiki/%D8%B9%D8%B1%D8%A7%D9%82>",
            "https://ar.wikipedia.org/wiki/%D8%B9%D8%B1%D8%A7%D9%82",
            "https://ar.wikipedia.org/wiki/عراق",
        ),
        ("See <https://xn--r8jz45g.jp/>.", "https://xn--r8jz45g.jp/", "https://例え.jp/"),
        ("<desk%40@example.org>", "mailto:desk%40@example.org", "desk%40@example.org"),
    ],
)
def test_an_autolink_shows_its_address_decoded(
    project: Project, markdown: str, href: str, text: str
) -> None:
    """Percent-escaped UTF-8 and punycode hosts are shown as the reader's script (the link
    itself keeps them); an escaped %, which would change the address, stays escaped."""
    link = BeautifulSoup(body_of(project, markdown), "html.parser").select_one("a")
    assert link is not None and link["href"] == href and link.get_text() == text


@pytest.mark.parametrize("spaces", [" ", "   ", "    ", "      ", "\t", "\t  "])
def test_a_footnote_is_text_however_far_after_its_colon(project: Project, spaces: str) -> None:
    html = body_of(project, f"Claim.[^1]\n\n[^1]:{spaces}Four spaces in, still a note.")
    note = BeautifulSoup(html, "html.parser").select_one("li.footnote-item")
    assert note is not None and note.select("pre") == []
    assert note.get_text().startswith("Four spaces in, still a note.")


def test_unicode_newer_than_python_3_11_reads_as_on_3_13(project: Project) -> None:
    """🫨 (Unicode 15.0) is punctuation, so no emphasis opens between letters beside it; a
    Kawi letter (15.0) is a word character, kept in a heading's anchor."""
    html = body_of(project, "a*🫨*b\n\n## Kawi \U00011f04 letter")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select("em") == [] and "a*🫨*b" in soup.get_text()
    heading = soup.select_one("h2")
    assert heading is not None and heading["id"] == "kawi-\U00011f04-letter"


# Unicode 15.1's punctuation and word characters over every code point, as the renderers read
# them: the same on every Python (14.0 on 3.11, 15.0 on 3.12). Python's own differ.
UNICODE_DIGEST = "7e682a0ae6bf34c260b901cefacd296924eb7f0369c0667b2c25cfae84e8ad49"


def test_markdown_reads_the_same_unicode_on_every_python() -> None:
    chars = [chr(code) for code in range(0x110000) if not 0xD800 <= code < 0xE000]
    digest = hashlib.sha256(bytes(map(is_punctuation, chars)))
    digest.update(anchor_slug("".join(chars)).encode())
    assert digest.hexdigest() == UNICODE_DIGEST, (
        f"Markdown reads Unicode differently on this Python than {UNICODE}: extend the "
        "tables of characters assigned since 14.0 in timeline/site/bodyrules.py"
    )
