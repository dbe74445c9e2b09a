"""The overview as a reader gets it: the static SVG (no JavaScript) and the chart zoomed and
panned in time in Chromium, on the sample and on small sites made for one point each."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import datetime

import pytest
from bs4 import BeautifulSoup, Tag
from playwright.sync_api import Browser, Page

from tests.conftest import REPO, Project, event, static_server
from timeline.reading.dates import DateFormat, days_from_civil
from timeline.site.axis import short_months, ticks

# One event for each way a date can be known.
VAGUE: dict[str, str | bytes] = {
    "timeline.toml": 'title = "Vague"\n[groups]\nA = "#b5452b"\nB = "#2b6cb5"\n',
    "events/day.md": event("On a day", "2007-08-22", extra="group: A"),
    "events/interval.md": event("Lasted three days", "2007-08-19/2007-08-21", extra="group: A"),
    "events/month.md": event("Some time in April", "2007-04", extra="group: A"),
    "events/decade.md": event("Some time in the nineties", "199X", extra="group: B"),
    "events/season.md": event("Some time in summer", "2006-22", extra="group: B"),
    "events/approx.md": event("About then", "2006-03-02~", extra="group: B"),
    "events/unsure.md": event("Maybe then", "2005-06-01?", extra="group: B"),
    "events/open.md": event("Still going", "2006-05/..", extra="group: A"),
    "events/unknown.md": event("Ended some time", "2006-01-10/", extra="group: B"),
}


def _chart(soup: BeautifulSoup, where: str = "") -> Tag:
    figure = soup.select_one(f"{where} figure.chart")
    assert figure is not None
    return figure


def _axis(figure: Tag) -> list[str]:
    return [t.get_text() for t in figure.select("svg text.tick-label")]


def test_every_chart_has_a_time_axis_that_fits_its_span(tmp_path_factory: pytest.TempPathFactory,
                                                         ) -> None:  # fmt: skip
    project = Project(REPO)
    out = tmp_path_factory.mktemp("axis") / "site"
    assert project.run("build", "--no-cache", "--no-search", "--out", str(out)).exit_code == 0

    def page(rel: str) -> BeautifulSoup:
        return BeautifulSoup((out / rel / "index.html").read_text(encoding="utf-8"), "html.parser")

    # The index spans 22 months: quarters, with the year under each January.
    index = _chart(page(""))
    assert _axis(index) == ["Jan", "Apr", "Jul", "Oct", "Jan", "Apr", "Jul"]
    assert [t.get_text() for t in index.select("text.tick-context")] == ["2006", "2007"]
    # A year page (March to September): the 1st and 15th of each month, named under the 1st;
    # an "around this date" strip of five weeks: days of the month.
    year = _chart(page("years/2007"))
    assert _axis(year)[:4] == ["1", "15", "1", "15"]
    assert [t.get_text() for t in year.select("text.tick-context")][:2] == [
        "April 2007",
        "May 2007",
    ]
    strip = _chart(page("events/douri-severs-ties"), ".event-around")
    labels = _axis(strip)
    assert labels and all(label.isdigit() for label in labels)
    assert "August 2007" in [t.get_text() for t in strip.select("text.tick-context")]


@pytest.mark.parametrize(
    ("lo", "hi", "width", "unit", "first"),
    [
        (
            (-1999, 1, 1),
            (2007, 1, 1),
            880,
            "year",
            ["2000 BCE", "1500 BCE", "1000 BCE", "500 BCE", "500"],
        ),
        ((1900, 1, 1), (2010, 1, 1), 880, "year", ["1900", "1910", "1920"]),
        ((2005, 11, 1), (2007, 10, 1), 390, "month", ["Jan", "Jul", "Jan", "Jul"]),
        ((2007, 8, 1), (2007, 9, 1), 880, "day", ["1", "3", "5"]),
        ((2007, 8, 15), (2007, 8, 22), 880, "day", ["15", "16", "17"]),
    ],
)
def test_ticks_step_from_millennia_to_days(lo: tuple[int, int, int], hi: tuple[int, int, int],
                                           width: float, unit: str, first: list[str]) -> None:  # fmt: skip
    got_unit, got = ticks(days_from_civil(*lo), days_from_civil(*hi), width, DateFormat())
    assert got_unit == unit
    assert [t.label for t in got][: len(first)] == first
    days = [t.day for t in got]
    gaps = [b - a for a, b in itertools.pairwise(days)]
    px = width / (days_from_civil(*hi) - days_from_civil(*lo))
    assert min(gaps) * px >= 40  # never crowded (a 2-day step may end a month one day short)


def test_short_month_names_stay_distinct() -> None:
    french = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre")  # fmt: skip
    short = short_months(french)
    assert len(set(short)) == 12 and short[5:7] == ("juin", "juil")


@pytest.fixture(scope="module")
def vague(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = Project(tmp_path_factory.mktemp("vague"))
    project.write(VAGUE).build("--no-search")
    return project


def test_each_kind_of_date_is_drawn_its_own_way(vague: Project) -> None:
    figure = _chart(vague.html(""))
    marks = {a.select_one("title").get_text().split(",")[0]: a  # type: ignore[union-attr]
             for a in figure.select("a.mark")}  # fmt: skip

    def drawn(title: str) -> set[str]:
        mark = marks[title]
        return {" ".join(el.get("class") or [el.name]) for el in mark.find_all(True)
                if el.name in ("circle", "rect", "line", "use", "text")} - {"hit"}  # fmt: skip

    assert drawn("On a day") == {"dot", "mark-label"} or drawn("On a day") == {"dot"}
    assert "core" in drawn("Lasted three days") and "span" not in drawn("Lasted three days")
    for vague_one in ("Some time in April", "Some time in the nineties", "Some time in summer"):
        assert "span" in drawn(vague_one) and "core" not in drawn(vague_one), vague_one
    assert "mark-approx" in marks["About then"]["class"]
    assert "mark-uncertain" in marks["Maybe then"]["class"] and "q" in drawn("Maybe then")
    open_end = marks["Still going"]
    assert open_end.select_one("use")["href"] == "#chart-open-end"  # type: ignore[index]
    assert "tail" in drawn("Ended some time")
    # The legend explains exactly what is drawn.
    legend = [
        li.find(string=True, recursive=False).strip() for li in figure.select(".chart-legend li")
    ]
    assert legend == ["on this day", "lasted this span", "some time in this span",
                      "approximate (c.)", "uncertain (?)", "still going",
                      "end (or start) unknown"]  # fmt: skip


def test_the_chart_data_holds_every_event_for_the_script(vague: Project) -> None:
    figure = _chart(vague.html(""))
    data = json.loads(figure.select_one("script.chart-data").get_text())  # type: ignore[union-attr]
    assert sorted(row[1] for row in data["events"]) == sorted(
        a.select_one("title").get_text().split(",")[0]  # type: ignore[union-attr]
        for a in figure.select("a.mark")
    )
    assert [lane[0] for lane in data["lanes"]] == ["A", "B"]


def test_a_headline_cannot_close_its_script(project: Project) -> None:
    project.write({"events/x.md": event("</script><b>bold</b>", "2007-01-01"),
                   "events/y.md": event("Other", "2007-02-01")}).build("--no-search")  # fmt: skip
    figure = _chart(project.html(""))
    assert figure.select("b") == []
    data = json.loads(figure.select_one("script.chart-data").get_text())  # type: ignore[union-attr]
    assert data["events"][0][1] == "</script><b>bold</b>"


# In Chromium ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("overview") / "site"
    assert Project(REPO).run("build", "--no-cache", "--no-search", "--out", str(out)).exit_code == 0
    with static_server(out) as url:
        yield url


def _page(browser: Browser, width: int = 1100, **options: object) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 800}, **options)  # type: ignore[arg-type]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error"
            and not m.location.get("url", "").endswith("favicon.ico") else None)  # fmt: skip
    page.errors = errors  # type: ignore[attr-defined]
    return page


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    page = _page(browser)
    yield page
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


SVG = "figure.chart svg.chart-svg"

# The boxes of everything the chart draws, by kind, in the page's px.
BOXES = """(svg) => {
  const box = (el) => { const r = el.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom, el.textContent]; };
  const inView = (b) => b[2] > svg.getBoundingClientRect().left && b[0] < svg.getBoundingClientRect().right;
  return {
    labels: [...svg.querySelectorAll("text.mark-label")].map(box).filter(inView),
    shapes: [...svg.querySelectorAll(".dot, .core, .span")].map(box).filter(inView),
    ticks: [...svg.querySelectorAll("text.tick-label")].map(box),
    fonts: [...svg.querySelectorAll("text")].map((t) => parseFloat(getComputedStyle(t).fontSize)),
    dots: [...svg.querySelectorAll(".dot")].map((d) => d.getBoundingClientRect().width),
    hits: [...svg.querySelectorAll("a.mark .hit")].map((h) => { const r = h.getBoundingClientRect();
      return [r.width, r.height]; }),
    unit: svg.getAttribute("data-unit"),
    height: svg.getBoundingClientRect().height,
  };
}"""


AXE = """async () => (await axe.run(document.querySelector("figure.chart"),
  {resultTypes: ["violations"]})).violations.map((v) => v.id)"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


