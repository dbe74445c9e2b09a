"""The preview server under load: read timeouts, bounded threads, many clients, Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from bs4 import BeautifulSoup

from tests.conftest import Project, default_sigint, event
from timeline.serving.preview import Preview
from timeline.serving.server import PAGE_THREADS, POLL_THREADS

FILES: dict[str, str | bytes] = {
    "events/2007-08-22-a.md": event("Event A", "2007-08-22"),
    "events/2007-08-23-b.md": event("Event B", "2007-08-23"),
}
PATIENCE = 20.0  # seconds: far longer than any answer takes, short of hanging the run


@pytest.fixture(autouse=True)
def _files(project: Project) -> None:
    """The project's files, written before the `preview` fixture builds and serves them."""
    project.write(FILES)


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=PATIENCE)


def read_to_end(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.02)


def request_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "timeline-request")


def get(port: int, path: str, headers: dict[str, str] | None = None,
        method: str = "GET") -> tuple[int, str]:  # fmt: skip
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=PATIENCE)
    try:
        conn.request(method, path, headers={"Host": f"127.0.0.1:{port}"} | (headers or {}))
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def h1(page: str) -> str:
    title = BeautifulSoup(page, "html.parser").select_one("h1")
    assert title is not None
    return title.get_text(strip=True)


@contextlib.contextmanager
def clients(port: int, count: int, send: bytes = b"") -> Iterator[list[socket.socket]]:
    """``count`` open connections, each having sent ``send`` and nothing more."""
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(connect(port)) for _ in range(count)]
        for sock in socks:
            sock.sendall(send)
        yield socks


@pytest.mark.parametrize(
    "sent",
    ["", "GET /events/a/ HTTP/1.1\r\n", "GET /events/a/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"],
    ids=["nothing", "a request line", "a header too"],
)
def test_a_client_too_slow_to_send_its_request_is_cut_off(preview: Preview, sent: str) -> None:
    preview.server.read_timeout = 0.5
    with connect(preview.server.port) as sock:
        sock.sendall(sent.encode())
        assert read_to_end(sock) == b""  # closed, and what had arrived was not taken as a request


def test_idle_connections_hold_no_thread_and_delay_no_page(preview: Preview) -> None:
    port = preview.server.port
    before = threading.active_count()
    with clients(port, 300):
        wait_until(lambda: len(preview.server.due) == 300, "300 connections accepted")
        assert request_threads() == 0
        status, page = get(port, "/events/a/")
        assert status == 200 and h1(page) == "Event A"
        assert threading.active_count() <= before + PAGE_THREADS


def test_threads_stay_bounded_with_300_clients_holding_half_a_request(preview: Preview) -> None:
    port = preview.server.port
    before = threading.active_count()
    with clients(port, 300, b"GET /events/a/ HTTP/1.1\r\n"):
        wait_until(lambda: len(preview.server.due) == 300, "300 connections accepted")
        wait_until(lambda: request_threads() == PAGE_THREADS, "every handler thread busy")
        assert threading.active_count() <= before + PAGE_THREADS
    wait_until(lambda: request_threads() == 0, "the handler threads ended")


async def _fetch_all(port: int, path: str, count: int) -> list[bytes]:
    """``count`` connections open at once, then a request on each, then every answer read."""
    streams = await asyncio.gather(
        *(asyncio.open_connection("127.0.0.1", port) for _ in range(count))
    )
    try:
        head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
        for _, writer in streams:
            writer.write(head.encode())
        return list(await asyncio.gather(*(reader.read() for reader, _ in streams)))
    finally:
        for _, writer in streams:
            writer.close()
        await asyncio.gather(*(writer.wait_closed() for _, writer in streams))


def _in_a_thread(work: Callable[[], list[bytes]]) -> list[bytes]:
    """Run an event loop in a thread of its own: the session's Playwright browser keeps one
    running in this thread, and asyncio.run refuses to start a second there."""
    done: list[list[bytes]] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            done.append(work())
        except BaseException as exc:
            failed.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return done[0]


