"""``timeline serve``: build, serve the output folder on 127.0.0.1, rebuild on change, reload.

Live reload uses only the standard library: each served HTML page gets a small script that
long-polls ``/__timeline__/wait``; the server answers when the build epoch moves on, and the
page swaps in its new HTML (``serving.livereload``). Page requests wait while a build runs,
so a browser never sees a half-built site. The script is added to responses only; it is
never written into the output folder.
"""

from __future__ import annotations

import errno
import html
import json
import math
import mimetypes
import posixpath
import selectors
import socket
import sys
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from timeline.errors import UsageError
from timeline.serving import livereload, versions
from timeline.serving.connections import HandlerThreads, Request, cut
from timeline.serving.livereload import WAIT_PATH
from timeline.serving.state import SiteState
from timeline.site.pages import output_file

POLL_SECONDS = 25.0
READ_SECONDS = 10.0  # for a whole request head from the moment of connecting; then per read/write
BACKLOG = 256  # connections the kernel holds until they are accepted
PAGE_THREADS = 16  # threads handling requests; connections beyond them wait their turn
POLL_THREADS = 64  # live-reload long polls waiting at once (one per open tab), on top of those
STOP_SECONDS = 1.0  # how long stopping waits for handler threads once their clients are cut off

ERROR_PANEL = """<div id="timeline-build-errors" role="alert" style="position:sticky;top:0;\
z-index:9999;margin:0;padding:1rem 1.25rem;background:#7a1020;color:#fff;font:15px/1.5 \
system-ui,sans-serif;box-shadow:0 2px 8px rgba(0,0,0,.4)"><strong>Timeline: the last change \
did not build.</strong> The page shows the last good build. Fix the file and save; this page \
reloads by itself.<pre style="margin:.5rem 0 0;white-space:pre-wrap;font:13px/1.45 \
ui-monospace,monospace">%s</pre></div>"""