def _assert_no_overlap(boxes: dict[str, list[list[float]]]) -> None:
    labels = boxes["labels"]
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not _overlap(a, b), (a, b)
        for shape in boxes["shapes"]:
            assert not _overlap(a, shape), (a, shape)
    ticks = boxes["ticks"]
    for a, b in itertools.pairwise(ticks):
        assert a[2] <= b[0], (a, b)


def test_zoom_changes_the_time_scale_not_the_size_of_things(page: Page, sample: str) -> None:
    page.goto(sample)
    svg = page.locator(SVG).first
    full = svg.evaluate(BOXES)
    assert full["unit"] == "month" and len(full["labels"]) >= 8
    units = [full["unit"]]
    for _ in range(5):
        page.get_by_role("button", name="Zoom in").first.click()
        now = svg.evaluate(BOXES)
        units.append(now["unit"])
        assert now["height"] == full["height"]  # the chart keeps its height
        assert set(now["fonts"]) == {12.0}  # and its text its reading size
        assert set(now["dots"]) <= {12.0}  # and marks their size (12 px dots, as at first)
        _assert_no_overlap(now)
    assert units[-1] == "day" and units[0] == "month"
    page.get_by_role("button", name="Show all").first.click()
    assert svg.get_attribute("data-unit") == "month"


