"""The fast Markdown path (markdown-it-pyrs) gives markdown-it-py's output or steps aside.

Bodies are rendered both ways: ``render_body(..., fast=False)`` is markdown-it-py with our
rules, the reference. Random bodies made of the constructs most likely to part them (links
and citations in code, attributes and tables; escapes; unsafe URLs; deep nesting; tight
lists; headings) must either come out byte for byte the same or fall back.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.benchmark import generate
from tests.conftest import REPO, Project, assert_clean_exit
from tests.conftest import event as event_file
from timeline.build import Builder
from timeline.config import load_config
from timeline.reading.dates import parse_edtf
from timeline.reading.model import Event, Source, Status
from timeline.site import fastcheck, fastmd
from timeline.site.content import EVENT_ROOT
from timeline.site.markdown import LinkMap, RenderedBody, render_body

LINKS = LinkMap(
    {"a": "Title A", "b": 'B & <c> "d"', "x.md": "Dotted"},
    {"events/2007-a.md": "a"},
)
SOURCES = (Source("One", key="s1"), Source("Two"), Source("Three", key="s-3.x"))

FRAGMENTS = [
    "alpha", "Beta gamma.", "x", "é 例え", "  ", "\t",
    "[[a]]", "[[a|Some text]]", "[[ b ]]", "[[b|*em* `c`]]", "[[missing]]", "[[x.md]]",
    "[[a|x|y]]", "[@s1]", "[@s-3.x]", "[@nope]", "[@s1]: http://e.org", "[[a]]: x",
    "\\[[a]]", "\\\\[[a]]", "\\", "[", "]", "[[", "]]", "(", ")", "!", "^", "%", "%tlph0%",
    "*", "_", "**", "__", "~~", "~", "`", "``", "```", "~~~", "\n    indented code",
    "[t](http://e.org/a)", "[t](https://e.org/?q=1&r=2)", "[t](mailto:a@e.org)",
    "[t](javascript:alert(1))", "[t](JavaScript:x)", "[t](ftp://e.org)", "[t](data:x)",
    "[t](other.md)", "[t](2007-a.md#part)", "[t](/abs/path)", "[t](#frag)",
    "<http://e.org>", "<mailto:a@e.org>", "<ftp://e.org>", "<javascript:x>",
    "![i](data:image/png;base64,AA)", "![i [[a]]](p.png)", "![i](p.png \"T\")",
    '[t](http://e.org "ti [[a]]")', "[t](http://e.org/[[a]])", "<http://e.org/[[a]]>",
    "[r]", "[r][]", "[r]: http://e.org", "[s [[a]]]", "[s [[a]]]: http://e.org",
    "[see [[a]]](http://e.org)", "[[a]](http://e.org)", "[@s1](http://e.org)",
    "http://e.org", "http://例え.jp/パス", "[t](http://例え.jp/)",
    "# ", "## ", "### ", "#### ", "##### ", "###### ", "\n===", "\n---", "***", "- - -",
    "> ", ">", "- ", "* ", "+ ", "1. ", "2) ", "10. ", "  - ", "    - ",
    "| a | b |\n|---|:-:|\n| c | [[a|d]] |", "|", "| [[a|b]] |", "\\|",
    "[^1]", "[^1]: A note [@s1].", "[^n]: > quoted", "^[inline note]",
    "<b>", "</b>", "<div>", "<!-- c -->", "&amp;", "&copy;", "&#65;", "&", "<", ">", '"', "'",
    "  \n", "\\\n", "\n", "\n\n",
    "``   ``", "` `", "`` ` ``", "***x***", "- [ ] task", "\u00a0", "10\u00a0km", "\u2003", "\x0c", "&nbsp;", "<br>", "\t- ",
    "> > ", ">>", "1.", "a|b", "[x]: <u>", "*[[a]]*", "**[@s1]**", "_[[b]]_", "~~[[a]]~~",
    "€", "©", "→", "“", "”", "—", "é", "\x00", "&#0;", "\u200b",
    "<https://ar.wikipedia.org/wiki/%D8%B9%D8%B1%D8%A7%D9%82>", "<https://xn--r8jz45g.jp/>",
    "<HTTPS://XN--R8JZ45G.JP/%E4%BE%8B>", "<http://e.org/%zz%>", "<http://e.org/%E2%80%AE>",
    "<a%41@e.org>", "<mailto:a@xn--r8jz45g.jp>", "<http://e.org/`x`>", "<http://e.org/|>",
    "<http://e.org/*x*>", "<http://[x>", "[t](<http://e.org/%41>)", "[^1]:    four spaces",
    "[^1]:\t\ttabs", "[^1]:   \tmixed", "🫨", "\U00011f43", "\U00011f04", "\U0002ebf0",
    # wiki links wrapped onto the next line (in a quote, a list, code...), and in tables
    "[[a|Some\ntext]]", "[[b|one\n  two\nthree]]", "[[a|x\n> y]]", "[[a|x  \ny]]",
    "[[a|x\n- y]]", "[[a|x\n\ny]]", "[[ a\n]]", "[[a\\|d]]", "| [[a|b]] | [@s1] |",
    "| x |\n|---|\n| [[a|y\nz]] |", "[[a|x\\\ny]]", "[[a|x\n    y]]", "[[a|x\n1. y]]",
]  # fmt: skip
SEPARATORS = ["", " ", "\n", "\n\n"]

bodies = st.lists(
    st.tuples(st.sampled_from(SEPARATORS), st.sampled_from(FRAGMENTS)), max_size=24
).map(lambda parts: "".join(sep + frag for sep, frag in parts))


def _event() -> Event:
    return Event(
        path="events/2007-a.md", slug="a", title="Title A", date=parse_edtf("2007"),
        status=Status.REPORTED, body_line=5, sources=SOURCES,
    )  # fmt: skip


def _both(body: str) -> tuple[RenderedBody, RenderedBody]:
    event = _event()
    return (
        render_body(event, body, LINKS, allow_html=False, root=EVENT_ROOT),
        render_body(event, body, LINKS, allow_html=False, root=EVENT_ROOT, fast=False),
    )


def _fast(body: str, event: Event | None = None, links: LinkMap = LINKS) -> fastmd.Rendered | None:
    """The fast path alone (None: it leaves the body to markdown-it-py)."""
    sources = (event or _event()).sources
    citations = {s.key: n for n, s in enumerate(sources, 1) if s.key}
    return fastmd.render(body, titles=links.titles, citations=citations, root=EVENT_ROOT)


needs_pyrs = pytest.mark.skipif(
    not fastmd.available() and sys.version_info >= (3, 13),
    reason="markdown-it-pyrs has no wheel for this Python (see docs/performance.md)",
)


def test_installed_where_it_has_wheels() -> None:
    """pyproject installs markdown-it-pyrs on CPython 3.11-3.12: there it must be there,
    or every build silently takes the slow path."""
    if sys.version_info < (3, 13):
        assert fastmd.available()


@needs_pyrs
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies)
def test_the_fast_path_renders_like_markdown_it_py(body: str) -> None:
    fast, slow = _both(body)
    assert fast == slow


# Each where the two parsers part, found by the random test; each guarded in fastmd.
DIVERGENCES = [
    ">",  # an empty quote
    " * \n\\\n",  # an empty list item: the first paragraph is after it
    "- a\n\n  b",  # a tight item's text, then a paragraph
    "~~~\n\n<",  # a fence left open
    "> ```\n> a\n\nb",
    "[t](http://例え.jp/)",  # an international domain name
    "[s [[a]]]: http://e.org\n\n[s [[a]]]",  # a link in a definition's label
    "[r]: http://e.org\\\n\n>",
    "[see [[a]]](http://e.org)",  # a link in a link
    "| a | b |\n|---|:-:|\n| c | [[a|d]] |",  # a table cell's pipe
    "x[^n]\n\n[^n]: > quoted\n[[a]] too",
    "Text.\n\n[^n]: not cited, with [[a]]",
    "[^1]: A note [@s1].[[ [^1]",  # a footnote citing itself
    "alpha\n\n[^1]: A note.\n\n[^n]: > quoted\n===[^n]: > quoted[^1]",
    "a[^1] b[^1]\n\n[^1]: Cited twice.",
    "Text[^1]\n\n [^1]: Indented by a space.",
    "text\n[^1]: ends the paragraph[^1]",
    "[^n]: > quoted ~\n[t](JavaScript:x) - - -\n<b> [^n]: > quoted",
    "\\|\n---",  # an escaped pipe over a rule
    "![[a]](http://e.org)",  # a wikilink as an image's text
    "![@s1](http://e.org)",
    '![i](p.png "T")\n|  - ',  # a table under a line without a pipe
    "*  | \n---",
    "a\n| b |\n|---|",
    "> x\n10. y",  # a quote's paragraph continued without >
    "> > a\n> - ",  # an empty item after a nested quote's paragraph: a list to markdown-it-py
    "alpha[^n]: > quoted\n\n[^n]: > quoted\n\t- ",  # ... and after a footnote's quote
    "x[^n]\n\n[^n]: > a\n    b\n    1. ",
    "`[[a]]` [[a]] `\\`[[a]]",  # code, escapes
    "[ `",  # pyrs panics on these
    "[`a` `",
    "| [ `a | b` |\n|---|---|\n| [ `a | b` |",
    "[ `a\n\nb`",
    "[ \\` `",
    "```x`\n\n[ `\n\n```",  # not a fence (a backtick in its info string)
    "Text ^[an inline note] [t](other.md)",
    "^[inline note]\n\n[^n]: > quoted\n\nx[^n]",  # inline footnotes
    "See ^[[a|Some text]]",
    "See ^[@s1](http://e.org)",
    "``   ``",  # a code span of spaces only
    "~~a~~~~b~~",  # runs of tildes
    "a*€b*c",  # a Unicode symbol beside emphasis
    "*©a*",
    "x__°a__y",
    "~~±a~~ and *a*→",
    "\x00*[[a]]*",  # NUL, read as U+FFFD (a symbol)
    'Intro.\n\n>>- \t"',  # a tab after a list marker
    "\u00a0",  # Unicode spaces trimmed by markdown-it-py only
    "| a\u2003 | b |\n|---|---|",
    "# \u00a0Title",
    "_a_\u2029b",  # beside _, which is no letter
    "> " * 25 + "deep",  # deeper than markdown-it-py nests
    "- " * 12 + "deep",
    "  " * 30 + "- deep",
    "1. a\n" + "   " * 11 + "1. deep",
    "## See [[a]]",  # a heading's anchor text from a link
    "## Note[^1]\n\n[^1]: n",
    "## ![i](p.png) x",
    "Title\nsecond line\n===",
    "# Héading *one* & two\n\n## Héading *one* & two\n\n##### five",
    # Shown as pyrs wrote them, before issue 15: an autolink's percent-escapes and punycode
    # host (markdown-it-py shows the Arabic and the Unicode name), and a footnote's text four
    # columns or more after "]:" (a paragraph to the footnote plugin, code to pyrs).
    "<https://ar.wikipedia.org/wiki/%D8%B9%D8%B1%D8%A7%D9%82>",
    "See <https://xn--r8jz45g.jp/%E4%BE%8B> and <a%41@xn--r8jz45g.jp>.",
    "`<http://e.org/%41>` and\n\n    <http://e.org/%41>",  # as written, in code
    "| <http://e.org/%41> | <http://e.org/|> |\n|---|---|",  # a pipe splits the cell first
    "`a <http://e.org/`b> c`",  # a code span ends inside the autolink
    "<ftp://e.org/%41> [[a]]",  # not a link to markdown-it-py: its text is parsed
    "Text[^1]\n\n[^1]:    Four spaces.",
    "Text[^1]\n\n[^1]:        Eight: code to both.",
    "Text[^1]\n\n[^1]:\t\tTwo tabs.",
    "Text[^1]\n\n[^1]:   \t- A list after a tab.",
    # Unicode newer than 14.0 (Python 3.11's): read as 15.1 reads it, whatever pyrs knows.
    "a*🫨*b and x__\U00011f43a__y",
]


@needs_pyrs
@pytest.mark.parametrize("body", DIVERGENCES)
def test_where_the_parsers_part_the_html_is_markdown_it_pys(body: str) -> None:
    panics = fastmd.panics
    fast, slow = _both(body)
    assert fast == slow
    assert fastmd.panics == panics  # pyrs never reached with what makes it panic


@needs_pyrs
def test_ordinary_bodies_take_the_fast_path() -> None:
    """Without this, a fast path that always fell back would pass every test above."""
    ordinary = [
        "Plain *text* with [[a]] and [[b|another]] [@s1].\n\n## Part\n\n- one\n- two",
        "- First item [@s1]\n- second\n\n> A quote.\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        "# Heading\n\nText[^1] and `code [[a]]`.\n\n[^1]: The note.",
        "1. One\n2. Two with [a link](https://e.org/)\n\n```\ncode\n```",
        "See <https://ar.wikipedia.org/wiki/%D8%B9%D8%B1%D8%A7%D9%82> [@s1].",
        "Note[^1] and <mailto:a@e.org>.\n\n[^1]:   Three spaces in.",
        "A [[a|link wrapped\nonto the next line]].\n\n> And [[b|one in\n> a quote]].",
        "- An item with [[a|a link\n  wrapped]]\n- and [[a\\|a pipe escaped]]",
    ]
    for body in ordinary:
        assert _fast(body) is not None, body
        fast, slow = _both(body)
        assert fast == slow


@needs_pyrs
@pytest.mark.parametrize(
    "body",
    [
        "x" * (fastcheck.LONGEST + 1),  # too long to be sure of the parser's stack
        "> " * fastcheck.DEEPEST + "x",  # too deeply nested
        "[@nope]",  # an error: reported with its line by markdown-it-py
        "[[missing]]",
        "[t](other.md)",  # a link to an event file, rewritten by markdown-it-py
        "[t](ftp://e.org)",  # kept as text by markdown-it-py, a link by pyrs
        "\\[[a]]",  # escaped, or a code span's last backslash: not told apart
        '[t](http://e.org "[[a]]")',  # a placeholder inside an attribute
    ],
)
def test_what_the_fast_path_leaves_to_markdown_it_py(body: str) -> None:
    assert _fast(body) is None
    fast, slow = _both(body)
    assert fast == slow


@needs_pyrs
def test_the_deepest_bodies_let_through_do_not_crash_the_parser() -> None:
    """pyrs overflows its stack (the process dies) thousands of levels deep. The deepest
    bodies the checks let through, block and inline, render in a thread with a 2 MB stack
    (they still do with 512 KB)."""
    import threading

    most = fastcheck.LONGEST
    deepest = [
        "> " * 49 + "x",  # a line's markers: under DEEPEST characters
        "".join("  " * i + "- x\n" for i in range(49)),
        "*a " * (most // 6) + "b" + "*" * (most // 6),
        "**a " * (most // 10) + "b" + "**" * (most // 10),
        "_a " * (most // 6) + "b" + "_" * (most // 6),
        "[" * (most - 20) + "x" + "]" * 9,
        "![" * (most // 6) + "x" + "](u)" * (most // 6),
        "[a" * (most // 6) + "x" + "](u)" * (most // 6),
    ]
    for body in deepest:
        assert len(body) <= most and not fastcheck.source_unsure(body), body[:20]
    rendered: list[str] = []

    def run() -> None:
        rendered.extend(fastmd._parser().render(body) for body in deepest)

    old = threading.stack_size(2 * 1024 * 1024)
    try:
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old)
    assert len(rendered) == len(deepest)


@needs_pyrs
def test_the_sample_timeline_renders_the_same_both_ways() -> None:
    root = Path(__file__).resolve().parent.parent
    content = Builder(load_config(root)[0]).collect()
    taken = 0
    for event in content.index.events:
        text = content.markdown[event.path]
        fast = render_body(event, text, content.links, allow_html=False, root=EVENT_ROOT)
        slow = render_body(
            event, text, content.links, allow_html=False, root=EVENT_ROOT, fast=False
        )
        assert fast == slow, event.path
        taken += _fast(text, event, content.links) is not None
    assert taken == len(content.index.events)


@needs_pyrs
def test_a_build_renders_bodies_through_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pipeline calls it for every body (nothing else shows it: the HTML is the same)."""
    calls: list[str] = []
    render = fastmd.render

    def counted(source: str, **kwargs: object) -> fastmd.Rendered | None:
        calls.append(source)
        return render(source, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fastmd, "render", counted)
    root = Path(__file__).resolve().parent.parent
    content = Builder(load_config(root)[0]).collect()
    bodies = [content.markdown[event.path] for event in content.index.events]
    pages = [(root / page.path).read_text().split("---\n", 2)[2] for page in content.pages]
    assert content.pages  # the sample's About and Methodology pages go the same way
    assert sorted(calls) == sorted(bodies + pages)


