"""The site in every language (issue 17.3): one strings table per language, no English left.

Two checks find English the tables miss. A *pseudo-language* - every text of the English table
wrapped in ⟦ ⟧, given through the config's [strings] - shows any word of the site's chrome that
does not come from the table: every text a reader sees, built or drawn by the scripts, is either
wrapped, or the timeline's own content (its events, pages and config), or digits and signs.
Then each shipped language is built and its pages hold no English text of the table.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser

from tests.conftest import REPO, Project, event, static_server
from timeline.words import CATEGORIES, Words, plural_category, shipped, table

LANGUAGES = ("fr", "es", "de", "ar")
# Attributes whose text a reader meets (or hears, from a screen reader).
SEEN = ("title", "aria-label", "placeholder", "alt", "aria-roledescription", "content", "label")
_OPEN, _SHUT = "⟦", "⟧"
_WRAPPED = re.compile(f"{_OPEN}[^{_OPEN}{_SHUT}]*{_SHUT}")
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _sample(root: Path, language: str, strings: dict[str, object] | None = None) -> Project:
    """The sample timeline (events, pages, config) in ``root``, in ``language``."""
    for folder in ("events", "pages"):
        shutil.copytree(REPO / folder, root / folder)
    config = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]["timeline"]
    lines = [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in config.items()
             if not isinstance(value, dict) and key != "language"]  # fmt: skip
    lines.append(f'language = "{language}"')
    lines.append("[groups]")
    lines += [f"{json.dumps(k)} = {json.dumps(v)}" for k, v in config["groups"].items()]
    if strings:
        lines.append("[strings]")
        lines += [f"{json.dumps(k)} = {json.dumps(v, ensure_ascii=False)}"
                  for k, v in strings.items()]  # fmt: skip
    (root / "timeline.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Project(root)


def _pseudo() -> dict[str, object]:
    """Every text of the English table wrapped in ⟦ ⟧ (lists item by item)."""
    out: dict[str, object] = {}
    for key, value in table("en").items():
        if key.startswith("meta."):
            continue
        out[key] = [f"{_OPEN}{v}{_SHUT}" for v in value] if isinstance(value, list) else (
            f"{_OPEN}{value}{_SHUT}")  # fmt: skip
    return out


def _content(root: Path) -> str:
    """The timeline's own words: its event and page files and its config, one line."""
    parts = [p.read_text("utf-8") for folder in ("events", "pages")
             for p in sorted((root / folder).rglob("*")) if p.is_file()]  # fmt: skip
    parts.append((root / "timeline.toml").read_text("utf-8"))
    text = " ".join(parts).replace("\\'", "'")
    # and as summaries and titles show it, without Markdown's marks and link targets
    plain = re.sub(r"\s*\[@[^\]]*\]|\]\([^)]*\)|\[\[[^\]|]*\||[*_`\[\]]", "", text)
    return re.sub(r"\s+", " ", f"{text} {plain}")


def _unwrapped(text: str) -> str:
    """``text`` without its wrapped words; a text node may hold the start or the end of a
    wrapped text whose middle is an element ("⟦Dates marked <span>c.</span> are ...⟧")."""
    while (shorter := _WRAPPED.sub(" ", text)) != text:
        text = shorter
    return re.sub(f"{_OPEN}.*$|^.*{_SHUT}", " ", text, flags=re.S)


def _foreign(texts: Iterator[str], content: str) -> list[str]:
    """The texts, with the table's (wrapped) words taken out, that are not the timeline's
    own content: what is left must be digits, signs, or words found in its files."""
    left = []
    for text in texts:
        for piece in re.split(r"[·…|()\[\],;:!?“”\"’'«»–—/]+|\s{2,}", _unwrapped(text)):
            piece = re.sub(r"\s+", " ", piece).strip(" .")
            if re.search(r"[^\W\d_]", piece) and piece not in content:
                left.append(piece)
    return left


