"""Benchmarks (not part of the test run): python tests/benchmark.py --help.

Speed is measured here, never in unit tests. Machines are shared and noisy, so every figure is
the median of several runs, with the spread shown.

    python tests/benchmark.py build [--sizes 1000,10000] [--runs 3]
        generated timelines: cold build (wall, CPU, events/s, peak memory of all processes),
        no-change rebuild, full rebuild over an existing site, one edited event (CLI), and one
        edited event inside a running Builder (what `timeline serve` does): its body, or its
        tags
    python tests/benchmark.py serve-latency [--runs 15] [--events N] [--edit title|body|date|tags]
        save -> the open page repainted with the change, in a real Chromium tab, on a copy of
        the sample timeline (or on a generated timeline of N events), with its phases (watcher,
        debounce, build, reload signal, page request, paint); --edit body,title,date,tags
        times each kind in turn in one session; --against CHECKOUT: that checkout's code
        serves its own copy at the same time, each save made in both in turn
    python tests/benchmark.py serve-memory [--events 2000] [--edits 200]
        memory of a running Builder (what `timeline serve` keeps) over many title edits:
        resident memory after the first build and after every 20 edits, and the growth;
        with TIMELINE_ARENAS=many, glibc's default arenas instead of serve's one (see
        timeline/memory.py)
    python tests/benchmark.py overview [--events 10000] [--runs 5]
        the index's overview in a real Chromium tab on a generated timeline: page weight, the
        first draw (reading the chart's data and drawing it), and zoom and pan steps from the
        whole timeline down to a week, each step's script and layout time and the frame it
        took (requestAnimationFrame to the next)
    python tests/benchmark.py hugo [--events 10000] [--pairs 5] [--against CHECKOUT]
        Timeline's cold build (--no-cache --no-search) alternating with Hugo's on the same
        generated events (tests/hugo/: the Hugo site's config and layouts; tests/hugo_compare.py),
        wall and CPU time, medians of the pairs; needs `apt-get install hugo`. --against: the
        same build by another checkout's code in each round too (say, the last release), so
        that a change is compared with Hugo and with the code before it in the same minutes
    python tests/benchmark.py one-edit [--events 10000] [--runs 5] [--against CHECKOUT]
        one edited event, then a new `timeline build --no-search` (issue 19.2); with
        --against, another checkout's code builds its own copy of the project in each round
    python tests/benchmark.py generate N DIR
        write a generated N-event project into DIR
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MEMORY_FOLDER = Path("/dev/shm")  # tmpfs on Linux: files written there never touch a disk


PLAIN_DAY = re.compile(r'date: "?(\d{4})-(\d{2})-(\d{2})"?\n')

# A page the live-reload script updates in place (it swaps in the new HTML: no navigation,
# so no new first paint): the moment (ms since the epoch) of the first frame made after the
# edit's text came into the DOM (requestAnimationFrame, then a message: the frame is drawn).
WATCH_SWAP = """([t, w]) => {
  window.__timelinePainted = null;
  performance.clearResourceTimings();
  const watcher = new MutationObserver(() => {
    const e = document.querySelector(w);
    if (!e || !e.textContent.includes(t)) { return; }
    watcher.disconnect();
    requestAnimationFrame(() => {
      const c = new MessageChannel();
      c.port1.onmessage = () => { window.__timelinePainted = performance.timeOrigin + performance.now(); };
      c.port2.postMessage(0);
    });
  });
  watcher.observe(document, {childList: true, subtree: true, characterData: true});
}"""
# The swapped page's fetch of its new HTML: [began (wall clock, ms), asked for (ms after it
# began), arrived (ms after it began)], and the painted frame (WATCH_SWAP).
SWAPPED = """() => {
  const page = location.href.split("#")[0];
  const got = performance.getEntriesByType("resource").filter((e) => e.name === page).pop();
  return [performance.timeOrigin + got.startTime, got.requestStart - got.startTime,
          got.responseEnd - got.startTime, window.__timelinePainted];
}"""


TAGS_LINE = re.compile(r"^tags: \[([^\]\n]*)\]$", re.MULTILINE)


def _other_tags(root: Path, original: str) -> list[list[str]]:
    """Two pairs of tags other events have and ``original`` has not, none of them a part of
    another's name (the browser check looks for the second of a pair in the page's text)."""

    def tags(text: str) -> set[str]:
        found = TAGS_LINE.search(text)
        return {t.strip() for t in found[1].split(",")} if found else set()

    mine = tags(original)
    assert mine, "the edited event has no tags line"
    chosen: list[str] = []
    for tag in sorted(set().union(*(tags(f.read_text()) for f in root.glob("events/*.md")))):
        if all(tag not in t and t not in tag for t in (*mine, *chosen)):
            chosen.append(tag)
        if len(chosen) == 4:
            return [chosen[:2], chosen[2:]]
    raise SystemExit("not enough other tags to edit")


class _Latency:
    """One serving session on a copy of the sample (or a generated timeline), a Chromium tab
    open on one event's page, and saves of that event timed to the page's repaint."""

    def __init__(self, folder: Path, events: int) -> None:
        from playwright.sync_api import sync_playwright

        from timeline.config import load_config
        from timeline.serving import watch
        from timeline.serving.preview import Preview, preview_config

        self.settle = getattr(watch, "SETTLE", watch.DEBOUNCE)  # an older checkout's code too
        root = self.root = folder
        if events:
            generate(root, events)
            (root / "timeline.toml").write_text('title = "Generated timeline"\n')
            files = sorted((root / "events").glob("*.md"))
            middle = files[len(files) // 2 :]  # for a date edit: the first with a plain day
            target = next((f for f in middle if PLAIN_DAY.search(f.read_text())), middle[0])
            self.old_title = target.read_text().split('title: "', 1)[1].split('"', 1)[0]
            slug = target.stem.split("-", 2)[2]
        else:
            shutil.copytree(REPO / "events", root / "events")
            config = load_config(REPO)[0]
            (root / "timeline.toml").write_text(f'title = "{config.title}"\n')
            target = root / "events" / "2007-08-22-douri-severs-ties.md"
            self.old_title = "Al-Douri reportedly decides to sever ties with al-Qaeda"
            slug = "douri-severs-ties"
        self.target, self.original = target, target.read_text()
        self.retags: list[list[str]] = []  # for tag edits (see _other_tags)
        self.count = len(list((root / "events").glob("*.md")))

        def load():  # type: ignore[no-untyped-def]
            return preview_config(load_config(root)[0])  # as `timeline serve`

        self.reports: list[str] = []
        started = time.perf_counter()
        self.preview = preview = Preview(load(), load=load, port=0, report=self.reports.append)
        preview.start()
        self.first = time.perf_counter() - started
        # When (wall clock, ms) the watcher reported a change and builds began and finished.
        # (A build that makes the open page first signals it ready before it finishes.)
        self.seen: dict[str, list[float]] = {"change": [], "begin": [], "signal": []}
        assert preview.watcher is not None
        handler, state = preview.watcher.handler, preview.state
        wrappers = [("change", handler.sink), ("begin", state.begin), ("signal", state.finish)]
        if hasattr(state, "ready"):
            wrappers.append(("signal", state.ready))
        for name, wrapped in wrappers:
            def stamped(*args, _name=name, _wrapped=wrapped):  # type: ignore[no-untyped-def]
                self.seen[_name].append(time.time() * 1000)
                return _wrapped(*args)

            if name == "change":
                handler.sink = stamped
            else:
                setattr(state, wrapped.__name__, stamped)
        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        self.page = self.browser.new_page()
        self.page.goto(f"{preview.server.url}events/{slug}/")

    def save(self, edit: str, run: int) -> dict[str, object]:
        """Save one edit; when the page shows it: save -> paint and Playwright's check (ms),
        the rebuild's own figure, and the phases (see _phases)."""
        page, target, original = self.page, self.target, self.original
        page.wait_for_timeout(300)  # let the reload poll settle between runs
        built = len(self.reports)
        origin = page.evaluate("() => performance.timeOrigin")
        if edit == "title":  # the title is on list and neighbour pages too
            text, where = f"Edited title {run}", "h1"
            edited = original.replace(self.old_title, text)
        elif edit == "tags":  # filed under two other tags that other events have
            self.retags = self.retags or _other_tags(self.root, original)
            pair = self.retags[run % 2]
            text, where = pair[1], ".event-terms"
            edited = TAGS_LINE.sub(f"tags: [{', '.join(pair)}]", original, 1)
        elif edit == "date":  # the event moves among its neighbours
            found = PLAIN_DAY.search(original)
            assert found, f"{target.name} has no plain day to edit"
            year, month, day = found[1], found[2], int(found[3])
            iso = f"{year}-{month}-{(day + run + 1) % 28 + 1:02d}"  # never the day it has
            text, where = "", f'.event-meta time[datetime="{iso}"]'
            edited = original.replace(found[0], f'date: "{iso}"\n')
        else:  # a sentence added to the body's first paragraph
            text, where = f"Edited body {run}.", ".event-body"
            head, rest = original.split("\n---\n", 1)
            edited = f"{head}\n---\n{text} {rest.lstrip()}"
        page.evaluate(WATCH_SWAP, [text, where])
        started = time.perf_counter()
        saved = time.time() * 1000  # the browser's timeOrigin is on this clock
        target.write_text(edited)
        page.wait_for_function(
            "([t, w]) => document.querySelector(w) && "
            "document.querySelector(w).textContent.includes(t)",
            arg=[text, where], polling="raf", timeout=20_000,
        )  # fmt: skip
        detected = (time.perf_counter() - started) * 1000
        if page.evaluate("() => performance.timeOrigin") == origin:  # swapped in place
            page.wait_for_function("() => window.__timelinePainted", timeout=20_000)
            navigated = page.evaluate(SWAPPED)
            navigated[1:] = [navigated[1], navigated[2], navigated[3] - navigated[0]]
        else:  # reloaded
            page.wait_for_function(  # the text can be there a moment before it is painted
                "() => performance.getEntriesByName('first-contentful-paint').length > 0",
                polling="raf", timeout=20_000,
            )  # fmt: skip
            navigated = page.evaluate(NAVIGATED)
        painted = navigated[0] + navigated[3] - saved
        builds = [float(r.split()[2]) for r in self.reports[built:] if r.startswith("Built in")]
        return {"painted": painted, "detected": detected, "builds": builds,
                "swapped": page.evaluate("() => performance.timeOrigin") == origin,
                "phases": _phases(saved, self.seen, navigated)}  # fmt: skip

    def close(self) -> None:
        self.browser.close()
        self.playwright.stop()
        self.preview.stop()


