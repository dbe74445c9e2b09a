"""A faster path for event bodies: markdown-it-pyrs (markdown-it in Rust), used only where it
gives exactly what timeline.site.markdown's markdown-it-py setup gives.

markdown-it-pyrs takes no Python rules, so ours are carried around it: each ``[[slug]]`` link,
``[@key]`` citation and ``<https://...>`` autolink becomes a placeholder before parsing and its
HTML after (an autolink's through markdown-it-py's own functions: pyrs shows neither decoded
percent-escapes nor Unicode host names); headings are demoted and given anchors on the HTML;
links are checked against the same safe schemes.
Where the two parsers are known to part (see tests/test_fastmd.py, which renders random
bodies both ways), or a body needs what only markdown-it-py's path does (an error to report
with its line, a link to an event file), ``render`` returns None and the body goes through
markdown-it-py. So a body's HTML never depends on which path it took.

The library also crashes on nesting thousands of levels deep and raises on a few inputs; the
checks below keep every body far from the first and catch the second.

It has wheels for CPython 3.11 and 3.12 only; elsewhere it is not installed and every body
takes markdown-it-py (the same output, about four times slower).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from html import unescape
from typing import Any

from markdown_it.common.normalize_url import normalizeLink, normalizeLinkText
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline.autolink import AUTOLINK_RE, EMAIL_RE
from mdit_py_plugins.anchors.index import unique_slug

from timeline.site.bodyrules import (
    CITATION,
    ENGLISH_CITATION,
    WIKI_LINK,
    anchor_slug,
    citation_html,
    event_href,
    summary_text,
    validate_link,
    wiki_link,
)
from timeline.site.fastcheck import FOOTNOTES, MARK, html_unsure
from timeline.site.fastcheck import source_unsure as _source_unsure

try:
    import markdown_it_pyrs
except ImportError:  # pragma: no cover - Python 3.13+, or a platform without a wheel
    markdown_it_pyrs = None  # type: ignore[assignment]

Resolved = set[tuple[str, str, str | None]]
Rendered = tuple[str, str, Resolved]  # HTML, first paragraph as text, link targets resolved

_RULES = [
    "blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph",
    "reference", "autolink", "backticks", "emphasis", "entity", "escape", "image", "link",
    "newline", "table", "strikethrough", "footnote",
]  # fmt: skip  # markdown-it's CommonMark preset without raw HTML, plus our extensions
# markdown-it-py's own autolink patterns, unanchored: <scheme:...> and <user@host>
_AUTOLINK = "<((?:{})|(?:{}))>".format(*(p.pattern[1:-1] for p in (AUTOLINK_RE, EMAIL_RE)))
# Groups: slug, text (of a wiki link); key (of a citation); the autolink's URL at _URL. With
# the autolinks' alternative the scan costs 30 us a body instead of 6: taken only if a "<" is.
_TOKENS = re.compile(f"{WIKI_LINK.pattern}|{CITATION.pattern}|{_AUTOLINK}")
_TOKENS_BUT_AUTOLINKS = re.compile(f"{WIKI_LINK.pattern}|{CITATION.pattern}")
_URL = 4
_PLACEHOLDER = re.compile(r"%tlph(\d+)%")
# A wiki link wrapped onto more lines gets a placeholder a line, %tlph<n>% then %tlph<n>n<k>%,
# with each line break and what starts the next line (indentation, a quote's ">") kept, so
# that pyrs sees the lines markdown-it-py sees. A line starting with what may start a block
# is left to markdown-it-py.
_LINE_BREAK = re.compile(r"([ \t]*\n[ \t>]*)")
_QUOTE_MARKERS = re.compile(r"\n[ \t>]*")
_BLOCK_START = frozenset("#*+-|:<=_~`0123456789")
_CODE = re.compile(r"<code[^>]*>.*?</code>", re.DOTALL)
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_FOOTNOTE_MARKS = re.compile(
    r'<sup class="footnote-ref">.*?</sup>|<a [^>]*class="footnote-backref">.*?</a>'
)
# What ends a tight list item's text: its end, or a nested block (no inline tag starts so).
_BLOCK_AFTER_TEXT = re.compile(r"</li>|\n<(?:ul|ol|p>|pre|blockquote|h[1-6]|hr|table)")

panics = 0  # Rust panics caught; the tests check that none is reached


@cache
def _parser() -> Any:
    return markdown_it_pyrs.MarkdownIt("zero").enable_many(_RULES)  # type: ignore[arg-type]


def available() -> bool:
    return markdown_it_pyrs is not None


def render(
    source: str, *, titles: Mapping[str, str], citations: Mapping[str, int], root: str,
    citation_label: str = ENGLISH_CITATION,
) -> Rendered | None:  # fmt: skip
    """(HTML, first paragraph as text, link targets resolved), or None: use markdown-it-py.

    ``titles``: every event's title by slug; ``citations``: source number by key;
    ``citation_label``: a citation's name for screen readers ("Source {number}")."""
    if markdown_it_pyrs is None or _source_unsure(source):
        return None
    pieces: list[str] = []
    found: list[re.Match[str]] = []
    wrapped: dict[int, int] = {}  # a wrapped link's number: its line breaks
    at = 0
    tokens = _TOKENS if "<" in source else _TOKENS_BUT_AUTOLINKS
    for match in tokens.finditer(source):
        start = match.start()
        if start and source[start - 1] in "\\!":
            return None  # escaped, or a backslash ending a code span; an image's text
        url = _autolink(match)
        if url is not None:
            if "`" in url or not validate_link(_autolink_href(url)):
                return None  # a code span may end inside; text to markdown-it-py
        elif match[3] is not None:
            if match[3] not in citations or source.startswith(":", match.end()):
                return None  # an error to report with its line, or a definition
        elif wiki_link(match)[0] not in titles:
            return None
        lines = _LINE_BREAK.split(match[0]) if "\n" in match[0] else [match[0]]
        if any(not line or line[0] in _BLOCK_START for line in lines[2::2]):
            return None  # a wrapped link whose next line may start a block
        pieces += (source[at:start], f"%{MARK}{len(found)}%")
        for k, line_break in enumerate(lines[1::2], 1):
            pieces += (line_break, f"%{MARK}{len(found)}n{k}%")
        if len(lines) > 1:
            wrapped[len(found)] = len(lines) // 2
        found.append(match)
        at = match.end()
    pieces.append(source[at:])
    text = "".join(pieces)
    try:
        html: str = _parser().render(text)
    except BaseException as exc:  # a Rust panic (pyo3's PanicException is a BaseException)
        if type(exc).__name__ != "PanicException":
            raise
        global panics
        panics += 1
        return None
    if wrapped:
        rejoined = _rejoin(html, wrapped)
        if rejoined is None:
            return None
        html = rejoined
    if html_unsure(html, "\n" + text, found):
        return None
    html = html.replace('class="footnote-item">\n', 'class="footnote-item">')
    html = html.replace("<blockquote>\n</blockquote>", "<blockquote></blockquote>")
    if "<h" in html:
        anchored = _anchor_headings(html)
        if anchored is None:
            return None
        html = anchored
    first = _first_paragraph(html)
    if first is None:
        return None
    resolved: Resolved = set()
    if found:
        html, first = _links(html, first, found, titles, citations, citation_label, root, resolved)
    return html, summary_text(unescape(_TAG.sub("", _FOOTNOTE_MARKS.sub("", first)))), resolved