def _page_texts(path: Path) -> Iterator[str]:
    soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
    for node in soup.find_all(string=True):
        if node.parent.name not in ("script", "style", "code", "textarea"):
            yield str(node)
    for element in soup.find_all(True):
        if element.name == "meta" and element.get("name") in ("generator", "viewport", "robots",
                                                              "color-scheme"):
            continue
        if element.name == "meta" and element.get("property") in ("og:type", "og:url"):
            continue
        for name in SEEN:
            if isinstance(value := element.get(name), str):
                yield value


@pytest.fixture(scope="module")
def pseudo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = _sample(tmp_path_factory.mktemp("pseudo"), "en", _pseudo())
    project.build("--no-cache")  # with the search box: its words are checked in the browser
    return project.root


def test_every_word_of_the_built_pages_comes_from_the_table(pseudo_site: Path) -> None:
    content = _content(pseudo_site)
    pages = sorted((pseudo_site / "site").rglob("*.html"))
    assert len(pages) > 60
    found = {p.relative_to(pseudo_site).as_posix(): left for p in pages
             if (left := _foreign(_page_texts(p), content))}  # fmt: skip
    assert found == {}


def test_the_check_finds_a_word_outside_the_table(tmp_path: Path) -> None:
    """The check above can fail: a theme template's own English word is found."""
    project = _sample(tmp_path, "en", _pseudo())
    (tmp_path / "theme" / "templates").mkdir(parents=True)
    template = (REPO / "theme" / "templates" / "years.html").read_text("utf-8")
    (tmp_path / "theme" / "templates" / "years.html").write_text(
        template.replace("{{ title }}", "{{ title }} Calendar"), "utf-8")
    project.build("--no-search")
    left = _foreign(_page_texts(tmp_path / "site" / "years" / "index.html"), _content(tmp_path))
    assert left == ["Calendar"]


# The pages whose scripts draw words, and what to do there before reading them.
SCRIPTED = {
    "": "document.querySelector('.chart-tools button')?.click()",
    "events/douri-severs-ties/": "",
    "story/#douri-severs-ties": "",
    "story/?tag=diyala": "",
    "embed/#douri-severs-ties": "",
    "search/": "",
}
_READ = """() => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const parent = walk.currentNode.parentElement;
    if (!parent.closest('script, style, code, textarea, [hidden], .search-result-excerpt')) out.push(walk.currentNode.data);
  }
  for (const el of document.body.querySelectorAll('*')) {
    for (const name of %s) { const v = el.getAttribute(name); if (v) out.push(v); }
  }
  return out;
}""".replace("%s", json.dumps(list(SEEN)))


def test_every_word_the_scripts_show_comes_from_the_table(
    browser: Browser, pseudo_site: Path
) -> None:
    content = _content(pseudo_site)
    found = {}
    with static_server(pseudo_site / "site") as url:
        page = browser.new_page()
        for path, action in SCRIPTED.items():
            if path == "search/":  # the search box, open with its filters, and a search
                page.goto(url)
                page.fill("#search-input", "Diyala")
                page.click(".search-toggle")
                page.wait_for_selector(".search-result")
            else:
                page.goto(url + path)
                page.wait_for_load_state("networkidle")
                if action:
                    page.evaluate(action)
                if path.startswith(("story", "embed")) and "#" in path:
                    page.wait_for_selector(".slide:not(.slide-cover) .slide-body")
            if left := _foreign(iter(page.evaluate(_READ)), content):
                found[path] = sorted(set(left))
        page.close()
    assert found == {}


def _strings(node: object) -> Iterator[str]:
    """Every string value of a JSON document (its keys left out)."""
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


def _script_words(path: Path) -> Iterator[str]:
    """The texts static/words.js hands the scripts (its JSON's values, not its keys)."""
    data = json.loads(re.search(r"\}\)\((\{.*\})\);\s*$", path.read_text("utf-8"), re.S)[1])
    yield from _strings(data["words"])


def _english_phrases(language: str) -> set[str]:
    """The English table's texts (each piece between its {placeholders}) that read in
    English: longer than a short word, and not the same in ``language``'s table."""
    english, own = table("en"), table(language)
    theirs = {piece for value in own.values() for piece in _pieces(value)}
    return {piece for value in english.values() for piece in _pieces(value)
            if len(piece) >= 6 and piece not in theirs}  # fmt: skip


