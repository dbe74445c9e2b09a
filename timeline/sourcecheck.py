"""``timeline check --sources``: is every cited URL still there? The only command that
touches the network (builds never do).

Every source URL - of the event files and of the bibliography, each fetched once however
often it is cited - is asked for with HEAD, then GET when HEAD is refused or answered with
an error (many servers answer HEAD wrongly). Redirects are followed by hand, up to
``MAX_REDIRECTS``, so that a permanent move can be told from a temporary one. Requests run on
a few threads, at most ``PER_HOST`` at a time to one host, each with a timeout, under a
User-Agent naming Timeline. Answers are remembered in the project's cache folder for a
while (``EXPIRY``), so a second run asks nothing; ``--recheck`` asks again. See
docs/sources.md.
"""

from __future__ import annotations

import contextlib
import enum
import http.client
import json
import queue
import socket
import ssl
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import click

from timeline import __version__, files
from timeline.config import Config
from timeline.errors import Problem, Severity
from timeline.reading.dates import EDTFDate, Precision, civil_from_days
from timeline.reading.events import parse_bibliography
from timeline.reading.fields import field_name
from timeline.reading.frontmatter import (
    FrontMatterError,
    Located,
    Path_,
    load_yaml,
    normalise_text,
    split_document,
)
from timeline.reading.load import BIBLIOGRAPHY
from timeline.reading.model import Event, Source

USER_AGENT = f"Timeline/{__version__} (source link checker; timeline check --sources)"
PER_HOST = 2  # requests at a time to one host
WORKERS = 8  # requests at a time in all
MAX_REDIRECTS = 10
CACHE_FILE = "sources.json"
CACHE_VERSION = 1
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


@dataclass(frozen=True)
class Citation:
    """One place a URL is written: file, line and field, and the source it belongs to."""

    path: str
    line: int
    field: str
    url: str
    source: Source


# -- where the URLs are written ------------------------------------------------------------


def citations(config: Config, events: Iterable[Event]) -> list[Citation]:
    """Every source URL of the events and of the whole bibliography, by file and line."""
    found: list[Citation] = []
    for event in events:
        text = _text(config.root / event.path)
        located = _meta(text)
        for index, source in enumerate(event.sources):
            if source.url and not source.from_bibliography:
                found.append(_cite(event.path, located, ("sources", index, "url"), source))
    bib_path = config.events_path / BIBLIOGRAPHY
    bib_rel = bib_path.relative_to(config.root).as_posix()
    text = _text(bib_path)
    if text is not None:
        located = _yaml(text)
        for name, source in parse_bibliography(bib_rel, text)[0].items():
            if source.url:
                found.append(_cite(bib_rel, located, (name, "url"), source))
    return sorted(found, key=lambda c: (c.path, c.line, c.field))


def _cite(path: str, located: Located | None, key: Path_, source: Source) -> Citation:
    line = located.line(key) if located is not None else 0
    return Citation(path, line, field_name(key), source.url or "", source)