def test_labels_never_overlap_at_any_width(browser: Browser, sample: str) -> None:
    for width in (390, 760, 1100):
        page = _page(browser, width)
        for path in ("", "years/2007/", "events/douri-severs-ties/"):
            page.goto(sample + path)
            boxes = page.locator(SVG).first.evaluate(BOXES)
            assert boxes["labels"], (width, path)  # headlines where there is room
            _assert_no_overlap(boxes)
        page.context.close()


# Each drawn headline with the box of its mark's shapes and of the chart, in the page's px.
HEADLINES = """(svg) => {
  const r = (el) => { const b = el.getBoundingClientRect(); return [b.left, b.right]; };
  return [...svg.querySelectorAll("a.mark")].filter((a) => a.querySelector("text.mark-label")).map((a) => {
    const shapes = [...a.querySelectorAll(".dot, .core, .span, .tail")].map(r);
    return {slug: a.dataset.slug, text: a.querySelector("text.mark-label").textContent,
            label: r(a.querySelector("text.mark-label")), chart: r(svg),
            mark: [Math.min(...shapes.map((b) => b[0])), Math.max(...shapes.map((b) => b[1]))]};
  });
}"""


def _views(page: Page) -> Iterator[str]:
    """The whole sample, then a third of it and a tenth of it panned across it in steps."""
    yield "all"
    for share, steps in ((3, 12), (10, 30)):
        page.evaluate(f"""() => {{ const c = document.querySelector("figure.chart").chart;
            const span = (c.full.hi - c.full.lo) / {share}; c.show(c.full.lo, c.full.lo + span); }}""")
        for i in range(steps):
            page.evaluate(f"""() => {{ const c = document.querySelector("figure.chart").chart;
                const span = c.view.hi - c.view.lo; c.show(c.full.lo + {i} * (c.full.hi - c.full.lo
                  - span) / {steps - 1}, c.full.lo + {i} * (c.full.hi - c.full.lo - span) / {steps - 1} + span); }}""")
            yield f"1/{share} at step {i}"


@pytest.mark.parametrize("width", [390, 1100])
def test_a_headline_starts_at_its_mark_inside_the_chart(
    browser: Browser, sample: str, width: int
) -> None:
    """Zoomed and panned across the sample, on a phone and wide: every headline drawn is its
    mark's, begins where the mark begins (or at the chart's padding, for a mark that began
    before the view), ends inside the chart, and says more than an ellipsis."""
    page = _page(browser, width)
    page.goto(sample)
    svg = page.locator(SVG).first
    seen = 0
    for view in _views(page):
        for h in svg.evaluate(HEADLINES):
            where = (width, view, h["slug"], h["text"], h["label"], h["mark"], h["chart"])
            left, right = h["chart"]
            assert h["mark"][1] > left and h["mark"][0] < right, where  # its mark is in view
            assert h["label"][0] >= left - 0.5 and h["label"][1] <= right + 0.5, where
            assert h["text"].rstrip("…").strip(), where
            starts = h["mark"][0] if h["mark"][0] >= left - 0.5 else left + 16  # the padding
            assert abs(h["label"][0] - starts) <= 2, where
            seen += 1
    assert seen > 40
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


