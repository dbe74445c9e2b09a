"""``timeline check --links``: every internal link and #anchor of a built site leads somewhere."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class BrokenLink:
    """A link on ``page`` (relative to the site) whose ``target`` does not exist."""

    page: str
    target: str
    why: str

    def __str__(self) -> str:
        return f"{self.page}: broken link to {self.target} ({self.why})"


class _Page(HTMLParser):
    """Collects a page's ids and the URLs it links to."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("id", "name") if tag == "a" else ("id",):
            if values.get(name):
                self.ids.add(str(values[name]))
        for name in ("href", "src"):
            url = values.get(name)
            if url and not (tag == "link" and values.get("rel") in ("canonical", "alternate")):
                self.links.append(url)


def _url_path(rel: str) -> str:
    """The URL path a file is served at: 'events/x/index.html' -> '/events/x/'."""
    return "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


def check_links(site: Path, base_path: str = "/") -> list[BrokenLink]:
    """Broken internal links and anchors of the site in ``site`` (served at ``base_path``)."""
    pages: dict[str, _Page] = {}
    for file in sorted(site.rglob("*.html")):
        parser = _Page()
        parser.feed(file.read_text(encoding="utf-8", errors="replace"))
        pages[file.relative_to(site).as_posix()] = parser
    broken = []
    for rel, page in pages.items():
        here = _url_path(rel)
        for url in page.links:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                continue  # external: not checked here
            if rel == "404.html" and parts.path.startswith(base_path):
                path = "/" + parts.path[len(base_path) :]  # 404 links from the site root
            elif parts.path:
                path = posixpath.normpath(posixpath.join(posixpath.dirname(here), parts.path))
                path += "/" if parts.path.endswith("/") and path != "/" else ""
            else:
                path = here
            target = unquote(path.lstrip("/"))
            if target == "" or target.endswith("/"):
                target += "index.html"
            if target not in pages and not (site / target).is_file():
                broken.append(BrokenLink(rel, url, "no such page"))
            elif parts.fragment and target in pages and parts.fragment not in pages[target].ids:
                broken.append(BrokenLink(rel, url, f"no #{parts.fragment} on that page"))
    return broken
