"""The built site as a reader sees it: pages, links, dates, statuses and sources."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.conftest import SOURCE, Project, assert_clean_exit, event, text_of

BIBLIOGRAPHY = """\
aki:
  title: "Baathists disown al-Qaeda"
  publisher: "AKI"
  url: "https://example.org/aki"
  date: "2007-08-22"
  via: "AKI, quoting Al Hayat"
  archived: "https://archive.example.org/aki"
  quote: "AlDouri has decided to sever ties"
"""

FILES: dict[str, str | bytes] = {
    "timeline.toml": 'title = "Test timeline"\n[groups]\nInsurgency = "#b5452b"\n',
    "events/_sources.yaml": BIBLIOGRAPHY,
    "events/2007-08-22-douri.md": event(
        "Al-Douri reportedly breaks with al-Qaeda", "2007-08-22",
        body="""
        The party leader decided to break with al-Qaeda [@aki].

        ## Reaction

        Doubts followed, see [[doubts]] and [the warrant](2006-08-warrant.md).
        """,
        extra="""
        status: reported
        group: Insurgency
        tags: [Ba'ath Party, al-Douri]
        actors: [Izzat Ibrahim al-Douri, عزة الدوري]
        places: [Iraq]
        related: [warrant]
        updates:
          - date: "2007-08-23"
            note: "Added the doubts."
        """,
        sources="sources:\n  - aki\n",
    ),
    "events/2007-08-23-doubts.md": event(
        "Doubts over the report", "2007-08-22/2007-08-23", extra="status: disputed\ntags: [al-Douri]"
    ),
    "events/2006-08-warrant.md": event(
        "Arrest warrant for Raghad", "2006-08~", extra="status: confirmed\nplaces: [Baghdad]",
        sources="sources:\n  - title: Warrant report\n    url: https://example.org/w\n"
                "    publisher: Dawn\n    date: 2007-08\n",
    ),
    "events/2007-05-cooperation.md": event(
        "Cooperation in Diyala", "2007-05~/2007-08~", extra="places: [Diyala]", sources=""
    ),
    "events/_notes.md": "not an event",
    "events/.hidden/x.md": "not an event either",
    "events/2007-09-draft.md": event("Draft event", "2007-09", extra="draft: true"),
    "events/0499-ancient.md": event("An ancient event", "-0499"),
}  # fmt: skip


@pytest.fixture
def site(project: Project) -> Project:
    project.write(FILES).build()
    return project


def test_index_lists_events_by_year_and_period_with_status_and_sources(site: Project) -> None:
    soup = site.html("")
    assert text_of(soup, ".year-title") == [
        "500 BCE 1 event",
        "2006 1 event",
        "2007 3 events",
    ]
    periods = text_of(soup, ".period-title")
    assert periods == ["500 BCE", "August 2006", "May 2007", "August 2007"]
    titles = text_of(soup, ".event-title")
    assert titles == [
        "An ancient event",
        "Arrest warrant for Raghad",
        "Cooperation in Diyala",
        "Al-Douri reportedly breaks with al-Qaeda",
        "Doubts over the report",
    ]
    douri = soup.select_one("#douri")
    assert douri is not None
    assert text_of(douri, ".status") == ["Reported"]
    assert text_of(douri, ".source-count") == ["1 source"]
    assert text_of(douri, ".tag") == ["Ba'ath Party", "al-Douri"]
    assert text_of(douri, ".event-summary") == ["The party leader decided to break with al-Qaeda."]
    assert "No source yet" in text_of(soup, "#cooperation .source-count")
    assert "Draft event" not in soup.get_text()


def test_uncertain_dates_are_shown_as_uncertain(site: Project) -> None:
    soup = site.html("")
    warrant = soup.select_one("#warrant .date")
    assert warrant is not None and warrant.get_text() == "c. August 2006"
    assert "date-approximate" in warrant["class"]
    cooperation = soup.select_one("#cooperation .date")
    assert cooperation is not None
    assert cooperation.get_text() == "c. May 2007 – c. August 2007"
    assert cooperation.name == "span"  # a range is not a single machine-readable date
    exact = soup.select_one("#douri .date")
    assert exact is not None and exact.name == "time" and exact["datetime"] == "2007-08-22"
    assert "date-hedged" not in exact["class"]
    assert exact["title"] == "EDTF 2007-08-22"


def test_a_date_both_approximate_and_uncertain_says_so(project: Project) -> None:
    project.write({"events/a.md": event("A", "2007-08%"), "events/b.md": event("B", "2007?")})
    project.build()
    soup = project.html("")
    a, b = soup.select_one("#a .date"), soup.select_one("#b .date")
    assert a is not None and b is not None
    assert a["class"] == ["date", "date-hedged", "date-approximate", "date-uncertain"]
    assert a["title"] == "EDTF 2007-08%: approximate and uncertain"
    assert b["class"] == ["date", "date-hedged", "date-uncertain"]
    assert b["title"] == "EDTF 2007?: uncertain"


def test_event_page_shows_everything_about_the_event(site: Project) -> None:
    soup = site.html("events/douri/")
    assert text_of(soup, "h1") == ["Al-Douri reportedly breaks with al-Qaeda"]
    assert text_of(soup, ".event-header .status") == ["Reported"]
    body = soup.select_one(".event-body")
    assert body is not None
    cite = body.select_one("sup.citation a")
    assert cite is not None and cite["href"] == "#source-1" and cite.get_text() == "[1]"
    heading = body.select_one("h2")
    assert heading is not None and heading["id"] == "reaction"
    links = {a.get_text(): a["href"] for a in body.select("a")}
    assert links["Doubts over the report"] == "../../events/doubts/"
    assert links["the warrant"] == "../../events/warrant/"

    source = soup.select_one("#source-1")
    assert source is not None
    text = " ".join(source.get_text(" ", strip=True).split())
    for part in ("Baathists disown al-Qaeda", "AKI", "22 August 2007", "via AKI, quoting Al Hayat",
                 "Archived copy", "AlDouri has decided to sever ties"):  # fmt: skip
        assert part in text
    assert source.select_one("cite a")["href"] == "https://example.org/aki"  # type: ignore[index]
    assert source.select_one("a.archived")["href"] == "https://archive.example.org/aki"  # type: ignore[index]

    assert text_of(soup, ".updates li") == ["23 August 2007 : Added the doubts."]
    assert text_of(soup, ".event-related .compact a") == ["Arrest warrant for Raghad"]
    terms = dict(zip(text_of(soup, ".terms dt"), text_of(soup, ".terms dd"), strict=True))
    assert terms == {
        "Tags": "Ba'ath Party , al-Douri",
        "Actors": "Izzat Ibrahim al-Douri , عزة الدوري",
        "Places": "Iraq",
    }
    prev = soup.select_one("a[rel=prev]")
    nxt = soup.select_one("a[rel=next]")
    assert prev is not None and prev["href"] == "../../events/cooperation/"
    assert nxt is not None and nxt["href"] == "../../events/doubts/"
    assert "Doubts over the report" in text_of(soup, ".event-around")[0]


def test_backlinks_appear_on_the_related_event(site: Project) -> None:
    soup = site.html("events/warrant/")
    assert text_of(soup, ".event-related a") == ["Al-Douri reportedly breaks with al-Qaeda"]
    assert text_of(soup, ".event-related h3") == ["Referred to by"]


def test_right_to_left_names_are_isolated(site: Project) -> None:
    soup = site.html("actors/")
    arabic = [b for b in soup.select("bdi") if b.get_text() == "عزة الدوري"]
    assert arabic, "Arabic actor name must be wrapped in <bdi>"
    page = site.html("actors/عزة-الدوري/")
    assert text_of(page, "h1")[0].startswith("عزة الدوري")


def test_taxonomy_pages_and_indexes(site: Project) -> None:
    tags = site.html("tags/")
    assert text_of(tags, ".term-list li") == ["al-Douri 2 events", "Ba'ath Party 1 event"]
    tag = site.html("tags/al-douri/")
    assert text_of(tag, ".event-title") == ["Al-Douri reportedly breaks with al-Qaeda",
                                            "Doubts over the report"]  # fmt: skip
    assert text_of(site.html("places/"), ".term-list a") == ["Baghdad", "Diyala", "Iraq"]
    assert (site.site / "tags" / "baath-party" / "index.html").is_file()


def test_year_pages(site: Project) -> None:
    years = site.html("years/")
    assert text_of(years, ".term-list a") == ["500 BCE", "2006", "2007"]
    y2007 = site.html("years/2007/")
    assert text_of(y2007, "h1") == ["2007 3 events"]
    assert text_of(y2007, ".event-title") == [
        "Cooperation in Diyala",
        "Al-Douri reportedly breaks with al-Qaeda",
        "Doubts over the report",
    ]
    assert y2007.select_one("a[rel=prev]")["href"] == "../../years/2006/"  # type: ignore[index]
    assert (site.site / "years" / "-0499" / "index.html").is_file()


def test_sources_page_lists_every_source_with_its_events_and_the_unsourced(site: Project) -> None:
    soup = site.html("sources/")
    entries = soup.select(".bibliography > li")
    assert [e.select_one("cite").get_text() for e in entries] == [  # type: ignore[union-attr]
        "A source",
        "Baathists disown al-Qaeda",
        "Warrant report",
    ]
    aki = entries[1]
    assert text_of(aki, ".compact a") == ["Al-Douri reportedly breaks with al-Qaeda"]
    assert text_of(soup, "#unsourced + ul a") == ["Cooperation in Diyala"]
    # The event page links each source to its entry here.
    event_page = site.html("events/douri/")
    link = event_page.select_one("#source-1 .all-citations")
    assert link is not None and link["href"] == f"../../sources/#{aki['id']}"


def test_drafts_are_built_only_when_asked(project: Project) -> None:
    project.write(FILES).build("--drafts")
    assert (project.site / "events" / "draft" / "index.html").is_file()


def test_not_found_page_links_from_the_site_root(project: Project) -> None:
    project.write(FILES).build("--base-url", "https://example.org/iraq/")
    soup = project.html("404.html")
    assert soup.select_one("link[rel=stylesheet]")["href"] == "/iraq/static/style.css"  # type: ignore[index]
    assert text_of(soup, "h1") == ["Page not found"]


def _internal_links(site: Path, base: str) -> list[tuple[str, str]]:
    """(page, resolved target path) for every internal href and src in the site."""
    found = []
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        url = base + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["a", "link", "img", "script"]):
            ref = tag.get("href") or tag.get("src")
            if not ref or not isinstance(ref, str):
                continue
            target = urljoin(url, ref)
            if urlsplit(target).netloc != urlsplit(base).netloc or target.startswith(("mailto:",)):
                continue
            found.append((rel, urlsplit(target).path))
    return found


@pytest.mark.parametrize("base", ["https://timeline.test/", "https://timeline.test/iraq/"])
def test_every_internal_link_resolves_at_root_and_under_a_sub_path(
    project: Project, base: str
) -> None:
    project.write(FILES).build("--base-url", base)
    prefix = urlsplit(base).path
    links = _internal_links(project.site, base)
    assert len(links) > 100
    for page, path in links:
        assert path.startswith(prefix), (page, path)
        local = project.site / path[len(prefix) :]
        if path.endswith("/"):
            local = local / "index.html"
        assert local.is_file(), f"{page} links to missing {path}"
    canonical = project.html("events/douri/").select_one("link[rel=canonical]")
    assert canonical is not None and canonical["href"] == f"{base}events/douri/"


def test_a_users_theme_overrides_templates_and_static_files(project: Project) -> None:
    project.write(FILES)
    project.write({
        "theme/static/style.css": "body { color: rebeccapurple; }\n",
        "theme/static/extra.js": "// extra\n",
        "theme/templates/404.html": "{% extends 'base.html' %}{% block content %}<h1>Lost?</h1>{% endblock %}",
    })  # fmt: skip
    project.build()
    assert (project.site / "static" / "style.css").read_text() == "body { color: rebeccapurple; }\n"
    assert (project.site / "static" / "extra.js").is_file()
    assert text_of(project.html("404.html"), "h1") == ["Lost?"]
    assert text_of(project.html(""), ".year-title")  # other templates still the default's


@pytest.mark.parametrize("name", ["macros.html", "event.html", "event_item.html"])
def test_a_broken_theme_template_is_an_error_naming_it(project: Project, name: str) -> None:
    project.write(FILES)
    project.build()
    before = project.snapshot()
    project.write({f"theme/templates/{name}": "<p>\n{% if %}\n"})
    result = project.run("build", "--no-search")
    assert_clean_exit(result)
    assert result.exit_code == 1
    where = (project.root / "theme" / "templates" / name).as_posix()
    assert f"{where}:2: template: " in result.output
    assert project.snapshot() == before


def test_empty_events_folder_builds_an_empty_site_with_a_warning(project: Project) -> None:
    (project.root / "events").mkdir()
    result = project.build()
    assert "events: warning: no event files found" in result.stderr
    assert "No events yet" in project.html("").get_text()


def test_config_sets_date_format_and_zone_for_local_times(project: Project) -> None:
    project.write({
        "timeline.toml": 'date_format = "mdy"\ntimezone = "Asia/Baghdad"\n',
        "events/a.md": event("A", "2007-08-22T10:00"),
        "events/b.md": event("B", "2007-08-23T10:00Z"),
    })  # fmt: skip
    project.build()
    assert text_of(project.html(""), ".event .date") == [
        "August 22, 2007, 10:00 (Asia/Baghdad)",
        "August 23, 2007, 10:00 UTC",
    ]


def test_event_image_from_static_folder_with_caption_and_credit(project: Project) -> None:
    project.write({
        "static/img/map.png": b"\x89PNG fake",
        "events/a.md": event("A", extra="image:\n  src: img/map.png\n  alt: Map of Diyala\n"
                                        "  caption: Diyala province\n  credit: Wikimedia"),
    })  # fmt: skip
    project.build()
    soup = project.html("events/a/")
    img = soup.select_one(".event-image img")
    assert img is not None and img["src"] == "../../img/map.png" and img["alt"] == "Map of Diyala"
    assert text_of(soup, ".event-image figcaption") == ["Diyala province Wikimedia"]
    assert (project.site / "img" / "map.png").read_bytes() == b"\x89PNG fake"


def test_bom_crlf_and_a_trailing_space_after_the_dashes_are_accepted(project: Project) -> None:
    text = "\ufeff--- \r\ntitle: Windows file\r\ndate: 2007\r\n" + SOURCE.replace("\n", "\r\n")
    project.write({"events/a.md": text + "---  \r\nBody line.\r\n"}).build()
    assert text_of(project.html("events/a/"), "h1") == ["Windows file"]


def test_large_timelines_paginate_and_keep_every_event_reachable(project: Project) -> None:
    """Over 500 events the index shows years only; long lists split into pages of 500."""
    files: dict[str, str | bytes] = {
        f"events/e{n:04d}.md": event(f"Event {n}", f"2007-{1 + n % 12:02d}-{1 + n % 28:02d}",
                                     body="Short.", extra="tags: [common]")
        for n in range(1001)
    }  # fmt: skip
    files["events/other-year.md"] = event("Later", "2008-01-01")
    project.write(files).build()

    home = project.html("")
    assert home.select(".event-title") == []
    assert [a["href"] for a in home.select(".density a")] == ["years/2007/", "years/2008/"]
    # Over 500 events the overview bins them by year instead of drawing every mark.
    assert home.select("svg a.mark") == []
    assert [a["href"] for a in home.select("svg a.bin")] == ["years/2007/", "years/2008/"]

    seen: list[str] = []
    for base in ("years/2007/", "tags/common/"):
        pages = [project.html(base)]
        while (nxt := pages[-1].select_one(".pager a[rel=next]")) is not None:
            pages.append(project.html(base + str(nxt["href"]).rsplit(base, 1)[-1]))
        assert [len(p.select(".event-title")) for p in pages] == [500, 500, 1]
        assert text_of(pages[1], ".pager-position")[0] == "Page 2 of 3"
        seen = [a["href"] for p in pages for a in p.select(".event-title a")]
    assert len(set(seen)) == 1001
    assert max(p.stat().st_size for p in project.site.rglob("*.html")) < 2_000_000
    # Built by two workers: the cache record made from their file stats matches the output.
    assert "is up to date" in project.build().output
    (project.site / "years" / "2008" / "index.html").write_text("edited by hand")
    assert "Built 1002 events" in project.build().output


def test_sources_pages_split_by_the_events_they_list() -> None:
    from timeline.site.paging import weighted_bounds

    assert weighted_bounds([1] * 5, limit=2) == [0, 2, 4]
    assert weighted_bounds([300, 300, 10], limit=500) == [0, 1]
    assert weighted_bounds([900], limit=500) == [0]  # one heavy source still gets a page
    assert weighted_bounds([], limit=500) == [0]


def test_typed_relations_read_right_from_both_sides(project: Project) -> None:
    project.write({
        "events/2007-08-22-report.md": event("The report", "2007-08-22"),
        "events/2007-08-23-doubts.md": event(
            "The doubts", "2007-08-23",
            extra="related:\n  - slug: report\n    relation: contradicts\n"
                  "  - slug: denial\n    relation: follows\n  - plain",
        ),
        "events/2007-08-21-denial.md": event("The denial", "2007-08-21"),
        "events/2007-08-20-plain.md": event("Plain", "2007-08-20"),
    })  # fmt: skip
    project.build()

    def groups(slug: str) -> dict[str, list[str]]:
        soup = project.html(f"events/{slug}/")
        return {
            h3.get_text(): [a.get_text() for a in h3.find_next("ul").select("a")]  # type: ignore[union-attr]
            for h3 in soup.select(".event-related h3")
        }

    assert groups("doubts") == {"Contradicts": ["The report"], "Follows": ["The denial"],
                                "Related": ["Plain"]}  # fmt: skip
    assert groups("report") == {"Contradicted by": ["The doubts"]}
    assert groups("denial") == {"Followed by": ["The doubts"]}
    assert groups("plain") == {"Referred to by": ["The doubts"]}


def test_the_overview_draws_one_linked_mark_per_event_in_lanes(site: Project) -> None:
    svg = site.html("").select_one("svg.chart-svg")
    assert svg is not None
    marks = {a["aria-label"]: a for a in svg.select("a.mark")}
    assert len(marks) == 5  # the draft is left out, like everywhere else
    douri = marks["Al-Douri reportedly breaks with al-Qaeda, 22 August 2007, Reported"]
    assert douri["href"] == "events/douri/" and douri.select_one("circle") is not None
    # A month is "some time in this span" (hollow), its "~" dashed; an interval is a solid
    # bar between the hollow months it starts and ends in.
    warrant = marks["Arrest warrant for Raghad, c. August 2006, Confirmed"]
    assert "mark-approx" in warrant["class"] and warrant.select("rect.core") == []
    assert warrant.select_one("rect.span") is not None
    year_marks = {a["aria-label"]: a for a in site.html("years/2007/").select("svg a.mark")}
    cooperation = year_marks["Cooperation in Diyala, c. May 2007 – c. August 2007, Reported"]
    assert "mark-approx" in cooperation["class"] and len(cooperation.select("rect.span")) == 2
    # On the 2007 page the scale is a year: the four-month interval is a long bar.
    bars = site.html("years/2007/").select("svg a.mark rect.core")
    assert [r for r in bars if float(str(r["width"]).rstrip("%")) > 10]
    assert [t.get_text() for t in svg.select("text.lane-name")] == ["Insurgency", "Other"]
    year = site.html("years/2007/").select_one("svg.chart-svg")
    assert year is not None and len(year.select("a.mark")) == 3
    assert year.select_one("a.mark")["href"].startswith("../../events/")  # type: ignore[index, union-attr]


def test_event_pages_show_a_strip_of_the_events_around_them(site: Project) -> None:
    strip = site.html("events/douri/").select_one(".event-around svg.chart-svg")
    assert strip is not None
    marks = strip.select("a.mark")
    assert len(marks) == 5  # itself and its neighbours (three before, one after)
    current = strip.select_one("a.mark-current")
    assert current is not None and current["aria-current"] == "page"
    assert current["href"] == "../../events/douri/"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "404.html",
            "{% extends 'base.html' %}{% block content %}\n<p>\n{{ nothing.here }}\n{% endblock %}\n",
        ),
        ("event_item.html", "<li>\n{{ e.title }}\n{{ e.nothing.here }}</li>\n"),
    ],
)
def test_an_error_while_rendering_names_the_template_line(
    project: Project, name: str, text: str
) -> None:
    project.write(FILES)
    project.write({f"theme/templates/{name}": text})
    result = project.run("build", "--no-search")
    assert_clean_exit(result)
    assert result.exit_code == 1
    where = (project.root / "theme" / "templates" / name).as_posix()
    assert f"{where}:3: template: " in result.output
    assert "nothing" in result.output  # what Jinja says is missing