def serve_latency(
    runs: int, events: int = 0, edits: tuple[str, ...] = ("title",), against: Path | None = None
) -> None:
    """Median time from writing an event file to the open page showing the change, on a copy
    of the sample timeline or (``events``) on a generated one: ``runs`` saves of each kind of
    edit in turn, in one serving session; with ``against``, another checkout's code serves
    its own copy at the same time, and each save is made in both, in turn."""
    codes = {"this": REPO, **({"against": against.resolve()} if against else {})}
    results: dict[str, dict[str, list[dict[str, object]]]] = {who: {} for who in codes}
    loads = [os.getloadavg()[0]]
    workers = {
        who: subprocess.Popen(
            [sys.executable, __file__, "serve-latency-worker", "--events", str(events)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(code)},
        )
        for who, code in codes.items()
    }
    first: dict[str, str] = {}
    for who, worker in workers.items():  # one at a time: each first build on every core
        assert worker.stdin is not None and worker.stdout is not None
        worker.stdin.write("start\n")
        worker.stdin.flush()
        first[who] = worker.stdout.readline().strip()
    for edit in edits:
        for run in range(runs):
            order = list(codes) if run % 2 == 0 else list(reversed(codes))
            for who in order:
                worker = workers[who]
                assert worker.stdin is not None and worker.stdout is not None
                worker.stdin.write(f"{edit} {run}\n")
                worker.stdin.flush()
                line = worker.stdout.readline()
                if not line:
                    raise SystemExit(f"the {who} worker stopped")
                results[who].setdefault(edit, []).append(json.loads(line))
            loads.append(os.getloadavg()[0])
    for worker in workers.values():
        assert worker.stdin is not None
        worker.stdin.close()
    what = "generated" if events else "the sample"
    print(f"serve: save -> page updated, {runs} saves of each edit on {what} timeline "
          f"({events or 'the sample'} events); load average {min(loads):.1f}-{max(loads):.1f}")
    for who in codes:
        print(f"{who} ({codes[who]}): {first[who]}")
        for edit, saves in results[who].items():
            painted = [float(str(r["painted"])) for r in saves]
            detected = [float(str(r["detected"])) for r in saves]
            builds = [b for r in saves for b in r["builds"]]  # type: ignore[attr-defined]
            phases: dict[str, list[float]] = {}
            for r in saves:
                for name, value in r["phases"].items():  # type: ignore[attr-defined]
                    phases.setdefault(name, []).append(value)
            print(f"  {edit}: page painted median {statistics.median(painted):.0f} ms (min "
                  f"{min(painted):.0f}, max {max(painted):.0f}); Playwright's check "
                  f"{statistics.median(detected):.0f} ms; rebuilds median "
                  f"{statistics.median(builds) if builds else float('nan'):.0f} ms; swapped in "
                  f"place {sum(bool(r.get('swapped')) for r in saves)} of {len(saves)}")  # fmt: skip
            print("    phases, medians: " + ", ".join(
                f"{name} {statistics.median(values):.0f}" for name, values in phases.items()))  # fmt: skip
    if against:
        for edit in edits:
            ratios = [float(str(a["painted"])) / float(str(b["painted"]))
                      for a, b in zip(results["this"][edit], results["against"][edit],
                                      strict=True)]  # fmt: skip
            print(f"  {edit}: this/against, median of the saves' ratios "
                  f"{statistics.median(ratios):.2f}")
    for worker in workers.values():  # each removes its copy of the timeline
        try:
            worker.wait(timeout=120)
        except subprocess.TimeoutExpired:
            worker.kill()


