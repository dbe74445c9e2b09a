"""Benchmarks (not part of the test run): python tests/benchmark.py --help.

Speed is measured here, never in unit tests. Machines are shared and noisy, so every figure is
the median of several runs, with the spread shown.

    python tests/benchmark.py serve-latency [--runs 15]
        save -> page updated in a real Chromium tab, on a copy of the sample timeline
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def serve_latency(runs: int) -> None:
    """Median time from writing an event file to the open page showing the change."""
    from playwright.sync_api import sync_playwright

    from timeline.config import load_config
    from timeline.serving.server import Preview
    from timeline.serving.watch import DEBOUNCE

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(REPO / "events", root / "events")
        config = load_config(REPO)[0]
        (root / "timeline.toml").write_text(f'title = "{config.title}"\n')

        def load():  # type: ignore[no-untyped-def]
            return load_config(root)[0]

        reports: list[str] = []
        preview = Preview(load(), load=load, port=0, report=reports.append)
        preview.start()
        target = root / "events" / "2007-08-22-douri-severs-ties.md"
        original = target.read_text()
        timings = []
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page()
            page.goto(f"{preview.server.url}events/douri-severs-ties/")
            for run in range(runs):
                title = f"Edited title {run}"
                page.wait_for_timeout(300)  # let the reload poll settle between runs
                started = time.perf_counter()
                target.write_text(original.replace(
                    "Al-Douri reportedly decides to sever ties with al-Qaeda", title))  # fmt: skip
                page.wait_for_function(
                    "t => document.querySelector('h1') && "
                    "document.querySelector('h1').textContent === t",
                    arg=title,
                    polling="raf",
                    timeout=10_000,
                )
                timings.append((time.perf_counter() - started) * 1000)
            browser.close()
        preview.stop()
    print(
        f"serve: save -> page updated, {runs} runs on the sample ({len(list((REPO / 'events').glob('*.md')))} events)"
    )
    print(f"  median {statistics.median(timings):.0f} ms, min {min(timings):.0f} ms, "
          f"max {max(timings):.0f} ms")  # fmt: skip
    builds = [float(r.split()[2]) for r in reports[1:] if r.startswith("Built in")]
    print(f"  of which rebuilding: median {statistics.median(builds):.0f} ms "
          f"(after a {DEBOUNCE * 1000:.0f} ms debounce)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    latency = sub.add_parser("serve-latency", help="save -> browser updated, on the sample")
    latency.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    if args.command == "serve-latency":
        serve_latency(args.runs)


if __name__ == "__main__":
    main()
