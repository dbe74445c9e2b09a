"""`timeline check --sources` against a local HTTP server (a thread of the test; no internet):
what a user reads, the exit code, what the server was asked, and the cache."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REPO, Project, assert_clean_exit, default_sigint, event
from timeline import __version__

# path -> (status, Location) for HEAD and GET alike; the odd ones are in Handler.answer.
ROUTES: dict[str, tuple[int, str | None]] = {
    "/ok": (200, None),
    "/moved": (301, "/ok"),
    "/found": (302, "/ok"),
    "/gone": (404, None),
    "/gone-for-good": (410, None),
    "/broken": (500, None),
    "/moved-then-gone": (308, "/gone"),
    "/hop": (302, "/moved"),
}


@dataclass
class Server:
    url: str
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, UA
    release: threading.Event = field(default_factory=threading.Event)  # ends slow answers
    slow_asked: threading.Event = field(default_factory=threading.Event)
    busy: int = 0
    most_busy: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def asked(self, path: str) -> list[str]:
        return [method for method, p, _ in self.requests if p == path]


class Handler(http.server.BaseHTTPRequestHandler):
    server_state: Server

    def do_HEAD(self) -> None:
        self.answer()

    def do_GET(self) -> None:
        self.answer()

    def answer(self) -> None:
        state = self.server_state
        with state.lock:
            state.requests.append((self.command, self.path, self.headers.get("User-Agent", "")))
            state.busy += 1
            state.most_busy = max(state.most_busy, state.busy)
        try:
            self.respond()
        finally:
            with state.lock:
                state.busy -= 1

    def respond(self) -> None:
        if self.path == "/slow":
            self.server_state.slow_asked.set()
            self.server_state.release.wait(30)  # far beyond the test's --timeout
            self.send(200)
        elif self.path == "/reset":
            # SO_LINGER 0: closing sends a TCP reset instead of an orderly end.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif self.path == "/no-head":
            self.send(405 if self.command == "HEAD" else 200)
        else:
            status, location = ROUTES.get(self.path.partition("?")[0], (404, None))
            self.send(status, location)

    def send(self, status: int, location: str | None = None) -> None:
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def finish(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # the reset and slow answers' sockets
            super().finish()

    def log_message(self, format: str, *args: object) -> None:
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up on a slow answer is expected here


@pytest.fixture
def server() -> Iterator[Server]:
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    state = Server(f"http://127.0.0.1:{httpd.server_address[1]}")
    Handler.server_state = state
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield state
    finally:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests to 127.0.0.1 go straight to the test's server, whatever the machine sets."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def sources(*entries: str) -> str:
    return "sources:\n" + "".join(f"  - title: Source\n    url: {url}\n" for url in entries)


def write_matrix(project: Project, base: str) -> None:
    """One event citing every kind of answer (sources[k].url on line 4 + 2k), and the
    bibliography citing a dead page that has an archived copy."""
    paths = ["/ok", "/moved", "/found", "/gone", "/broken", "/slow", "/reset", "/no-head",
             "/moved-then-gone", "/hop"]  # fmt: skip
    project.write({
        "events/a.md": event("A", sources=sources(*(base + p for p in paths))),
        "events/b.md": event("B", sources=(
            "sources:\n"
            "  - aki\n"
            "  - title: Gone for good\n"
            f"    url: {base}/gone-for-good\n"
            "    date: 2007-08-22\n"
            "  - title: Read later\n"
            f"    url: {base}/gone\n"
            "    date: 2007-08-22\n"
            "    accessed: 2009-03\n"
        )),
        "events/_sources.yaml": (
            "aki:\n"
            "  title: AKI\n"
            f"  url: {base}/gone\n"
            f"  archived: https://web.archive.org/web/2007/{base}/gone\n"
        ),
    })  # fmt: skip


def test_each_kind_of_answer_is_reported_by_file_line_and_field(
    project: Project, server: Server
) -> None:
    base = server.url
    write_matrix(project, base)
    result = project.run("check", "--sources", "--timeout", "0.5")
    assert_clean_exit(result)
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if ": note: " not in line]
    assert errors == [
        f"events/_sources.yaml:3: aki.url: warning: {base}/gone is dead (404 Not Found); readers still have its archived copy; cite where the page moved, if it did",
        f"events/a.md:8: sources[2].url: warning: {base}/moved has moved permanently (301) to {base}/ok; fix: make that the url",
        f"events/a.md:12: sources[4].url: {base}/gone is dead (404 Not Found); fix: add archived: https://web.archive.org/web/{base}/gone if the Wayback Machine holds a copy (it shows the one nearest that date), or cite where the page moved",
        f"events/a.md:14: sources[5].url: {base}/broken is dead (500 Internal Server Error), perhaps for a while only (check again later with --recheck); fix: add archived: https://web.archive.org/web/{base}/broken if the Wayback Machine holds a copy (it shows the one nearest that date), or cite where the page moved",
        f"events/a.md:16: sources[6].url: warning: {base}/slow gave no answer within 0.5 s; the site may be slow or down: check again later, or with a longer --timeout",
        f"events/a.md:18: sources[7].url: warning: {base}/reset could not be reached: the connection was reset; check again later",
        f"events/a.md:22: sources[9].url: {base}/moved-then-gone redirects to {base}/gone, which is dead (404 Not Found); fix: add archived: https://web.archive.org/web/{base}/moved-then-gone if the Wayback Machine holds a copy (it shows the one nearest that date), or cite where the page moved",
        f"events/b.md:7: sources[2].url: {base}/gone-for-good is dead (410 Gone); fix: add archived: https://web.archive.org/web/20070822/{base}/gone-for-good if the Wayback Machine holds a copy (it shows the one nearest that date), or cite where the page moved",
        f"events/b.md:10: sources[3].url: {base}/gone is dead (404 Not Found); fix: add archived: https://web.archive.org/web/200903/{base}/gone if the Wayback Machine holds a copy (it shows the one nearest that date), or cite where the page moved",
        "Error: 5 dead source links.",
    ]
    notes = [line for line in result.stderr.splitlines() if ": note: " in line]
    assert f"events/a.md:10: sources[3].url: note: {base}/found redirects temporarily (302) to {base}/ok; nothing to fix unless that is where the page lives now" in notes
    # A chain with a temporary hop is a temporary redirect, reported with where it ends.
    assert f"events/a.md:24: sources[10].url: note: {base}/hop redirects temporarily (302) to {base}/ok; nothing to fix unless that is where the page lives now" in notes
    assert f"events/a.md:6: sources[1]: note: no archived copy; add archived: https://web.archive.org/web/{base}/ok once the Wayback Machine holds one (https://web.archive.org/save/{base}/ok makes one now)" in notes
    assert "Sources: 11 URLs checked (11 asked now, 0 remembered from earlier runs, for up to 7 days; --recheck asks again): 2 OK, 4 dead, 1 moved, 2 redirected, 2 not answering, 0 refusing; 12 of 13 citations without an archived copy." in result.stdout  # fmt: skip
    assert "OK:" not in result.stdout


def test_head_first_then_get_where_head_fails_and_politely(project: Project, server: Server) -> None:
    write_matrix(project, server.url)
    project.run("check", "--sources", "--timeout", "0.5")
    assert server.asked("/ok") == ["HEAD"] * 4  # once, and at the end of three redirects
    assert server.asked("/no-head") == ["HEAD", "GET"]
    # Cited three times, asked once (and once more at the end of a redirect).
    assert server.asked("/gone") == ["HEAD", "GET"] * 2
    assert server.asked("/slow") == ["HEAD"]
    assert {ua for _, _, ua in server.requests} == {
        f"Timeline/{__version__} (source link checker; timeline check --sources)"
    }
    assert server.most_busy <= 2  # the per-host limit, though eight requests may run at once


def test_a_second_run_asks_nothing_and_recheck_asks_again(project: Project, server: Server) -> None:
    write_matrix(project, server.url)
    first = project.run("check", "--sources", "--timeout", "0.5")
    asked = len(server.requests)
    assert asked > 11
    cache = json.loads((project.root / ".timeline-cache" / "sources.json").read_text())
    assert cache["urls"][f"{server.url}/moved"]["verdict"] == "moved"

    second = project.run("check", "--sources", "--timeout", "0.5")
    assert len(server.requests) == asked  # nothing asked: the slow page is not waited for again
    assert second.exit_code == 1
    assert second.stderr == first.stderr
    assert "(0 asked now, 11 remembered from earlier runs, for up to 7 days; --recheck asks again)" in second.stdout

    third = project.run("check", "--sources", "--timeout", "0.5", "--recheck")
    assert len(server.requests) == 2 * asked
    assert "(11 asked now, 0 remembered" in third.stdout


def test_a_fixed_url_is_asked_for_and_the_check_passes(project: Project, server: Server) -> None:
    write_matrix(project, server.url)
    project.run("check", "--sources", "--timeout", "0.5")
    project.write({"events/a.md": event("A", sources=sources(f"{server.url}/ok?page=2")),
                   "events/b.md": event("B", sources="sources:\n  - aki\n")})  # fmt: skip
    result = project.run("check", "--sources", "--timeout", "0.5")
    assert server.asked("/ok?page=2") == ["HEAD"]
    assert result.exit_code == 0, result.output
    # The dead bibliography entry has an archived copy: a warning, not a failure...
    assert "aki.url: warning:" in result.stderr
    assert "OK: 2 events, no errors" in result.stdout
    # ...but under --strict every warning fails the check.
    strict = project.run("check", "--sources", "--strict")
    assert strict.exit_code == 1
    assert "Error: 1 source warning (--strict)." in strict.stderr


def test_no_other_command_touches_the_network(project: Project, server: Server) -> None:
    write_matrix(project, server.url)
    project.build("--no-search")
    assert project.run("check").exit_code == 0
    assert project.run("export", "--format", "json").exit_code == 0
    assert server.requests == []
    assert not (project.root / ".timeline-cache" / "sources.json").exists()


def test_the_cache_is_written_without_following_links(
    project: Project, server: Server, tmp_path: Path
) -> None:
    project.write({"events/a.md": event("A", sources=sources(f"{server.url}/ok"))})
    outside = tmp_path / "outside.json"
    outside.write_text("precious")
    (project.root / ".timeline-cache").mkdir()
    (project.root / ".timeline-cache" / "sources.json").symlink_to(outside)
    assert project.run("check", "--sources").exit_code == 0
    assert outside.read_text() == "precious"
    assert not (project.root / ".timeline-cache" / "sources.json").is_symlink()

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project.root / ".timeline-cache" / "sources.json").unlink()
    (project.root / ".timeline-cache").rmdir()
    (project.root / ".timeline-cache").symlink_to(elsewhere)
    result = project.run("check", "--sources")
    assert_clean_exit(result)
    assert result.exit_code == 0
    assert (f"warning: the cache folder .timeline-cache is a symbolic link (to {elsewhere}); "
            "the next run asks again") in result.stderr  # fmt: skip
    assert list(elsewhere.iterdir()) == []


def test_unreachable_everywhere_says_so_and_remembers_nothing(project: Project) -> None:
    with socket.socket() as sock:  # a port nobody listens on: the connection is refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    project.write({"events/a.md": event("A", sources=sources(f"http://127.0.0.1:{port}/a"))})
    result = project.run("check", "--sources")
    assert_clean_exit(result)
    assert result.exit_code == 1
    assert f"events/a.md:6: sources[1].url: warning: http://127.0.0.1:{port}/a could not be reached: the connection was refused; check again later" in result.stderr
    assert "Error: none of the 1 URL asked could be reached; is this machine offline? Nothing was remembered." in result.stderr
    assert not (project.root / ".timeline-cache" / "sources.json").exists()


def test_ctrl_c_stops_at_once_without_a_traceback(project: Project, server: Server) -> None:
    project.write({"events/a.md": event("A", sources=sources(f"{server.url}/slow"))})
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "timeline", "check", "--sources", "--timeout", "60"],
        cwd=project.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=default_sigint,  # as a terminal gives it, even to a run in the background
    )  # fmt: skip
    try:
        assert server.slow_asked.wait(30), "the slow page was never asked for"
        time.sleep(0.3)  # the main thread is then waiting for the answer, as a user's would be
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)  # far less than the 60 s timeout
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "Interrupted: 0 of 1 URLs asked; what was asked is remembered for the next run." in err
    assert not (project.root / ".timeline-cache" / "sources.json").exists()


def test_an_archived_copy_is_shown_next_to_the_original(project: Project) -> None:
    project.write({"events/a.md": event("A", sources=(
        "sources:\n"
        "  - title: Without a copy\n"
        "    url: https://example.org/plain\n"
        "  - title: The wire story\n"
        "    url: https://example.org/wire\n"
        "    archived: https://web.archive.org/web/20070822/https://example.org/wire\n"
    ))})  # fmt: skip
    project.build("--no-search")
    soup = project.html("events/a/")
    plain, archived = soup.select_one("#source-1"), soup.select_one("#source-2")
    assert plain is not None and archived is not None
    assert plain.select_one("a.archived") is None
    links = [(a.get_text(strip=True), a["href"]) for a in archived.select("a[rel~=external]")]
    assert links == [
        ("The wire story", "https://example.org/wire"),
        ("Archived copy", "https://web.archive.org/web/20070822/https://example.org/wire"),
    ]
