"""Every page of a project rendered in one process, nothing written (not part of the tests).

    python tests/render_pages.py ROOT [--rounds 3] [--against CHECKOUT]

ROOT: a project, e.g. one made by `python tests/benchmark.py generate 10000 DIR`. The pages
are rendered in the order a two-worker build's shares and runs give them (``site.schedule``,
list entries forgotten at each change of kind, as a worker does), one share after the other,
so that what is measured is the renderer's CPU and nothing else: no forks, no files. Prints
the CPU seconds of each kind of page and of all of them, and a digest of every page's path
and text. With --against, this checkout's code and CHECKOUT's (each run as a new process with
its code on PYTHONPATH) alternate for --rounds rounds, the order reversed every other round:
the medians of their CPU, their ratio, and whether every page came out the same.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def render_all(root: Path) -> tuple[dict[str, tuple[int, float]], float, str]:
    """(template -> pages, CPU s), all pages' CPU s and the digest, for the code imported."""
    from timeline.build import Builder

    try:  # where it lives since the build's split (issue 15.5), and before it
        from timeline.site.shares import render_page as _render
    except ImportError:
        from timeline.build import _render  # type: ignore[attr-defined,no-redef]
    from timeline.config import load_config
    from timeline.parallel import few_collections
    from timeline.site.schedule import schedule

    config, _ = load_config(root)
    seconds: Counter[str] = Counter()
    pages: Counter[str] = Counter()
    digest = hashlib.blake2b()
    with few_collections():
        builder = Builder(config, workers=1, keep=True)
        make = getattr(builder, "renderer", None) or builder._renderer  # the name before 15.5
        renderer = make(builder.collect(1))
        keys = renderer.keys()
        started = time.process_time()
        for share in schedule(keys, renderer.cost, 2):
            kind: type | None = None
            for key in share:
                if type(key) is not kind:
                    renderer.forget_entries()
                    kind = type(key)
                begun = time.process_time()
                spec = renderer.spec(key)
                if spec.template == "@data":
                    out = io.BytesIO()
                    renderer.write_data(spec, out)
                    text = out.getvalue()
                else:
                    text = _render(renderer, spec).encode()
                seconds[spec.template] += time.process_time() - begun
                pages[spec.template] += 1
                digest.update(spec.path.encode() + b"\0" + text + b"\0")
        total = time.process_time() - started
    return {k: (pages[k], seconds[k]) for k in pages}, total, digest.hexdigest()[:32]


def _run(code: Path, root: Path) -> tuple[float, str]:
    """All pages' CPU s and the digest, by ``code``'s checkout in a new process."""
    out = subprocess.run(
        [sys.executable, __file__, str(root)], check=True, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(code)},
    ).stdout.split()  # fmt: skip
    return float(out[-4]), out[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--against", type=Path, default=None)
    args = parser.parse_args()
    if args.against is None:
        by_kind, total, digest = render_all(args.root.resolve())
        for template, (count, cpu) in sorted(by_kind.items(), key=lambda kv: -kv[1][1]):
            print(f"{template:16} {count:6} pages {cpu:7.3f} s {1e6 * cpu / count:10.1f} us a page")
        print(f"all pages: CPU {total:.3f} s digest {digest}")
        return
    codes = {"this": HERE, "other": args.against.resolve()}
    cpu: dict[str, list[float]] = {"this": [], "other": []}
    digests: set[str] = set()
    for n in range(args.rounds):
        for name in ("this", "other") if n % 2 == 0 else ("other", "this"):
            seconds, digest = _run(codes[name], args.root.resolve())
            cpu[name].append(seconds)
            digests.add(digest)
            load = os.getloadavg()[0]
            print(f"  round {n + 1}: {name} {seconds:.3f} s CPU (load {load:.1f})", flush=True)
    this, other = statistics.median(cpu["this"]), statistics.median(cpu["other"])
    print(
        f"this {this:.3f} s ({min(cpu['this']):.3f}-{max(cpu['this']):.3f}), other "
        f"{other:.3f} s ({min(cpu['other']):.3f}-{max(cpu['other']):.3f}): ratio "
        f"{this / other:.3f}; pages {'the same' if len(digests) == 1 else 'DIFFERENT'}"
    )


if __name__ == "__main__":
    main()
