"""What Timeline adds to Markdown, as both body renderers make it: markdown-it-py with our
plugin rules (timeline.site.markdown) and markdown-it-pyrs with placeholders
(timeline.site.fastmd). One definition each, so that the two cannot drift apart."""

from __future__ import annotations

import re

WIKI_LINK = re.compile(r"\[\[([^\[\]|\n]+?)(?:\|([^\[\]\n]+?))?\]\]")  # [[slug]], [[slug|text]]
CITATION = re.compile(r"\[@([A-Za-z0-9][A-Za-z0-9_.:-]*)\]")  # [@key]
_SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"\s*([a-z][a-z0-9+.-]*):", re.IGNORECASE)


def validate_link(url: str) -> bool:
    """Only http, https, mailto and relative URLs survive in links."""
    scheme = _SCHEME.match(url)
    return scheme is None or scheme[1].lower() in _SAFE_SCHEMES


def event_href(root: str, slug: str) -> str:
    """Where a [[slug]] link points, from a page ``root`` levels below the site."""
    return f"{root}events/{slug}/"


def citation_html(number: int) -> str:
    return (
        f'<sup class="citation"><a href="#source-{number}" '
        f'aria-label="Source {number}">[{number}]</a></sup>'
    )


def summary_text(words: str) -> str:
    """A first paragraph's words as summary text: spaces collapsed, none left before
    punctuation (where a citation was removed)."""
    text = " ".join(words.split())  # str.split's whitespace is re's \s: every Unicode space
    for mark in ".,;:!?":
        if mark in text:
            text = text.replace(" " + mark, mark)  # single spaces now: no new pair is made
    return text
