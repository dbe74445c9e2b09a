"""Writing the site's files (file I/O at the edge): ``SiteWriter`` fills a build's staging
folder, linking each page whose bytes are unchanged from the old site (neither rendered
twice nor rewritten) and writing the others; ``site.publication`` swaps the staging folder in.
``timeline serve`` updates its own folder file by file instead (``replace_file``): the server
holds requests meanwhile, so it never serves a half-updated site.
"""

from __future__ import annotations

import filecmp
import os
import stat
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import BinaryIO, TypeVar

from timeline import files
from timeline.errors import TimelineError, UsageError

T = TypeVar("T")


class OutputPathError(UsageError):
    """A page would be written outside the output folder, or twice."""


class WriteError(TimelineError):
    """The site could not be written (a full or read-only disk, a folder in the way...)."""




class SiteWriter:
    """Writes pages under one new folder, refusing unsafe paths and a second write to a path.

    With ``previous`` (the site being replaced), a page whose bytes are those of the old
    page is hard-linked from it instead of written. Paths are plain strings: a large site
    has tens of thousands of files, and pathlib's objects cost more than the writes.
    """

    def __init__(self, folder: Path, *, previous: Path | None = None) -> None:
        self.folder = folder
        self.previous = previous
        self.written: set[str] = set()
        self.changed: list[str] = []
        self.stats: dict[str, tuple[int, int]] = {}  # file -> (size, mtime) as published
        self._root = os.fspath(folder)
        self._folders: set[str] = set()  # the folders made (or found) so far, relative

    def _remember(self, rel: str, st: os.stat_result) -> None:
        """A written file's size and time, for the build cache (a later rename keeps both)."""
        self.stats[rel] = (st.st_size, st.st_mtime_ns)

    def _target(self, rel: str) -> str:
        """Where ``rel`` goes, its folders made."""
        parts = rel.split("/")
        if any(part in ("", ".", "..") for part in parts):
            raise OutputPathError(f"refusing to write {rel!r}: not a plain path inside the site")
        key = rel.casefold()
        if key in self.written:
            raise OutputPathError(f"two pages want the same output file {rel!r}")
        self.written.add(key)
        parent = rel.rpartition("/")[0]
        if parent and parent not in self._folders:
            made = ""
            for part in parts[:-1]:  # each level once, checked to be a real folder
                made = f"{made}/{part}" if made else part
                if made not in self._folders:
                    files.make_one_folder(f"{self._root}/{made}")
                    self._folders.add(made)
        return f"{self._root}/{rel}"

    def _old(self, rel: str, size: int) -> tuple[str, os.stat_result] | None:
        """The previous site's file at ``rel``, if it is a regular file of ``size`` bytes."""
        if self.previous is None:
            return None
        old = f"{os.fspath(self.previous)}/{rel}"
        try:
            st = os.lstat(old)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode) or st.st_size != size:
            return None
        return old, st

    def _link(self, old: str, target: str) -> bool:
        """Hard-link an unchanged page from the previous site; False where links fail."""
        try:
            os.link(old, target, follow_symlinks=False)
        except OSError:
            return False
        return True

    def write(self, rel: str, content: str | bytes) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = self._target(rel)
        found = self._old(rel, len(data))
        if found is not None:
            old, st = found
            try:
                same = files.read_regular(old, follow=False) == data
            except OSError:
                same = False
            if same and self._link(old, target):
                self._remember(rel, st)
                return
        self._remember(rel, files.create(target, data))
        self.changed.append(rel)

    def write_stream(self, rel: str, produce: Callable[[BinaryIO], T]) -> tuple[T, os.stat_result]:
        """Write a large file piece by piece (the timeline as data); returns what ``produce``
        returned, and the file's stat as written (or the old file's, linked in its place)."""
        target = self._target(rel)
        fd = os.open(target, files.CREATE_FLAGS, 0o644)
        with open(fd, "wb") as handle:
            made = produce(handle)
        st = os.lstat(target)
        found = self._old(rel, st.st_size)
        if found is not None and filecmp.cmp(found[0], target, shallow=False):
            folder, _, name = target.rpartition("/")
            linked = f"{folder}/.{name}{files.TEMPORARY}"
            if self._link(found[0], linked):  # the old file under the new one's name
                os.replace(linked, target)
                self._remember(rel, found[1])
                return made, found[1]
        self._remember(rel, st)
        self.changed.append(rel)
        return made, st

    def copy(self, rel: str, source: Path) -> None:
        """Copy a static file (a FIFO or device in its place is refused, never read)."""
        self.write(rel, files.read_regular(source))


def check_replaceable(output: Path) -> None:
    """Refuse to replace a folder that is not a previous build (e.g. ``--out ~``)."""
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise UsageError(f"{output} is not a folder; choose another --out")
    if output.is_dir() and any(output.iterdir()) and not (output / "index.html").is_file():
        raise UsageError(
            f"{output} is not empty and does not look like a Timeline build (no index.html); "
            "empty it or choose another --out"
        )


def write_error(exc: OSError) -> WriteError:
    """A failed write, in a user's words."""
    where = f" {exc.filename}" if exc.filename else ""
    return WriteError(f"cannot write{where}: {exc.strerror or exc}; the previous site is kept")


def replace_file(output: Path, rel: str, data: bytes) -> bool:
    """Replace one file of a served site atomically, unless it already holds ``data``
    (``timeline serve``'s rebuilds: the server holds requests meanwhile, so no commit step)."""
    pure = PurePosixPath(rel)
    target = output.joinpath(*pure.parts)
    try:
        st = os.lstat(target)
        same_size = stat.S_ISREG(st.st_mode) and st.st_size == len(data)
        if same_size and files.read_regular(target, follow=False) == data:
            return False
    except OSError:
        pass
    files.make_folder(target.parent, under=output)
    files.replace(target, data)
    return True


def remove_file(output: Path, rel: str) -> None:
    """Delete a page that no longer exists, and the folders it leaves empty."""
    target = output.joinpath(*rel.split("/"))
    target.unlink(missing_ok=True)
    folder = target.parent
    while folder != output and files.real_folder(folder) and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
