"""Writing the site (file I/O at the edge), so that a failed build changes nothing.

A first build writes into a staging folder beside the output (``.site.partial-PID``) and
renames it into place. Later builds update the output in place but in two steps: every new or
changed page is first written beside its old version under a temporary name
(``.index.html.timeline-partial``), unchanged pages are not written at all; only when every
page is ready does ``commit`` rename them over the old ones and delete pages that no longer
exist. A build that fails or is interrupted before the commit leaves the site as it was.
"""

from __future__ import annotations

import filecmp
import os
import shutil
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TextIO

from timeline.errors import UsageError


class OutputPathError(UsageError):
    """A page would be written outside the output folder, or twice."""


PARTIAL = ".timeline-partial"
KEEP_PREFIX = ".timeline-build"  # the build cache's record, see timeline.cache
KEEP_FOLDERS = ("pagefind", "pagefind.partial")  # the search index, see timeline.site.search


def _partial(target: Path) -> Path:
    return target.with_name(f".{target.name}{PARTIAL}")


class SiteWriter:
    """Writes pages under one folder, refusing unsafe paths and a second write to a path.

    In place (``stage=True``), a page whose bytes are unchanged is not written, and a changed
    one is written to a temporary name for ``commit`` to rename.
    """

    def __init__(self, folder: Path, *, stage: bool = False) -> None:
        self.folder = folder
        self.stage = stage
        self.written: set[str] = set()
        self.changed: list[str] = []
        self.stats: dict[str, tuple[int, int]] = {}  # file -> (size, mtime) once committed

    def _remember(self, rel: str, st: os.stat_result) -> None:
        """A written file's size and time, for the build cache (a later rename keeps both)."""
        self.stats[rel] = (st.st_size, st.st_mtime_ns)

    def _target(self, rel: str) -> Path:
        pure = PurePosixPath(rel)
        if pure.is_absolute() or not pure.parts or any(p in ("", ".", "..") for p in pure.parts):
            raise OutputPathError(f"refusing to write {rel!r}: not a plain path inside the site")
        key = rel.casefold()
        if key in self.written:
            raise OutputPathError(f"two pages want the same output file {rel!r}")
        self.written.add(key)
        target = self.folder.joinpath(*pure.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write(self, rel: str, content: str | bytes) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = self._target(rel)
        if self.stage:
            try:
                st = target.stat()
                if st.st_size == len(data) and target.read_bytes() == data:
                    self._remember(rel, st)
                    return
            except OSError:
                pass
            target = _partial(target)
        with open(target, "wb") as handle:
            handle.write(data)
            handle.flush()
            self._remember(rel, os.fstat(handle.fileno()))
        self.changed.append(rel)

    def write_stream(self, rel: str, produce: Callable[[TextIO], None]) -> None:
        """Write a large text file piece by piece (the timeline as data)."""
        target = self._target(rel)
        destination = _partial(target) if self.stage else target
        with destination.open("w", encoding="utf-8", newline="\n") as handle:
            produce(handle)
        if self.stage and target.is_file() and filecmp.cmp(destination, target, shallow=False):
            destination.unlink()
            destination = target
        else:
            self.changed.append(rel)
        self._remember(rel, destination.stat())

    def copy(self, rel: str, source: Path) -> None:
        if self.stage:
            self.write(rel, source.read_bytes())
        else:
            target = self._target(rel)
            shutil.copyfile(source, target)
            self._remember(rel, target.stat())
            self.changed.append(rel)


def staging_folder(output: Path) -> Path:
    """A fresh, empty folder beside ``output`` to build into."""
    staging = output.parent / f".{output.name}.partial-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    return staging


def check_replaceable(output: Path) -> None:
    """Refuse to replace a folder that is not a previous build (e.g. ``--out ~``)."""
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise UsageError(f"{output} is not a folder; choose another --out")
    if output.is_dir() and any(output.iterdir()) and not (output / "index.html").is_file():
        raise UsageError(
            f"{output} is not empty and does not look like a Timeline build (no index.html); "
            "empty it or choose another --out"
        )


def publish(staging: Path, output: Path) -> None:
    """Replace ``output`` with ``staging`` whole: no stale pages survive a rebuild."""
    old = output.parent / f".{output.name}.old-{os.getpid()}"
    if old.exists():
        shutil.rmtree(old)
    if output.exists():
        output.rename(old)
    staging.rename(output)
    if old.exists():
        shutil.rmtree(old)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def commit(folder: Path, changed: list[str], keep: set[str]) -> list[str]:
    """Rename staged pages into place, then delete what the new site no longer has."""
    for rel in changed:
        target = folder.joinpath(*rel.split("/"))
        os.replace(_partial(target), target)
    return sweep(folder, keep)


def sweep(folder: Path, keep: set[str] | None = None) -> list[str]:
    """Delete staged leftovers, files not in ``keep`` (if given), and emptied folders."""
    deleted = []
    for current, _dirs, files in os.walk(folder, topdown=False):
        here = Path(current)
        for name in files:
            path = here / name
            rel = path.relative_to(folder).as_posix()
            if name.startswith(KEEP_PREFIX) or rel.split("/", 1)[0] in KEEP_FOLDERS:
                continue
            if name.endswith(PARTIAL) or (keep is not None and rel not in keep):
                path.unlink()
                if not name.endswith(PARTIAL):
                    deleted.append(rel)
        if here != folder and not any(here.iterdir()) and here.name not in KEEP_FOLDERS:
            here.rmdir()
    return sorted(deleted)


def replace_file(output: Path, rel: str, data: bytes) -> bool:
    """Replace one file of a served site atomically, unless it already holds ``data``
    (``timeline serve``'s rebuilds: the server holds requests meanwhile, so no commit step)."""
    target = output.joinpath(*rel.split("/"))
    try:
        if target.stat().st_size == len(data) and target.read_bytes() == data:
            return False
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = _partial(target)  # a leftover is swept by the next build
    temporary.write_bytes(data)
    os.replace(temporary, target)
    return True


def remove_file(output: Path, rel: str) -> None:
    """Delete a page that no longer exists, and the folders it leaves empty."""
    target = output.joinpath(*rel.split("/"))
    target.unlink(missing_ok=True)
    folder = target.parent
    while folder != output and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