# One step (a key pressed on the chart): how many elements it added to the chart, how many it
# has, and how many of the marks in view both before and after are the same elements.
STEP = """async ([svg, key]) => {
  const before = new Map([...svg.querySelectorAll("a.mark")].map((a) => [a.dataset.slug, a]));
  let added = 0;
  const watch = new MutationObserver((changes) => changes.forEach((c) => c.addedNodes.forEach((n) => {
    if (n.nodeType === 1) { added += 1 + n.querySelectorAll("*").length; } })));
  watch.observe(svg, {childList: true, subtree: true});
  svg.dispatchEvent(new KeyboardEvent("keydown", {key, bubbles: true}));
  await new Promise((done) => setTimeout(done, 0));
  watch.disconnect();
  const after = [...svg.querySelectorAll("a.mark")].filter((a) => before.has(a.dataset.slug));
  return {added, total: svg.querySelectorAll("*").length, both: after.length,
          same: after.filter((a) => before.get(a.dataset.slug) === a).length};
}"""


def test_a_step_moves_what_it_can_rather_than_draw_it_anew(page: Page, sample: str) -> None:
    """What keeps a step within a frame at 10,000 events (tests/benchmark.py overview): a pan
    makes no new element for a mark that stays in view, and a zoom keeps most marks' elements,
    changing only where their parts begin and end."""
    page.goto(sample + "?from=2006-06-01&to=2007-03-31")
    svg = page.locator(SVG).first
    # (a mark whose headline is cut anew, at an edge, is drawn anew: hence not all of them)
    for key, kept in (("ArrowRight", 0.8), ("ArrowLeft", 0.8), ("+", 0.5), ("-", 0.5)):
        step = page.evaluate(STEP, [svg.element_handle(), key])
        assert step["both"] >= 3, (key, step)
        assert step["same"] >= kept * step["both"], (key, step)
        if key.startswith("Arrow"):
            assert step["added"] < step["total"] / 4, (key, step)


def _iso_prefix(text: str) -> str:
    """An end of the range shown, "10 September 2006" as 2006-09-10, "September 2006" as
    2006-09- (the start of the URL's day)."""
    try:
        return datetime.strptime(text, "%d %B %Y").date().isoformat()
    except ValueError:
        return datetime.strptime(text, "%B %Y").strftime("%Y-%m-")


def test_the_view_is_in_the_url_and_a_shared_link_opens_it(page: Page, sample: str) -> None:
    page.goto(sample)
    svg = page.locator(SVG).first
    svg.focus()
    for key in ("+", "+", "+", "ArrowRight"):
        page.keyboard.press(key)
    shown = page.locator(".chart-range").first.inner_text()
    # the URL follows the view a moment after the last step: wait for the view shown
    ends = [_iso_prefix(text) for text in shown.split(" · ")[0].split(" – ")]
    page.wait_for_function(f"location.search.includes('from={ends[0]}') && "
                           f"location.search.includes('to={ends[1]}')")  # fmt: skip
    shared = page.url
    page.goto(shared)
    assert page.locator(".chart-range").first.inner_text() == shown
    page.get_by_role("button", name="Show all").first.click()
    page.wait_for_function("!location.search.includes('from=')")


def test_pan_by_drag_wheel_and_keys_zoom_by_pinch(page: Page, sample: str) -> None:
    page.goto(sample + "?from=2006-09-01&to=2006-12-31")
    svg = page.locator(SVG).first
    rng = page.locator(".chart-range").first

    def shown() -> str:
        return rng.inner_text().split(" · ")[0]

    start = shown()
    box = svg.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] - 60
    page.mouse.move(box["x"] + 500, y)
    page.mouse.down()
    page.mouse.move(box["x"] + 300, y, steps=5)
    page.mouse.up()
    dragged = shown()
    assert dragged != start
    page.mouse.wheel(120, 0)  # a trackpad's sideways swipe
    assert shown() != dragged
    wheeled = shown()
    page.mouse.wheel(0, 200)  # a plain wheel scrolls the page, not the chart
    assert shown() == wheeled
    svg.focus()
    page.keyboard.press("ArrowLeft")
    assert shown() != wheeled
    page.keyboard.press("0")
    unit = svg.get_attribute("data-unit")
    page.keyboard.down("Control")
    page.mouse.move(box["x"] + 400, box["y"] + 50)
    for _ in range(4):
        page.mouse.wheel(0, -100)  # a pinch on a trackpad arrives as ctrl + wheel
    page.keyboard.up("Control")
    assert svg.get_attribute("data-unit") == "day" != unit