def _pieces(value: object) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [p.strip(" .,:;()") for v in values for p in _PLACEHOLDER.split(str(v))
            if len(p.strip(" .,:;()")) > 0]  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_leaves_no_english_outside_the_content(
    tmp_path: Path, language: str
) -> None:
    project = _sample(tmp_path, language)
    project.build("--no-search", "--base-url", "https://example.org/")  # with the feeds
    content = _content(tmp_path)
    phrases = {p for p in _english_phrases(language) if p not in content}
    assert {"Filed under", "Around this date", "Skip to content"} <= phrases  # the check bites
    found = {}
    data = [project.site / name for name in ("feed.xml", "feed.json", "timelinejs.json")]
    for path in [*sorted(project.site.rglob("*.html")), project.site / "static" / "words.js", *data]:
        if path.suffix == ".html":
            texts = _page_texts(path)
        elif path.name == "words.js":
            texts = _script_words(path)
        elif path.suffix == ".json":  # a reader sees its texts, not its keys
            texts = _strings(json.loads(path.read_text("utf-8")))
        else:
            texts = iter([path.read_text("utf-8")])
        text = " ".join(texts)
        text = _PLACEHOLDER.sub(" ", re.sub(r"https?://[^\s\"'<>&]+", " ", text))  # not URLs
        if hits := sorted(p for p in phrases if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text)):
            found[path.relative_to(project.site).as_posix()] = hits
    assert found == {}
    home = project.html("")
    assert home.html["lang"] == language
    assert home.html["dir"] == ("rtl" if language == "ar" else "ltr")


@pytest.mark.parametrize("language", shipped())
def test_each_table_is_complete_with_the_same_placeholders(language: str) -> None:
    english, own = table("en"), table(language)

    def plural_free(key: str) -> str:
        head, _, last = key.rpartition(".")
        return head if last in CATEGORIES else key

    assert {plural_free(k) for k in own} - {"dates.short_months"} == {
        plural_free(k) for k in english}
    for key, value in own.items():
        if key.endswith(tuple(f".{c}" for c in CATEGORIES)):
            base = plural_free(key)
            assert f"{base}.other" in own, key
            want = set(_PLACEHOLDER.findall(str(english[f"{base}.other"]))) - {"{n}"}
            assert set(_PLACEHOLDER.findall(str(value))) - {"{n}"} == want, key
        elif isinstance(value, list):
            assert len(value) == len(english.get(key, value)), key
        else:
            assert set(_PLACEHOLDER.findall(value)) == set(_PLACEHOLDER.findall(
                str(english[key]))), key  # fmt: skip


def test_plural_forms_follow_cldr() -> None:
    assert [plural_category("ar", n) for n in (0, 1, 2, 3, 10, 11, 99, 100, 103)] == [
        "zero", "one", "two", "few", "few", "many", "many", "other", "few"]
    assert [plural_category("fr", n) for n in (0, 1, 2)] == ["one", "one", "other"]
    assert [plural_category("de", n) for n in (0, 1, 2)] == ["other", "one", "other"]
    words = Words("ar")
    assert [words.count("count.events", n) for n in (1, 2, 3, 11)] == [
        "حدث واحد", "حدثان", "3 أحداث", "11 حدثًا"]


def test_a_config_overrides_any_string_and_is_told_of_unknown_ones(tmp_path: Path) -> None:
    project = _sample(tmp_path, "fr", {"nav.story": "Diaporama", "nav.stroy": "x",
                                       "dates.months": ["un", "deux"]})  # fmt: skip
    result = project.build("--no-search")
    assert ("timeline.toml:12: strings.nav.stroy: warning: unknown string; did you mean "
            "'nav.story'?") in result.output
    assert ("timeline.toml:13: strings.dates.months: warning: expected a list of 12 texts in "
            "quotes") in result.output
    nav = [a.get_text() for a in project.html("").select(".site-nav a")]
    assert "Diaporama" in nav and "Chronologie" in nav
    assert "août" in project.html("").get_text()  # the months kept French: the list was wrong


