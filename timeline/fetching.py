"""Asking for URLs, politely: HEAD then GET, redirects followed by hand, a few threads, at
most ``PER_HOST`` requests at a time to one host, a timeout, a User-Agent naming Timeline.
Used by ``timeline check --sources`` (``timeline.sourcecheck``) only: builds never touch the
network.
"""

from __future__ import annotations

import contextlib
import enum
import http.client
import queue
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from timeline import __version__

USER_AGENT = f"Timeline/{__version__} (source link checker; timeline check --sources)"
PER_HOST = 2  # requests at a time to one host
WORKERS = 8  # requests at a time in all
MAX_REDIRECTS = 10
HOUR = 3600.0
DAY = 24 * HOUR


class Verdict(enum.Enum):
    """What asking for a URL found."""

    OK = "ok"
    MOVED = "moved"  # permanent redirects (301, 308) to a page that answers
    REDIRECTED = "redirected"  # a temporary redirect (302, 303, 307) on the way
    DEAD = "dead"  # 404, 410, 5xx, a name that no DNS knows, a redirect loop
    REFUSED = "refused"  # another 4xx: 401, 403, 429... the page may well be there
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"  # reset, refused connection, TLS failure, garbled answer

    @property
    def answered(self) -> bool:
        """The server answered (as opposed to the network failing us)."""
        return self not in (Verdict.TIMEOUT, Verdict.UNREACHABLE)


# How long an answer is trusted. A failure to get one is remembered only when other
# servers answered in the same run (so the network was up), and briefly.
EXPIRY = {
    Verdict.OK: 7 * DAY, Verdict.MOVED: 7 * DAY, Verdict.REDIRECTED: 7 * DAY,
    Verdict.DEAD: DAY, Verdict.REFUSED: DAY, Verdict.TIMEOUT: HOUR, Verdict.UNREACHABLE: HOUR,
}  # fmt: skip
PERMANENT = {301, 308}
REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class Outcome:
    """The answer for one URL: ``status`` is the last HTTP status, ``target`` where its
    redirects lead, ``detail`` the reason in words."""

    verdict: Verdict
    status: int | None
    detail: str
    target: str | None = None
    checked: float = 0.0  # time.time() when asked

    def fresh(self, now: float) -> bool:
        return 0 <= now - self.checked < EXPIRY[self.verdict]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Hand every redirect back (as an HTTPError), to be told apart and followed by hand."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None



def _encoded(url: str) -> str:
    """The URL as a request line can carry it: IDNA host, percent-encoded path and query."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    with contextlib.suppress(UnicodeError):  # left as it is: the request then says why
        host = host.encode("idna").decode("ascii")
    netloc = host if ":" not in host else f"[{host}]"
    if parts.port is not None:
        netloc += f":{parts.port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    safe = "/%:@!$&'()*+,;=~-._"
    return urlunsplit((parts.scheme, netloc, quote(parts.path, safe=safe) or "/",
                       quote(parts.query, safe=safe + "?"), ""))  # fmt: skip


def _ask(url: str, method: str, timeout: float) -> tuple[int, str, str | None]:
    """Status, reason and Location of one request; raises the network's errors."""
    request = urllib.request.Request(
        _encoded(url), method=method, headers={"User-Agent": USER_AGENT, "Accept": "*/*"}
    )
    opener = urllib.request.build_opener(_NoRedirects)  # with the proxies the system sets
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.reason, response.headers.get("Location")
    except urllib.error.HTTPError as exc:  # 3xx (see _NoRedirects), 4xx and 5xx
        with exc:
            return exc.code, str(exc.reason), exc.headers.get("Location")


def _head_then_get(url: str, timeout: float) -> tuple[int, str, str | None]:
    try:
        status, reason, location = _ask(url, "HEAD", timeout)
    except (ConnectionError, http.client.HTTPException):
        return _ask(url, "GET", timeout)  # some servers drop a HEAD
    if status >= 400:  # 405 and 501 say "no HEAD here"; others answer HEAD wrongly
        return _ask(url, "GET", timeout)
    return status, reason, location


def fetch(url: str, timeout: float) -> Outcome:
    """Ask for ``url``, following redirects; any failure is an Outcome, never an exception."""
    now = time.time()
    try:
        return _follow(url, timeout, now)
    except TimeoutError:
        return Outcome(Verdict.TIMEOUT, None, f"no answer within {timeout:g} s", checked=now)
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            return Outcome(Verdict.TIMEOUT, None, f"no answer within {timeout:g} s", checked=now)
        if isinstance(reason, socket.gaierror):
            host = urlsplit(url).hostname
            return Outcome(Verdict.DEAD, None, f"no DNS server knows the host {host}",
                           checked=now)  # fmt: skip
        return Outcome(Verdict.UNREACHABLE, None, _words(reason), checked=now)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return Outcome(Verdict.UNREACHABLE, None, _words(exc), checked=now)


def _words(exc: object) -> str:
    if isinstance(exc, ConnectionResetError):
        return "the connection was reset"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(exc, ConnectionRefusedError):
        return "the connection was refused"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"its TLS certificate is not valid ({exc.verify_message})"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    return str(exc) or type(exc).__name__


def _follow(url: str, timeout: float, now: float) -> Outcome:
    current, hops = url, []
    for _ in range(MAX_REDIRECTS + 1):
        status, reason, location = _head_then_get(current, timeout)
        if status not in REDIRECTS or not location:
            break
        hops.append(status)
        current = urljoin(current, location)
        if urlsplit(current).scheme not in ("http", "https"):
            break
    else:
        return Outcome(Verdict.DEAD, status, f"redirects more than {MAX_REDIRECTS} times",
                       current, now)  # fmt: skip
    target = current if hops else None
    words = f"{status} {reason}".strip()
    if status in (404, 410) or status >= 500:
        return Outcome(Verdict.DEAD, status, words, target, now)
    if status >= 400 or status < 200 or status in REDIRECTS:
        return Outcome(Verdict.REFUSED, status, words, target, now)
    if not hops:
        return Outcome(Verdict.OK, status, words, None, now)
    verdict = Verdict.MOVED if all(h in PERMANENT for h in hops) else Verdict.REDIRECTED
    return Outcome(verdict, hops[0], words, target, now)


def fetch_all(
    urls: Iterable[str], timeout: float, into: dict[str, Outcome],
    on_each: Callable[[int], None] = lambda done: None,
) -> None:  # fmt: skip
    """Fetch every URL into ``into`` (kept if interrupted): one queue of URLs per host,
    ``PER_HOST`` lanes each, on daemon threads so that Ctrl-C never waits for them."""
    by_host: dict[str, list[str]] = defaultdict(list)
    for url in urls:
        by_host[(urlsplit(url).hostname or "").lower()].append(url)
    lanes: queue.SimpleQueue[list[str]] = queue.SimpleQueue()
    total = 0
    for items in by_host.values():
        total += len(items)
        for k in range(min(PER_HOST, len(items))):
            lanes.put(items[k::PER_HOST])
    results: queue.SimpleQueue[tuple[str, Outcome]] = queue.SimpleQueue()

    def work() -> None:
        while True:
            try:
                lane = lanes.get_nowait()
            except queue.Empty:
                return
            for url in lane:
                results.put((url, fetch(url, timeout)))

    for _ in range(min(WORKERS, lanes.qsize())):
        threading.Thread(target=work, daemon=True, name="timeline-sourcecheck").start()
    for done in range(1, total + 1):
        url, outcome = results.get()
        into[url] = outcome
        on_each(done)