@needs_pyrs
def test_a_panic_in_pyrs_falls_back_to_markdown_it_py(monkeypatch: pytest.MonkeyPatch) -> None:
    """The last resort, should a body the checks let through make pyrs panic."""
    monkeypatch.setattr(fastmd, "_source_unsure", lambda source: False)
    panics = fastmd.panics
    assert _fast("[ `") is None  # pyrs panics on this (the checks normally keep it away)
    assert fastmd.panics == panics + 1
    fast, slow = _both("[ `")
    assert fast == slow


# The HTML, first paragraphs and links of BODIES seeded bodies of FRAGMENTS, rendered as a
# build renders them: through the fast path where pyrs is installed (3.11, 3.12), through
# markdown-it-py alone where it is not (3.13+). CI runs this on 3.11 and 3.13.
BODIES = 1000
BODIES_DIGEST = "416106cb70583f00ad8201d2767670d681b483f17380af630b53a8f6ecea2164"


def test_bodies_render_to_the_same_bytes_on_every_python() -> None:
    rng = random.Random(15)  # random() alone: its sequence is the same on every Python
    digest = hashlib.sha256()
    for _ in range(BODIES):
        parts = int(rng.random() * 25)
        body = "".join(
            SEPARATORS[int(rng.random() * len(SEPARATORS))]
            + FRAGMENTS[int(rng.random() * len(FRAGMENTS))]
            for _ in range(parts)
        )
        done = render_body(_event(), body, LINKS, allow_html=False, root=EVENT_ROOT)
        # Not repr(): it escapes what the Python's Unicode does not know (🫨 on 3.11).
        digest.update(json.dumps([done.html, done.first_paragraph, done.resolved]).encode())
    assert digest.hexdigest() == BODIES_DIGEST, (
        f"bodies render otherwise than on the Python that set BODIES_DIGEST: {digest.hexdigest()}"
        " here (if FRAGMENTS or the parsers' versions changed, set it to that and say why)"
    )


