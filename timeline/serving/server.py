"""``timeline serve``: build, serve the output folder on 127.0.0.1, rebuild on change, reload.

Live reload uses only the standard library: each served HTML page gets a small script that
long-polls ``/__timeline__/wait``; the server answers when the build epoch moves on. Page
requests wait while a build runs, so a browser never sees a half-built site. The script is
added to responses only; it is never written into the output folder.
"""

from __future__ import annotations

import errno
import gc
import html
import json
import mimetypes
import posixpath
import sys
import threading
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from timeline.build import Builder, BuildResult
from timeline.config import Config
from timeline.errors import ContentError, TimelineError, UsageError
from timeline.parallel import cores
from timeline.serving.watch import ChangeKind, Debouncer, Watcher

WAIT_PATH = "/__timeline__/wait"
POLL_SECONDS = 25.0

RELOAD_SCRIPT = """<script>/* timeline serve: live reload (not part of the built site) */
(function () {
  var epoch = %d;
  function poll() {
    fetch("%s?since=" + epoch, {method: "POST", cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (d) { if (d.epoch > epoch) { location.reload(); } else { poll(); } })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
</script>"""

ERROR_PANEL = """<div id="timeline-build-errors" role="alert" style="position:sticky;top:0;\
z-index:9999;margin:0;padding:1rem 1.25rem;background:#7a1020;color:#fff;font:15px/1.5 \
system-ui,sans-serif;box-shadow:0 2px 8px rgba(0,0,0,.4)"><strong>Timeline: the last change \
did not build.</strong> The page shows the last good build. Fix the file and save; this page \
reloads by itself.<pre style="margin:.5rem 0 0;white-space:pre-wrap;font:13px/1.45 \
ui-monospace,monospace">%s</pre></div>"""

