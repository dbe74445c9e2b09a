"""Timeline against Hugo on the same generated events (`python tests/benchmark.py hugo`).

The generated project's events are written out as a Hugo site (tests/hugo/: its config and
layouts): one page per event with its date, status, names, sources and Markdown body, a
section per year, a page per tag, actor and place and the lists of them, 500 to a list
page, as Timeline makes. Timeline's site does more (the overview, relations, "around this
date", the Sources pages, aliases, data files); the comparison is of what both build.

Cold builds alternate, one of each in turn, into new output folders, each after a `sync`;
wall and CPU time (all processes) are the medians of the pairs. With ``--against CHECKOUT``
another checkout's code builds the same events in each round too.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HUGO_SITE = Path(__file__).resolve().parent / "hugo"


def hugo_project(project: Path, target: Path) -> int:
    """Write ``project``'s events as a Hugo site in ``target``; returns the event count."""
    from timeline.config import load_config
    from timeline.reading.load import load_corpus

    config = load_config(project)[0]
    corpus = load_corpus(config.root, config.events_path, drafts=False)
    assert not corpus.problems.errors, list(corpus.problems)
    shutil.copytree(HUGO_SITE, target)
    content = target / "content"
    years: set[int] = set()
    for event in corpus.events:
        first = event.date.start or event.date.end
        assert first is not None
        year = first.year
        if year not in years:
            years.add(year)
            (content / str(year)).mkdir(parents=True)
            (content / str(year) / "_index.md").write_text(f"---\ntitle: '{year}'\n---\n")
        earliest = event.date.sort_key[0]
        day = _iso_day(earliest)
        meta = {
            "title": event.title, "date": day, "shown_date": event.date.text,
            "status": event.status.value, "tags": list(event.tags),
            "actors": list(event.actors), "places": list(event.places),
            "sources": [{"title": s.title, "url": s.url, "publisher": s.publisher}
                        for s in event.sources],
        }  # fmt: skip
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
        body = corpus.markdown[event.path]
        (content / str(year) / f"{event.slug}.md").write_text(f"---\n{front}---\n{body}")
    return len(corpus.events)


def _iso_day(day: int) -> str:
    """An EDTF sort key's day (0 = 1970-01-01) as YYYY-MM-DD for Hugo."""
    from timeline.reading.calendar import civil_from_days

    year, month, date = civil_from_days(day)
    return f"{max(1, year):04d}-{month:02d}-{date:02d}"


def _timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    os.sync()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{command[0]} failed:\n{done.stdout}\n{done.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def compare(events: int, pairs: int, generate: object, against: Path | None = None) -> None:
    """Alternate cold builds of Timeline and Hugo on ``events`` generated events (and of the
    code of the checkout ``against``, when given: one of each in turn, the order reversed
    every other round)."""
    hugo = shutil.which("hugo")
    if hugo is None:
        raise SystemExit("hugo is not installed (apt-get install hugo); nothing to compare")
    version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.split()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        project = base / "timeline"
        generate(project, events)  # type: ignore[operator]
        count = hugo_project(project, base / "hugo")
        runs: dict[str, list[tuple[float, float]]] = {"ours": [], "hugo": []}
        if against is not None:
            runs["against"] = []
        for n in range(pairs):
            order = list(runs) if n % 2 == 0 else list(runs)[::-1]
            for who in order:
                out = str(base / f"site-{who}-{n}")
                if who == "hugo":
                    runs[who].append(_timed([hugo, "--quiet", "--destination", out],
                                            base / "hugo"))  # fmt: skip
                    continue
                env = None if who == "ours" else {**os.environ, "PYTHONPATH": str(against)}
                runs[who].append(_timed([sys.executable, "-m", "timeline", "build", "--no-cache",
                                         "--no-search", "-q", "--out", out], project, env))  # fmt: skip
                shutil.rmtree(project / ".timeline-cache", ignore_errors=True)
            print(f"  round {n + 1}: " + ", ".join(
                f"{NAMES[who]} {runs[who][-1][0]:.2f} s (CPU {runs[who][-1][1]:.2f} s)"
                for who in runs), flush=True)  # fmt: skip
        pages = sum(1 for _ in (base / "site-hugo-0").rglob("index.html"))
        mine = sum(1 for _ in (base / "site-ours-0").rglob("index.html"))
    print(f"{count} events; Timeline made {mine} pages, Hugo {' '.join(version[:2])} {pages}")
    for who in [w for w in runs if w != "hugo"]:
        _summary(NAMES[who], runs[who], runs["hugo"], "Hugo")
    if against is not None:
        _summary(NAMES["ours"], runs["ours"], runs["against"], "the other checkout")


NAMES = {"ours": "Timeline", "against": "the other checkout", "hugo": "Hugo"}


def _summary(name: str, runs: list[tuple[float, float]], others: list[tuple[float, float]],
             other: str) -> None:  # fmt: skip
    wall = statistics.median(w for w, _ in runs), statistics.median(w for w, _ in others)
    cpu = statistics.median(c for _, c in runs), statistics.median(c for _, c in others)
    ratio = statistics.median(t[0] / h[0] for t, h in zip(runs, others, strict=True))
    print(f"  wall: {name} {wall[0]:.2f} s, {other} {wall[1]:.2f} s: "
          f"{ratio:.2f} x {other}'s (median of {len(runs)} rounds' ratios)")
    print(f"  CPU:  {name} {cpu[0]:.2f} s, {other} {cpu[1]:.2f} s: {cpu[0] / cpu[1]:.2f} x")
