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
import unicodedata
from collections.abc import Mapping
from functools import cache
from html import unescape
from typing import Any
from urllib.parse import urlsplit

from markdown_it.common.normalize_url import normalizeLink, normalizeLinkText
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline.autolink import AUTOLINK_RE, EMAIL_RE
from mdit_py_plugins.anchors.index import unique_slug

from timeline.site.bodyrules import (
    CITATION,
    NEWER_PUNCTUATION,
    WIKI_LINK,
    anchor_slug,
    citation_html,
    event_href,
    summary_text,
    validate_link,
)

try:
    import markdown_it_pyrs
except ImportError:  # pragma: no cover - Python 3.13+, or a platform without a wheel
    markdown_it_pyrs = None  # type: ignore[assignment]

Resolved = set[tuple[str, str, str | None]]
Rendered = tuple[str, str, Resolved]  # HTML, first paragraph as text, link targets resolved

# The Rust parser recurses once per nesting level and overflows its stack (the process
# dies) with a 2 MB thread stack past about 6,000 nested list items (3 characters each) or
# 20,000 inline levels. Bodies are kept far from that: at most LONGEST characters, and no line
# opening more than DEEPEST containers (block nesting takes at least one character of a
# line's leading markers and indentation per level).
LONGEST = 20_000  # characters
DEEPEST = 100
_RULES = [
    "blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph",
    "reference", "autolink", "backticks", "emphasis", "entity", "escape", "image", "link",
    "newline", "table", "strikethrough", "footnote",
]  # fmt: skip  # markdown-it's CommonMark preset without raw HTML, plus our extensions
_MARK = "tlph"  # placeholders are %tlph<n>%: punctuation either side, like [[ and ]]
# markdown-it-py's own autolink patterns, unanchored: <scheme:...> and <user@host>
_AUTOLINK = "<((?:{})|(?:{}))>".format(*(p.pattern[1:-1] for p in (AUTOLINK_RE, EMAIL_RE)))
# Groups: slug, text (of a wiki link); key (of a citation); the autolink's URL at _URL. With
# the autolinks' alternative the scan costs 30 us a body instead of 6: taken only if a "<" is.
_TOKENS = re.compile(f"{WIKI_LINK.pattern}|{CITATION.pattern}|{_AUTOLINK}")
_TOKENS_BUT_AUTOLINKS = re.compile(f"{WIKI_LINK.pattern}|{CITATION.pattern}")
_URL = 4
_PLACEHOLDER = re.compile(r"%tlph(\d+)%")

# Checks of the Markdown, on "\n" + source: each starts with a newline, which Python's re
# looks for quickly (a pattern starting with ^ is tried at every character).
_PREFIX = r"[ \t>*+\-\d.)]*"  # what may stand before a block: indentation, quotes, markers
_DEEP = re.compile(r"\n(?:[ \t>*+\-.)\d]|\[\^[^\]\n]*\]:){" + str(DEEPEST) + "}")
_TAB_AFTER_MARKER = re.compile(r"\n[ \t]*(?:>|[*+-]|\d{1,9}[.)])[ >*+\-\d.)\t]*\t")
_LAZY_QUOTE = re.compile(r"\n[ \t]*>[^\n]*\n(?![ \t]*(?:>|\n|\Z))")
_EMPTY_ITEM = re.compile(r"\n[ \t>]*(?:[*+-]|\d{1,9}[.)])[ \t]*(?=\n|\Z)")  # a marker alone
_DEFINITION = re.compile(r"\n" + _PREFIX + r"\[[^^\n][^\n]*\]:")  # of a reference link
_FOOTNOTE_DEFINITION = re.compile(r"\n(" + _PREFIX + r")\[\^[^\]\n]*\]:([ \t]*)")
_FENCE = re.compile(r"\n(" + _PREFIX + r")(`{3,}|~{3,})([^\n]*)")
_DELIMITER_ROW = re.compile(r"\n([ \t|:\-]+)(?=\n|\Z)")  # with a "-": one quantifier, linear
# Spaces other than space, tab and newline (no-break, em space, form feed...), except
# between two letters or digits ("10\u00a0km"), where neither parser trims them.
_ODD_SPACE = re.compile(r"(?<![^\W_])[^\S \t\n]|[^\S \t\n](?![^\W_])")
_ODD_SPACES = [c for c in map(chr, range(0x3001)) if c.isspace() and c not in " \t\n"]
_MAY_START_BLOCK = re.compile(r"\n[ \t]*(?=[\n#>*+\-|<=_~`\d])")
_BACKTICKS = re.compile(r"`+")
_BLANK_CODE = re.compile(r"`[ \n]+`")

