"""Scripts and style sheets that a reload need not ask for again, never stale.

When a page reloads after a save, the browser would ask again for every script and style
sheet the page names (the preview serves them ``no-store``): eight requests before the first
paint, on the way from a save to the page showing it. The preview therefore names each of
them in the HTML it serves with a digest of the file's bytes as they are at that moment
(``static/chart.js?v=<digest>``), and serves a file asked for with the digest of the bytes
it sends as cacheable for good: a changed file is named by another URL, so a browser never
uses a stale copy, and a URL asking for other bytes than the file now holds is served
``no-store``. The output folder is not touched: its files stay a cold build's.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs

# A script's src or a style sheet's href: a relative or root-relative URL of a .js or .css
# file with no query or fragment (the shared data scripts carry their own ``?v=``).
_ASSET = re.compile(
    r"""(<(?:script|link)\b[^>]*?\b(?:src|href)=")([^":?#]+\.(?:js|css))(")""", re.IGNORECASE
)
FOREVER = "public, max-age=31536000, immutable"
NEVER = "no-store"
VERSIONED = (".js", ".css")


def digest(data: bytes) -> str:
    """The version of a file's bytes (as ``render.shared_url`` names the shared scripts)."""
    return hashlib.blake2b(data, digest_size=6).hexdigest()


def versioned(html: str, page: str, find: Callable[[str], Path | None]) -> str:
    """The page's text with each local script and style sheet it names versioned by the
    digest of the file now served at that URL (``find``: URL path -> the file or None);
    ``page``: the page's URL path, which relative URLs start from."""
    folder = posixpath.dirname(page) if not page.endswith("/") else page
    found: dict[str, str | None] = {}

    def version(match: re.Match[str]) -> str:
        url = match[2]
        path = posixpath.normpath(posixpath.join(folder, url))
        if path not in found:
            target = find(path)
            try:
                found[path] = digest(target.read_bytes()) if target is not None else None
            except OSError:
                found[path] = None
        tag = found[path]
        return match[0] if tag is None else f"{match[1]}{url}?v={tag}{match[3]}"

    return _ASSET.sub(version, html)


def cache_control(name: str, query: str, data: bytes) -> str:
    """How long a browser may keep a file: for good if it asked for these very bytes."""
    if name.endswith(VERSIONED):
        asked = parse_qs(query).get("v", [""])[0]
        if asked and asked == digest(data):
            return FOREVER
    return NEVER