def _latency_worker(events: int) -> None:
    """serve-latency's worker: a session on its own copy of the timeline, told what to save
    on stdin, one line a save, answering each with a line of JSON (see _Latency.save)."""
    with tempfile.TemporaryDirectory() as folder:
        session = None
        try:
            for line in sys.stdin:
                if line.strip() == "start":
                    session = _Latency(Path(folder), events)
                    print(f"first build {session.first:.1f} s, {session.count} events, "
                          f"settle {session.settle * 1000:.0f} ms", flush=True)  # fmt: skip
                    continue
                assert session is not None
                edit, run = line.split()
                print(json.dumps(session.save(edit, int(run))), flush=True)
        finally:
            if session is not None:
                session.close()


# The reloaded page's navigation: when it began (wall clock, ms), and when its HTML was
# asked for and had arrived, and its first paint (ms after it began).
NAVIGATED = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  return [performance.timeOrigin, nav.requestStart, nav.responseEnd, paint.startTime];
}"""


def _phases(saved: float, seen: dict[str, list[float]], navigated: list[float]) -> dict[str, float]:
    """One save's way to the screen, each phase in ms: until the watcher reported it, until
    the build began (debounce), the build (until it signalled the reload: at its end, or once
    it had made the open page), until the page began to reload (the long poll answered),
    until it asked for its HTML, until the HTML had arrived, until it was painted."""
    begin = min(t for t in seen["begin"] if t >= saved)
    # Before the watcher reported it, the check once quiet may have found it (see Preview).
    change = min([t for t in seen["change"] if t >= saved] + [begin])
    signal = min(t for t in seen["signal"] if t >= begin)
    origin, requested, arrived, painted = navigated
    return {"watch": change - saved, "debounce": begin - change, "build": signal - begin,
            "reload": origin - signal, "to request": requested, "response": arrived - requested,
            "paint": painted - arrived}  # fmt: skip


WORDS = """
the party leader insurgency government forces province report officials said fighters
ministry tribal council sheikhs security agreement talks border militia reconciliation
amnesty warrant exile funding network cell operation district capital commander according
statement denied confirmed sources claimed interview newspaper agency cooperation
negotiations attack ambush checkpoint patrol village town market bridge weeks months later
earlier following during after before since while although
"""
VOCABULARY = WORDS.split()


def _sentence(rng: random.Random) -> str:
    words = rng.choices(VOCABULARY, k=rng.randint(8, 20))
    if rng.random() < 0.3:
        i = rng.randrange(len(words))
        words[i] = f"*{words[i]}*"
    return " ".join(words).capitalize() + "."


def _body(rng: random.Random, n_words: int, links: list[str]) -> str:
    parts: list[str] = []
    count = 0
    while count < n_words:
        kind = rng.random()
        if kind < 0.1:
            parts.append(f"## {' '.join(rng.choices(VOCABULARY, k=3)).capitalize()}")
        elif kind < 0.2:
            items = [f"- {_sentence(rng)}" for _ in range(rng.randint(2, 4))]
            parts.append("\n".join(items))
            count += sum(len(i.split()) for i in items)
        elif kind < 0.27:
            quote = _sentence(rng)
            parts.append(f"> {quote}")
            count += len(quote.split())
        else:
            paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))
            if links and rng.random() < 0.3:
                paragraph += f" See [[{rng.choice(links)}]]."
            parts.append(paragraph)
            count += len(paragraph.split())
    return "\n\n".join(parts)


def generate(root: Path, n: int, seed: int = 7) -> None:
    """A project of ``n`` events: tags, actors, places, 1-3 sources (bibliography and inline),
    approximate, uncertain and interval dates, related and [[slug]] links, 150-600 words."""
    rng = random.Random(seed)
    events = root / "events"
    if events.exists():
        shutil.rmtree(events)
    events.mkdir(parents=True)
    (root / "timeline.toml").write_text(
        'title = "Generated timeline"\nbase_url = "https://example.org/t/"\n'
        '[groups]\nInsurgency = "#b5452b"\nGovernment = "#2b6cb5"\nInternational = "#2f8a4c"\n'
    )
    tags = [f"Topic {i}" for i in range(200)]
    actors = [f"Person {i}" for i in range(500)]
    places = [f"Place {i}" for i in range(100)]
    bib = [f"src-{i}" for i in range(300)]
    (events / "_sources.yaml").write_text("".join(
        f"{key}:\n  title: \"Article {key}\"\n  publisher: \"Agency {i % 20}\"\n"
        f"  url: \"https://example.org/{key}\"\n  date: \"2007-{1 + i % 12:02d}\"\n"
        for i, key in enumerate(bib)
    ))  # fmt: skip
    slugs: list[str] = []
    for i in range(n):
        year = 1990 + (i * 30) // n
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        roll = rng.random()
        if roll < 0.12:
            date = f"{year}-{month:02d}~"
        elif roll < 0.17:
            date = f"{year}-{month:02d}-{day:02d}?"
        elif roll < 0.22:
            date = f"{year}-{month:02d}/{year}-{min(12, month + 2):02d}"
        elif roll < 0.27:
            date = f"{year}-{month:02d}"
        else:
            date = f"{year}-{month:02d}-{day:02d}"
        slug = f"event-{i:06d}"
        sources = []
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.5:
                sources.append(f"  - {rng.choice(bib)}")
            else:
                sources.append(
                    f'  - title: "Report {i}-{len(sources)}"\n'
                    f'    url: "https://example.org/r/{i}/{len(sources)}"\n'
                    f'    publisher: "Outlet {rng.randint(1, 50)}"'
                )
        related = rng.sample(slugs[-50:], k=min(len(slugs), rng.randint(0, 2)))
        lines = [
            "---",
            f'title: "Event {i}: {" ".join(rng.choices(VOCABULARY, k=5))}"',
            f'date: "{date}"',
            f"status: {rng.choice(['reported', 'reported', 'confirmed', 'disputed', 'denied'])}",
            f"group: {rng.choice(['Insurgency', 'Government', 'International'])}",
            "tags: [" + ", ".join(rng.sample(tags, rng.randint(2, 4))) + "]",
            "actors: [" + ", ".join(rng.sample(actors, rng.randint(1, 3))) + "]",
            "places: [" + ", ".join(rng.sample(places, rng.randint(1, 2))) + "]",
            "sources:",
            *sources,
        ]
        if related:
            lines.append("related: [" + ", ".join(related) + "]")
        lines += ["---", "", _body(rng, rng.randint(150, 600), slugs[-200:]), ""]
        (events / f"{year}-{month:02d}-{slug}.md").write_text("\n".join(lines))
        slugs.append(slug)


class PeakMemory:
    """Samples the memory of a process and all its descendants (from /proc): the sum of their
    proportional set sizes (PSS), where a page shared by n processes counts 1/n in each. The
    build's workers are forked and share the parent's pages copy-on-write, so summing their
    resident sizes (RSS) would count those pages once per process; both peaks are kept."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self, pid: int) -> list[int]:
        pids = [pid]
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    for child in handle.read().split():
                        pids += self._tree(int(child))
        except OSError:
            pass
        return pids

    def _sizes(self, pid: int) -> tuple[int, int]:
        """(PSS, RSS) of one process, in bytes."""
        pss = rss = 0
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        pss = int(line.split()[1]) * 1024
                    elif line.startswith("Rss:"):
                        rss = int(line.split()[1]) * 1024
        except OSError:
            pass
        return pss, rss

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            sizes = [self._sizes(p) for p in self._tree(self.pid)]
            self.peak = max(self.peak, sum(pss for pss, _ in sizes))
            self.peak_rss = max(self.peak_rss, sum(rss for _, rss in sizes))
            # The kernel walks every page of a process to tell its PSS: at several GB that
            # takes long enough to slow the build, so sample at most 10 % of the time.
            self._stop.wait(max(0.02, 9 * (time.perf_counter() - started)))

    def stop(self) -> tuple[int, int]:
        """Peak PSS and peak RSS, summed over the processes, in bytes."""
        self._stop.set()
        self._thread.join()
        return self.peak, self.peak_rss