def _rejoin(html: str, wrapped: dict[int, int]) -> str | None:
    """The HTML with each wrapped link's placeholders as one; None unless pyrs read its lines
    as the soft breaks of one paragraph (no line started a block or a hard break) outside
    code, as markdown-it-py's inline rule then sees the link."""
    for number, breaks in wrapped.items():
        lines = "\n".join([f"%{MARK}{number}%"] + [f"%{MARK}{number}n{k}%"
                                                   for k in range(1, breaks + 1)])  # fmt: skip
        if html.count(lines) != 1:
            return None
        html = html.replace(lines, f"%{MARK}{number}%")
    for code in _CODE.findall(html) if "<code" in html else ():
        if any(f"%{MARK}{number}%" in code for number in wrapped):
            return None  # its text in code would be the lines as written, markers and all
    return html


def _anchor_headings(html: str) -> str | None:
    """Headings as markdown-it-py makes them: h1 demoted to h2, h2-h4 given an id (None when
    a heading's anchor text is not the text its HTML shows)."""
    slugs: set[str] = set()
    unsure = False

    def anchored(match: re.Match[str]) -> str:
        nonlocal unsure
        level, inner = max(int(match[1]), 2), match[2]
        if level > 4:
            return match[0]
        if "\n" in inner or "<sup" in inner or "<img" in inner or MARK in inner:
            unsure = True
            return match[0]
        slug = unique_slug(anchor_slug(unescape(_TAG.sub("", inner))), slugs)
        return f'<h{level} id="{escapeHtml(slug)}">{inner}</h{level}>'

    html = _HEADING.sub(anchored, html)
    return None if unsure else html


