"""A reload after a save, quick: the preview names each script and style sheet by a digest
of its bytes, so the reload takes them from the browser's cache (a changed file is never
served stale), and the update's rest waits until the reloading pages were served."""

from __future__ import annotations

import hashlib
import threading
import time
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

from tests.conftest import Project
from tests.test_serve import preview, request, wait_for_build  # noqa: F401 (a fixture)
from timeline.serving.preview import Preview

FOREVER = "public, max-age=31536000, immutable"


def _assets(server: Preview, page: str) -> list[str]:
    """The URLs (from the site's root) of the scripts and style sheets a served page names."""
    status, body, _ = request(server, page)
    assert status == 200
    soup = BeautifulSoup(body, "html.parser")
    urls = [str(s["src"]) for s in soup.find_all("script") if s.get("src")]
    urls += [str(s["href"]) for s in soup.find_all("link", rel="stylesheet")]
    return [urljoin(page, url) for url in urls]


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=6).hexdigest()


def test_served_pages_name_scripts_and_styles_by_the_digest_of_their_bytes(
    preview: Preview,  # noqa: F811
) -> None:
    urls = _assets(preview, "/events/a/")
    assert any(url.endswith(".css") or ".css?" in url for url in urls)
    for url in urls:
        path, query = urlsplit(url).path, urlsplit(url).query
        data = (preview.server.folder / path.lstrip("/")).read_bytes()
        assert query == f"v={_digest(data)}", url
        status, _, headers = request(preview, url)
        assert status == 200 and headers["Cache-Control"] == FOREVER, url
    written = (preview.server.folder / "events/a/index.html").read_text()
    assert "?v=" not in written.split("static/style.css", 1)[1][:5]  # the site is untouched


def test_a_changed_script_gets_a_new_url_and_its_old_one_is_never_cached(
    preview: Preview,  # noqa: F811
    project: Project,
) -> None:
    before = next(url for url in _assets(preview, "/events/a/") if "/static/filters.js?" in url)
    epoch = preview.state.epoch
    theme = project.root / "theme" / "static"
    theme.mkdir(parents=True)
    (theme / "filters.js").write_text("/* the theme's own filters */\n")
    wait_for_build(preview, epoch)
    after = next(url for url in _assets(preview, "/events/a/") if "/static/filters.js?" in url)
    assert after != before
    status, body, headers = request(preview, before)  # a page loaded before the save
    assert status == 200 and body == "/* the theme's own filters */\n"
    assert headers["Cache-Control"] == "no-store"
    assert request(preview, after)[2]["Cache-Control"] == FOREVER


def test_a_script_asked_for_without_a_version_is_never_cached(
    preview: Preview,  # noqa: F811
) -> None:
    for url in ("/static/chart.js", "/static/chart.js?v=0", "/events/a/"):
        status, _, headers = request(preview, url)
        assert status == 200 and headers["Cache-Control"] == "no-store", url


def test_an_update_s_rest_waits_until_the_reloading_pages_were_served(
    preview: Preview,  # noqa: F811
) -> None:
    """A browser's poll for a page is answered by ``ready``; the update's rest waits for that
    page to be served again (``wait_reloaded``), and pages no browser polls for hold nothing."""
    state = preview.state
    epoch = state.epoch
    answered: list[int] = []
    poll = threading.Thread(
        target=lambda: answered.append(state.wait_epoch(epoch, 10, "events/a/"))
    )
    poll.start()
    while not state.waiting:  # the poll is in
        time.sleep(0.001)
    with state.polling("events/b/"):  # a page open, but no browser polls for it
        state.begin()
        state.ready(frozenset())
    poll.join(10)
    assert answered == [epoch + 1]
    assert state.reloading == {"events/a/"}
    state.finish()
    assert request(preview, "/events/a/")[0] == 200
    state.wait_reloaded(10)  # (the page is sent a moment before it counts as served)
    assert state.reloading == set()


def test_a_script_the_update_has_still_to_write_is_named_without_a_version(
    preview: Preview,  # noqa: F811
) -> None:
    """A page reloaded at ``ready`` (before the update copies a saved script or style) must
    not name the old bytes' URL, which the browser keeps for good: it names the file without
    a version, so the browser asks for it, and the request waits until it is written."""
    state = preview.state
    state.begin()
    state.ready(frozenset({"static/filters.js"}))
    try:
        urls = _assets(preview, "/events/a/")
        assert "/static/filters.js" in urls  # no ?v=: never from the cache
        assert all("?v=" in url for url in urls if url != "/static/filters.js")
    finally:
        state.finish()
    assert not [url for url in _assets(preview, "/events/a/") if "?v=" not in url]