def _timeline(
    root: Path, *args: str, memory: bool = False, code: Path | None = None
) -> tuple[float, float, tuple[int, int], str]:
    """Run `timeline build ARGS` in ``root``: wall s, CPU s (all processes), peak memory
    (PSS, RSS; bytes; (0, 0) unless ``memory``), output.

    The disk is synced first: otherwise the kernel is still writing out the last build's
    (or the generator's) files while this one runs, on the same two cores - up to 3 s of a
    10,000-event cold build on this machine. Memory is sampled only when asked: reading
    the processes' memory maps slows them (about 0.15 s of a 5 s build), so timed runs
    are never sampled."""
    os.sync()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    env = None if code is None else {**os.environ, "PYTHONPATH": str(code)}
    process = subprocess.Popen(
        [sys.executable, "-m", "timeline", "build", *args], cwd=root,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    sampler = PeakMemory(process.pid) if memory else None
    out, err = process.communicate()
    wall = time.perf_counter() - started
    peak = sampler.stop() if sampler else (0, 0)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if process.returncode != 0:
        raise SystemExit(f"build failed:\n{out}\n{err}")
    return wall, cpu, peak, out


def _write_floor(site: Path, copy: Path) -> float:
    """Seconds this disk takes, now, to create a built site's folders and files (bytes from
    memory, one process): the part of a cold build no renderer can save."""
    files = [(p.relative_to(site), p.read_bytes()) for p in site.rglob("*") if p.is_file()]
    os.sync()
    started = time.perf_counter()
    for rel, data in files:
        target = copy / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return time.perf_counter() - started


def _spread(values: list[float], unit: str = "s", scale: float = 1.0) -> str:
    values = [v * scale for v in values]
    if len(values) == 1:
        return f"{values[0]:.2f} {unit}"
    return f"{statistics.median(values):.2f} {unit} (min {min(values):.2f}, max {max(values):.2f})"


def bench_one_edit(events: int, runs: int, against: Path | None) -> None:
    """One edited event, then a new `timeline build --no-search` (issue 19.2), alternating
    with another checkout's code in each round: each code builds its own copy of the
    project (twice from nothing first, as the `build` mode's site is), then each round edits
    both copies the same way and builds each."""
    codes = {"this": REPO, **({"against": against.resolve()} if against else {})}
    cold: dict[str, list[float]] = {who: [] for who in codes}
    times: dict[str, list[float]] = {who: [] for who in codes}
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as folder:
        roots = {who: Path(folder) / who for who in codes}
        generate(roots["this"], events)
        for root in roots.values():
            if root != roots["this"]:
                shutil.copytree(roots["this"], root)
        # Full builds over the existing site (the first into an empty folder, not timed),
        # so that each copy has the site its last build replaced, as after any rebuild.
        for run in range(runs + 1):
            for who in list(codes) if run % 2 == 0 else list(reversed(codes)):
                wall = _timeline(roots[who], "--no-cache", "--no-search", code=codes[who])[0]
                if run:
                    cold[who].append(wall)
        loads.append(os.getloadavg()[0])
        for run in range(runs):
            for who in list(codes) if run % 2 == 0 else list(reversed(codes)):
                _edit(roots[who], run)
                times[who].append(_timeline(roots[who], "--no-search",
                                            code=codes[who])[0])  # fmt: skip
        loads.append(os.getloadavg()[0])
    print(f"{events} events, --no-search, {runs} rounds alternating (load average "
          f"{', '.join(f'{x:.1f}' for x in loads)} at the start, middle and end):")  # fmt: skip
    for who in codes:
        print(f"  {who:8} {codes[who]}")
        print(f"    full rebuild (--no-cache)  {_spread(cold[who])}")
        print(f"    one edited event           {_spread(times[who])}")
    if against:
        for name, figures in (("full rebuild", cold), ("one edited event", times)):
            ratios = [a / b for a, b in zip(figures["this"], figures["against"], strict=True)]
            print(f"  {name}: this/against, median of the rounds' ratios "
                  f"{statistics.median(ratios):.2f}")  # fmt: skip


def _edit(root: Path, n: int) -> Path:
    """Change one event's second paragraph, as a writer would."""
    path = sorted((root / "events").glob("*.md"))[len(list((root / "events").glob("*.md"))) // 2]
    text = path.read_text()
    path.write_text(text.replace("\n\n", f"\n\nEdited {n}. ", 2).replace(f"Edited {n}. ", "", 1))
    return path


def _retag(root: Path, n: int) -> Path:
    """File one event (a different one each time) under two other tags that others have."""
    files = sorted((root / "events").glob("*.md"))
    path = files[len(files) // 3 + 37 * n]
    text = path.read_text()
    other = _other_tags(root, text)[n % 2]
    path.write_text(TAGS_LINE.sub(f"tags: [{', '.join(other)}]", text, 1))
    return path


def bench_build(sizes: list[int], runs: int) -> None:
    """Cold, no-change, full and one-edit builds of generated timelines."""
    from timeline.build import Builder
    from timeline.config import load_config

    print(f"machine: {os.cpu_count()} cores; each figure is the median of {runs} runs")
    for n in sizes:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            generate(root, n)
            cold, cpu, peak, peak_rss, floor = [], [], [], [], []
            for run in range(runs):
                # Each cold build into a new empty folder, old ones deleted only afterwards:
                # on this machine's ext4, creating files right after deleting tens of
                # thousands is several times slower (see docs/performance.md).
                out = f"cold-{run}"
                wall, used, _, _ = _timeline(root, "--no-cache", "--no-search", "--out", out)
                cold.append(wall)
                cpu.append(used)
                floor.append(_write_floor(root / out, root / f"floor-{run}"))
                most = _timeline(root, "--no-cache", "--no-search", "--out", f"memory-{run}",
                                 memory=True)[2]  # fmt: skip
                peak.append(most[0])
                peak_rss.append(most[1])
            for run in range(runs):
                for folder in ("cold", "floor", "memory"):
                    shutil.rmtree(root / f"{folder}-{run}")
            in_memory = []  # the same into tmpfs: the build's own speed, whatever the disk's
            if MEMORY_FOLDER.is_dir():
                for _ in range(runs):
                    with tempfile.TemporaryDirectory(dir=MEMORY_FOLDER) as out:
                        args = ("--no-cache", "--no-search", "--out", f"{out}/site")
                        in_memory.append(_timeline(root, *args)[0])
            _timeline(root, "--no-cache", "--no-search")  # the site the next figures start from
            nochange = [_timeline(root, "--no-search")[0] for _ in range(runs)]
            full = [_timeline(root, "--no-cache", "--no-search")[0] for _ in range(runs)]
            edited = []
            for run in range(runs):
                _edit(root, run)
                edited.append(_timeline(root, "--no-search")[0])
            # As `timeline serve` does: previews are served from the root, without feeds or
            # data files.
            config = load_config(root)[0].with_overrides(base_url="")
            builder = Builder(config, data_files=False, workers=os.cpu_count() or 1, remember=True)
            builder.build()
            gc.freeze()  # as `timeline serve` does after each build
            served = []
            for run in range(runs + 2):
                _edit(root, 100 + run)
                started = time.perf_counter()
                result = builder.update()
                served.append(time.perf_counter() - started)
                gc.freeze()
            refiled = []  # an event filed under other tags, each time another event
            for run in range(runs + 2):
                _retag(root, run)
                started = time.perf_counter()
                retagged = builder.update()
                refiled.append(time.perf_counter() - started)
                gc.freeze()
            pages = sum(1 for _ in (root / "site").rglob("*.html"))
            biggest = max(p.stat().st_size for p in (root / "site").rglob("*.html"))
            print(f"\n{n} events, {pages} pages (largest {biggest / 1e6:.2f} MB), --no-search:")
            print(f"  cold build            {_spread(cold)}  CPU {_spread(cpu)}")
            if in_memory:
                print(f"  cold build into tmpfs {_spread(in_memory)} (output in {MEMORY_FOLDER})")
            print(f"  disk alone            {_spread(floor)} to write the same folders and files "
                  "(one process, right after each cold build)")  # fmt: skip
            print(f"  events per second     {n / statistics.median(cold):.0f}")
            print(f"  peak memory           {_spread(peak, 'MB', 1e-6)} (PSS, all processes; "
                  f"summed RSS {_spread(peak_rss, 'MB', 1e-6)})")  # fmt: skip
            print(f"  no-change rebuild     {_spread(nochange)}")
            print(f"  full rebuild          {_spread(full)} (--no-cache over the existing site)")
            print(f"  one edited event      {_spread(edited)} (a new `timeline build`)")
            print(f"  one edited event      {_spread(served, 'ms', 1000)} in a running Builder "
                  f"(serve), {sum(result.rendered.values())} pages re-rendered")  # fmt: skip
            print(f"  one event's tags      {_spread(refiled, 'ms', 1000)} in a running Builder "
                  f"(serve), {sum(retagged.rendered.values())} pages re-rendered")  # fmt: skip
            del builder  # Pagefind needs the memory: about 17 GB for 100,000 pages
            gc.collect()
            searched = _timeline(root, "--no-cache", "-v")[3]
            step = [p for p in searched.split(", ") if p.strip().startswith("search ")]
            print(f"  search index          {step[0].strip() if step else '?'} (Pagefind, on its own;"
                  " not in the figures above)")  # fmt: skip


def _rss() -> int:
    """This process's resident memory now, in bytes (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


WARM_UP = 20  # edits after which serve's caches of list entries hold most of the site


def serve_memory(events: int, edits: int) -> None:
    """A running Builder, as `timeline serve` keeps one, over ``edits`` title edits: it
    must not keep what each update replaced."""
    from timeline.build import Builder
    from timeline.config import load_config
    from timeline.memory import one_arena

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        generate(root, events)
        config = load_config(root)[0].with_overrides(base_url="")
        if os.environ.get("TIMELINE_ARENAS") != "many":  # the allocator as serve's, or glibc's own
            one_arena()  # as Preview does
        builder = Builder(config, data_files=False, workers=os.cpu_count() or 1, remember=True)
        builder.build()
        gc.freeze()  # as `timeline serve` does after each build
        paths = sorted((root / "events").glob("*.md"))
        start = warm = _rss()
        times = []
        print(f"{events} events: {start / 1e6:.0f} MB after the first build")
        for n in range(1, edits + 1):
            path = paths[(n * 7919) % len(paths)]  # a different event each time
            text = path.read_text()
            path.write_text(re.sub(r'^title: "(.*)"$', lambda m, n=n: f'title: "{m[1]} ({n})"', text,
                                   count=1, flags=re.MULTILINE))  # fmt: skip
            started = time.perf_counter()
            builder.update()
            times.append(time.perf_counter() - started)
            gc.freeze()
            if n == WARM_UP:
                warm = _rss()
            if n % 20 == 0:
                print(f"  after {n:4d} edits: {_rss() / 1e6:.0f} MB")
        growth, later = (_rss() - start) / 1e6, (_rss() - warm) / 1e6
        print(f"grew {growth:+.1f} MB over {edits} title edits, {later:+.1f} MB after the first "
              f"{WARM_UP} (which fill the list-entry caches the first build's workers kept); "
              f"an update took {_spread(times, 'ms', 1000)}")  # fmt: skip


# One step of the overview per animation frame, as a wheel or a drag gives them: what the step
# cost (the script's redraw plus a forced style and layout) and how long its frame lasted.
OVERVIEW_STEPS = """async ([kind, count]) => {
  const chart = document.querySelector("figure.chart").chart;
  const svg = chart.svg, costs = [], frames = [], units = new Set();
  const frame = () => new Promise((done) => requestAnimationFrame(done));
  let last = await frame();
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    if (kind === "zoom-in") { chart.zoom(1.25, svg.clientWidth / 2); }
    else if (kind === "zoom-out") { chart.zoom(0.8, svg.clientWidth / 2); }
    else { chart.pan(i % 40 < 20 ? 40 : -40); }
    svg.getBoundingClientRect(); getComputedStyle(svg.lastChild || svg).fill;
    costs.push(performance.now() - start);
    units.add(svg.getAttribute("data-unit"));
    const now = await frame();
    frames.push(now - last);
    last = now;
  }
  return {costs, frames, units: [...units]};
}"""


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (f"median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, "
            f"max {ordered[-1]:.1f} ms")  # fmt: skip


def bench_overview(events: int, runs: int) -> None:
    """The index's overview at ``events`` events, in Chromium: weight, first draw, steps."""
    from playwright.sync_api import sync_playwright

    from tests.conftest import static_server

    with tempfile.TemporaryDirectory(dir=MEMORY_FOLDER if MEMORY_FOLDER.exists() else None) as d:
        root = Path(d)
        generate(root, events)
        site = root / "site"
        build = subprocess.run([sys.executable, "-m", "timeline", "build", "--no-search", "--out",
                                str(site)], cwd=root, capture_output=True, text=True)  # fmt: skip
        assert build.returncode == 0, build.stderr or build.stdout
        assets = ["index.html", "static/style.css", "static/words.js", "static/filters.js",
                  *(p.relative_to(site).as_posix() for p in sorted(site.glob("static/chart*.js"))),
                  *(["overview-data.js"] if (site / "overview-data.js").exists() else [])]
        weight = sum((site / p).stat().st_size for p in assets)
        print(f"overview of {events} generated events: the index page with its CSS and scripts "
              f"weighs {weight / 1e6:.2f} MB (before compression)")  # fmt: skip
        firsts: list[float] = []
        steps: dict[str, list[float]] = {"zoom-in": [], "zoom-out": [], "pan": []}
        frames: dict[str, list[float]] = {"zoom-in": [], "zoom-out": [], "pan": []}
        levels: set[str] = set()
        with static_server(site) as url, sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            for _ in range(runs):
                page.goto(url)
                page.wait_for_function("document.querySelector('figure.chart').chart")
                firsts.append(page.evaluate(
                    "performance.getEntriesByName('timeline-overview')[0].duration"))  # fmt: skip
                # whole timeline -> about a week (1.25 a step), panning at each depth, and back
                for kind, count in (("zoom-in", 48), ("pan", 40), ("zoom-out", 48)):
                    got = page.evaluate(OVERVIEW_STEPS, [kind, count])
                    steps[kind] += got["costs"]
                    frames[kind] += got["frames"]
                    levels.update(got["units"])
                page.evaluate("document.querySelector('figure.chart').chart.show(7300, 7400)")
                got = page.evaluate(OVERVIEW_STEPS, ["pan", 40])  # pan among marks
                steps["pan"] += got["costs"]
                frames["pan"] += got["frames"]
            browser.close()
    print(f"  first draw (parse the data, draw the whole timeline): {_ms(firsts)} over {runs} "
          "page loads")
    for kind in steps:
        print(f"  {kind} step: script + layout {_ms(steps[kind])}; frame {_ms(frames[kind])} "
              f"({len(steps[kind])} steps)")
    print(f"  axis units met: {', '.join(sorted(levels))}")


def _edits(value: str) -> tuple[str, ...]:
    edits = tuple(value.split(","))
    if not edits or any(e not in ("title", "body", "date", "tags") for e in edits):
        raise argparse.ArgumentTypeError("title, body, date or tags, or several with commas")
    return edits


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    latency = sub.add_parser("serve-latency", help="save -> browser updated, on the sample")
    latency.add_argument("--runs", type=int, default=15)
    latency.add_argument(
        "--edit", default="title", type=_edits,
        help="what each save changes, title, body, date or tags, or several in turn in one "
             "session (body,title,date,tags)",
    )  # fmt: skip
    latency.add_argument(
        "--events",
        type=int,
        default=0,
        help="a generated timeline of this many events (default: the sample)",
    )
    latency.add_argument("--against", type=Path, default=None,
                         help="another checkout (its top folder): it serves its own copy, and "
                              "each save is made in both in turn")  # fmt: skip
    worker = sub.add_parser("serve-latency-worker", help=argparse.SUPPRESS)
    worker.add_argument("--events", type=int, default=0)
    memory = sub.add_parser("serve-memory", help="memory of a running Builder over many edits")
    memory.add_argument("--events", type=int, default=2000)
    memory.add_argument("--edits", type=int, default=200)
    builds = sub.add_parser("build", help="build timings on generated timelines")
    builds.add_argument("--sizes", default="1000,10000", help="e.g. 1000,10000,100000")
    builds.add_argument("--runs", type=int, default=3)
    chart = sub.add_parser("overview", help="the index's overview in Chromium at scale")
    chart.add_argument("--events", type=int, default=10000)
    chart.add_argument("--runs", type=int, default=5)
    hugo = sub.add_parser("hugo", help="cold builds alternating with Hugo's, same events")
    hugo.add_argument("--events", type=int, default=10000)
    hugo.add_argument("--pairs", type=int, default=5)
    hugo.add_argument("--against", type=Path, default=None,
                      help="another checkout (its top folder): its build runs in each round too")
    edits = sub.add_parser("one-edit", help="one edited event then a new build, alternating")
    edits.add_argument("--events", type=int, default=10000)
    edits.add_argument("--runs", type=int, default=5)
    edits.add_argument("--against", type=Path, default=None,
                       help="another checkout (its top folder): its build in each round too")
    corpus = sub.add_parser("generate", help="write a generated N-event project into DIR")
    corpus.add_argument("n", type=int)
    corpus.add_argument("dir", type=Path)
    args = parser.parse_args()
    if args.command == "serve-latency":
        serve_latency(args.runs, args.events, args.edit, args.against)
    elif args.command == "serve-latency-worker":
        _latency_worker(args.events)
    elif args.command == "serve-memory":
        serve_memory(args.events, args.edits)
    elif args.command == "build":
        bench_build([int(n) for n in args.sizes.split(",")], args.runs)
    elif args.command == "overview":
        bench_overview(args.events, args.runs)
    elif args.command == "hugo":
        from hugo_compare import compare  # tests/ is this script's folder: on sys.path

        compare(args.events, args.pairs, generate, args.against)
    elif args.command == "one-edit":
        bench_one_edit(args.events, args.runs, args.against)
    elif args.command == "generate":
        generate(args.dir, args.n)


if __name__ == "__main__":
    main()