def test_a_language_without_a_table_is_english_with_a_warning(tmp_path: Path) -> None:
    project = _sample(tmp_path, "pt")
    result = project.build("--no-search")
    assert "Timeline has no strings table for 'pt'" in result.output
    assert project.html("").html["lang"] == "pt"
    assert "Skip to content" in project.html("").get_text()


@pytest.fixture(scope="module")
def arabic_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = _sample(tmp_path_factory.mktemp("arabic"), "ar")
    project.build("--no-cache")
    return project.site


def test_the_arabic_site_is_valid_html(arabic_site: Path) -> None:
    from tests.test_html_valid import _vnu

    messages = _vnu(arabic_site)
    # The sample's events are in English: Nu's guess of the language warns of that, rightly.
    guessed = [m for m in messages if "appears to be written in English" in str(m["message"])]
    assert [m for m in messages if m not in guessed] == []
    assert all(m["type"] == "info" for m in guessed)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_arabic_site_has_no_axe_violations(
    browser: Browser, axe_source: str, arabic_site: Path, scheme: str
) -> None:
    from tests.test_accessibility import PAGES

    found = {}
    with static_server(arabic_site) as url:
        context = browser.new_context(color_scheme=scheme)  # type: ignore[arg-type]
        page = context.new_page()
        for path in [*PAGES, "story/", "embed/"]:
            page.goto(url + path)
            assert page.evaluate("document.documentElement.dir") == "rtl"
            page.add_script_tag(content=axe_source)
            violations = page.evaluate(
                """async () => (await axe.run(document, {resultTypes: ['violations']}))
                    .violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"""
            )
            if violations:
                found[path or "/"] = violations
        context.close()
    assert found == {}


def test_the_arabic_layout_is_mirrored(browser: Browser, arabic_site: Path, tmp_path: Path) -> None:
    """The menu starts at the right, "earlier" is on the right, the overview's time runs
    left to right (docs/languages.md); screenshots for a look."""
    shots = REPO / "docs" / "screenshots" if os.environ.get("TIMELINE_SCREENSHOTS") == "1" else tmp_path
    with static_server(arabic_site) as url:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto(url + "events/douri-severs-ties/")
        width = page.evaluate("document.documentElement.clientWidth")
        title = page.locator(".site-title").bounding_box()
        assert title and title["x"] > width / 2  # the site's name at the right
        earlier = page.locator(".prev-next a[rel=prev]").bounding_box()
        later = page.locator(".prev-next a[rel=next]").bounding_box()
        assert earlier and later and earlier["x"] > later["x"]
        page.goto(url)
        page.wait_for_selector(".chart-live")
        first, last = (page.evaluate(f"""() => {{
            const marks = [...document.querySelectorAll('.chart-svg a.mark')];
            return marks.map(m => m.getBoundingClientRect().x).{which}; }}""")
            for which in ("reduce((a, b) => Math.min(a, b))", "reduce((a, b) => Math.max(a, b))"))
        ticks = page.evaluate("[...document.querySelectorAll('.tick-label')].map(t => [t.getBoundingClientRect().x, t.textContent])")
        years = [(x, text) for x, text in ticks if text.isdigit()]
        assert years == sorted(years), "time runs left to right: later years further right"
        assert first < last
        page.screenshot(path=str(shots / "arabic-index-light.png"), full_page=False)
        page.close()
        page = browser.new_page(viewport={"width": 1100, "height": 900}, color_scheme="dark")
        page.goto(url + "story/#douri-severs-ties")
        page.wait_for_selector(".slide:not(.slide-cover) .slide-body")
        page.screenshot(path=str(shots / "arabic-story-dark.png"), full_page=False)
        # The story goes on to the left: the left arrow key opens the later slide, the right
        # one the earlier, and "later" stands at the left.
        later = page.get_attribute("nav.story-nav .story-next", "href")
        earlier = page.get_attribute("nav.story-nav .story-prev", "href")
        nav_later = page.locator("nav.story-nav .story-next").bounding_box()
        nav_earlier = page.locator("nav.story-nav .story-prev").bounding_box()
        assert nav_later and nav_earlier and nav_later["x"] < nav_earlier["x"]
        page.locator("#story-stage").click(position={"x": 5, "y": 5})
        page.keyboard.press("ArrowLeft")
        page.wait_for_function("h => location.hash === h", arg=later)
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("h => location.hash === h", arg=earlier)
        page.close()


