"""The preview server over HTTP: safety, live-reload endpoint, errors, rebuild counts."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import Project, default_sigint, event, folder_differences
from timeline.build import Builder
from timeline.config import load_config
from timeline.serving.preview import Preview, preview_config
from timeline.serving.watch import CHECK_AFTER, DEBOUNCE, ChangeKind, Debouncer

FILES: dict[str, str | bytes] = {
    "events/2007-08-22-a.md": event("Event A", "2007-08-22", extra="tags: [x]"),
    "events/2007-08-23-b.md": event("Event B", "2007-08-23"),
}
SETTLE = DEBOUNCE * 8  # long enough for a stray second rebuild to have started


@pytest.fixture
def preview(project: Project) -> Iterator[Preview]:
    project.write(FILES)
    (project.root / "site-leak").mkdir()
    (project.root / "site-leak" / "secret.txt").write_text("secret")
    (project.root / "secret.txt").write_text("secret")
    server = started(project)
    yield server
    server.stop()


def started(project: Project) -> Preview:
    """A preview of the project on a free port, started, saying nothing."""

    def load():  # type: ignore[no-untyped-def]
        return preview_config(load_config(project.root)[0])

    server = Preview(load(), load=load, port=0, report=lambda line: None)
    server.start()
    return server


def request(
    preview: Preview, path: str, *, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, str, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", preview.server.port, timeout=30)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for name, value in ({"Host": f"127.0.0.1:{preview.server.port}"} | (headers or {})).items():
        conn.putheader(name, value)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read().decode("utf-8", errors="replace")
    conn.close()
    return response.status, body, dict(response.getheaders())


def wait_for_build(preview: Preview, since: int) -> int:
    """Wait until a build after epoch ``since`` finished, then for any straggler."""
    epoch = preview.state.wait_epoch(since, timeout=10)
    assert epoch > since, "no rebuild happened"
    time.sleep(SETTLE)
    return preview.state.epoch


def test_serves_pages_with_the_reload_script_but_never_writes_it(
    preview: Preview, project: Project
) -> None:
    status, body, headers = request(preview, "/events/a/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    soup = BeautifulSoup(body, "html.parser")
    assert soup.select_one("h1").get_text() == "Event A"  # type: ignore[union-attr]
    assert "/__timeline__/wait" in body
    sources = [str(s["src"]) for s in soup.find_all("script") if s.get("src")]
    assert sources and all("://" not in src and not src.startswith("//") for src in sources)
    for page in preview.server.folder.rglob("*.html"):
        assert "__timeline__" not in page.read_text()


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/%252e%252e/secret.txt",
        "/..%2fsecret.txt",
        "/events/../../secret.txt",
        "/../site-leak/secret.txt",
        "/.hidden",
        "/static/..%5c..%5csecret.txt",
        "//etc/passwd",
    ],
)
def test_only_files_inside_the_output_folder_are_served(preview: Preview, path: str) -> None:
    status, body, _ = request(preview, path)
    assert status == 404
    assert "secret" not in body and "root:" not in body
    assert request(preview, "/")[0] == 200  # still up


def test_symlinks_and_dotfiles_in_the_output_are_not_served(
    preview: Preview, project: Project
) -> None:
    os.symlink(project.root / "secret.txt", preview.server.folder / "link.txt")
    (preview.server.folder / ".env").write_text("secret")
    assert request(preview, "/link.txt")[0] == 404
    assert request(preview, "/.env")[0] == 404


def test_missing_pages_get_the_sites_404_page(preview: Preview) -> None:
    status, body, _ = request(preview, "/events/nope/")
    assert status == 404 and "Page not found" in body


def test_folders_redirect_to_their_slash(preview: Preview) -> None:
    status, _, headers = request(preview, "/events/a")
    assert status == 301 and headers["Location"] == "/events/a/"


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.nip.io"])
def test_foreign_host_headers_are_refused(preview: Preview, host: str) -> None:
    status, _, _ = request(preview, "/", headers={"Host": host})
    assert status == 403


def test_localhost_is_accepted(preview: Preview) -> None:
    assert request(preview, "/", headers={"Host": f"localhost:{preview.server.port}"})[0] == 200


def test_reload_endpoint_checks_origin(preview: Preview) -> None:
    port = preview.server.port
    evil = request(preview, "/__timeline__/wait?since=0", method="POST",
                   headers={"Origin": "http://evil.example"})  # fmt: skip
    assert evil[0] == 403
    none = request(preview, "/__timeline__/wait?since=0", method="POST")
    assert none[0] == 403
    ok = request(preview, "/__timeline__/wait?since=0", method="POST",
                 headers={"Origin": f"http://127.0.0.1:{port}"})  # fmt: skip
    assert ok[0] == 200 and '"epoch": 1' in ok[1]


def test_an_error_is_shown_on_every_page_while_the_last_good_site_is_served(
    preview: Preview, project: Project
) -> None:
    epoch = preview.state.epoch
    path = project.root / "events" / "2007-08-22-a.md"
    path.write_text(path.read_text().replace('"2007-08-22"', '"2007-08-32"'))
    epoch = wait_for_build(preview, epoch)
    for page in ("/", "/events/a/", "/events/b/", "/nope/"):
        _, body, _ = request(preview, page)
        panel = BeautifulSoup(body, "html.parser").select_one("#timeline-build-errors")
        assert panel is not None, page
        assert (
            "events/2007-08-22-a.md:3: date: '2007-08-32': day 32 does not exist"
            in panel.get_text()
        )
    _, body, _ = request(preview, "/events/a/")
    assert "22 August 2007" in body  # the last good build
    path.write_text(path.read_text().replace('"2007-08-32"', '"2007-08-24"'))
    wait_for_build(preview, epoch)
    _, body, _ = request(preview, "/events/a/")
    assert "timeline-build-errors" not in body and "24 August 2007" in body


def test_an_edit_rebuilds_incrementally(preview: Preview, project: Project) -> None:
    epoch = preview.state.epoch
    renders_before = dict(preview.builder.previous)
    path = project.root / "events" / "2007-08-23-b.md"
    path.write_text(path.read_text().replace("Something happened.", "Something else happened."))
    wait_for_build(preview, epoch)
    _, body, _ = request(preview, "/events/b/")
    assert "Something else happened." in body
    changed = {p for p, spec in preview.builder.previous.items() if renders_before.get(p) != spec}
    # The first paragraph is the summary shown in lists; compact lists show only titles.
    assert changed == {"events/b/index.html", "index.html", "years/2007/index.html"}


def _count_builds(preview: Preview, action: object) -> int:
    before_builds, epoch = preview.builds, preview.state.epoch
    action()  # type: ignore[operator]
    wait_for_build(preview, epoch)
    return preview.builds - before_builds


def test_save_patterns_cause_exactly_one_rebuild(preview: Preview, project: Project) -> None:
    events = project.root / "events"
    a = events / "2007-08-22-a.md"

    def in_place() -> None:
        a.write_text(a.read_text() + "\nMore.\n")

    def temp_and_rename() -> None:
        temp = events / ".2007-08-22-a.md.tmp"
        temp.write_text(a.read_text() + "\nEven more.\n")
        os.replace(temp, a)

    def vim_style() -> None:
        backup = events / "2007-08-22-a.md~"
        os.rename(a, backup)
        a.write_text(backup.read_text() + "\nVim.\n")
        backup.unlink()

    def delete() -> None:
        (events / "2007-08-23-b.md").unlink()

    def new_folder() -> None:
        (events / "2008").mkdir()
        (events / "2008" / "2008-01-01-c.md").write_text(event("C", "2008-01-01"))

    for action in (in_place, temp_and_rename, vim_style, delete, new_folder):
        assert _count_builds(preview, action) == 1, action.__name__
    _, body, _ = request(preview, "/events/c/")
    assert "<h1" in body and ">C</h1>" in body


def test_a_completed_save_is_built_without_waiting_out_the_debounce() -> None:
    """A file closed after writing, or moved into place, is built once things have been quiet
    for ``settle``; any other change waits for ``delay`` (here a minute: never reached)."""
    built: list[tuple[set[ChangeKind], frozenset[str] | None]] = []
    done = threading.Event()

    def build(kinds: set[ChangeKind], paths: frozenset[str] | None) -> None:
        built.append((kinds, paths))
        done.set()

    debouncer = Debouncer(build, delay=60, settle=0.01)
    try:
        debouncer.add(ChangeKind.CONTENT, ("/p/events/a.md",), False)  # written, not closed
        assert not done.wait(0.5)
        debouncer.add(ChangeKind.CONTENT, ("/p/events/a.md",), True)  # closed: complete
        debouncer.add(ChangeKind.CONTENT, (), False)  # its folder's listing: no more waiting
        assert done.wait(10), "a completed save waited for the whole debounce"
        assert built == [({ChangeKind.CONTENT}, frozenset({"/p/events/a.md"}))]
        done.clear()
        debouncer.add(ChangeKind.CONTENT, ("/p/events/b.md",), True)
        debouncer.add(ChangeKind.CONTENT, ("/p/events/c.md",), False)  # a burst goes on
        assert not done.wait(0.5)
    finally:
        debouncer.stop()


def test_a_save_reads_only_the_files_the_watcher_named(preview: Preview, project: Project) -> None:
    reads = preview.builder.collector.reads
    events = project.root / "events"
    a = events / "2007-08-22-a.md"
    listings = reads.listings
    epoch = preview.state.epoch
    a.write_text(a.read_text().replace("Event A", "Event A, edited"))
    epoch = wait_for_build(preview, epoch)
    assert reads.listings == listings  # the folder was not listed again, nor every file stat'ed
    assert ">Event A, edited</h1>" in request(preview, "/events/a/")[1]
    (events / "2008").mkdir()  # a new folder may hold files no event named: list them all
    (events / "2008" / "2008-01-01-c.md").write_text(event("C", "2008-01-01"))
    wait_for_build(preview, epoch)
    assert reads.listings > listings
    assert ">C</h1>" in request(preview, "/events/c/")[1]


def test_an_edit_the_watcher_missed_is_built_once_things_are_quiet(
    preview: Preview, project: Project
) -> None:
    assert preview.watcher is not None
    handler = preview.watcher.handler
    told = handler.sink
    b = project.root / "events" / "2007-08-23-b.md"

    def missing_b(kind: ChangeKind, paths: tuple[str, ...] | None, saved: bool) -> None:
        if paths != (str(b),):
            told(kind, paths, saved)

    handler.sink = missing_b  # the watcher does not see b change (a link, a lost event)
    a = project.root / "events" / "2007-08-22-a.md"
    epoch = preview.state.epoch
    b.write_text(b.read_text().replace("Event B", "Event B, unseen"))
    a.write_text(a.read_text().replace("Event A", "Event A, seen"))
    deadline = time.monotonic() + CHECK_AFTER + 10
    while ">Event B, unseen</h1>" not in request(preview, "/events/b/")[1]:
        assert time.monotonic() < deadline, "the edit of b was never built"
        epoch = preview.state.wait_epoch(epoch, timeout=1)
    assert ">Event A, seen</h1>" in request(preview, "/events/a/")[1]
    time.sleep(SETTLE)
    cold = project.root.parent / "cold"
    config = load_config(project.root)[0].with_overrides(base_url="", output_dir=str(cold))
    Builder(config, data_files=False).build()
    assert folder_differences(preview.server.folder, cold) == []


def test_many_files_at_once_cause_one_or_two_rebuilds(preview: Preview, project: Project) -> None:
    def many() -> None:
        for n in range(200):
            (project.root / "events" / f"2009-01-01-bulk{n}.md").write_text(
                event(f"Bulk {n}", "2009")
            )

    assert _count_builds(preview, many) in (1, 2)
    assert request(preview, "/events/bulk199/")[0] == 200


def test_a_change_during_a_build_is_never_lost(preview: Preview, project: Project) -> None:
    epoch = preview.state.epoch
    path = project.root / "events" / "2007-08-22-a.md"
    original = preview.builder.update

    def slow_update(*args, **kwargs):  # type: ignore[no-untyped-def]
        result = original(*args, **kwargs)
        if preview.builds == 2:  # during the first rebuild, the file changes again
            path.write_text(path.read_text().replace("Event A", "Event A, final"))
            time.sleep(SETTLE)
        return result

    preview.builder.update = slow_update  # type: ignore[method-assign]
    path.write_text(path.read_text().replace("Event A", "Event A, first"))
    deadline = time.monotonic() + 10
    while preview.builds < 3 and time.monotonic() < deadline:
        epoch = preview.state.wait_epoch(epoch, timeout=1)
    assert preview.builds == 3
    _, body, _ = request(preview, "/events/a/")
    assert "Event A, final" in body


def test_output_folder_and_build_reads_never_trigger_a_build(
    preview: Preview, project: Project
) -> None:
    builds = preview.builds
    (preview.server.folder / "extra.html").write_text("x")
    for path in (project.root / "events").iterdir():
        path.read_bytes()
    preview.builder.update()  # the build's own reads and writes
    time.sleep(SETTLE * 2)
    assert preview.builds == builds


def test_a_template_change_rebuilds_everything(preview: Preview, project: Project) -> None:
    epoch = preview.state.epoch
    project.write(
        {
            "theme/templates/404.html": "{% extends 'base.html' %}{% block content %}<h1>Gone</h1>{% endblock %}"
        }
    )
    wait_for_build(preview, epoch)
    status, body, _ = request(preview, "/missing/")
    assert status == 404 and ">Gone</h1>" in body


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(project: Project, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "timeline", "serve", *args], cwd=project.root,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # A test run started in the background of a script ignores SIGINT, and so would the
        # server it starts: give it the default, as a terminal would.
        preexec_fn=default_sigint,
    )  # fmt: skip


def _wait_serving(process: subprocess.Popen[str]) -> str:
    """Read stdout until the server says it is serving; return that line."""
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("Serving "), line
    return line


def test_ctrl_c_exits_cleanly(project: Project) -> None:
    project.write(FILES)
    port = _free_port()
    process = _serve(project, "--port", str(port))
    serving = _wait_serving(process)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert serving == f"Serving http://127.0.0.1:{port}/ (Ctrl-C to stop)\n"
    assert out.strip() == "Stopping."


def test_a_port_in_use_is_a_clear_usage_error(project: Project) -> None:
    project.write(FILES)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = _serve(project, "--port", str(port))
        _, err = process.communicate(timeout=15)
    assert process.returncode == 2
    assert (
        err.strip().splitlines()[-1]
        == f"Error: port {port} is already in use; try --port {port + 1}"
    )
    assert "Traceback" not in err


def test_listening_on_all_interfaces_prints_a_warning(project: Project) -> None:
    project.write(FILES)
    port = _free_port()
    process = _serve(project, "--host", "0.0.0.0", "--port", str(port))
    _wait_serving(process)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=15)
    assert "Warning: serving on 0.0.0.0 lets other machines on the network see this preview." in err


def test_serve_help_explains_its_options(project: Project) -> None:
    result = project.run("serve", "--help")
    assert result.exit_code == 0
    for option in ("--host", "--port", "--open", "--drafts", "--root"):
        assert option in result.output


def test_serve_writes_nothing_but_the_output_and_cache_folders(
    project: Project, tmp_path: Path
) -> None:
    project.write(FILES)
    before = sorted(p.relative_to(project.root).as_posix() for p in project.root.rglob("*"))
    port = _free_port()
    process = _serve(project, "--port", str(port))
    _wait_serving(process)
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=15)
    after = sorted(
        p.relative_to(project.root).as_posix() for p in project.root.rglob("*")
        if not p.relative_to(project.root).as_posix().startswith(("site", ".timeline-cache"))
    )  # fmt: skip
    assert after == before


def test_a_config_change_rebuilds_everything(preview: Preview, project: Project) -> None:
    epoch = preview.state.epoch
    project.write({"timeline.toml": 'title = "Renamed timeline"\n'})
    wait_for_build(preview, epoch)
    for page in ("/", "/events/a/", "/tags/x/"):
        _, body, _ = request(preview, page)
        assert "Renamed timeline" in body, page


def test_a_page_request_waits_for_a_running_build(preview: Preview) -> None:
    """Never a half-built page: a request that arrives during a build is answered after it."""
    import threading

    build_done = threading.Event()
    answered_after_build: list[bool] = []

    def ask() -> None:
        status, _, _ = request(preview, "/events/a/")
        answered_after_build.append(status == 200 and build_done.is_set())

    preview.state.begin()  # as the rebuild thread does
    asker = threading.Thread(target=ask)
    asker.start()
    asker.join(timeout=SETTLE * 4)  # time enough to answer at once, if it did not wait
    build_done.set()
    preview.state.finish()
    asker.join(timeout=10)
    assert answered_after_build == [True]


def test_the_open_page_is_made_first_and_served_while_the_rest_is_made(
    preview: Preview, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page open in a browser (its reload script is polling) is made first; it then
    reloads and is served while the update makes the rest, and a page still to be made
    waits for it. The page reloads once: the update's end signals nothing more."""
    state = preview.state
    readied, proceed = threading.Event(), threading.Event()
    real_ready = state.ready

    def ready(pending: frozenset[str]) -> None:
        real_ready(pending)
        readied.set()
        proceed.wait(10)  # the update goes on when the test says so

    monkeypatch.setattr(state, "ready", ready)
    epoch = state.epoch
    origin = {"Origin": f"http://127.0.0.1:{preview.server.port}"}
    polled: list[str] = []
    poller = threading.Thread(target=lambda: polled.append(request(
        preview, f"/__timeline__/wait?since={epoch}&path=%2Fevents%2Fa%2F", method="POST",
        headers=origin)[1]))  # fmt: skip
    poller.start()
    deadline = time.monotonic() + 10
    while "events/a/" not in state.open_pages():
        assert time.monotonic() < deadline, "the poll never arrived"
        time.sleep(0.01)
    a = project.root / "events" / "2007-08-22-a.md"
    a.write_text(a.read_text().replace("Event A", "Event A, renamed"))
    try:
        assert readied.wait(10), "the open page was not made first"
        poller.join(10)
        assert polled == [f'{{"epoch": {epoch + 1}}}']
        status, body, _ = request(preview, "/events/a/")
        assert state.building and status == 200
        assert BeautifulSoup(body, "html.parser").h1.get_text() == "Event A, renamed"  # type: ignore[union-attr]
        index: list[str] = []
        asker = threading.Thread(target=lambda: index.append(request(preview, "/")[1]))
        asker.start()
        asker.join(timeout=SETTLE * 4)  # time enough to answer at once, if it did not wait
        assert asker.is_alive() and not index, "a page still to be made was served"
    finally:
        proceed.set()
    asker.join(10)
    assert "Event A, renamed" in index[0]
    assert state.wait_epoch(epoch + 1, timeout=SETTLE * 2) == epoch + 1
    assert not state.building