def _text(path: Path) -> str | None:
    """A file's text as the reader sees it, or None if it cannot be read now (the check
    before this one has just read it)."""
    try:
        return normalise_text(files.read_regular(path).decode("utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def _meta(text: str | None) -> Located | None:
    try:
        return split_document(text).meta if text is not None else None
    except FrontMatterError:
        return None


def _yaml(text: str) -> Located | None:
    try:
        return load_yaml(text)
    except FrontMatterError:
        return None


# -- asking ----------------------------------------------------------------------------------


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


# -- the cache -------------------------------------------------------------------------------


def _cache_file(config: Config) -> Path:
    return config.cache_path / CACHE_FILE


def load_cache(config: Config) -> dict[str, Outcome]:
    """What earlier runs found, expired or not; nothing if the file is missing or odd."""
    try:
        state = json.loads(files.read_regular(_cache_file(config), follow=False))
        if state.get("version") != CACHE_VERSION:
            return {}
        return {
            url: Outcome(
                Verdict(o["verdict"]), o["status"], o["detail"], o["target"], float(o["checked"])
            )
            for url, o in state["urls"].items()
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def save_cache(config: Config, outcomes: Mapping[str, Outcome]) -> str | None:
    """Write the outcomes (never through a link); why not, if they could not be written."""
    folder = config.cache_path
    if why := files.not_a_folder(folder):
        return f"the cache folder {config.cache_dir} {why}"
    state = {"version": CACHE_VERSION,
             "urls": {url: {**asdict(o), "verdict": o.verdict.value}
                      for url, o in sorted(outcomes.items())}}  # fmt: skip
    try:
        files.make_folder(folder, under=config.root)
        files.replace(folder / CACHE_FILE, json.dumps(state, indent=0).encode())
    except OSError as exc:
        return f"{config.cache_dir}/{CACHE_FILE} could not be written ({exc.strerror or exc})"
    return None


# -- the report ------------------------------------------------------------------------------


def wayback(source: Source) -> str:
    """Where the Wayback Machine keeps its copy nearest the day the source was read (its
    ``accessed`` date, else its own date); the latest copy when neither is known."""
    stamp = _stamp(source.accessed or source.date)
    return f"https://web.archive.org/web/{stamp}{'/' if stamp else ''}{source.url}"


def _stamp(date: EDTFDate | None) -> str:
    """An EDTF date as a Wayback timestamp, as precise as the date: 2007, 200708, 20070822."""
    day = None if date is None else (date.earliest if date.earliest is not None else date.latest)
    if date is None or day is None:
        return ""
    year, month, mday = civil_from_days(day)
    if year < 1000:
        return ""
    if date.precision in (Precision.DAY, Precision.TIME):
        return f"{year:04d}{month:02d}{mday:02d}"
    if date.precision is Precision.MONTH:
        return f"{year:04d}{month:02d}"
    return f"{year:04d}"


def _archive_fix(source: Source) -> str:
    return (f"add archived: {wayback(source)} if the Wayback Machine holds a copy (it shows the "
            f"one nearest that date), or cite where the page moved")  # fmt: skip


def finding(citation: Citation, outcome: Outcome) -> Problem | None:
    """The error or warning a user reads about one citation, or None if it needs no fix
    (see ``notes`` for what is only worth knowing)."""
    source, o = citation.source, outcome
    url = source.url

    def problem(message: str, severity: Severity = Severity.WARNING) -> Problem:
        return Problem(citation.path, citation.line, citation.field, message, severity)

    match o.verdict:
        case Verdict.DEAD:
            what = (f"{url} redirects to {o.target}, which is dead ({o.detail})" if o.target
                    else f"{url} is dead ({o.detail})")  # fmt: skip
            if o.status is not None and o.status >= 500:
                what += ", perhaps for a while only (check again later with --recheck)"
            if source.archived:
                return problem(f"{what}; readers still have its archived copy; cite where the "
                               f"page moved, if it did")  # fmt: skip
            return problem(f"{what}; fix: {_archive_fix(source)}", Severity.ERROR)
        case Verdict.MOVED:
            return problem(f"{url} has moved permanently ({o.status}) to {o.target}; "
                           f"fix: make that the url")  # fmt: skip
        case Verdict.REFUSED if o.status == 429:
            return problem(f"{url} answers {o.detail}: too many requests; check again later "
                           f"with --recheck")  # fmt: skip
        case Verdict.REFUSED:
            return problem(f"{url} answers {o.detail}; the site may refuse automated checks: "
                           f"open it in a browser to see")  # fmt: skip
        case Verdict.TIMEOUT:
            return problem(f"{url} gave {o.detail}; the site may be slow or down: check again "
                           f"later, or with a longer --timeout")  # fmt: skip
        case Verdict.UNREACHABLE:
            return problem(f"{url} could not be reached: {o.detail}; check again later")
    return None


def notes(citation: Citation, outcome: Outcome) -> list[str]:
    """What is worth knowing but needs no fix: a temporary redirect, a missing archived copy."""
    where = f"{citation.path}:{citation.line}" if citation.line else citation.path
    source, out = citation.source, []
    if outcome.verdict is Verdict.REDIRECTED:
        out.append(f"{where}: {citation.field}: note: {source.url} redirects temporarily "
                   f"({outcome.status}) to {outcome.target}; nothing to fix unless that is "
                   f"where the page lives now")  # fmt: skip
    if not source.archived and outcome.verdict is not Verdict.DEAD:
        owner = citation.field.removesuffix(".url")
        out.append(f"{where}: {owner}: note: no archived copy; add archived: "
                   f"{wayback(source)} once the Wayback Machine holds one "
                   f"(https://web.archive.org/save/{source.url} makes one now)")  # fmt: skip
    return out


def report_sources(
    config: Config, events: Iterable[Event], *, recheck: bool, timeout: float, strict: bool
) -> int:
    """Check every source URL and print what was found; the exit code (0 all well, 1 dead
    links, or any warning under ``strict``; 130 interrupted)."""
    cited = citations(config, events)
    urls = sorted({c.url for c in cited})
    now = time.time()
    cache = load_cache(config)
    known = {u: o for u, o in cache.items() if u in urls and o.fresh(now) and not recheck}
    wanted = [u for u in urls if u not in known]
    asked: dict[str, Outcome] = {}
    show = _progress(len(wanted)) if sys.stderr.isatty() else lambda done: None
    try:
        fetch_all(wanted, timeout, asked, on_each=show)
    except KeyboardInterrupt:
        show(-1)
        _remember(config, cache, asked)
        click.echo(f"Interrupted: {len(asked)} of {len(wanted)} URLs asked; what was asked is "
                   f"remembered for the next run.", err=True)  # fmt: skip
        return 130
    show(-1)
    # No server answered at all: most likely no network, so a name no DNS knows proves
    # nothing about the page; nothing of this run is remembered.
    offline = bool(asked) and all(o.status is None for o in asked.values())
    if offline:
        asked = {u: replace(o, verdict=Verdict.UNREACHABLE) for u, o in asked.items()}
    why = None if offline else _remember(config, cache, asked)
    outcomes = {**known, **asked}

    found = sorted(p for c in cited if (p := finding(c, outcomes[c.url])))
    for problem in found:
        click.echo(str(problem), err=True)
    for citation in cited:
        for line in notes(citation, outcomes[citation.url]):
            click.echo(line, err=True)
    if why:
        click.echo(f"warning: {why}; the next run asks again", err=True)

    counts = defaultdict(int, {v: 0 for v in Verdict})
    for url in urls:
        counts[outcomes[url].verdict] += 1
    unarchived = sum(1 for c in cited if not c.source.archived)
    days = EXPIRY[Verdict.OK] / DAY
    click.echo(
        f"Sources: {_plural(len(urls), 'URL')} checked ({len(asked)} asked now, {len(known)} "
        f"remembered from earlier runs, for up to {days:g} days; --recheck asks again): "
        f"{counts[Verdict.OK]} OK, {counts[Verdict.DEAD]} dead, {counts[Verdict.MOVED]} moved, "
        f"{counts[Verdict.REDIRECTED]} redirected, "
        f"{counts[Verdict.TIMEOUT] + counts[Verdict.UNREACHABLE]} not answering, "
        f"{counts[Verdict.REFUSED]} refusing; "
        f"{unarchived} of {_plural(len(cited), 'citation')} without an archived copy."
    )
    if offline:
        click.secho(f"Error: none of the {_plural(len(asked), 'URL')} asked could be reached; "
                    f"is this machine offline? Nothing was remembered.",
                    err=True, fg="red")  # fmt: skip
        return 1
    errors = sum(1 for p in found if p.is_error)
    if errors or (strict and found):
        failing = errors if errors else len(found)
        kind = "dead source link" if errors else "source warning (--strict)"
        click.secho(f"Error: {_plural(failing, kind)}.", err=True, fg="red")
        return 1
    return 0


def _remember(
    config: Config, cache: dict[str, Outcome], asked: Mapping[str, Outcome]
) -> str | None:
    """Save what was asked over the cache; a failure to get any answer is kept only when
    other servers answered this run (the network was up)."""
    network_up = any(o.status is not None for o in asked.values())
    kept = {u: o for u, o in asked.items() if o.status is not None or network_up}
    if not kept:
        return None
    now = time.time()
    current = {u: o for u, o in cache.items() if o.fresh(now)}
    return save_cache(config, {**current, **kept})


def _progress(total: int) -> Callable[[int], None]:
    """A line on the terminal counting the URLs asked; ``-1`` clears it."""

    def show(done: int) -> None:
        if done < 0:
            sys.stderr.write("\r\x1b[K")
        else:
            sys.stderr.write(f"\rChecking sources: {done} of {total} URLs")
        sys.stderr.flush()

    return show


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
