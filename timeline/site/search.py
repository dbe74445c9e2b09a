"""Static full-text search: a Pagefind index (``pagefind[bin]`` from PyPI, run locally).

Event pages mark their text with ``data-pagefind-body`` and their tags, actors, places,
status and year as filters; the theme's own ``static/search.js`` queries the index through
Pagefind's JS API. The index is built into ``pagefind.partial/`` inside the output folder and
then swapped in for ``pagefind/``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from timeline.errors import TimelineError

FOLDER = "pagefind"
PARTIAL = f"{FOLDER}.partial"


class SearchError(TimelineError):
    """Pagefind failed; the pages are built, the search index is not."""


def build_index(site: Path) -> float:
    """Index the built site in ``site``; return the seconds it took."""
    started = time.perf_counter()
    partial = site / PARTIAL
    shutil.rmtree(partial, ignore_errors=True)
    result = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", PARTIAL,
         "--silent"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0 or not partial.is_dir():
        shutil.rmtree(partial, ignore_errors=True)
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        if result.returncode < 0:  # killed: at 100,000 pages Pagefind needs some 17 GB
            detail = [f"Pagefind was stopped by signal {-result.returncode} (out of memory?)"]
        raise SearchError(f"the search index could not be built: {detail[0]}")
    old = site / FOLDER
    if old.exists():
        shutil.rmtree(old)
    partial.rename(old)
    return time.perf_counter() - started