def test_200_simultaneous_clients_all_get_the_page(preview: Preview) -> None:
    port = preview.server.port
    answers = _in_a_thread(
        lambda: asyncio.run(asyncio.wait_for(_fetch_all(port, "/events/a/", 200), PATIENCE))
    )
    assert len(answers) == 200
    parts = [answer.partition(b"\r\n\r\n") for answer in answers]
    assert {head.split(b"\r\n")[0] for head, _, _ in parts} == {b"HTTP/1.0 200 OK"}
    [body] = {body for _, _, body in parts}  # every client got the same, whole page
    lengths = {int(re.findall(rb"Content-Length: (\d+)", head)[0]) for head, _, _ in parts}
    assert lengths == {len(body)}
    assert h1(body.decode()) == "Event A"


@pytest.mark.parametrize("method, path", [("GET", "/events/a/"), ("POST", "/__timeline__/wait")])
@pytest.mark.parametrize("first, second", [("ours", "evil.example"), ("evil.example", "ours"),
                                           ("ours", "ours")])  # fmt: skip
def test_a_request_with_two_host_headers_is_refused(
    preview: Preview, method: str, path: str, first: str, second: str
) -> None:
    port = preview.server.port
    ours = f"127.0.0.1:{port}"
    hosts = [ours if h == "ours" else h for h in (first, second)]
    head = f"{method} {path} HTTP/1.1\r\nHost: {hosts[0]}\r\nHost: {hosts[1]}\r\n" \
           f"Origin: http://{ours}\r\n\r\n"  # fmt: skip
    with connect(port) as sock:
        sock.sendall(head.encode())
        answer = read_to_end(sock)
    assert answer.split(b"\r\n")[0] == b"HTTP/1.0 400 More than one Host header"


def test_long_polls_outlast_the_read_timeout_and_never_starve_pages(preview: Preview) -> None:
    """Every open tab holds a long poll; pages are still served, one poll too many retries."""
    port = preview.server.port
    preview.server.read_timeout = 0.5
    epoch = preview.state.epoch
    origin = {"Origin": f"http://127.0.0.1:{port}"}
    answers: list[tuple[int, str]] = []

    def poll() -> None:
        answers.append(get(port, f"/__timeline__/wait?since={epoch}", origin, "POST"))

    polls = [threading.Thread(target=poll) for _ in range(POLL_THREADS)]
    for thread in polls:
        thread.start()
    try:
        wait_until(lambda: preview.server.threads.polls == 0, "every poll waiting")
        status, page = get(port, "/events/a/")
        assert status == 200 and h1(page) == "Event A"
        assert get(port, f"/__timeline__/wait?since={epoch}", origin, "POST")[0] == 503
        time.sleep(preview.server.read_timeout * 2)  # the polls now wait past the read timeout
        assert answers == []
    finally:
        preview.state.begin()
        preview.state.finish()
        for thread in polls:
            thread.join(PATIENCE)
    assert answers == [(200, f'{{"epoch": {epoch + 1}}}')] * POLL_THREADS


def test_ctrl_c_exits_within_2_s_whatever_clients_hold(project: Project) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "timeline", "serve", "--root", str(project.root), "--port", "0"],
        cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=default_sigint,  # as a terminal would (a background run ignores SIGINT)
    )  # fmt: skip
    try:
        assert process.stdout is not None
        serving = re.fullmatch(r"Serving http://127\.0\.0\.1:(\d+)/ \(Ctrl-C to stop\)\n",
                               process.stdout.readline())  # fmt: skip
        assert serving, "the server did not start"
        port = int(serving[1])
        host = f"Host: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n"
        nothing, half_a_request = "", f"GET / HTTP/1.1\r\n{host}"
        long_poll = f"POST /__timeline__/wait?since=1 HTTP/1.1\r\n{host}\r\n"
        with contextlib.ExitStack() as stack:
            for sent in (nothing, half_a_request, long_poll):
                stack.enter_context(connect(port)).sendall(sent.encode())
            assert get(port, "/events/a/")[0] == 200  # the clients before it have been taken in
            process.send_signal(signal.SIGINT)
            try:
                _, err = process.communicate(timeout=2)
            except subprocess.TimeoutExpired:
                pytest.fail("Ctrl-C: the server was still running 2 s later")
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Traceback" not in err
