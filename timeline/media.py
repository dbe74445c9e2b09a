"""What a media URL is, from the URL alone: an image, or a page of a known provider
(YouTube, Vimeo, SoundCloud, Spotify; X, Instagram, Facebook; maps; documents; Wikipedia),
or any other web page.

Nothing is fetched, at build time or when a reader opens the page: an image is an ``<img>``
(only an image ever is), a video or audio page is a card linking to it with a button that
loads the provider's player when the reader asks (``theme/static/media.js``), and the rest
are link cards naming the provider.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg)$", re.IGNORECASE)


@dataclass(frozen=True)
class Kind:
    """What a media URL is: ``kind`` one of image, video, audio, post, map, document, page;
    the provider's name; the player's URL where the provider has one, loaded on request."""

    kind: str
    provider: str
    player: str | None = None


def _youtube(host: str, path: str, query: str) -> str | None:
    if host == "youtu.be":
        video = path.strip("/").split("/")[0]
    elif path.startswith(("/shorts/", "/embed/", "/live/")):
        video = path.split("/")[2]
    else:
        video = (parse_qs(query).get("v") or [""])[0]
    if not re.fullmatch(r"[\w-]{6,20}", video):
        return None
    return f"https://www.youtube-nocookie.com/embed/{video}"


def _vimeo(path: str) -> str | None:
    found = re.match(r"/(?:video/)?(\d+)", path)
    return f"https://player.vimeo.com/video/{found[1]}" if found else None


def _spotify(path: str) -> str | None:
    found = re.match(r"/(?:intl-[a-z-]+/)?(track|album|playlist|episode|show|artist)/(\w+)", path)
    return f"https://open.spotify.com/embed/{found[1]}/{found[2]}" if found else None


def classify(url: str) -> Kind:
    """What ``url`` is (a path into static/ is an image if its name says so, else a
    document)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    path = parts.path
    if (IMAGE_FILE.search(path) and not host.endswith(("wikipedia.org", "wikimedia.org"))) or (
        host == "upload.wikimedia.org" and IMAGE_FILE.search(path)
    ):
        return Kind("image", host or "this site")
    if host in ("youtube.com", "youtu.be", "youtube-nocookie.com"):
        return Kind("video", "YouTube", _youtube(host, path, parts.query))
    if host in ("vimeo.com", "player.vimeo.com"):
        return Kind("video", "Vimeo", _vimeo(path.removeprefix("/video")))
    if host == "soundcloud.com":
        return Kind("audio", "SoundCloud",
                    f"https://w.soundcloud.com/player/?url={quote(url, safe='')}")  # fmt: skip
    if host == "open.spotify.com":
        return Kind("audio", "Spotify", _spotify(path))
    if host in ("twitter.com", "x.com"):
        return Kind("post", "X (Twitter)")
    if host == "instagram.com":
        return Kind("post", "Instagram")
    if host in ("facebook.com", "fb.watch"):
        return Kind("post", "Facebook")
    if host in ("maps.google.com", "goo.gl") or (host.startswith("google.") and
                                                 path.startswith("/maps")):  # fmt: skip
        return Kind("map", "Google Maps")
    if host == "openstreetmap.org":
        return Kind("map", "OpenStreetMap")
    if host in ("docs.google.com", "drive.google.com"):
        return Kind("document", "Google Docs" if host == "docs.google.com" else "Google Drive")
    if path.lower().endswith(".pdf"):
        return Kind("document", host or "this site")
    if host.endswith("wikipedia.org"):
        return Kind("page", "Wikipedia")
    if host.endswith("wikimedia.org"):
        return Kind("page", "Wikimedia Commons")
    return Kind("page", host or "this site")