def test_serve_replaces_links_in_its_folder_and_never_writes_through_them(
    preview: Preview, project: Project, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.html"
    outside.write_text("keep me")
    page = preview.server.folder / "events" / "a" / "index.html"
    page.unlink()
    os.symlink(outside, page)
    (preview.server.folder / "events" / "a" / ".index.html.timeline-tmp").unlink(missing_ok=True)
    dangling = tmp_path / "created-by-serve.html"
    os.symlink(dangling, preview.server.folder / "events" / "a" / f".index.html.{os.getpid()}.timeline-tmp")
    epoch = preview.state.epoch
    path = project.root / "events" / "2007-08-22-a.md"
    path.write_text(path.read_text().replace("Something happened.", "Something changed."))
    wait_for_build(preview, epoch)
    assert outside.read_text() == "keep me" and not dangling.exists()
    assert not page.is_symlink() and "Something changed." in page.read_text()


def test_serve_never_touches_the_published_build(project: Project) -> None:
    """`timeline serve` previews from a folder of its own: site/ stays what the last
    `timeline build` made (with its search index and data files), whatever is edited."""
    project.write(FILES)
    project.build()
    published = project.snapshot()

    def load():  # type: ignore[no-untyped-def]
        return preview_config(load_config(project.root)[0])

    server = Preview(load(), load=load, port=0, report=lambda line: None)
    server.start()
    try:
        assert server.server.folder == (project.root / ".timeline-cache" / "preview").resolve()
        epoch = server.state.epoch
        path = project.root / "events" / "2007-08-22-a.md"
        path.write_text(path.read_text().replace("Something happened.", "Previewed."))
        wait_for_build(server, epoch)
        _, body, _ = request(server, "/events/a/")
        assert "Previewed." in body
    finally:
        server.stop()
    assert project.snapshot() == published