def test_a_finger_drags_the_chart(browser: Browser, sample: str) -> None:
    page = _page(browser, 390, has_touch=True, is_mobile=True)
    page.goto(sample + "?from=2006-09-01&to=2006-12-31")
    before = page.locator(".chart-range").first.inner_text()
    page.locator(SVG).first.scroll_into_view_if_needed()
    box = page.locator(SVG).first.bounding_box()
    assert box is not None
    cdp = page.context.new_cdp_session(page)
    y = box["y"] + 60
    points = [box["x"] + 250 - 30 * i for i in range(6)]
    cdp.send(
        "Input.dispatchTouchEvent",
        {"type": "touchStart", "touchPoints": [{"x": points[0], "y": y}]},
    )
    for x in points[1:]:
        cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
        )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    assert page.locator(".chart-range").first.inner_text() != before
    page.context.close()


def test_the_tooltip_stays_inside_the_viewport(browser: Browser, sample: str) -> None:
    for width in (390, 1100):
        page = _page(browser, width)
        page.goto(sample)
        marks = page.locator(f"{SVG} a.mark")
        rightmost = max(range(marks.count()),
                        key=lambda i: marks.nth(i).locator(".hit").bounding_box()["x"])  # type: ignore[index]  # fmt: skip
        marks.nth(rightmost).locator(".hit").hover(force=True)
        tip = page.locator(".chart-tip").first
        assert tip.is_visible()
        box = tip.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        label = marks.nth(rightmost).get_attribute("aria-label") or ""
        assert tip.inner_text().replace("\n", ", ").replace(" · ", ", ") == label
        # The scripted page stays valid HTML: a figure's caption is its first or last child.
        misplaced = page.evaluate("""() => [...document.querySelectorAll('figure')].filter(f => {
            const c = f.querySelector(':scope > figcaption');
            return c && c !== f.firstElementChild && c !== f.lastElementChild; }).length""")
        assert misplaced == 0
        page.context.close()


def test_on_a_phone_text_is_readable_and_targets_big_enough(browser: Browser, sample: str) -> None:
    page = _page(browser, 390, has_touch=True, is_mobile=True)
    page.goto(sample)
    boxes = page.locator(SVG).first.evaluate(BOXES)
    assert min(boxes["fonts"]) >= 12
    assert boxes["hits"] and all(w >= 23.9 and h >= 23.9 for w, h in boxes["hits"])
    for button in page.locator(".chart-tools button").all():
        b = button.bounding_box()
        assert b is not None and b["width"] >= 24 and b["height"] >= 24
    page.context.close()


# How many lines each " · "- and " – "-separated phrase of an element's text is laid out on
# (the rectangles of a DOM Range over its characters, whatever elements hold them), and the
# whole text's.
PHRASE_LINES = r"""(el) => {
  const nodes = [], walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  let length = 0;
  for (let node; (node = walker.nextNode()); length += node.length) { nodes.push([node, length]); }
  const at = (offset) => { for (const [node, start] of nodes) {
    if (offset <= start + node.length) { return [node, offset - start]; } } };
  const lines = (from, to) => { const range = document.createRange();
    range.setStart(...at(from)); range.setEnd(...at(to));
    return new Set([...range.getClientRects()].filter((r) => r.width > 0)
      .map((r) => Math.round(r.top + r.height / 2))).size; };
  const text = el.textContent, out = {whole: lines(0, text.length), phrases: []};
  const re = / [·–] /g;
  let start = 0;
  for (let m; (m = re.exec(text + " · ")); start = m.index + 3) {
    out.phrases.push([text.slice(start, m.index), lines(start, Math.min(m.index, text.length))]);
  }
  return out;
}"""


def test_on_a_phone_the_range_line_wraps_between_its_phrases(browser: Browser, sample: str,
                                                              ) -> None:  # fmt: skip
    """At 390 px the line over the chart takes two lines: it breaks between the range and
    "18 of 18 events", never inside the count (or inside either end of the range)."""
    for scheme in ("light", "dark"):
        page = _page(browser, 390, has_touch=True, is_mobile=True, color_scheme=scheme)
        page.goto(sample)
        got = page.locator(".chart-range").first.evaluate(PHRASE_LINES)
        assert got["whole"] == 2, got  # the case at hand: the line does not fit in one
        assert [p for p, _ in got["phrases"]][-1] == "18 of 18 events", got
        assert all(n == 1 for _, n in got["phrases"]), got
        page.context.close()


