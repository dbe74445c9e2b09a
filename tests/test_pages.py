"""The site's own pages (issue 17.1): Markdown in pages/, in the menu, linked and checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Project, assert_clean_exit, event, folder_differences, text_of
from timeline.build import Builder
from timeline.config import load_config

SOURCES = """\
wire:
  title: A wire report
  url: https://example.com/wire
  publisher: Wire
"""

ABOUT = """\
---
title: About
menu: 1
---

This timeline follows [[talks|the talks]] and
[[breaks|the break]], as the wire reported it [@wire].
"""

METHOD = """\
---
title: Methodology
menu: 2
---

We cite every source.
"""

FILES: dict[str, str | bytes] = {
    "events/_sources.yaml": SOURCES,
    "events/2007-06-01-talks.md": event("Talks begin", "2007-06-01", extra="tags: [talks]"),
    "events/2007-08-22-breaks.md": event("The break", "2007-08-22"),
    "pages/about.md": ABOUT,
    "pages/methodology.md": METHOD,
}


def _menu(project: Project, page: str = "") -> list[str]:
    return text_of(project.html(page), ".site-nav a")


def test_pages_are_built_with_the_sites_look_and_linked_from_the_menu(project: Project) -> None:
    project.write(FILES).build()
    about = project.html("about/")
    assert text_of(about, "h1") == ["About"]
    assert about.select_one("header .site-title") is not None  # the site's own header
    # The wrapped link and the citation both resolve, from the page's depth.
    links = {a.get_text(): a["href"] for a in about.select(".event-body a")}
    assert links["the talks"] == "../events/talks/"
    assert links["the break"] == "../events/breaks/"
    assert text_of(about, ".sources li cite") == ["A wire report"]
    assert "[[" not in about.get_text() and "[@" not in about.get_text()
    assert _menu(project) == [
        "Timeline", "Years", "Tags", "Actors", "Places", "Sources", "Story", "About", "Methodology"
    ]  # fmt: skip
    current = about.select_one('.site-nav a[aria-current="page"]')
    assert current is not None and current.get_text() == "About"


def test_the_config_orders_the_menu_and_menu_false_leaves_a_page_out(project: Project) -> None:
    project.write(FILES | {
        "pages/contact.md": "---\ntitle: Contact\nmenu: false\n---\n\nWrite to us.\n",
        "timeline.toml": 'menu = ["timeline", "about", "years", "sources"]\n',
    }).build()  # fmt: skip
    assert _menu(project, "years/") == ["Timeline", "About", "Years", "Sources"]
    assert (project.site / "contact" / "index.html").is_file()  # built, just not in the menu
    (project.root / "timeline.toml").unlink()
    project.build()
    assert "Contact" not in _menu(project)


def test_pages_are_in_the_sitemap_and_the_search_index_body(project: Project) -> None:
    project.write(FILES).build("--base-url", "https://example.org/t/", "--no-search")
    sitemap = (project.site / "sitemap.xml").read_text()
    assert "<loc>https://example.org/t/about/</loc>" in sitemap
    assert "<loc>https://example.org/t/methodology/</loc>" in sitemap
    assert project.html("about/").select_one("[data-pagefind-body]") is not None


def test_check_links_follows_the_pages(project: Project) -> None:
    project.write(FILES).build()
    assert_clean_exit(result := project.run("check", "--links"))
    assert result.exit_code == 0, result.output
    page = project.site / "about" / "index.html"
    page.write_text(page.read_text().replace("../events/talks/", "../events/gone/"))
    result = project.run("check", "--links")
    assert result.exit_code == 1
    assert "about/index.html" in result.output and "events/gone/" in result.output


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"pages/about.md": ABOUT.replace("[[talks|", "[[tlaks|")},
         "pages/about.md:6: body: [[tlaks]] links to an unknown event; did you mean 'talks'?"),
        ({"pages/about.md": ABOUT.replace("[@wire]", "[@wires]")},
         "pages/about.md:7: body: [@wires] is no source id of the bibliography; define it in events/_sources.yaml"),
        ({"pages/events.md": "---\ntitle: Events\n---\n\nText.\n"},
         "pages/events.md:1: slug: (from the file name) /events/ is one of the site's own sections"),
        ({"pages/about.md": ABOUT.replace("title: About\n", "")},
         "pages/about.md:1: title: missing; every page needs a title, e.g. title: About"),
        ({"pages/about.md": ABOUT.replace("menu: 1", "menu: first")},
         "pages/about.md:3: menu: expected a number"),
        ({"pages/two.md": "---\ntitle: Two\nslug: about\n---\n\nText.\n"},
         "'about' is also the slug of pages/about.md"),
        ({"timeline.toml": 'menu = ["timeline", "abuot"]\n'},
         "timeline.toml:1: menu: 'abuot' is neither a view nor a page; did you mean 'about'?"),
    ],
)  # fmt: skip
def test_a_broken_page_is_an_error_naming_file_line_and_field(
    project: Project, files: dict[str, str], expected: str
) -> None:
    project.write(FILES).build()
    before = project.snapshot()
    result = project.write(files).run("build")
    assert_clean_exit(result)
    assert result.exit_code == 1, result.output
    assert expected in result.output, result.output
    assert project.snapshot() == before  # the previous site stays whole
    assert project.run("check").exit_code == 1  # check finds what build refuses


def test_a_page_edit_makes_the_next_build_build(project: Project) -> None:
    project.write(FILES).build()
    assert "is up to date" in project.run("build").output
    project.write({"pages/methodology.md": METHOD.replace("every source", "each source")})
    project.build()
    assert "each source" in project.html("methodology/").get_text()


def _same_as_cold_build(project: Project, built: Path) -> None:
    cold = project.root / "cold"
    config = load_config(project.root)[0].with_overrides(output_dir=str(cold))
    Builder(config).build()
    assert folder_differences(built, cold) == []


@pytest.mark.parametrize(
    "edit",
    ["body", "title", "new page", "event title", "page gone"],
)
def test_serve_updates_pages_exactly_as_a_cold_build(project: Project, edit: str) -> None:
    project.write(FILES)
    builder = Builder(load_config(project.root)[0])
    builder.build()
    if edit == "body":
        project.write({"pages/methodology.md": METHOD.replace("every source", "each source")})
    elif edit == "title":
        project.write({"pages/methodology.md": METHOD.replace("Methodology", "How we work")})
    elif edit == "new page":
        project.write({"pages/contact.md": "---\ntitle: Contact\n---\n\nWrite to us.\n"})
    elif edit == "event title":  # the page links to it with its own words: its HTML is the same
        project.write({"events/2007-06-01-talks.md":
                       event("Talks start", "2007-06-01", extra="tags: [talks]")})  # fmt: skip
    else:
        (project.root / "pages" / "methodology.md").unlink()
    result = builder.update()
    if edit in ("body", "title", "new page"):
        assert result.written
    _same_as_cold_build(project, project.site)
    if edit == "body":  # the menu is the same: one page written, not every page
        assert result.written == ("methodology/index.html",)


def test_init_creates_an_about_and_a_methodology_page(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from timeline.cli import main

    result = CliRunner().invoke(main, ["init", str(tmp_path / "new")])
    assert result.exit_code == 0, result.output
    project = Project(tmp_path / "new")
    assert sorted(p.name for p in (project.root / "pages").iterdir()) == [
        "about.md", "methodology.md"
    ]  # fmt: skip
    project.build()
    assert _menu(project)[-2:] == ["About", "Methodology"]


def test_a_page_file_name_that_is_not_utf8_is_named_not_a_crash(project: Project) -> None:
    import os

    project.write(FILES).build()
    os.makedirs(project.root / "pages", exist_ok=True)
    name = os.path.join(os.fsencode(project.root / "pages"), b"caf\xe9.md")
    with open(name, "wb") as handle:
        handle.write(b"---\ntitle: Cafe\n---\n\nText.\n")
    result = project.run("build")
    assert_clean_exit(result)
    assert result.exit_code == 1
    assert "pages/caf\\xe9.md: the file name is not UTF-8 text; rename the file" in result.output
