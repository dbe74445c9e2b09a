"""Static full-text search: a Pagefind index (``pagefind[bin]`` from PyPI, run locally).

Event pages mark their text with ``data-pagefind-body`` and their tags, actors, places,
status and year as filters; the theme's own ``static/search.js`` queries the index through
Pagefind's JS API. The index is built into the build's staging folder (see site.publication), so
a failed index leaves the published site as it was.

Pagefind reads only the folders that hold a page it indexes (at 10,000 events the list
pages are over half the site's HTML, and reading them took half of Pagefind's time), and
it is not run at all when no page's searchable text changed since the last build: each
indexed page's text is digested as it is written (``page_digest``), and the last build's
index is hard-linked into the new site when the digests are the same and its files are
untouched.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
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


_BODY = "data-pagefind-body"
_IGNORE = "data-pagefind-ignore"
_ATTRIBUTE = re.compile(r'data-pagefind-[a-z-]+(?:="[^"]*")?')
_HEAD = re.compile(r"<html\b[^>]*>|<title>.*?</title>", re.S)
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})  # fmt: skip


def page_digest(page: str, *, raw_html: bool) -> bytes | None:
    """A digest of what Pagefind reads of a built page, None for a page it does not index.

    What is digested holds all Pagefind reads, and more: the page's ``<html>`` tag and
    title, every ``data-pagefind-*`` attribute anywhere, and the indexed element without
    the elements it ignores (the lists of related events, sources, neighbours). With
    ``raw_html`` (authors' HTML let through, whose tags need not balance) nothing is left
    out after the indexed element starts."""
    at = page.find(_BODY)
    if at < 0:
        return None
    start = page.rfind("<", 0, at)
    digest = hashlib.blake2b(digest_size=16)
    for part in (*_HEAD.findall(page, 0, start), *_ATTRIBUTE.findall(page)):
        digest.update(part.encode() + b"\0")
    region = page[start:]
    if not raw_html and (opening := _OPENING.match(region)):
        end = _element_end(region, opening)
        region = _without_ignored(region[:end] if end else region)
    digest.update(region.encode())
    return digest.digest()


_OPENING = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*>")


def _without_ignored(region: str) -> str:
    """``region`` without its elements marked ``data-pagefind-ignore`` (the rest kept
    where a mark is not in a tag or an element's end is not found)."""
    kept: list[str] = []
    at = 0
    while (mark := region.find(_IGNORE, at)) >= 0:
        start = region.rfind("<", at, mark)
        opening = _OPENING.match(region, start) if start >= 0 else None
        if opening is None or opening.end() <= mark:
            break  # the words in text, not an attribute
        end = _element_end(region, opening)
        if end is None:
            break
        kept.append(region[at:start])
        at = end
    kept.append(region[at:])
    return "".join(kept)


def _element_end(text: str, opening: re.Match[str]) -> int | None:
    """Where the element that ``opening`` starts ends in ``text`` (after its closing tag),
    counting the elements of the same name inside it; None if it never closes."""
    name = opening[1].lower()
    if name in _VOID or opening[0].endswith("/>"):
        return opening.end()
    depth = 1
    for tag in _same_name(name).finditer(text, opening.end()):
        depth += -1 if tag[1] else 1
        if depth == 0:
            return tag.end()
    return None


@cache
def _same_name(name: str) -> re.Pattern[str]:
    return re.compile(rf"<(/?){re.escape(name)}(?=[\s>/])[^>]*>", re.IGNORECASE)


def fingerprint(digests: Mapping[str, bytes]) -> str:
    """One digest of every indexed page's (``page_digest`` by file) and of the Pagefind
    that indexes them: equal fingerprints, equal indexes."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(_pagefind_version().encode() + b"\0")
    for rel in sorted(digests):
        digest.update(rel.encode() + b"\0" + digests[rel])
    return digest.hexdigest()


def _pagefind_version() -> str:
    try:
        return version("pagefind")
    except PackageNotFoundError:
        return "?"


def files_glob(pages: Mapping[str, bytes]) -> str:
    """A Pagefind ``--glob`` reading only the top folders (and top files) that hold
    ``pages``, the indexed pages by file."""
    tops = sorted({rel.split("/", 1)[0] + ("/**/*.html" if "/" in rel else "") for rel in pages})
    return tops[0] if len(tops) == 1 else "{" + ",".join(tops) + "}"


@dataclass(frozen=True)
class Index:
    """A search index put in a staged site."""

    fingerprint: str  # of the pages indexed
    seconds: float
    kept: bool  # the last build's, linked: no indexed page's text changed


def make_index(
    site: Path, pages: Mapping[str, bytes], previous: Path | None, last: str | None
) -> Index:
    """The search index of the site staged in ``site``, whose indexed pages are ``pages``
    (their page_digest by file): the last build's (``last``: its fingerprint), linked from
    ``previous``, where no indexed page's text changed; else made by Pagefind."""
    made = fingerprint(pages)
    if previous is not None and last == made:
        try:
            return Index(made, keep_index(previous, site), kept=True)
        except OSError:  # no hard links here: index again
            shutil.rmtree(site / FOLDER, ignore_errors=True)
    return Index(made, build_index(site, files_glob(pages) if pages else None), kept=False)


def keep_index(previous: Path, site: Path) -> float:
    """The last build's index (in ``previous``, the site being replaced) hard-linked into
    ``site``; return the seconds it took. Raises OSError where links cannot be made."""
    started = time.perf_counter()
    old = previous / FOLDER
    for folder, _, names in os.walk(old):
        rel = Path(folder).relative_to(old)
        (site / FOLDER / rel).mkdir(exist_ok=True)
        for name in names:
            os.link(Path(folder, name), site / FOLDER / rel / name, follow_symlinks=False)
    return time.perf_counter() - started


def build_index(site: Path, glob: str | None = None) -> float:
    """Index the built site in ``site`` (the HTML files ``glob`` matches: all without it);
    return the seconds it took."""
    started = time.perf_counter()
    partial = site / PARTIAL
    shutil.rmtree(partial, ignore_errors=True)
    result = subprocess.run(
        [sys.executable, "-c", _LAUNCH, str(os.getpid()), "--site", str(site),
         *(("--glob", glob) if glob else ()), "--output-subdir", PARTIAL, "--silent"],
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