ERROR_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Build failed \
</title></head><body>%s</body></html>"""


class PreviewServer(HTTPServer):
    """The HTTP side: serves files from one folder, refusing anything outside it.

    A new connection waits, without a thread, until its request starts arriving; then at most
    PAGE_THREADS threads handle requests (plus POLL_THREADS long polls). A client must send its
    whole request head within ``read_timeout`` seconds of connecting, or it is cut off; closing
    the server cuts off every client, whatever it holds.
    """

    request_queue_size = BACKLOG

    def __init__(self, host: str, port: int, folder: Path, state: SiteState) -> None:
        self.folder = folder.resolve()
        self.state = state
        self.read_timeout = READ_SECONDS
        self.lock = threading.Lock()
        # The connections not yet cut off or closed: when their request head is due (inf: read).
        self.due: dict[socket.socket, float] = {}
        self.threads = HandlerThreads(self._handle, PAGE_THREADS, POLL_THREADS)
        self.stopping = threading.Event()
        self.stopped = threading.Event()
        # Asks for the folder to be built again when a request finds it gone (True if it will).
        self.on_missing: Callable[[], bool] = lambda: False
        try:
            super().__init__((host, port), RequestHandler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(f"port {port} is already in use; try --port {port + 1}") from None
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        self.host = host
        self.port = int(self.server_address[1])
        names = {host, "localhost", "127.0.0.1", "[::1]"}
        self.allowed_hosts = {f"{n}:{self.port}" for n in names} | names
        self.allowed_origins = {f"http://{n}:{self.port}" for n in names}
        self.any_host = host in ("0.0.0.0", "::")

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Accept connections, hand each to a thread once it is readable, cut off late ones."""
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self.socket, selectors.EVENT_READ)
                try:
                    while not self.stopping.is_set():
                        for key, _ in selector.select(poll_interval):
                            if key.fileobj is self.socket:
                                self._accept(selector)
                                continue
                            selector.unregister(key.fileobj)
                            if not self.threads.submit(key.data):
                                self.shutdown_request(key.data[0])
                        self._cut_late(selector)
                finally:
                    for key in list(selector.get_map().values()):
                        if key.fileobj is not self.socket:
                            self.shutdown_request(key.data[0])
        finally:
            self.stopped.set()

    def shutdown(self) -> None:
        """Stop the serving loop, closing the connections that were waiting for a request."""
        self.stopping.set()
        self.stopped.wait()

    def _accept(self, selector: selectors.BaseSelector) -> None:
        try:
            request, address = self.socket.accept()
        except OSError:  # the client gave up before it was accepted
            return
        with self.lock:
            self.due[request] = time.monotonic() + self.read_timeout
        selector.register(request, selectors.EVENT_READ, (request, address))

    def _cut_late(self, selector: selectors.BaseSelector) -> None:
        """Close late connections that no thread has yet, cut off those that one is reading."""
        now = time.monotonic()
        waiting = selector.get_map()
        with self.lock:  # held, so that no thread closes a connection while it is cut off
            late = [request for request, due in self.due.items() if due < now]
            for request in late:
                del self.due[request]
                if request not in waiting:
                    cut(request)
        for request in late:
            if request in waiting:
                selector.unregister(request)
                self.shutdown_request(request)

    def _handle(self, request: socket.socket, client_address: object) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def head_read(self, request: socket.socket) -> bool:
        """The request head has arrived: no deadline from now on; False if it was cut off."""
        with self.lock:
            if request not in self.due:
                return False
            self.due[request] = math.inf
            return True

    def shutdown_request(self, request: Request) -> None:
        if isinstance(request, socket.socket):
            with self.lock:  # forgotten before it is closed: see _cut_late
                self.due.pop(request, None)
        super().shutdown_request(request)

    def server_close(self) -> None:
        """Stop listening and cut every client off, so that none can keep a thread waiting."""
        super().server_close()
        for request, _ in self.threads.close():
            self.shutdown_request(request)
        with self.lock:
            for request in self.due:
                cut(request)
            self.due.clear()
        self.threads.join(STOP_SECONDS)

    def handle_error(self, request: object, client_address: object) -> None:
        """A browser closing a connection (a reload cancels its long poll) is not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.any_host else self.host
        return f"http://{host}:{self.port}/"


class RequestHandler(BaseHTTPRequestHandler):
    """GET/HEAD for files, POST for the live-reload long poll."""

    server: PreviewServer
    server_version = "timeline-serve"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal shows builds and errors, not every request."""

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.read_timeout)  # for each read and each write

    def parse_request(self) -> bool:
        """Read the head; refuse two Host headers (one checked, the other one believed)."""
        parsed = super().parse_request()
        if not self.server.head_read(self.connection):
            self.close_connection = True
            return False  # cut off: the end of what was read is not the end of the head
        if parsed and len(self.headers.get_all("Host", ())) > 1:
            self.send_error(HTTPStatus.BAD_REQUEST, "More than one Host header")
            return False
        return parsed

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").lower()
        return self.server.any_host or host in self.server.allowed_hosts

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        self._serve(body=True)

    def do_POST(self) -> None:
        if not self._host_ok():
            return self._plain(HTTPStatus.FORBIDDEN, "Host not allowed")
        parts = urlsplit(self.path)
        if parts.path != WAIT_PATH:
            return self._plain(HTTPStatus.NOT_FOUND, "Not found")
        origin = self.headers.get("Origin")
        if not self.server.any_host and origin not in self.server.allowed_origins:
            return self._plain(HTTPStatus.FORBIDDEN, "Origin not allowed")
        query = parse_qs(parts.query)
        try:
            since = int(query.get("since", ["0"])[0])
        except ValueError:
            since = 0
        page = unquote(query.get("path", [""])[0]).lstrip("/")
        with self.server.threads.long_poll() as allowed:
            if not allowed:  # the page's script tries again a second later
                return self._plain(HTTPStatus.SERVICE_UNAVAILABLE, "Too many live-reload polls")
            with self.server.state.polling(page):
                epoch = self.server.state.wait_epoch(since, POLL_SECONDS, page)
        data = json.dumps({"epoch": epoch}).encode()
        self._send(HTTPStatus.OK, "application/json", data, body=True)

    def _serve(self, *, body: bool) -> None:
        if not self._host_ok():
            return self._plain(HTTPStatus.FORBIDDEN, "Host not allowed", body=body)
        state = self.server.state
        if not self.server.folder.is_dir():  # deleted while serving: wait for a new build
            since = state.epoch
            if self.server.on_missing():
                state.wait_epoch(since, POLL_SECONDS)
        raw = urlsplit(self.path).path
        state.wait_idle(output_file(unquote(raw).lstrip("/")))
        target, redirect = self._resolve(raw)
        if redirect:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        status = HTTPStatus.OK
        if target is None:
            status = HTTPStatus.NOT_FOUND
            target = self.server.folder / "404.html"
        try:
            data = target.read_bytes()
        except OSError:
            if state.problems:
                page = ERROR_PAGE % self._panel()
                return self._html(HTTPStatus.INTERNAL_SERVER_ERROR, page.encode(), body)
            return self._plain(HTTPStatus.NOT_FOUND, "Not found", body=body)
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/html":
            self._html(status, data, body)
            return state.served(unquote(raw).lstrip("/"))
        keep = versions.cache_control(target.name, urlsplit(self.path).query, data)
        return self._send(status, kind, data, body=body, cache=keep)

    def _resolve(self, raw: str) -> tuple[Path | None, str | None]:
        """The file for a URL path, or None; refuses traversal, dotfiles and symlinks."""
        path = unquote(raw)
        if "\x00" in path or "\\" in path or not path.startswith("/"):
            return None, None
        parts = [p for p in path.split("/") if p]
        if any(p in (".", "..") or p.startswith(".") for p in parts):
            return None, None
        root = self.server.folder
        target = root.joinpath(*parts)
        try:
            resolved = target.resolve(strict=True)
        except (OSError, RuntimeError):
            return None, None
        if resolved != target or not resolved.is_relative_to(root):
            return None, None  # a symbolic link, or somewhere else entirely
        if resolved.is_dir():
            if not raw.endswith("/"):
                return None, posixpath.join(raw, "")
            index = resolved / "index.html"
            return (index if index.is_file() else None), None
        return resolved, None

    def _panel(self) -> str:
        return ERROR_PANEL % html.escape("\n".join(self.server.state.problems))

    def _html(self, status: HTTPStatus, data: bytes, body: bool) -> None:
        text = data.decode("utf-8", errors="replace")
        state = self.server.state
        if state.problems:
            marker = text.find("<body")
            end = text.find(">", marker) + 1 if marker >= 0 else 0
            text = text[:end] + self._panel() + text[end:]
        # A script or style the build has still to write is named without a version: the
        # browser asks for it (never from its cache) and gets it once written (wait_idle).
        text = versions.versioned(
            text, unquote(urlsplit(self.path).path),
            lambda path: self._resolve(path)[0] if state.settled(output_file(path.lstrip("/")))
            else None,
        )  # fmt: skip
        text = livereload.inject(text, state.epoch)
        self._send(status, "text/html; charset=utf-8", text.encode("utf-8"), body=body)

    def _plain(self, status: HTTPStatus, message: str, *, body: bool = True) -> None:
        self._send(status, "text/plain; charset=utf-8", message.encode(), body=body)

    def _send(
        self, status: HTTPStatus, kind: str, data: bytes, *, body: bool,
        cache: str = versions.NEVER,
    ) -> None:  # fmt: skip
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", cache)
        self.end_headers()
        if body:
            self.wfile.write(data)