def _built(project: Project, out: Path) -> dict[str, bytes]:
    result = project.run("build", "--no-cache", "--no-search", "--out", str(out))
    assert_clean_exit(result)
    assert result.exit_code == 0, result.output
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


# Events whose bodies the two paths rendered differently before issue 15 (see DIVERGENCES).
PARTED: dict[str, str | bytes] = {
    "events/2007-08-22-arabic.md": event_file(
        "An Arabic source", body="See <https://ar.wikipedia.org/wiki/%D8%B9%D8%B1%D8%A7%D9%82>"
        " and <https://xn--r8jz45g.jp/>, noted.[^1]\n\n[^1]:    Four spaces after the colon.",
    ),
    "events/2007-08-23-unicode.md": event_file(
        "Newer Unicode", "2007-08-23", body="## Kawi \U00011f04\n\na*🫨*b, [[arabic]].",
    ),
}  # fmt: skip


@needs_pyrs
@pytest.mark.parametrize("site", ["sample", "generated", "parted"])
def test_a_site_is_the_same_bytes_without_the_fast_path(
    site: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a build on Python 3.13, which has no pyrs, writes: every file the same."""
    project = Project(REPO)
    if site != "sample":
        project = Project(tmp_path / "project")
        if site == "generated":
            generate(project.root, 300)
        else:
            project.write(PARTED)
    fast = _built(project, tmp_path / "fast")
    monkeypatch.setattr(fastmd, "markdown_it_pyrs", None)
    slow = _built(project, tmp_path / "slow")
    assert len(fast) > {"sample": 50, "generated": 300, "parted": 5}[site]
    assert sorted(fast) == sorted(slow)
    assert [name for name in sorted(fast) if fast[name] != slow[name]] == []