def test_a_slide_s_status_is_read_back_in_any_shipped_language(project: Project) -> None:
    """An exported slide shows its status in the site's language; edited in TimelineJS (so
    without the export's record) and imported, it keeps it."""
    slides = [{"start_date": {"year": 2007, "month": 8, "day": d},
               "text": {"headline": f"Claim {d}", "text": f"<p><strong>{label}</strong></p><p>Text.</p>"}}
              for d, label in ((1, "Démenti"), (2, "موضع خلاف"), (3, "Widerrufen"), (4, "Big"))]  # fmt: skip
    source = project.root / "slides.json"
    source.write_text(json.dumps({"events": slides}, ensure_ascii=False), "utf-8")
    assert project.run("import", str(source)).exit_code == 0
    texts = {p.name[:10]: p.read_text("utf-8") for p in (project.root / "events").iterdir()}
    assert "status: denied" in texts["2007-08-01"]
    assert "status: disputed" in texts["2007-08-02"]
    assert "status: retracted" in texts["2007-08-03"]
    assert "status" not in texts["2007-08-04"] and "**Big**" in texts["2007-08-04"]


def test_german_days_take_their_period() -> None:
    from timeline.reading.dates import parse_edtf

    german = Words("de").date_format
    assert parse_edtf("2006-07-02").display(german) == "2. Juli 2006"
    assert parse_edtf("2006-07-02/2006-07-05").display(german) == "2. – 5. Juli 2006"
    assert parse_edtf("2006-07-02").display(Words("fr").date_format) == "2 juillet 2006"


def test_a_language_tag_is_checked(tmp_path: Path) -> None:
    project = _sample(tmp_path, "fr_CA")
    result = project.run("build", "--no-search")
    assert result.exit_code == 1
    assert ("timeline.toml:4: language: 'fr_CA' is not a language tag; write it as BCP 47 does, "
            "e.g. 'fr' or 'fr-CA' (a hyphen, not an underscore)") in result.output


def test_a_language_without_a_table_may_name_any_plural_form(tmp_path: Path) -> None:
    project = _sample(tmp_path, "pl", {"count.events.few": "{n} wydarzenia",
                                       "meta.direction": "sideways"})  # fmt: skip
    result = project.build("--no-search")
    assert "count.events.few" not in result.output  # known: a CLDR form of a plural text
    assert "strings.meta.direction: warning: expected \"ltr\" or \"rtl\"" in result.output
    assert project.html("").html["dir"] == "ltr"


def test_a_citation_is_named_in_the_site_s_language_and_nothing_else_is_renamed(
    project: Project,
) -> None:
    """The label is the citation's own (given to the Markdown renderers), so an author's raw
    HTML that happens to read "Source 1" keeps its words, and a feed says the same."""
    project.write({
        "timeline.toml": 'title = "T"\nlanguage = "de"\nallow_html = true\n'
                         'base_url = "https://example.org/"\n',
        "events/a.md": event(body='Es geschah [@a]. <span aria-label="Source 1">x</span>',
                             sources="sources:\n  - id: a\n    title: A\n"
                                     "    url: https://example.org/a\n"),
    })  # fmt: skip
    assert project.build("--no-search").exit_code == 0
    body = project.html("events/a/").select_one(".event-body, article")
    assert body is not None
    assert body.select_one("sup.citation a")["aria-label"] == "Quelle 1"
    assert body.select_one("span[aria-label]")["aria-label"] == "Source 1"
    feed = (project.site / "feed.xml").read_text("utf-8")
    assert 'aria-label="Quelle 1"' in feed and 'aria-label="Source 1"' in feed
