"""What TimelineJS holds as HTML, read as Timeline holds it: field text, links, and slide text
as Markdown (paragraphs, links, emphasis, lists; the status line, citations and source list
that ``timeline export`` writes read back into fields)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

from timeline.reading.fields import safe_url

_NOT_TEXT = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Characters that would mean something to Markdown or to Timeline ([[links]], [@cites])
# in what was plain text in the slide.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>&])")
_TAG = re.compile(r"<[^>]+>")
_SOURCE_NUMBER = re.compile(r"#source-(\d+)$")


def text(value: Any, warnings: list[str] | None = None) -> str:
    """A field's text: strings and numbers as they are, anything else as nothing; lone
    surrogates (from JSON such as "\\ud800") and control characters replaced."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    shown = str(value)
    cleaned = _NOT_TEXT.sub("\ufffd", shown)
    if cleaned != shown and warnings is not None:
        warnings.append("characters that are not text (lone surrogates or control "
                        "characters) were replaced with \ufffd")  # fmt: skip
    return cleaned


def strip_html(value: str) -> str:
    """The text of a field TimelineJS reads as HTML: tags dropped, then entities decoded
    (``Q&amp;A &lt;b&gt;`` is the title "Q&A <b>")."""
    return html.unescape(_TAG.sub("", value)).strip()


def label_text(value: str) -> str:
    """What TimelineJS shows for a group: it takes the text of the HTML, then inserts that
    as HTML again (so ``timeline export`` escapes a group twice)."""
    return strip_html(strip_html(value))


def escaped(value: str) -> str:
    return _MARKDOWN.sub(r"\\\1", value)


def link_target(href: str) -> str | None:
    """A link as Timeline keeps it: http(s) or mailto only (relative links pointed into the
    TimelineJS page, not this site), spaces and the like percent-encoded."""
    href = href.strip()
    if href.lower().startswith("mailto:") and "\n" not in href:
        return quote(href, safe=":@.+-_~!$&'()*,;=%")
    encoded = quote(href, safe=":/?#[]@!$&'()*+,;=%~-._")
    return encoded if safe_url(encoded, allow_relative=False) else None


class SlideText(HTMLParser):
    """Slide text as Markdown: paragraphs, links, emphasis, lists. The status line, the
    numbered citations and the source list that ``timeline export`` adds are read back:
    ``sources`` (each cited one given an id) and ``[@id]`` citations."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.warnings = warnings
        self.out: list[str] = []
        self.href: list[tuple[str | None, int]] = []  # each open link, where its '[' is
        self.sources: list[dict[str, str]] = []
        self.cited: list[tuple[int, int]] = []  # (index in out, source number)
        self.in_sources = False
        self.in_heading = False
        self.citation = 0  # > 0 inside <sup class="citation">
        self.item: dict[str, str] | None = None
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "sup" and values.get("class") == "citation":
            self.citation += 1
        elif self.citation:
            number = _SOURCE_NUMBER.search(values.get("href") or "") if tag == "a" else None
            if number:
                self.cited.append((len(self.out), int(number[1])))
                self.out.append("")
        elif tag == "h3":
            self.in_heading = True
        elif self.in_sources and tag == "li":
            self.item = {}
        elif self.in_sources and tag == "a" and self.item is not None and "url" not in self.item:
            self.item["url"] = values.get("href") or ""
        elif tag == "a":
            self.href.append((values.get("href"), len(self.out)))
            self.out.append("[")
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag == "br":
            self.out.append("\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in ("p", "div", "ul", "ol", "blockquote"):
            self.out.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1
        elif self.citation:
            self.citation -= tag == "sup"
        elif tag == "h3":
            self.in_heading = False
        elif self.in_sources and tag == "li" and self.item is not None:
            url = self.item.get("url")
            if url and (target := link_target(url)) is None:
                self.warnings.append(f"the source {self.item.get('title', '')!r} links to "
                                     f"{url[:80]!r}, which is not an http(s) URL; the "
                                     "source is kept without it")  # fmt: skip
                del self.item["url"]
            elif url:
                self.item["url"] = target or url
            self.sources.append(self.item)
            self.item = None
        elif tag == "a" and not self.in_sources and self.href:
            href, at = self.href.pop()
            target = link_target(href) if href else None
            if target:
                self.out.append(f"](<{target}>)")
            else:  # kept as the text it was
                self.out[at] = ""
                if href:
                    self.warnings.append(f"a link to {href[:80]!r} is not an http(s) or "
                                         "mailto: URL; its text is kept without it")  # fmt: skip
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag in ("p", "div", "ul", "ol", "blockquote"):
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.skip or self.citation:
            return
        if self.in_heading:
            self.in_sources = data.strip().lower() == "sources"
            return
        if self.in_sources:
            if self.item is not None:
                if "title" not in self.item:
                    self.item["title"] = data.strip()
                elif data.strip(", ") and "publisher" not in self.item:
                    self.item["publisher"] = data.strip(", ").split(", ")[0]
            return
        self.out.append(escaped(data))

    def markdown(self) -> str:
        """The text as Markdown, each citation of a listed source as ``[@source-N]`` (the
        source given that id); a citation of no listed source is dropped, with a warning."""
        for at, number in self.cited:
            if 0 < number <= len(self.sources):
                self.sources[number - 1].setdefault("id", f"source-{number}")
                self.out[at] = f"[@{self.sources[number - 1]['id']}]"
            else:
                self.warnings.append(f"a citation [{number}] of a source the slide does not "
                                     "list was left out")  # fmt: skip
        body = "".join(self.out)
        body = re.sub(r"[ \t]+\n", "\n", body)
        return re.sub(r"\n{3,}", "\n\n", body).strip()
