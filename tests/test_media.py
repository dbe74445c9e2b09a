"""An event's media (issue 16.2): images, videos, audio, posts, maps, documents and pages,
each shown honestly, nothing loaded from a third party until the reader asks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Request

from tests.conftest import REPO, Project, assert_clean_exit, event
from timeline.media import classify

TEMPLATES = REPO / "tests" / "js" / "node_modules" / "@knight-lab" / "timelinejs" / "src" / "template"


@pytest.mark.parametrize(
    ("url", "kind", "provider", "player"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=10", "video", "YouTube",
         "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ", "video", "YouTube",
         "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://vimeo.com/76979871", "video", "Vimeo", "https://player.vimeo.com/video/76979871"),
        ("https://soundcloud.com/artist/track", "audio", "SoundCloud",
         "https://w.soundcloud.com/player/?url=https%3A%2F%2Fsoundcloud.com%2Fartist%2Ftrack"),
        ("https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", "audio", "Spotify",
         "https://open.spotify.com/embed/track/4uLU6hMCjMI75M1A2tKUQC"),
        ("https://twitter.com/someone/status/123", "post", "X (Twitter)", None),
        ("https://x.com/someone/status/123", "post", "X (Twitter)", None),
        ("https://www.instagram.com/p/abc/", "post", "Instagram", None),
        ("https://www.google.com/maps/place/Baqubah", "map", "Google Maps", None),
        ("https://www.openstreetmap.org/#map=12/33.75/44.64", "map", "OpenStreetMap", None),
        ("https://docs.google.com/document/d/1/edit", "document", "Google Docs", None),
        ("https://example.org/report.pdf", "document", "example.org", None),
        ("https://en.wikipedia.org/wiki/Izzat_Ibrahim_al-Douri", "page", "Wikipedia", None),
        ("https://commons.wikimedia.org/wiki/File:Baghdad.jpg", "page", "Wikimedia Commons", None),
        ("https://upload.wikimedia.org/wikipedia/commons/a/a1/Baghdad.jpg", "image", "upload.wikimedia.org", None),
        ("https://example.org/photo.JPG", "image", "example.org", None),
        ("maps/diyala.png", "image", "this site", None),
        ("https://example.org/story", "page", "example.org", None),
    ],
)  # fmt: skip
def test_a_media_url_is_what_its_address_says(
    url: str, kind: str, provider: str, player: str | None
) -> None:
    found = classify(url)
    assert (found.kind, found.provider, found.player) == (kind, provider, player)


def _media_event(media: str, title: str = "With media") -> str:
    return event(title, "2007-08-22", extra=media)


FILES: dict[str, str | bytes] = {
    "events/2007-08-22-video.md": _media_event(
        "media:\n  url: https://www.youtube.com/watch?v=dQw4w9WgXcQ\n"
        "  caption: An interview\n  credit: Al Jazeera", "A video"),
    "events/2007-08-23-post.md": event("A post", "2007-08-23",
                                       extra="media: https://twitter.com/someone/status/123"),
    "events/2007-08-24-picture.md": event("A picture", "2007-08-24", extra=(
        "media:\n  url: https://example.org/a.jpg\n  alt: Men at a checkpoint")),
}  # fmt: skip


def _offsite(soup: object) -> list[str]:
    """Every address the page would load by itself (not links a reader follows)."""
    found = []
    for tag in soup.select("[src], link[href]"):  # type: ignore[attr-defined]
        address = tag.get("src") or tag.get("href")
        if "://" in address:
            found.append(address)
    return found


def test_each_kind_is_shown_honestly_and_loads_nothing(project: Project) -> None:
    project.write(FILES).build()
    video = project.html("events/video/")
    card = video.select_one("figure.event-media.media-video")
    assert card is not None
    assert card.select_one(".media-what").get_text() == "Video on YouTube"
    link = card.select_one("a")
    assert link["href"] == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert link.get_text() == "Open it on YouTube"
    button = card.select_one("button.media-load")
    assert button is not None and button.has_attr("hidden")  # shown by the script only
    assert button["data-player"] == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert card.select_one("figcaption").get_text(" ", strip=True) == "An interview Al Jazeera"
    assert video.select("img, iframe") == []
    assert _offsite(video) == []

    post = project.html("events/post/")
    assert post.select_one(".media-what").get_text() == "Post on X (Twitter)"
    assert post.select("button.media-load, img, iframe") == []
    assert _offsite(post) == []

    picture = project.html("events/picture/")
    (img,) = picture.select(".event-image img")
    assert (img["src"], img["alt"]) == ("https://example.org/a.jpg", "Men at a checkpoint")
    assert picture.select(".event-media") == []


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("media: https://example.org/a.jpg",
         "events/a.md:4: media: is an image, so it needs alt:"),
        ("media:\n  caption: no url", "events/a.md:4: media: needs url:"),
        ("media: javascript:alert(1)", "events/a.md:4: media: 'javascript:alert(1)' is not"),
        ("image:\n  src: https://example.org/a.jpg\n  alt: A\nmedia: https://youtu.be/dQw4w9WgXcQ",
         "media: an event shows one image or one media"),
        ("media: missing.pdf", "events/a.md:4: media.url: 'missing.pdf' is not a file in static/"),
    ],
)  # fmt: skip
def test_bad_media_is_an_error_naming_file_line_and_field(
    project: Project, extra: str, expected: str
) -> None:
    result = project.write({"events/a.md": event("A", "2007-08-22", extra=extra)}).run("build")
    assert_clean_exit(result)
    assert result.exit_code == 1, result.output
    assert expected in result.output, result.output


def test_the_player_loads_only_when_the_reader_asks(browser: Browser, project: Project) -> None:
    project.write(FILES).build()
    page = browser.new_page()
    asked: list[str] = []

    def record(request: Request) -> None:
        if not request.url.startswith("file://"):
            asked.append(request.url)

    page.on("request", record)
    page.route("https://**/*", lambda route: route.abort())  # no network here anyway
    page.goto((project.site / "events" / "video" / "index.html").as_uri())
    button = page.get_by_role("button", name="Load the player here")
    assert button.is_visible()
    assert page.locator(".media-load-note").is_visible()
    page.wait_for_timeout(300)
    assert asked == []  # nothing from YouTube, or anyone, until asked
    button.click()
    frame = page.locator("iframe.media-player")
    assert frame.get_attribute("src") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert frame.get_attribute("title") == "Video: A video"
    assert page.locator(".media-card").count() == 0
    page.wait_for_timeout(300)
    assert any(url.startswith("https://www.youtube-nocookie.com/") for url in asked)
    page.close()


def test_media_goes_out_to_timelinejs_and_comes_back(project: Project, tmp_path: Path) -> None:
    project.write(FILES)
    out = tmp_path / "tl.json"
    assert project.run("export", "--format", "timelinejs", "--out", str(out)).exit_code == 0
    slides = {s["text"]["headline"]: s for s in json.loads(out.read_text())["events"]}
    assert slides["A video"]["media"]["url"] == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert slides["A video"]["media"]["caption"] == "An interview"
    copy = Project(tmp_path / "copy")
    copy.root.mkdir()
    result = copy.run("import", str(out))
    assert result.exit_code == 0, result.output
    copy.build()
    card = copy.html("events/video/").select_one("figure.event-media.media-video a")
    assert card is not None and card["href"] == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    picture = copy.html("events/picture/").select_one(".event-image img")
    assert picture is not None and picture["alt"] == "Men at a checkpoint"


def test_timelinejs_media_of_every_type_is_kept_and_never_an_img_unless_an_image(
    project: Project,
) -> None:
    result = project.run("import", str(TEMPLATES / "all-media-types.json"))
    assert_clean_exit(result)
    assert result.exit_code == 0, result.output
    project.build()
    slides = json.loads((TEMPLATES / "all-media-types.json").read_text())["events"]
    with_media = [s for s in slides if (s.get("media") or {}).get("url", "").startswith("http")]
    cards, images = 0, 0
    for page in (project.site / "events").glob("*/index.html"):
        soup = project.html(page.relative_to(project.site).parent.as_posix() + "/")
        for img in soup.select(".event-image img"):
            assert classify(img["src"]).kind == "image", img["src"]
            images += 1
        cards += len(soup.select("figure.event-media"))
        assert soup.select("iframe") == []
    assert cards + images >= len(with_media) - 1  # each URL slide kept (one is a duplicate page)
    assert cards >= 20
