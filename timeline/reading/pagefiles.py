"""Read the site's own pages: the Markdown files of ``pages/`` ("About", "Methodology"...).

Each is front matter (``title``, and optionally ``menu`` and ``slug``) and Markdown, like an
event without a date. A page lives at ``/<slug>/``; the slugs of the site's own sections
(``events``, ``years``...) are refused, so a page never hides one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from timeline import files
from timeline.config import Config
from timeline.errors import Problems
from timeline.reading.events import check_slug, slugify
from timeline.reading.fields import Fields
from timeline.reading.frontmatter import FrontMatterError, split_document
from timeline.reading.model import PageFile, Source, keys_of
from timeline.reading.project_files import read_text

PAGE_KEYS = keys_of(PageFile)
# The first folder of every URL the site makes itself.
RESERVED = frozenset({"events", "years", "tags", "actors", "places", "sources", "static",
                      "pagefind", "story", "embed", "search"})  # fmt: skip
# [@id], as the Markdown renderer reads it (site/bodyrules.CITATION).
_CITATION = re.compile(r"\[@([A-Za-z0-9][A-Za-z0-9_.:-]*)\]")


def load_pages(
    config: Config, bibliography: Mapping[str, Source], problems: Problems
) -> tuple[tuple[PageFile, str], ...]:
    """Every page of ``pages/`` with its Markdown, sorted by file name; what is wrong with
    any of them goes to ``problems``."""
    folder = config.pages_path
    if not os.path.lexists(folder):
        return ()
    if not folder.is_dir() or folder.is_symlink():
        problems.error(config.pages_dir, 0, "", "is not a folder; the pages folder must be a "
                       "folder of Markdown files (or absent)")  # fmt: skip
        return ()
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        why = f"this folder cannot be read ({exc.strerror}); fix its permissions"
        problems.error(f"{config.pages_dir}/", 0, "", why)
        return ()
    found: list[tuple[PageFile, str]] = []
    by_slug: dict[str, str] = {}
    for name in names:
        if not name.endswith(".md") or name.startswith(("_", ".")):
            continue
        if not files.is_utf8_name(name):
            problems.error(f"{config.pages_dir}/{files.shown_name(name)}", 0, "",
                           "the file name is not UTF-8 text; rename the file")  # fmt: skip
            continue
        rel = f"{config.pages_dir}/{name}"
        text = read_text(folder / name, config.root, rel, problems)
        if text is None:
            continue
        page = parse_page(rel, text, bibliography, problems)
        if page is None:
            continue
        if page[0].slug in by_slug:
            problems.error(rel, 1, "slug",
                           f"{page[0].slug!r} is also the slug of {by_slug[page[0].slug]}; "
                           "give one of them another slug: or file name")  # fmt: skip
            continue
        by_slug[page[0].slug] = rel
        found.append(page)
    return tuple(found)


def parse_page(
    path: str, text: str, bibliography: Mapping[str, Source], problems: Problems
) -> tuple[PageFile, str] | None:
    """One page, validated, with its Markdown; None if it cannot be used."""
    try:
        doc = split_document(text)
    except FrontMatterError as exc:
        problems.error(path, exc.line, exc.field, exc.message)
        return None
    before = len(problems.errors)
    f = Fields(path, doc.meta, problems)
    f.report_duplicates()
    f.unknown_keys((), doc.meta.data, PAGE_KEYS)
    title = f.text(("title",))
    if "title" not in doc.meta.data:
        problems.error(path, 1, "title", "missing; every page needs a title, e.g. title: About")
    given = f.text(("slug",))
    slug = given or slugify(Path(path).stem)

    def wrong_slug(why: str) -> None:
        if given:
            f.error(("slug",), why)
        else:  # made from the file name
            problems.error(path, 1, "slug", f"(from the file name) {why}")

    if why := check_slug(slug):
        wrong_slug(why)
    elif slug in RESERVED:
        wrong_slug(f"/{slug}/ is one of the site's own sections; give the page another slug: "
                   "or file name")  # fmt: skip
    menu = doc.meta.data.get("menu")
    if menu is not None and not isinstance(menu, int):  # a bool is an int: true and false
        f.error(("menu",), "expected a number (its place in the menu, lowest first) or false "
                           "(not in the menu)")  # fmt: skip
    if menu is True:
        menu = None
    if title is None or len(problems.errors) > before:
        return None
    cited = dict.fromkeys(_CITATION.findall(doc.body))
    sources = tuple(bibliography[key] for key in cited if key in bibliography)
    page = PageFile(path, slug, title, menu, doc.body_line, sources)
    return page, doc.body
