"""What Timeline adds to Markdown, as both body renderers make it: markdown-it-py with our
plugin rules (timeline.site.markdown) and markdown-it-pyrs with placeholders
(timeline.site.fastmd). One definition each, so that the two cannot drift apart."""

from __future__ import annotations

import re
import unicodedata

from markupsafe import escape

# [[slug]], [[slug|text]]; also [[slug\|text]], as a pipe is written in a table (GFM), and
# wrapped onto the next lines (a paragraph's soft breaks).
WIKI_LINK = re.compile(r"\[\[([^\[\]|]+?)(?:\\?\|([^\[\]]+?))?\]\]")
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")
CITATION = re.compile(r"\[@([A-Za-z0-9][A-Za-z0-9_.:-]*)\]")  # [@key]
_SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"\s*([a-z][a-z0-9+.-]*):", re.IGNORECASE)

# Markdown reads a few Unicode properties: whether a character is punctuation (markdown-it-py:
# emphasis opens and closes differently beside one) and whether it is a word character (kept
# in a heading's anchor). Python answers from its own Unicode, 14.0 on 3.11, 15.0 on 3.12 and
# 15.1 on 3.13, so the same body rendered differently by Python. Both are read here as Unicode
# 15.1 has them, on every Python: what 15.1 adds are the characters assigned since 14.0 (the
# ones below, found by comparing every code point on 3.11 and 3.13; nothing changed the other
# way). tests/test_markdown.py checks a digest of both over every code point, so a Python with
# a newer Unicode fails there until these are extended.
UNICODE = "15.1.0"
_PUNCTUATION_SINCE_14 = (
    (0x2FFC, 0x2FFF), (0x31EF, 0x31EF), (0x11B00, 0x11B09), (0x11F43, 0x11F4F),
    (0x1F6DC, 0x1F6DC), (0x1F774, 0x1F776), (0x1F77B, 0x1F77F), (0x1F7D9, 0x1F7D9),
    (0x1FA75, 0x1FA77), (0x1FA87, 0x1FA88), (0x1FAAD, 0x1FAAF), (0x1FABB, 0x1FABD),
    (0x1FABF, 0x1FABF), (0x1FACE, 0x1FACF), (0x1FADA, 0x1FADB), (0x1FAE8, 0x1FAE8),
    (0x1FAF7, 0x1FAF8),
)  # fmt: skip  # the new emoji of 2022 (🫨 🩷 🪽 🫎...), ideographic description marks...
_WORD_SINCE_14 = (
    (0x1123F, 0x11240), (0x11F02, 0x11F02), (0x11F04, 0x11F10), (0x11F12, 0x11F33),
    (0x11F50, 0x11F59), (0x1342F, 0x1342F), (0x13441, 0x13446), (0x1B132, 0x1B132),
    (0x1B155, 0x1B155), (0x1D2C0, 0x1D2D3), (0x1DF25, 0x1DF2A), (0x1E030, 0x1E06D),
    (0x1E4D0, 0x1E4EB), (0x1E4F0, 0x1E4F9), (0x2B739, 0x2B739), (0x2EBF0, 0x2EE5D),
    (0x31350, 0x323AF),
)  # fmt: skip  # CJK extensions H and I, Kawi, Nag Mundari, Kaktovik numerals...
NEWER_PUNCTUATION = frozenset(
    chr(code) for first, last in _PUNCTUATION_SINCE_14 for code in range(first, last + 1)
)
# What mdit-py-plugins' anchors drop from a heading's text (its slugify's [^\w\u4e00-\u9fff\- ]).
_NOT_IN_ANCHOR = re.compile(
    r"[^\w\u4e00-\u9fff\- " + "".join(f"{chr(a)}-{chr(b)}" for a, b in _WORD_SINCE_14) + "]"
)


def validate_link(url: str) -> bool:
    """Only http, https, mailto and relative URLs survive in links."""
    scheme = _SCHEME.match(url)
    return scheme is None or scheme[1].lower() in _SAFE_SCHEMES


def wiki_link(match: re.Match[str]) -> tuple[str, str]:
    """The slug and text of a WIKI_LINK match (text "" if none), each line break in them
    with the spaces around it as one newline, as Markdown writes a soft break."""
    slug, text = match[1].strip(), (match[2] or "").strip()
    return _LINE_BREAK.sub("\n", slug), _LINE_BREAK.sub("\n", text)


def event_href(root: str, slug: str) -> str:
    """Where a [[slug]] link points, from a page ``root`` levels below the site."""
    return f"{root}events/{slug}/"


ENGLISH_CITATION = "Source {number}"


def citation_html(number: int, label: str = ENGLISH_CITATION) -> str:
    """A citation's superscript link to source ``number``; ``label``: its name for screen
    readers, the strings table's "Source {number}" in the site's language."""
    before, _, after = label.partition("{number}")
    return (
        f'<sup class="citation"><a href="#source-{number}" '
        f'aria-label="{escape(before)}{number}{escape(after)}">[{number}]</a></sup>'
    )


def summary_text(words: str) -> str:
    """A first paragraph's words as summary text: spaces collapsed, none left before
    punctuation (where a citation was removed)."""
    text = " ".join(words.split())  # str.split's whitespace is re's \s: every Unicode space
    for mark in ".,;:!?":
        if mark in text:
            text = text.replace(" " + mark, mark)  # single spaces now: no new pair is made
    return text


def is_punctuation(char: str) -> bool:
    """markdown-it's test of a non-ASCII character beside * _ ~ (Unicode P or S), as Unicode
    15.1 answers it on every Python."""
    return unicodedata.category(char)[0] in "PS" or char in NEWER_PUNCTUATION


def anchor_slug(title: str) -> str:
    """A heading's anchor as mdit-py-plugins' slugify makes it, with Unicode 15.1's word
    characters on every Python."""
    return _NOT_IN_ANCHOR.sub("", title.lower().replace(" ", "-"))
