"""``timeline check --sources``: is every cited URL still there? The only command that
touches the network (builds never do).

Every source URL - of the event files and of the bibliography, each fetched once however
often it is cited - is asked for as ``timeline.fetching`` asks: HEAD, then GET when HEAD is
refused or answered with an error (many servers answer HEAD wrongly), redirects followed by
hand so that a permanent move can be told from a temporary one, a few threads, at most two
requests at a time to one host, a timeout, a User-Agent naming Timeline. Answers are
remembered in the project's cache folder for a while (``fetching.EXPIRY``), so a second
run asks nothing; ``--recheck`` asks again. See
docs/sources.md.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import click

from timeline import files
from timeline.config import Config
from timeline.errors import Problem, Severity, plural
from timeline.fetching import DAY, EXPIRY, Outcome, Verdict, fetch_all
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
from timeline.reading.model import Event, Source
from timeline.reading.project_files import BIBLIOGRAPHY

CACHE_FILE = "sources.json"
CACHE_VERSION = 1
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
        f"Sources: {plural(len(urls), 'URL')} checked ({len(asked)} asked now, {len(known)} "
        f"remembered from earlier runs, for up to {days:g} days; --recheck asks again): "
        f"{counts[Verdict.OK]} OK, {counts[Verdict.DEAD]} dead, {counts[Verdict.MOVED]} moved, "
        f"{counts[Verdict.REDIRECTED]} redirected, "
        f"{counts[Verdict.TIMEOUT] + counts[Verdict.UNREACHABLE]} not answering, "
        f"{counts[Verdict.REFUSED]} refusing; "
        f"{unarchived} of {plural(len(cited), 'citation')} without an archived copy."
    )
    if offline:
        click.secho(f"Error: none of the {plural(len(asked), 'URL')} asked could be reached; "
                    f"is this machine offline? Nothing was remembered.",
                    err=True, fg="red")  # fmt: skip
        return 1
    errors = sum(1 for p in found if p.is_error)
    if errors or (strict and found):
        failing = errors if errors else len(found)
        kind = "dead source link" if errors else "source warning (--strict)"
        click.secho(f"Error: {plural(failing, kind)}.", err=True, fg="red")
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