def test_filters_redraw_the_chart_and_every_count(page: Page, sample: str) -> None:
    page.goto(sample + "?from=2005-12-01&to=2007-09-13")  # nearly all: every mark is drawn
    marks = page.locator(f"{SVG} a.mark")
    assert marks.count() == 18
    page.select_option("#filters select[name=status]", "Reported")
    shown = page.locator("li.event:visible").count()
    assert 0 < shown < 18
    assert marks.count() == shown
    for i in range(shown):
        assert (marks.nth(i).get_attribute("aria-label") or "").endswith(", Reported")
    years = page.locator(".year-title .count").all_text_contents()
    assert all(" of " in t for t in years)
    assert sum(int(t.split(" of ")[0]) for t in years) == shown
    months = page.locator("section.period:visible .period-title .count").all_text_contents()
    assert months and sum(int(t.split(" of ")[0]) for t in months) == shown
    assert f"{shown} of 18 events shown" in page.locator(".filter-count").inner_text()
    assert "status=Reported" in page.url and "from=2005-12-01" in page.url  # both kept
    page.reload()
    assert marks.count() == shown
    page.select_option("#filters select[name=status]", "")
    assert marks.count() == 18
    assert all(" of " not in t for t in page.locator(".year-title .count").all_text_contents())


def test_without_javascript_the_chart_is_whole_and_labelled(browser: Browser, sample: str) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1100, "height": 800}
    )
    page = context.new_page()
    page.goto(sample + "?status=Reported")
    assert page.locator("li.event:visible").count() == 18  # a filter needs the script
    svg = page.locator(SVG).first
    assert svg.locator("a.mark").count() == 18
    boxes = svg.evaluate(BOXES)
    assert len(boxes["ticks"]) == 7 and len(boxes["labels"]) >= 8
    _assert_no_overlap(boxes)
    assert page.locator(".chart-legend li").count() >= 3
    context.close()


def test_a_large_timeline_is_counted_until_zoomed_in(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory, axe_source: str
) -> None:
    project = Project(tmp_path_factory.mktemp("large"))
    files: dict[str, str | bytes] = {"timeline.toml": 'title = "Large"\n'}
    for i in range(620):  # over OVERVIEW_LIMIT: the static chart counts events per year
        year, day = 1990 + i // 31, i % 28 + 1
        files[f"events/e{i}.md"] = event(
            f"Event number {i} of many", f"{year}-{i % 12 + 1:02d}-{day:02d}"
        )
    project.write(files).build("--no-search")
    static = _chart(project.html(""))
    assert static.select("a.mark") == [] and len(static.select("a.bin")) == 20
    assert static.select_one(".chart-legend")["hidden"] is not None  # type: ignore[index]
    with static_server(project.site) as url:
        page = _page(browser)
        page.goto(url)
        svg = page.locator(SVG).first
        assert svg.locator("a.mark").count() == 0 and svg.locator(".bin").count() > 5
        counted = [int(label.split()[0]) for label in svg.locator(".bin").evaluate_all(
            "bins => bins.map(b => b.getAttribute('aria-label'))")]  # fmt: skip
        assert sum(counted) == 620  # "N events in ... from ... to ...": every event, once
        svg.focus()
        for key in ("+", "ArrowRight"):  # a part of the timeline, still counted
            page.keyboard.press(key)
        assert svg.locator("a.mark").count() == 0
        shown = int(page.locator(".chart-range").first.inner_text().split(" · ")[1].split()[0])
        counted = [int(label.split()[0]) for label in svg.locator(".bin").evaluate_all(
            "bins => bins.map(b => b.getAttribute('aria-label'))")]  # fmt: skip
        assert 0 < sum(counted) == shown < 620  # the bars count what "N of 620" says is in view
        assert page.locator(".chart-legend").first.is_visible()
        page.add_script_tag(content=axe_source)  # the counts are as accessible as the marks
        assert page.evaluate(AXE) == []
        svg.locator(".bin").first.click()  # a bar of counts opens its span
        assert 0 < svg.locator("a.mark").count() < 620
        _assert_no_overlap(svg.evaluate(BOXES))
        assert page.errors == []  # type: ignore[attr-defined]
        page.context.close()