# Checks and changes of the HTML.
_IN_TAG = re.compile(r"<[^>]*tlph")
_IN_LINK = re.compile(r"<a [^>]*>(?:(?!</a>).)*?tlph", re.DOTALL)
_URLS = re.compile(r' (?:href|src)="([^"]*)"')
_CONTAINER = re.compile(r"<(/?)(?:blockquote|ul|ol|li)[ >]")
_NESTED = 12  # markdown-it-py stops at 20 levels of blocks (a list and its item are two)
_CODE = re.compile(r"<code[^>]*>.*?</code>", re.DOTALL)
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_FOOTNOTES = '<hr class="footnotes-sep" />'  # what starts the footnotes' list
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
    source: str, *, titles: Mapping[str, str], citations: Mapping[str, int], root: str
) -> Rendered | None:
    """(HTML, first paragraph as text, link targets resolved), or None: use markdown-it-py.

    ``titles``: every event's title by slug; ``citations``: source number by key."""
    if markdown_it_pyrs is None or _source_unsure(source):
        return None
    pieces: list[str] = []
    found: list[re.Match[str]] = []
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
        elif match[1].strip() not in titles:
            return None
        pieces += (source[at:start], f"%{_MARK}{len(found)}%")
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
    if _html_unsure(html, "\n" + text, found):
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
        html, first = _links(html, first, found, titles, citations, root, resolved)
    return html, summary_text(unescape(_TAG.sub("", _FOOTNOTE_MARKS.sub("", first)))), resolved


def _source_unsure(source: str) -> bool:
    """True for Markdown the fast path leaves to markdown-it-py (or keeps from pyrs)."""
    # A one-character test first where a character of a pattern is rare: `in` finds one
    # character with memchr (~0.04 us in 4 KB) but two or three at ~3 us.
    if len(source) > LONGEST or _MARK in source or "\x00" in source:
        return True  # ..., a NUL (read as U+FFFD, a symbol: see _symbol_by_delimiter)
    if "^" in source and "^[" in source:
        return True  # an inline footnote (numbered apart, and ^[[a]] is one)
    if any(space in source for space in _ODD_SPACES) and _ODD_SPACE.search(source):
        return True  # markdown-it-py trims all Unicode spaces (str.strip), pyrs only ASCII
    if not source.isascii() and _symbol_by_delimiter(source):
        return True  # a Unicode symbol (€, ©, ±...) beside * _ ~: punctuation only to one
    lines = "\n" + source
    if _DEEP.search(lines):
        return True
    if "\t" in source and _TAB_AFTER_MARKER.search(lines):
        return True  # tabs expanded differently in a list or quote
    if ">" in source:
        if _LAZY_QUOTE.search(lines):
            return True  # a quote's paragraph continued without '>': ended differently
        for match in _EMPTY_ITEM.finditer(lines):
            if ">" in lines[lines.rfind("\n\n", 0, match.start()) + 1 : match.start()]:
                return True  # an empty item after a nested quote's paragraph: ended otherwise
    if ":" in source and "]:" in source and _DEFINITION.search(lines):
        return True
    if "^" in source and "[^" in source:
        for match in _FOOTNOTE_DEFINITION.finditer(lines):
            if match[1] or (match.start() and lines[match.start() - 1] != "\n"):
                return True  # indented, or ending a paragraph: read differently
            if _columns(match.start(2) - match.start() - 1, match[2]) >= 4:
                return True  # text four columns after "]:": code to pyrs, not to the plugin
    if ("`" in source and "```" in source) or ("~" in source and "~~~" in source):
        unfenced = _without_fences(lines)
        if unfenced is None:
            return True
        lines = unfenced
        if "~" in lines and "~~~" in lines:
            return True  # three tildes or more, not a fence: struck through differently
    return "`" in lines and not _backticks_pair_up(lines)


def _columns(start: int, spaces: str) -> int:
    """How many columns ``spaces`` (spaces and tabs) take from column ``start``, with tab
    stops every 4 columns, as markdown-it counts them."""
    column = start
    for space in spaces:
        column += 4 - column % 4 if space == "\t" else 1
    return column - start


def _symbol_by_delimiter(source: str) -> bool:
    """True if a non-ASCII symbol (Unicode category S) stands beside a *, _ or ~: whether it
    lets emphasis open or close differs between markdown-it-py (it counts symbols as
    punctuation, as CommonMark 0.31 does) and pyrs. So for punctuation newer than Unicode
    14.0, which pyrs's own Unicode may not know."""
    for mark in "*_~":
        at = source.find(mark)
        while at != -1:
            for near in (source[at - 1 : at], source[at + 1 : at + 2]):
                if (
                    near
                    and not near.isascii()
                    and (unicodedata.category(near)[0] == "S" or near in NEWER_PUNCTUATION)
                ):
                    return True
            at = source.find(mark, at + 1)
    return False


