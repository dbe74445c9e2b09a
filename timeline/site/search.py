"""Static full-text search: a Pagefind index (``pagefind[bin]`` from PyPI, run locally).

Event pages mark their text with ``data-pagefind-body`` and their tags, actors, places,
status and year as filters; the theme's own ``static/search.js`` queries the index through
Pagefind's JS API. The index is built into the build's staging folder (see site.output), so
a failed index leaves the published site as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from timeline.errors import TimelineError

FOLDER = "pagefind"
PARTIAL = f"{FOLDER}.partial"

# Pagefind started so that it dies with the build (Linux's PR_SET_PDEATHSIG survives the
# exec of the binary that ``python -m pagefind`` does): a killed build leaves nothing running.
_LAUNCH = """\
import ctypes, os, runpy, signal, sys
try:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)
except (OSError, AttributeError):
    pass
if os.getppid() != int(sys.argv.pop(1)):
    sys.exit(1)
runpy.run_module("pagefind", run_name="__main__", alter_sys=True)
"""


class SearchError(TimelineError):
    """Pagefind failed; the pages are built, the search index is not."""


def build_index(site: Path) -> float:
    """Index the built site in ``site``; return the seconds it took."""
    started = time.perf_counter()
    partial = site / PARTIAL
    shutil.rmtree(partial, ignore_errors=True)
    result = subprocess.run(
        [sys.executable, "-c", _LAUNCH, str(os.getpid()), "--site", str(site),
         "--output-subdir", PARTIAL, "--silent"],
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
