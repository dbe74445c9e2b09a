"""Event bodies: CommonMark + tables, strikethrough, footnotes, anchors, wiki links, citations.

Runs in the second phase, once every slug and source id is known, so that a link to a missing
event or a citation of a missing source is an error with the file and line it is on.
"""

from __future__ import annotations

import importlib
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline, state_inline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from timeline.errors import Problem, Problems
from timeline.reading.fields import did_you_mean
from timeline.reading.model import Event, PageFile
from timeline.site import fastmd
from timeline.site.bodyrules import (
    CITATION,
    ENGLISH_CITATION,
    WIKI_LINK,
    anchor_slug,
    citation_html,
    event_href,
    is_punctuation,
    summary_text,
    validate_link,
    wiki_link,
)

_TABLE = importlib.import_module("markdown_it.rules_block.table")  # not the rule, its module
_split_cells = _TABLE.escapedSplit


@dataclass(frozen=True)
class LinkMap:
    """What bodies may link to: every event by slug and by file path."""

    titles: Mapping[str, str]  # slug -> title
    paths: Mapping[str, str]  # project-relative file path -> slug


@dataclass(frozen=True)
class RenderedBody:
    """An event body as HTML and the plain-text first paragraph, with what the render relied on.

    ``resolved`` records every link target as it was resolved (a slug's title, a file path's
    slug, or None when unknown), so a cached render stays valid exactly as long as those
    targets are unchanged.
    """

    html: str
    first_paragraph: str
    problems: tuple[Problem, ...]
    resolved: tuple[tuple[str, str, str | None], ...]

    @cached_property
    def titled(self) -> frozenset[str]:
        """The slugs whose titles this body shows (as the text of its ``[[slug]]`` links)."""
        return frozenset(name for kind, name, _ in self.resolved if kind == "slug")

    def still_valid(self, links: LinkMap) -> bool:
        """True if every target the body links to resolves as it did when rendered."""
        return all(
            (links.titles if kind == "slug" else links.paths).get(name) == value
            for kind, name, value in self.resolved
        )


