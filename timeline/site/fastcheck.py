"""Where markdown-it-pyrs and markdown-it-py part: the checks timeline.site.fastmd makes of a
body's Markdown before pyrs reads it, and of the HTML pyrs writes, so that a body either comes
out as markdown-it-py makes it or goes to markdown-it-py.

Each check is for a difference found by tests/test_fastmd.py, which renders random bodies
both ways (its DIVERGENCES list holds one body for each).
"""

from __future__ import annotations

import re
import unicodedata
from html import unescape
from urllib.parse import urlsplit

from timeline.site.bodyrules import NEWER_PUNCTUATION, validate_link

MARK = "tlph"  # placeholders are %tlph<n>%: punctuation either side, like [[ and ]]

# The Rust parser recurses once per nesting level and overflows its stack (the process
# dies) with a 2 MB thread stack past about 6,000 nested list items (3 characters each) or
# 20,000 inline levels. Bodies are kept far from that: at most LONGEST characters, and no line
# opening more than DEEPEST containers (block nesting takes at least one character of a
# line's leading markers and indentation per level).
LONGEST = 20_000  # characters
DEEPEST = 100


# Checks of the Markdown, on "\n" + source: each starts with a newline, which Python's re
# looks for quickly (a pattern starting with ^ is tried at every character).
_PREFIX = r"[ \t>*+\-\d.)]*"  # what may stand before a block: indentation, quotes, markers
_DEEP = re.compile(r"\n(?:[ \t>*+\-.)\d]|\[\^[^\]\n]*\]:){" + str(DEEPEST) + "}")
_TAB_AFTERMARKER = re.compile(r"\n[ \t]*(?:>|[*+-]|\d{1,9}[.)])[ >*+\-\d.)\t]*\t")
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
FOOTNOTES = '<hr class="footnotes-sep" />'  # what starts the footnotes' list


def source_unsure(source: str) -> bool:
    """True for Markdown the fast path leaves to markdown-it-py (or keeps from pyrs)."""
    # A one-character test first where a character of a pattern is rare: `in` finds one
    # character with memchr (~0.04 us in 4 KB) but two or three at ~3 us.
    if len(source) > LONGEST or MARK in source or "\x00" in source:
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
    if "\t" in source and _TAB_AFTERMARKER.search(lines):
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


def html_unsure(html: str, lines: str, found: list[re.Match[str]]) -> bool:
    """True if pyrs's HTML shows a body the two parsers read differently."""
    if found and (
        html.count(f"%{MARK}") != len(found)  # one dropped, say in an unused footnote
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
        notes = html.find(FOOTNOTES)
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