ERROR_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Build failed \
</title></head><body>%s</body></html>"""


class SiteState:
    """The build epoch, the current problems, and whether a build is running."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.epoch = 0
        self.building = False
        self.closing = False
        self.problems: tuple[str, ...] = ()

    def begin(self) -> None:
        with self.cond:
            self.building = True

    def finish(self, problems: Iterable[str] = ()) -> None:
        with self.cond:
            self.building = False
            self.problems = tuple(problems)
            self.epoch += 1
            self.cond.notify_all()

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Hold a page request while a build runs (never serve a half-built site)."""
        with self.cond:
            self.cond.wait_for(lambda: not self.building or self.closing, timeout)

    def wait_epoch(self, since: int, timeout: float) -> int:
        with self.cond:
            self.cond.wait_for(lambda: self.epoch > since or self.closing, timeout)
            return self.epoch

    def close(self) -> None:
        with self.cond:
            self.closing = True
            self.cond.notify_all()


class PreviewServer(ThreadingHTTPServer):
    """The HTTP side: serves files from one folder, refusing anything outside it."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, host: str, port: int, folder: Path, state: SiteState) -> None:
        self.folder = folder.resolve()
        self.state = state
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
        try:
            since = int(parse_qs(parts.query).get("since", ["0"])[0])
        except ValueError:
            since = 0
        epoch = self.server.state.wait_epoch(since, POLL_SECONDS)
        data = json.dumps({"epoch": epoch}).encode()
        self._send(HTTPStatus.OK, "application/json", data, body=True)

    def _serve(self, *, body: bool) -> None:
        if not self._host_ok():
            return self._plain(HTTPStatus.FORBIDDEN, "Host not allowed", body=body)
        state = self.server.state
        state.wait_idle()
        target, redirect = self._resolve(urlsplit(self.path).path)
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
            return self._html(status, data, body)
        return self._send(status, kind, data, body=body)

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
        script = RELOAD_SCRIPT % (state.epoch, WAIT_PATH)
        position = text.rfind("</body>")
        text = text[:position] + script + text[position:] if position >= 0 else text + script
        self._send(status, "text/html; charset=utf-8", text.encode("utf-8"), body=body)

    def _plain(self, status: HTTPStatus, message: str, *, body: bool = True) -> None:
        self._send(status, "text/plain; charset=utf-8", message.encode(), body=body)

    def _send(self, status: HTTPStatus, kind: str, data: bytes, *, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if body:
            self.wfile.write(data)


Reporter = Callable[[str], None]


class Preview:
    """Ties the builder, the watcher and the HTTP server together for ``timeline serve``."""

    def __init__(
        self,
        config: Config,
        *,
        load: Callable[[], Config],
        host: str = "127.0.0.1",
        port: int = 8000,
        drafts: bool = False,
        report: Reporter | None = None,
    ) -> None:
        self.load = load
        self.config = config
        # Previews leave out timeline.json and timelinejs.json (publishing artifacts holding
        # the whole timeline: at 10,000 events, tens of megabytes to rewrite on every save).
        # The first build uses every core (it runs before any thread of the server starts,
        # so forking is safe); later updates run in this process.
        self.builder = Builder(config, drafts=drafts, data_files=False, workers=cores(),
                               remember=True)  # fmt: skip
        self.report = report or (lambda line: print(line, file=sys.stderr, flush=True))
        self.state = SiteState()
        self.builds = 0
        self.server = PreviewServer(host, port, config.output_path, self.state)
        self.debouncer: Debouncer | None = None
        self.watcher: Watcher | None = None
        self.thread: threading.Thread | None = None

    def first_build(self) -> None:
        """A full build; on errors the previous site (if any) is served with the errors."""
        self.state.begin()
        problems = self._attempt(self.builder.build)
        gc.freeze()
        self.state.finish(problems)

    def rebuild(self, kinds: set[ChangeKind]) -> None:
        """Called by the debouncer: redo as much as the kinds of change require."""
        self.state.begin()
        problems: list[str] = []
        if self.watcher:
            self.watcher.refresh()
        try:
            if ChangeKind.CONFIG in kinds:
                try:
                    self.config = self.load()
                    self.builder.forget_everything(self.config)
                except ContentError as exc:
                    problems = [str(p) for p in exc.problems]
            elif ChangeKind.THEME in kinds:
                self.builder.forget_theme()
            if not problems:
                problems = self._attempt(self.builder.update)
        finally:
            # The site's objects live as long as the server: keep the cyclic garbage
            # collector from walking all of them again after every rebuild.
            gc.freeze()
            self.state.finish(problems)

    def _attempt(self, step: Callable[[], BuildResult]) -> list[str]:
        started = time.perf_counter()
        self.builds += 1
        try:
            result = step()
        except ContentError as exc:
            lines = [str(p) for p in [*exc.problems, *exc.warnings]]
            for line in lines:
                self.report(line)
            self.report(f"Build failed ({len(exc.problems)} problems); serving the last good site.")
            return lines
        except TimelineError as exc:
            self.report(f"Error: {exc}")
            return [str(exc)]
        for warning in result.warnings:
            self.report(str(warning))
        pages = result.rendered
        elapsed = (time.perf_counter() - started) * 1000
        self.report(f"Built in {elapsed:.0f} ms ({sum(pages.values())} pages rendered)")
        return []

    def start(self) -> None:
        """Build, then serve and watch in background threads."""
        self.first_build()
        self.debouncer = Debouncer(self.rebuild)
        self.watcher = Watcher(self.config, self.debouncer.add)
        self.watcher.start()
        self.thread = threading.Thread(target=self.server.serve_forever, name="timeline-http",
                                       kwargs={"poll_interval": 0.2}, daemon=True)  # fmt: skip
        self.thread.start()

    def stop(self) -> None:
        """Stop watching and serving; wake every long poll so no thread is left behind."""
        if self.watcher:
            self.watcher.stop()
        if self.debouncer:
            self.debouncer.stop()
        self.state.close()
        if self.thread:  # shutdown() would wait forever for a loop that never started
            self.server.shutdown()
            self.thread.join(timeout=5)
        self.server.server_close()