@cache
def _markdown(allow_html: bool) -> MarkdownIt:
    """One configured parser per process and HTML setting."""
    # markdown-it-py asks Python's own Unicode whether a character beside * _ ~ is punctuation
    # (the one use of its isPunctChar), so ``a*🫨*b`` had emphasis on Python 3.11 and none on
    # 3.13: it asks bodyrules instead, which answers as Unicode 15.1 does on every Python.
    state_inline.isPunctChar = is_punctuation  # type: ignore[attr-defined,assignment]
    # A table row's cells are split at its pipes before any inline rule runs, so the pipe of
    # a [[slug|text]] link would cut it in two: the table rule is given a split that keeps
    # a link whole (the fast path hides links from its parser, so it agrees).
    _TABLE.escapedSplit = _split_row  # type: ignore[attr-defined]
    md = MarkdownIt("commonmark", {"html": allow_html, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=2, max_level=4, slug_func=anchor_slug)
    md.validateLink = validate_link  # type: ignore[method-assign]
    md.core.ruler.at("inline", _inline_with_lines)
    md.core.ruler.after("inline", "timeline_links", _rewrite_links)
    md.core.ruler.after("block", "timeline_h1", _demote_h1)
    md.inline.ruler.before("link", "wikilink", _wikilink)
    md.inline.ruler.before("link", "citation", _citation)
    md.add_render_rule("citation", _render_citation)
    return md


def _split_row(row: str) -> list[str]:
    """A table row's cells, as GFM splits them, but never inside a [[slug|text]] link."""
    if "[[" not in row:
        return list(_split_cells(row))
    # NUL cannot be in the source: markdown-it has replaced it with U+FFFD.
    hidden = WIKI_LINK.sub(lambda m: m[0].replace("|", "\x00"), row)
    return [cell.replace("\x00", "|") for cell in _split_cells(hidden)]


def _inline_with_lines(state: StateCore) -> None:
    """Like markdown-it's inline rule, but tells inline rules which line a block starts on."""
    for token in state.tokens:
        if token.type == "inline":
            if token.map:
                state.env["block_line"] = token.map[0]
            token.children = token.children or []
            state.md.inline.parse(token.content, state.md, state.env, token.children)


def _demote_h1(state: StateCore) -> None:
    """The page title is the only h1: a '# Heading' in a body becomes an h2."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"


def _line(state: StateInline, pos: int) -> int:
    env = state.env
    return int(env["body_line"]) + int(env.get("block_line", 0)) + state.src.count("\n", 0, pos)


def _problem(state: StateInline | StateCore, line: int, field: str, message: str) -> None:
    problems: Problems = state.env["problems"]
    problems.error(state.env["path"], line, field, message)


def _wikilink(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[[", state.pos):
        return False
    match = WIKI_LINK.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        slug, text = wiki_link(match)
        links: LinkMap = state.env["links"]
        title = links.titles.get(slug)
        state.env["resolved"].add(("slug", slug, title))
        if title is None:
            _problem(
                state, _line(state, state.pos), "body",
                f"[[{' '.join(slug.split())}]] links to an unknown event"
                f"{did_you_mean(slug, links.titles)}",
            )  # fmt: skip
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": event_href(state.env["root"], slug), "class": "wikilink"}
        state.push("text", "", 0).content = text or title or slug
        state.push("link_close", "a", -1)
    state.pos = match.end()
    return True


def _citation(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[@", state.pos):
        return False
    match = CITATION.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        key = match[1]
        numbers: Mapping[str, int] = state.env["citations"]
        if key not in numbers and state.env["page"]:  # a page cites the bibliography
            _problem(
                state, _line(state, state.pos), "body",
                f"[@{key}] is no source id of the bibliography{did_you_mean(key, numbers)}; "
                "define it in events/_sources.yaml",
            )  # fmt: skip
        elif key not in numbers:
            _problem(
                state, _line(state, state.pos), "body",
                f"[@{key}] cites a source this event does not list"
                f"{did_you_mean(key, numbers)}; add '- {key}' under sources:",
            )  # fmt: skip
        token = state.push("citation", "", 0)
        token.meta = {"number": numbers.get(key, 0)}
    state.pos = match.end()
    return True


def _render_citation(
    self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return citation_html(int(tokens[idx].meta["number"]), env["citation_label"])


def _rewrite_links(state: StateCore) -> None:
    """Relative links to event files (``2007-08-22-douri.md``) point to the event's page."""
    links: LinkMap = state.env["links"]
    here = posixpath.dirname(state.env["path"])
    for block in state.tokens:
        for token in block.children or ():
            if token.type != "link_open":
                continue
            href = str(token.attrs.get("href", ""))
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.endswith(".md"):
                continue
            target = posixpath.normpath(posixpath.join(here, unquote(parts.path)))
            slug = links.paths.get(target)
            state.env["resolved"].add(("path", target, slug))
            if slug is None:
                line = int(state.env["body_line"]) + (block.map[0] if block.map else 0)
                _problem(state, line, "body", f"links to {parts.path}, which is not an event file")
                continue
            fragment = f"#{parts.fragment}" if parts.fragment else ""
            token.attrs["href"] = event_href(state.env["root"], slug) + fragment


def _plain_text(tokens: list[Token]) -> str:
    """Plain text of the first paragraph, for summaries and meta descriptions."""
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and index + 1 < len(tokens):
            inline = tokens[index + 1]
            words = [
                " " if child.type in ("softbreak", "hardbreak") else child.content
                for child in inline.children or ()
                if child.type in ("text", "code_inline", "softbreak", "hardbreak")
            ]
            return summary_text("".join(words))
    return ""


def render_body(
    event: Event | PageFile, text: str, links: LinkMap, *, allow_html: bool, root: str,
    fast: bool = True, citation_label: str = ENGLISH_CITATION,
) -> RenderedBody:  # fmt: skip
    """Render one event's Markdown (``text``); unknown links and citations become its
    problems. ``fast``: through timeline.site.fastmd where it gives the same HTML (False:
    markdown-it-py alone); ``citation_label``: the strings table's "Source {number}"."""
    citations = {s.key: n for n, s in enumerate(event.sources, 1) if s.key}
    if fast and not allow_html:
        done = fastmd.render(
            text, titles=links.titles, citations=citations, root=root,
            citation_label=citation_label,
        )  # fmt: skip
        if done is not None:
            html, first, targets = done
            return RenderedBody(html, first, (), _in_order(targets))
    problems = Problems()
    env: dict[str, Any] = {
        "problems": problems,
        "resolved": set(),
        "path": event.path,
        "body_line": event.body_line,
        "links": links,
        "citations": citations,
        "citation_label": citation_label,
        "page": isinstance(event, PageFile),  # a page of the site's own, not an event
        "root": root,
    }
    md = _markdown(allow_html)
    tokens = md.parse(text, env)
    html = md.renderer.render(tokens, md.options, env)
    return RenderedBody(html, _plain_text(tokens), tuple(problems), _in_order(env["resolved"]))


def _in_order(resolved: fastmd.Resolved) -> tuple[tuple[str, str, str | None], ...]:
    return tuple(sorted(resolved, key=lambda r: (r[0], r[1])))
