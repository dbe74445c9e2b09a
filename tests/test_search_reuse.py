"""The search index is made again only when a page's searchable text changed (issue 19.5),
and Pagefind reads only the folders holding the pages it indexes."""

from __future__ import annotations

import json
import os

from playwright.sync_api import Browser, expect

from tests.conftest import Project, event, static_server
from timeline.site.search import files_glob, page_digest

WAIT = 10_000  # ms: the first search fetches Pagefind's WebAssembly and index
SOURCES = "sources:\n  - title: {title}\n    url: https://example.org/a\n"


def _files(project: Project) -> dict[str, int]:
    """Every file of the published index, by path: its inode (a kept file keeps it)."""
    index = project.site / "pagefind"
    return {str(p.relative_to(index)): p.stat().st_ino for p in index.rglob("*") if p.is_file()}


def _found(browser: Browser, project: Project, word: str) -> str:
    """What the site's search box says for ``word``."""
    with static_server(project.site) as url:
        page = browser.new_page()
        page.goto(url)
        page.get_by_role("searchbox", name="Search the timeline").fill(word)
        status = page.locator("#search-status")
        expect(status).not_to_have_text("", timeout=WAIT)
        said = status.inner_text()
        page.close()
    return said


def test_an_edit_outside_the_searchable_text_keeps_the_index(
    browser: Browser, project: Project
) -> None:
    project.write({
        "events/a.md": event("A", body="The convoy reached Zanzibar.",
                             sources=SOURCES.format(title="First report")),
        "events/b.md": event("B", "2007-09-01", extra="related: [a]"),
        "pages/about.md": "---\ntitle: About\n---\n\nWe track the Quokka desk.\n",
    })  # fmt: skip
    first = project.build()
    assert "of which the search index (Pagefind)" in first.output, first.output
    before = _files(project)
    entry = json.loads((project.site / "pagefind" / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 3  # two events and the own page

    # A source's title and a related event's title are on the page, not in its searchable
    # text (the sources and related lists are data-pagefind-ignore).
    project.write({"events/a.md": event("A", body="The convoy reached Zanzibar.",
                                        sources=SOURCES.format(title="Second report"))})  # fmt: skip
    kept = project.build()
    assert kept.exit_code == 0, kept.output
    assert "the search index kept, no page's searchable text changed" in kept.output
    assert "Second report" in (project.site / "events/a/index.html").read_text()
    assert _files(project) == before  # the same files, linked from the last build
    assert _found(browser, project, "Zanzibar") == "1 result"
    assert _found(browser, project, "Quokka") == "1 result"  # the own page, read by its glob

    project.write({"events/b.md": event("B", "2007-09-01", body="Then Zanzibar again.",
                                        extra="related: [a]")})  # fmt: skip
    edited = project.build()
    assert "of which the search index (Pagefind)" in edited.output, edited.output
    assert _found(browser, project, "Zanzibar") == "2 results"


def test_an_index_changed_since_the_last_build_is_made_again(project: Project) -> None:
    project.write({"events/a.md": event("A", sources=SOURCES.format(title="One"))})
    project.build()
    fragment = next((project.site / "pagefind" / "fragment").iterdir())
    os.remove(fragment)  # someone tidied the published site
    project.write({"events/a.md": event("A", sources=SOURCES.format(title="Two"))})
    result = project.build()
    assert "of which the search index (Pagefind)" in result.output, result.output
    assert len(list((project.site / "pagefind" / "fragment").iterdir())) == 1


def test_no_cache_makes_the_index_again(project: Project) -> None:
    project.write({"events/a.md": event("A", sources=SOURCES.format(title="One"))})
    project.build()
    project.write({"events/a.md": event("A", sources=SOURCES.format(title="Two"))})
    result = project.build("--no-cache")
    assert "of which the search index (Pagefind)" in result.output, result.output


PAGE = """<!doctype html><html lang="en"><head><title>A</title></head><body><nav>menu</nav>
<article data-pagefind-body><h1>A</h1><p>{text}</p>
<section data-pagefind-ignore><h2>Related</h2><section><p>{related}</p></section></section>
<span hidden data-pagefind-filter="tag:{tag}"></span></article>
<footer>{footer}</footer></body></html>"""


def _digest(raw_html: bool = False, **values: str) -> bytes | None:
    fields = {"text": "Words", "related": "Other", "tag": "Diyala", "footer": "F", **values}
    return page_digest(PAGE.format(**fields), raw_html=raw_html)


def test_a_page_s_digest_follows_its_searchable_text_only() -> None:
    assert _digest() is not None
    assert _digest(text="Other words") != _digest()
    assert _digest(tag="Anbar") != _digest()  # a filter
    assert _digest(related="Renamed") == _digest()  # inside an ignored element
    assert _digest(footer="Changed") == _digest()  # after the indexed element
    # Authors' HTML need not balance: then all after the indexed element's start counts.
    assert _digest(raw_html=True, related="Renamed") != _digest(raw_html=True)
    assert page_digest("<html><body><p>No index here</p></body></html>", raw_html=False) is None


def test_pagefind_reads_the_top_folders_holding_indexed_pages() -> None:
    pages = {"events/a/index.html": b"", "events/b/index.html": b"", "about/index.html": b""}
    assert files_glob(pages) == "{about/**/*.html,events/**/*.html}"
    assert files_glob({"events/a/index.html": b""}) == "events/**/*.html"
    assert files_glob({"index.html": b"", "events/a/index.html": b""}) == (
        "{events/**/*.html,index.html}"
    )