def _links(
    html: str, first: str, found: list[re.Match[str]], titles: Mapping[str, str],
    citations: Mapping[str, int], citation_label: str, root: str, resolved: Resolved,
) -> tuple[str, str]:  # fmt: skip
    """The placeholders replaced: by the original text inside code, else by the link or
    citation; the first paragraph's by the words markdown-it-py's plain text keeps."""
    words: dict[int, str] = {}

    def code(match: re.Match[str]) -> str:
        return _PLACEHOLDER.sub(lambda m: escapeHtml(found[int(m[1])][0]), match[0])

    def link(match: re.Match[str]) -> str:
        token = found[int(match[1])]
        url = _autolink(token)
        if url is not None:  # as markdown-it-py's autolink rule and renderer make it
            words[int(match[1])] = shown = normalizeLinkText(url)
            href = escapeHtml(_autolink_href(url))
            return f'<a href="{href}">{escapeHtml(shown)}</a>'
        if token[3] is not None:
            words[int(match[1])] = ""
            return citation_html(citations[token[3]], citation_label)
        slug, text = wiki_link(token)
        text = _QUOTE_MARKERS.sub("\n", text)  # as _rejoin found them: the quote's own
        title = titles[slug]
        resolved.add(("slug", slug, title))
        words[int(match[1])] = shown = text or title or slug
        href = escapeHtml(event_href(root, slug))
        return f'<a href="{href}" class="wikilink">{escapeHtml(shown)}</a>'

    if "<code" in html:
        html, first = _CODE.sub(code, html), _CODE.sub(code, first)
    html = _PLACEHOLDER.sub(link, html)
    first = _PLACEHOLDER.sub(lambda m: escapeHtml(words[int(m[1])]), first)
    return html, first


def _autolink(token: re.Match[str]) -> str | None:
    """The URL of an autolink found by _TOKENS (None for a link or citation)."""
    return token[_URL] if token.re is _TOKENS else None


def _autolink_href(url: str) -> str:
    """An autolink's URL as markdown-it-py links it (an address gets mailto:)."""
    return normalizeLink(url if AUTOLINK_RE.match(url) else "mailto:" + url)


def _first_paragraph(html: str) -> str | None:
    """The inner HTML of the paragraph markdown-it-py takes as the first ("" if none), which
    may be the hidden paragraph of a tight list item; None when unsure."""
    start = html.find("<p>")
    notes = html.find(FOOTNOTES)
    if notes != -1 and (start == -1 or notes < start):
        return None  # only footnotes have paragraphs: left to markdown-it-py
    item = html.find("<li")
    if item != -1 and (start == -1 or item < start):  # in a list item: loose or tight?
        after = html.find(">", item) + 1
        if start != -1 and not html[after:start].strip():
            return _inner(html, start)  # loose: a visible paragraph
        if html.startswith("\n", after):
            return None  # the item starts with another block
        end = _BLOCK_AFTER_TEXT.search(html, after)
        if end is None or end.start() == after:  # an empty item: the paragraph is later
            return None
        return html[after : end.start()]
    return _inner(html, start) if start != -1 else ""


def _inner(html: str, start: int) -> str:
    return html[start + 3 : html.find("</p>", start)]