def _without_fences(lines: str) -> str | None:
    """The Markdown without its fenced code blocks; None unless every fence is closed and at
    the top level (pyrs ends a fence left open with a newline, markdown-it-py does not)."""
    kept, at, opened = [], 0, ""
    for match in _FENCE.finditer(lines):
        prefix, fence, rest = match.groups()
        if prefix.strip(" ") or len(prefix) > 3:
            return None  # in a list or quote, or indented: not followed here
        if not opened:
            if fence[0] == "`" and "`" in rest:
                return None  # not a fence: code spans, followed by _backticks_pair_up
            opened = fence
            kept.append(lines[at : match.start()])
        elif fence[0] == opened[0] and len(fence) >= len(opened) and not rest.strip():
            opened = ""
            at = match.end()
    if opened:
        return None
    kept.append(lines[at:])
    return "".join(kept)


def _backticks_pair_up(lines: str) -> bool:
    """True if every run of backticks is closed by a run as long before any line that may
    start a new block (so also before a blank line), and no table row holds one.

    pyrs panics on a run left open inside what may be a link's text ('[ `a')."""
    if "\\`" in lines or _BLANK_CODE.search(lines):
        return False  # ...; a code span of spaces only: pyrs trims it
    for chunk in _MAY_START_BLOCK.split(lines):
        if "`" not in chunk:
            continue
        if "|" in chunk:
            return False
        runs = _BACKTICKS.findall(chunk)
        while runs:
            opener = runs.pop(0)
            if opener not in runs:
                return False
            del runs[: runs.index(opener) + 1]
    return True


def _html_unsure(html: str, lines: str, found: list[re.Match[str]]) -> bool:
    """True if pyrs's HTML shows a body the two parsers read differently."""
    if found and (
        html.count(f"%{_MARK}") != len(found)  # one dropped, say in an unused footnote
        or _IN_TAG.search(html)  # in a URL, a title, an image's text
        or _IN_LINK.search(html)  # a link in a link: not a link to markdown-it-py
        or ("<table>" in html and any("|" in match[0] for match in found))  # a cell's pipe
    ):  # fmt: skip
        return True
    depth = 0
    for closing in _CONTAINER.findall(html):
        depth += -1 if closing else 1
        if depth > _NESTED:
            return True
    if "^" in lines and "[^" in lines:
        items = html.count('class="footnote-item"')
        notes = html.find(_FOOTNOTES)
        if notes != -1 and 'class="footnote-ref"' in html[notes:]:
            return True  # a footnote citing a footnote: numbered apart
        if not (
            html.count('class="footnote-ref"') == items == html.count('class="footnote-backref"')
            == len(_FOOTNOTE_DEFINITION.findall(lines))
        ):  # fmt: skip
            return True  # a footnote cited twice, defined twice or not cited: numbered apart
    if ("<table>" in html or "|" in lines) and not _plain_tables(lines, html.count("<table>")):
        return True
    for url in _URLS.findall(html):
        url = unescape(url)
        if not validate_link(url):
            return True  # kept as text by markdown-it-py
        parts = urlsplit(url)
        if not (parts.scheme or parts.netloc) and parts.path.endswith(".md"):
            return True  # a link to an event file
        if "%" in parts.netloc:
            return True  # an international domain name: markdown-it-py writes punycode
    return False


def _plain_tables(lines: str, tables: int) -> bool:
    """True if every table is the plain kind (after a blank line, each row between pipes)
    and pyrs made as many: where the two parsers agree on what a table is."""
    plain = 0
    for match in _DELIMITER_ROW.finditer(lines):
        head_start = lines.rfind("\n", 0, match.start())
        head = lines[head_start + 1 : match.start()]
        row = match[1]
        if "-" not in row or ("|" not in head and "|" not in row):
            continue  # a setext heading or a rule
        before = lines[lines.rfind("\n", 0, max(head_start, 0)) + 1 : max(head_start, 0)]
        if head_start < 0 or before.strip() or not all(
            line.strip().startswith("|") and line.strip().endswith("|") and line[:1] != "\t"
            for line in (head, row)
        ):  # fmt: skip
            return False
        plain += 1
    return plain == tables


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
        if "\n" in inner or "<sup" in inner or "<img" in inner or _MARK in inner:
            unsure = True
            return match[0]
        slug = unique_slug(anchor_slug(unescape(_TAG.sub("", inner))), slugs)
        return f'<h{level} id="{escapeHtml(slug)}">{inner}</h{level}>'

    html = _HEADING.sub(anchored, html)
    return None if unsure else html


def _links(
    html: str, first: str, found: list[re.Match[str]], titles: Mapping[str, str],
    citations: Mapping[str, int], root: str, resolved: Resolved,
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
            return citation_html(citations[token[3]])
        slug, text = token[1].strip(), (token[2] or "").strip()
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
    notes = html.find(_FOOTNOTES)
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
